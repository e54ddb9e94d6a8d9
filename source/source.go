// Package source has the [github.com/trailscraper/trailscraper.RecordSource] implementations: a local directory of
// downloaded CloudTrail log files ([Dir]), the CloudTrail LookupEvents API ([CloudTrail]),
// CloudTrail Lake ([Lake]) and Amazon Athena ([Athena]).
//
// # Options
//
// Each constructor takes options of its own type ([DirOption], [CloudTrailOption],
// [LakeOption], [AthenaOption]), so an option a source does not honour does not compile with it. Options
// that every source honours ([WithLogger], [WithFilter]) are of type [Option], which is all
// of them at once.
package source

import (
	"log/slog"

	"github.com/trailscraper/trailscraper/cloudtrail"
)

// Option configures any source: it is a [DirOption], a [CloudTrailOption], a
// [LakeOption] and an [AthenaOption].
type Option interface {
	DirOption
	CloudTrailOption
	LakeOption
	AthenaOption
}

// DirOption configures [NewDir].
type DirOption interface{ applyDir(*options) }

// CloudTrailOption configures [NewCloudTrail].
type CloudTrailOption interface{ applyCloudTrail(*options) }

// LakeOption configures [NewLake].
type LakeOption interface{ applyLake(*options) }

// AthenaOption configures [NewAthena].
type AthenaOption interface{ applyAthena(*options) }

// AWSOption configures the sources that query an AWS service: it is a [CloudTrailOption],
// a [LakeOption] and an [AthenaOption].
type AWSOption interface {
	CloudTrailOption
	LakeOption
	AthenaOption
}

// QueryOption configures the sources that run one SQL query: it is a [LakeOption] and an
// [AthenaOption].
type QueryOption interface {
	LakeOption
	AthenaOption
}

// The option kinds: each applies to the sources whose apply method it has.
type (
	anySource   func(*options)
	awsSource   func(*options)
	dirOnly     func(*options)
	trailOnly   func(*options)
	lakeOnly    func(*options)
	athenaOnly  func(*options)
	sqlSource   func(*options)
	dirAndTrail func(*options)
)

func (f anySource) applyDir(o *options)          { f(o) }
func (f anySource) applyCloudTrail(o *options)   { f(o) }
func (f anySource) applyLake(o *options)         { f(o) }
func (f anySource) applyAthena(o *options)       { f(o) }
func (f awsSource) applyCloudTrail(o *options)   { f(o) }
func (f awsSource) applyLake(o *options)         { f(o) }
func (f awsSource) applyAthena(o *options)       { f(o) }
func (f athenaOnly) applyAthena(o *options)      { f(o) }
func (f sqlSource) applyLake(o *options)         { f(o) }
func (f sqlSource) applyAthena(o *options)       { f(o) }
func (f dirOnly) applyDir(o *options)            { f(o) }
func (f trailOnly) applyCloudTrail(o *options)   { f(o) }
func (f lakeOnly) applyLake(o *options)          { f(o) }
func (f dirAndTrail) applyDir(o *options)        { f(o) }
func (f dirAndTrail) applyCloudTrail(o *options) { f(o) }

// ParallelismOption configures [NewDir] and [NewCloudTrail]: it is a [DirOption] and a
// [CloudTrailOption].
type ParallelismOption interface {
	DirOption
	CloudTrailOption
}

type options struct {
	logger      *slog.Logger
	parallelism int
	filter      *cloudtrail.Filter
	fields      cloudtrail.Fields // of Dir; 0 for all

	aws    awsOptions    // options of the CloudTrail, Lake and Athena sources; see cloudtrail.go
	athena athenaOptions // options of Athena alone; see athena.go
}

func newOptions[O any](opts []O, apply func(O, *options)) options {
	o := options{logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		apply(opt, &o)
	}
	return o
}

// WithLogger sends the source's warnings (skipped files and records) and debug output to l.
// By default they are discarded.
func WithLogger(l *slog.Logger) Option { return anySource(func(o *options) { o.logger = l }) }

// WithFilter makes a source yield only the records that f matches. The CloudTrail and Lake
// sources push the parts of f that the service can evaluate down to it (see [CloudTrail]
// and [Lake]) and apply the whole of f to what comes back, so the result is exact; [Dir]
// also skips the files whose names say they cannot hold a record of f's window.
func WithFilter(f cloudtrail.Filter) Option {
	return anySource(func(o *options) { o.filter = &f })
}

// MaxParallelism is the most files or regions a source reads at once; [WithParallelism]
// lowers a larger number to it.
const MaxParallelism = 1024

// WithParallelism sets how many files ([Dir]) or regions ([CloudTrail]) a source reads at
// once, at most [MaxParallelism]. Zero or less means the default of the source.
func WithParallelism(n int) ParallelismOption {
	return dirAndTrail(func(o *options) { o.parallelism = min(n, MaxParallelism) })
}

// WithFields has [Dir] fill only the fields f of each record (and Raw, and the fields its
// filter and time window need), which is faster: see [cloudtrail.WithFields]. By default
// it fills every field.
func WithFields(f cloudtrail.Fields) DirOption {
	return dirOnly(func(o *options) { o.fields = f })
}
