package athenatest

// Imported for its -update flag, so that `go test ./... -update` (README.md) runs here too.
import _ "github.com/trailscraper/trailscraper/internal/testfiles"
