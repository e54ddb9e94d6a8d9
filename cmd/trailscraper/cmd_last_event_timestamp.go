package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func lastEventTimestampCommand() *cli.Command {
	return &cli.Command{
		Name:  "last-event-timestamp",
		Usage: "print the time of the latest event in the downloaded logs",
		Action: func(c *cli.Context) error {
			return errors.New("last-event-timestamp: not built yet")
		},
	}
}
