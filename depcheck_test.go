package trailscraper

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the import direction of DESIGN.md: the library's core never
// depends on the AWS SDK or the CLI framework, and never imports the packages above it.
func TestDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	forbidden := []string{
		"github.com/aws/",
		"github.com/urfave/cli",
		"github.com/trailscraper/trailscraper/source",
		"github.com/trailscraper/trailscraper/s3download",
		"github.com/trailscraper/trailscraper/cmd/",
		"github.com/johannesboyne/gofakes3",
	}
	for _, pkg := range []string{".", "./iam", "./policy", "./guess", "./servicedefs"} {
		t.Run(pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", pkg, err)
			}
			for dep := range strings.FieldsSeq(string(out)) {
				for _, f := range forbidden {
					if strings.HasPrefix(dep, f) {
						t.Errorf("%s depends on %s", pkg, dep)
					}
				}
			}
		})
	}
}
