package main

import (
	"errors"
	"iter"
	"log/slog"
	"slices"

	"github.com/trailscraper/trailscraper"
	"github.com/urfave/cli/v2"
)

// sourceFlags are the flags of select and generate that choose where records come from and
// which of them to keep. For generate, records come from stdin unless a source flag is given.
func sourceFlags(forGenerate bool) []cli.Flag {
	return slices.Concat(localSourceFlags(forGenerate), filterFlags(), awsSourceFlags(), athenaSourceFlags())
}

// sourceRecords returns the records that the flags select, from the CloudTrail API, Lake
// or Athena when their flags are given, else from the log directory. ok is false when generate should
// read stdin instead.
func sourceRecords(c *cli.Context, log *slog.Logger, forGenerate bool) (recs iter.Seq2[trailscraper.Record, error], ok bool, err error) {
	if recs, ok, err := athenaRecords(c, log); ok || err != nil {
		return recs, ok, err
	}
	if recs, ok, err := awsRecords(c, log); ok || err != nil {
		return recs, ok, err
	}
	return localRecords(c, log, forGenerate)
}

// skipCounter counts records and files that were skipped with a warning, so that commands
// can print a summary at the end.
type skipCounter struct {
	log     *slog.Logger
	skipped int
}

// check handles an error from a record sequence: a *RecordError is logged and counted and
// check returns nil; anything else is returned.
func (s *skipCounter) check(err error) error {
	var re *trailscraper.RecordError
	if errors.As(err, &re) {
		s.skipped++
		s.log.Warn("skipped: " + re.Error())
		return nil
	}
	return err
}

// summary logs how many records were skipped, if any.
func (s *skipCounter) summary() { summarizeSkipped(s.log, s.skipped) }

// summarizeSkipped logs how many records or files were skipped, if any.
func summarizeSkipped(log *slog.Logger, n int) {
	if n > 0 {
		log.Warn("skipped records or files that could not be read", "count", n)
	}
}
