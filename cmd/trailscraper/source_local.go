package main

import (
	"iter"
	"log/slog"

	"github.com/trailscraper/trailscraper"
	"github.com/urfave/cli/v2"
)

// CONTRACT: the local log directory source and the filters (--log-dir, --from, --to,
// --filter-assumed-role-arn, …). To be implemented.

func localSourceFlags(forGenerate bool) []cli.Flag { return nil }

func filterFlags() []cli.Flag { return nil }

// filterFromFlags builds the library filter from the filter flags.
func filterFromFlags(c *cli.Context) (trailscraper.Filter, error) { return trailscraper.Filter{}, nil }

func localRecords(c *cli.Context, log *slog.Logger, forGenerate bool) (iter.Seq2[trailscraper.Record, error], bool, error) {
	return nil, false, nil
}
