package source

import (
	"context"
	"iter"
	"time"

	"github.com/trailscraper/trailscraper"
)

var _ trailscraper.RecordSource = (*Dir)(nil)

// Dir reads the CloudTrail log files below a local directory, as download writes them.
type Dir struct {
	path string
	opts options
}

// NewDir returns the source for the log files below path.
func NewDir(path string, opts ...Option) *Dir { return &Dir{path: path, opts: newOptions(opts)} }

// Records yields the records of the window.
//
// CONTRACT (to be implemented).
func (d *Dir) Records(ctx context.Context, from, to time.Time) iter.Seq2[trailscraper.Record, error] {
	return func(yield func(trailscraper.Record, error) bool) {}
}

// LastEventTime returns the latest eventTime of any record below the directory.
//
// CONTRACT (to be implemented).
func (d *Dir) LastEventTime(ctx context.Context) (time.Time, error) { return time.Time{}, nil }
