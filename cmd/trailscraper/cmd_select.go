package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func selectCommand() *cli.Command {
	return &cli.Command{
		Name:  "select",
		Usage: "print the CloudTrail records that match the filters",
		Action: func(c *cli.Context) error {
			return errors.New("select: not built yet")
		},
	}
}
