package main

import (
	"errors"
	"io"
	"os"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/mapping"

	"github.com/urfave/cli/v2"
)

func coverageCommand() *cli.Command {
	return &cli.Command{
		Name:      "coverage",
		Usage:     "report how records map to IAM actions",
		ArgsUsage: "FILE|-",
		Description: `Reads CloudTrail records from FILE (or stdin for -): JSON lines, one record a line, or
{"Records": [...]} as a log file holds it and select prints it, gzipped or not, and
prints how many records and distinct (eventSource, eventName) pairs map to actions of
the AWS service reference, need no permission, or cannot be mapped (listed), and which
written actions belong to services missing from the embedded snapshot.
Records that cannot be read are skipped with a warning and counted.`,
		Action: runCoverage,
	}
}

func runCoverage(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("coverage needs one FILE argument (or - for stdin)")
	}
	log := newLogger(c.App.ErrWriter, c.Bool("verbose"))
	name := c.Args().First()
	var in io.Reader = c.App.Reader
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	} else {
		name, in = "stdin", stdin(c, log)
	}
	cov := mapping.NewCoverage()
	skips := &skipCounter{log: log}
	fields := &fieldWarner{log: log}
	for r, err := range fields.watch(readInput(in, name, log)) {
		if errors.Is(err, cloudtrail.ErrEmpty) || errors.Is(err, cloudtrail.ErrBlank) {
			break // no records: an empty report
		}
		if err != nil {
			if err := skips.check(err); err != nil {
				return err
			}
			continue
		}
		cov.Add(&r)
	}
	fields.summary()
	skips.summary()
	return cov.Report().WriteText(c.App.Writer)
}
