package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func lastEventTimestampCommand() *cli.Command {
	return &cli.Command{
		Name:  "last-event-timestamp",
		Usage: "print the time of the latest event in the downloaded logs",
		Description: `Prints the latest eventTime of any record in the log files below --log-dir, in UTC,
as 2017-12-11 15:04:51+00:00. It reads the newest files first and stops once no other file
can hold a later event.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "log-dir", Value: defaultLogDir, Usage: "the `DIR` of downloaded CloudTrail log files"},
			jobsFlag(),
		},
		Action: func(c *cli.Context) error {
			log := newLogger(c.App.ErrWriter, c.Bool("verbose"))
			dir, err := localDir(c, log)
			if err != nil {
				return err
			}
			t, err := dir.LastEventTime(c.Context)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.App.Writer, t.UTC().Format("2006-01-02 15:04:05+00:00"))
			return err
		},
	}
}
