// Package source has the [trailscraper.RecordSource] implementations: a local directory of
// downloaded CloudTrail log files, the CloudTrail LookupEvents API, and CloudTrail Lake.
package source

import (
	"log/slog"
)

// Option configures a source.
type Option func(*options)

type options struct {
	logger      *slog.Logger
	parallelism int

	aws awsOptions // options of the CloudTrail and Lake sources; see cloudtrail.go
}

func newOptions(opts []Option) options {
	o := options{logger: slog.New(slog.DiscardHandler)}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// WithLogger sends the source's warnings (skipped files and records) and debug output to l.
// By default they are discarded.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithParallelism sets how many files or regions a source reads at once. Zero or less means
// the default of the source.
func WithParallelism(n int) Option { return func(o *options) { o.parallelism = n } }
