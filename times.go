package trailscraper

import "time"

// ParseTime parses a human time as the --from and --to flags take it, relative to now:
// "now", "2 hours ago", "one day ago", "-1days", "yesterday", "2017-01-01",
// "2017-01-01T10:00:00Z", …. Times without a zone are in now's location.
//
// CONTRACT (to be implemented).
func ParseTime(s string, now time.Time) (time.Time, error) { return now, nil }
