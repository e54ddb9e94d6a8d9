package main

import (
	"iter"
	"log/slog"

	"github.com/trailscraper/trailscraper"
	"github.com/urfave/cli/v2"
)

// CONTRACT: records from the CloudTrail API and CloudTrail Lake (--use-cloudtrail-api,
// --lake-event-data-store, …). To be implemented.

func awsSourceFlags() []cli.Flag { return nil }

func awsRecords(c *cli.Context, log *slog.Logger) (iter.Seq2[trailscraper.Record, error], bool, error) {
	return nil, false, nil
}
