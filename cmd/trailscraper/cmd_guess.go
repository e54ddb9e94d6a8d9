package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func guessCommand() *cli.Command {
	return &cli.Command{
		Name:  "guess",
		Usage: "extend a policy on stdin with related actions",
		Action: func(c *cli.Context) error {
			return errors.New("guess: not built yet")
		},
	}
}
