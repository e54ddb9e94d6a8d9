package main

import (
	"cmp"
	"fmt"
	"iter"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/trailscraper/trailscraper"
	"github.com/urfave/cli/v2"
)

func generateCommand() *cli.Command {
	return &cli.Command{
		Name:  "generate",
		Usage: "generate an IAM policy from CloudTrail records on stdin (or from a log source)",
		Description: `Reads {"Records": [...]} as select prints it (or as a CloudTrail log file holds it)
from stdin and prints the least-privilege IAM policy that allows those calls.
With --log-dir or an AWS source flag it reads the records from there instead.`,
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "strict", Usage: "fail when the policy would name an action that is not in the AWS service reference"},
			&cli.BoolFlag{Name: "explain", Usage: "print, instead of the policy, which events produced each action and which rule decided"},
		}, sourceFlags(true)...),
		Action: runGenerate,
	}
}

func runGenerate(c *cli.Context) error {
	log := newLogger(c.App.ErrWriter, c.Bool("verbose"))
	recs, ok, err := sourceRecords(c, log, true)
	if err != nil {
		return err
	}
	if !ok {
		// Records from stdin (select's output): the filter flags apply here too, the time
		// window only when given, as records without an eventTime still count.
		f, err := filterFromFlags(c)
		if err != nil {
			return err
		}
		if !c.IsSet("from") {
			f.From = time.Time{}
		}
		if !c.IsSet("to") {
			f.To = time.Time{}
		}
		recs = filterRecords(trailscraper.DecodeRecords(c.App.Reader,
			trailscraper.DecodeWorkers(runtime.GOMAXPROCS(0)), trailscraper.DecodeSource("stdin")), &f)
	}
	opts := []trailscraper.Option{trailscraper.WithLogger(log)}
	if c.Bool("strict") {
		opts = append(opts, trailscraper.WithStrict())
	}
	g := trailscraper.NewGenerator(opts...)
	skips := &skipCounter{log: log}
	for r, err := range recs {
		if err != nil {
			if err := skips.check(err); err != nil {
				return err
			}
			continue
		}
		if r.EventSource == "" || r.EventName == "" {
			skips.skip("record has no eventSource or eventName", r)
			continue
		}
		g.Add(&r)
	}
	skips.summary()
	warnUnmapped(log, g.Unmapped())
	if c.Bool("explain") {
		return writeExplanation(c.App.Writer, g.Explain())
	}
	p, err := g.Policy()
	if err != nil {
		return err
	}
	return writePolicy(c.App.Writer, p)
}

// warnUnmapped prints one warning listing the events that map to no IAM action, so that a
// policy that misses something never does so silently.
func warnUnmapped(log *slog.Logger, unmapped map[trailscraper.EventName]int) {
	if len(unmapped) == 0 {
		return
	}
	events := slices.SortedFunc(maps.Keys(unmapped), func(a, b trailscraper.EventName) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Name, b.Name))
	})
	parts := make([]string, len(events))
	total := 0
	for i, e := range events {
		parts[i] = fmt.Sprintf("%s (%d)", e, unmapped[e])
		total += unmapped[e]
	}
	log.Warn(fmt.Sprintf("%d record(s) of %d event(s) map to no IAM action and are not in the policy: %s",
		total, len(events), strings.Join(parts, ", ")))
}

// filterRecords passes on the errors of recs and the records that f matches.
func filterRecords(recs iter.Seq2[trailscraper.Record, error], f *trailscraper.Filter) iter.Seq2[trailscraper.Record, error] {
	return func(yield func(trailscraper.Record, error) bool) {
		for r, err := range recs {
			if err != nil || f.Match(&r) {
				if !yield(r, err) {
					return
				}
			}
		}
	}
}
