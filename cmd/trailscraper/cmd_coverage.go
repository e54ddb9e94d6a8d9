package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func coverageCommand() *cli.Command {
	return &cli.Command{
		Name:  "coverage",
		Usage: "report how records in a JSON-lines file map to IAM actions",
		Action: func(c *cli.Context) error {
			return errors.New("coverage: not built yet")
		},
	}
}
