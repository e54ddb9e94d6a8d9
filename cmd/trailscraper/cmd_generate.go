package main

import (
	"iter"
	"log/slog"
	"runtime"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/trailscraper/trailscraper"
	"github.com/urfave/cli/v2"
)

func generateCommand() *cli.Command {
	return &cli.Command{
		Name:  "generate",
		Usage: "generate an IAM policy from CloudTrail records on stdin (or from a log source)",
		Description: `Reads records from stdin: {"Records": [...]} as select prints it (or as a CloudTrail log
file holds it), or JSON lines of records, gzipped or not, and prints the least-privilege
IAM policy that allows those calls.
With --log-dir or an AWS source flag it reads the records from there instead.`,
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "strict", Usage: "fail when the policy would name an action that is not in the AWS service reference"},
			&cli.BoolFlag{Name: "explain", Usage: "print, instead of the policy, which events produced each action and which rule decided"},
			&cli.StringFlag{Name: "resources", Value: "logged", Usage: "where resources come from: logged (resources[] of the records), scoped (ARNs built from each call), star (\"*\")"},
		}, append(policyOutputFlags(), sourceFlags(true)...)...),
		Action: runGenerate,
	}
}

func runGenerate(c *cli.Context) error {
	log := newLogger(c.App.ErrWriter, c.Bool("verbose"))
	var mode trailscraper.ResourceMode
	err := mode.UnmarshalText([]byte(c.String("resources")))
	if err != nil {
		return usagef("--resources: %w", err)
	}
	recs, err := generateRecords(c, log)
	if err != nil {
		return err
	}
	fields := &fieldWarner{log: log}
	recs = fields.watch(recs)
	defer fields.summary()
	opts := []trailscraper.Option{trailscraper.WithLogger(log), trailscraper.WithResources(mode)}
	if c.Bool("strict") {
		opts = append(opts, trailscraper.WithStrict())
	}
	if c.Bool("per-principal") {
		return generatePerPrincipal(c, log, recs, opts)
	}
	g := trailscraper.NewGenerator(opts...)
	read := 0
	err = g.AddAll(counting(recs, &read))
	summarizeSkipped(log, g.Skipped())
	if err != nil {
		return err
	}
	if len(g.Explain()) == 0 {
		warnEmptyPolicy(log, read)
	}
	if c.Bool("explain") {
		return writeExplanation(c.App.Writer, g.Explain())
	}
	p, err := g.Policy()
	if err != nil {
		return err
	}
	return writePolicies(c, log, p)
}

// generateRecords returns the records generate (and diff) read: from the source that the
// flags name, or else select's output on stdin.
func generateRecords(c *cli.Context, log *slog.Logger) (iter.Seq2[trailscraper.Record, error], error) {
	recs, ok, err := sourceRecords(c, log, true)
	if err != nil || ok {
		return recs, err
	}
	// Records from stdin (select's output): the filter flags apply here too, the time
	// window only when given, as records without an eventTime still count.
	f, err := filterFromFlags(c)
	if err != nil {
		return nil, err
	}
	f.From, f.To = givenWindow(c, f.From, f.To)
	return f.Apply(readInput(stdin(c, log), "stdin", log, cloudtrail.WithWorkers(runtime.GOMAXPROCS(0)))), nil
}
