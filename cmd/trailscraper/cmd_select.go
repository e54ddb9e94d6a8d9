package main

import (
	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/urfave/cli/v2"
)

// noRecordsHint is the original tool's message when nothing matched.
const noRecordsHint = "No records matching your criteria found! Did you use the right filters? Did you download the right logfiles? It might take about 15 minutes for events to turn up in CloudTrail logs."

func selectCommand() *cli.Command {
	return &cli.Command{
		Name:  "select",
		Usage: "print the CloudTrail records that match the filters",
		Description: `Reads the CloudTrail log files below --log-dir (or an AWS source) and prints the records
of the time window that pass the filters as {"Records": [...]} on one line, each record
as it was logged. From --log-dir they are ordered by log file timestamp, path and position
in the file; the CloudTrail API yields them newest first, CloudTrail Lake by event time.
Files and records that cannot be read are skipped with a warning.`,
		Flags:  sourceFlags(false),
		Action: runSelect,
	}
}

func runSelect(c *cli.Context) error {
	log := newLogger(c.App.ErrWriter, c.Bool("verbose"))
	recs, _, err := sourceRecords(c, log, false)
	if err != nil {
		return err
	}
	skips := &skipCounter{log: log}
	fields := &fieldWarner{log: log}
	recs = fields.watch(recs)
	enc := cloudtrail.NewEncoder(c.App.Writer)
	for r, err := range recs {
		if err != nil {
			if err := skips.check(err); err != nil {
				return err
			}
			continue
		}
		if err := enc.Encode(&r); err != nil {
			return err
		}
	}
	if err := enc.Close(); err != nil {
		return err
	}
	fields.summary()
	skips.summary()
	if enc.Count() == 0 {
		log.Warn(noRecordsHint)
	}
	return nil
}
