package main

import (
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"strings"

	"github.com/trailscraper/trailscraper/cloudtrail"

	ctapi "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/urfave/cli/v2"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/source"
)

// awsSourceFlags are the flags of select and generate that read records from AWS instead
// of the log directory: the CloudTrail LookupEvents API or CloudTrail Lake.
func awsSourceFlags() []cli.Flag {
	const cat = "AWS sources (standard AWS configuration: credentials, AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_CLOUDTRAIL)"
	return []cli.Flag{
		&cli.BoolFlag{
			Name:     "use-cloudtrail-api",
			Usage:    "read the records with the CloudTrail LookupEvents API (management events of the last 90 days) instead of from log files",
			Category: cat,
		},
		&cli.StringSliceFlag{
			Name:     "region",
			Usage:    "with --use-cloudtrail-api: query `REGION` (repeatable; regions are queried concurrently; default: the configured region); with --lake-event-data-store: the store's region; with --athena-table: the Athena region",
			Category: cat,
		},
		&cli.StringFlag{
			Name:     "lake-event-data-store",
			Usage:    "read the records from this CloudTrail Lake event data store (`ID_OR_ARN`) with one SQL query that does the filtering",
			Category: cat,
		},
		&cli.BoolFlag{
			Name:     "lake-query-only",
			Usage:    "with --lake-event-data-store: print the SQL query and exit without running it",
			Category: cat,
		},
	}
}

// errQueryOnly ends a --lake-query-only run with exit code 0 after the query is printed.
var errQueryOnly = exitError{code: 0, err: errors.New("printed the CloudTrail Lake query without running it (--lake-query-only)")}

// awsRecords returns the records of the CloudTrail API or Lake source when one of their
// flags is given; ok is false otherwise. The filter flags are pushed down to the service
// where it can evaluate them, and the whole filter is applied to what comes back.
//
// With --lake-query-only it prints the query on stdout and returns an error that ends the
// command with exit code 0 and a note on stderr, so no command goes on to print records.
func awsRecords(c *cli.Context, log *slog.Logger) (iter.Seq2[trailscraper.Record, error], bool, error) {
	useAPI := c.Bool("use-cloudtrail-api")
	store := c.String("lake-event-data-store")
	regions := c.StringSlice("region")
	switch {
	case useAPI && store != "":
		return nil, false, usagef("--use-cloudtrail-api and --lake-event-data-store are different sources; give one of them")
	case c.Bool("lake-query-only") && store == "":
		return nil, false, usagef("--lake-query-only needs --lake-event-data-store")
	case !useAPI && store == "":
		if len(regions) > 0 {
			return nil, false, usagef("--region needs --use-cloudtrail-api or --lake-event-data-store")
		}
		return nil, false, nil
	case c.IsSet("log-dir"):
		return nil, false, usagef("--log-dir reads local log files; it cannot be combined with --use-cloudtrail-api or --lake-event-data-store")
	}
	var uniq []string // a region given twice is queried once
	for _, r := range regions {
		if r = strings.TrimSpace(r); r == "" {
			return nil, false, usagef("--region is empty")
		}
		if !slices.Contains(uniq, r) {
			uniq = append(uniq, r)
		}
	}
	regions = uniq
	filter, err := filterFromFlags(c)
	if err != nil {
		return nil, false, err
	}
	common := []source.Option{source.WithLogger(log), source.WithFilter(filter)}
	if store != "" {
		return lakeRecords(c, log, store, regions, filter, common)
	}
	return apiRecords(c, log, regions, filter, common)
}

func lakeRecords(c *cli.Context, log *slog.Logger, store string, regions []string, filter cloudtrail.Filter, common []source.Option) (iter.Seq2[trailscraper.Record, error], bool, error) {
	var opts []source.LakeOption
	for _, o := range common {
		opts = append(opts, o)
	}
	eds, err := source.ParseEventDataStore(store)
	if err != nil {
		return nil, false, usagef("--lake-event-data-store: %v", err)
	}
	if len(regions) > 1 {
		return nil, false, usagef("a CloudTrail Lake event data store lives in one region; give at most one --region")
	}
	if c.Bool("lake-query-only") {
		l, err := source.NewLake(nil, store, opts...)
		if err != nil {
			return nil, false, usagef("--lake-event-data-store: %v", err)
		}
		query := l.Query
		if aggregating(c) {
			query = l.GroupQuery
		}
		sql, err := query(filter.From, filter.To)
		if err != nil {
			return nil, false, usagef("%v", err)
		}
		if _, err := fmt.Fprintln(c.App.Writer, sql); err != nil {
			return nil, false, err
		}
		return nil, false, errQueryOnly
	}
	region := eds.Region
	if len(regions) == 1 {
		region = regions[0]
	}
	cfg, err := loadAWSConfig(c.Context, region, log)
	if err != nil {
		return nil, false, err
	}
	p := newProgressLine(c.App.ErrWriter)
	l, err := source.NewLake(ctapi.NewFromConfig(cfg), store, append(opts, source.WithProgress(p.update))...)
	if err != nil {
		return nil, false, usagef("--lake-event-data-store: %v", err)
	}
	if filter.From.IsZero() || !c.IsSet("from") {
		log.Warn("no --from: the CloudTrail Lake query scans the event data store from its first event on, and Lake bills by the data a query scans")
	}
	recs := l.Records
	if aggregating(c) {
		recs = l.Groups // one row per group of calls the policy cannot tell apart
	}
	return awsHinted(p.wrap(recs(c.Context, filter.From, filter.To))), true, nil
}

func apiRecords(c *cli.Context, log *slog.Logger, regions []string, filter cloudtrail.Filter, common []source.Option) (iter.Seq2[trailscraper.Record, error], bool, error) {
	var opts []source.CloudTrailOption
	for _, o := range common {
		opts = append(opts, o)
	}
	first := ""
	if len(regions) > 0 {
		first = regions[0]
	}
	cfg, err := loadAWSConfig(c.Context, first, log)
	if err != nil {
		return nil, false, err
	}
	if len(regions) == 0 {
		regions = []string{cfg.Region}
	}
	p := newProgressLine(c.App.ErrWriter)
	opts = append(opts, source.WithRegions(regions...), source.WithProgress(p.update))
	src := source.NewCloudTrail(ctapi.NewFromConfig(cfg), opts...)
	return awsHinted(p.wrap(src.Records(c.Context, filter.From, filter.To))), true, nil
}
