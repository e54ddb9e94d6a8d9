package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"slices"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/cloudtrail"
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

// readInput returns the records of in, a log document or JSON lines, gzipped or not
// (cloudtrail.ReadRecords), named name in messages; the form it found is logged at debug
// level. Input in none of those forms is an error naming the forms, yielded when the
// records are read (not before: diff reads its policy first).
func readInput(in io.Reader, name string, log *slog.Logger, opts ...cloudtrail.DecodeOption) iter.Seq2[trailscraper.Record, error] {
	return func(yield func(trailscraper.Record, error) bool) {
		recs, form, err := cloudtrail.ReadRecords(in, append(opts, cloudtrail.WithSource(name))...)
		if err != nil {
			yield(trailscraper.Record{}, fmt.Errorf("%s: %w", name, err))
			return
		}
		log.Debug(fmt.Sprintf("reading %s as %s", name, form))
		for r, err := range recs {
			if !yield(r, err) {
				return
			}
		}
	}
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
		s.skipped += cloudtrail.Problems(err)
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

// fieldWarner warns about the fields of records that were ignored because their values
// could not be used (cloudtrail.Record.Ignored): the records themselves are kept. It warns
// for the first few records and counts the rest.
type fieldWarner struct {
	log     *slog.Logger
	records int
}

// maxFieldWarnings is how many records' ignored fields are warned about one by one.
const maxFieldWarnings = 5

// watch passes recs through, warning about the ignored fields of their records.
func (w *fieldWarner) watch(recs iter.Seq2[trailscraper.Record, error]) iter.Seq2[trailscraper.Record, error] {
	return func(yield func(trailscraper.Record, error) bool) {
		for r, err := range recs {
			if err == nil && len(r.Ignored) > 0 {
				w.records++
				if w.records <= maxFieldWarnings {
					for _, fe := range r.Ignored {
						w.log.Warn("record read without a field: "+fe.Error(), "eventID", cmp.Or(r.EventID(), "unknown"))
					}
				}
			}
			if !yield(r, err) {
				return
			}
		}
	}
}

// summary logs how many records were read without some of their fields, if any.
func (w *fieldWarner) summary() {
	if w.records > 0 {
		w.log.Warn("records read without fields whose values could not be used", "count", w.records)
	}
}
