package source

import "github.com/trailscraper/trailscraper"

// Every source is a trailscraper.RecordSource. The assertions live in a test so that the
// package does not link the root (and with it the mapping and the catalogue) for them.
var (
	_ trailscraper.RecordSource = (*Dir)(nil)
	_ trailscraper.RecordSource = (*CloudTrail)(nil)
	_ trailscraper.RecordSource = (*Lake)(nil)
	_ trailscraper.RecordSource = (*Athena)(nil)
)
