package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func downloadCommand() *cli.Command {
	return &cli.Command{
		Name:  "download",
		Usage: "download CloudTrail log files from S3",
		Action: func(c *cli.Context) error {
			return errors.New("download: not built yet")
		},
	}
}
