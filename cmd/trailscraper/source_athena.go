package main

import (
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/urfave/cli/v2"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/source"
)

// athenaSourceFlags are the flags of select and generate that read records with an Athena
// query over a table of CloudTrail log files.
func athenaSourceFlags() []cli.Flag {
	const cat = "Athena (standard AWS configuration; --region sets the Athena region; AWS_ENDPOINT_URL_ATHENA)"
	return []cli.Flag{
		&cli.StringFlag{
			Name:     "athena-table",
			Usage:    "read the records with one Athena query over this CloudTrail table (`[CATALOG.]DATABASE.TABLE`, the columns AWS documents); generate asks Athena for one row per distinct call",
			Category: cat,
		},
		&cli.StringFlag{
			Name:     "athena-workgroup",
			Usage:    "with --athena-table: run the query in workgroup `WG` (default: the account's primary workgroup)",
			Category: cat,
		},
		&cli.StringFlag{
			Name:     "athena-output-location",
			Usage:    "with --athena-table: where Athena writes the query results (`s3://BUCKET/PREFIX/`), unless the workgroup sets it",
			Category: cat,
		},
		&cli.StringFlag{
			Name:     "athena-partitions",
			Usage:    "with --athena-table: how the table is partitioned by date: `timestamp` (partition projection, yyyy/MM/dd), year-month-day, or none (default: read from the table's partition keys)",
			Category: cat,
		},
		&cli.BoolFlag{
			Name:     "athena-query-only",
			Usage:    "with --athena-table: print the SQL query and exit without running it",
			Category: cat,
		},
	}
}

// errAthenaQueryOnly ends an --athena-query-only run with exit code 0 after the query is
// printed.
var errAthenaQueryOnly = exitError{code: 0, err: errors.New("printed the Athena query without running it (--athena-query-only)")}

// aggregating reports whether the command only needs what policy generation reads, so that
// the query sources may return one record per group of identical calls, with a count.
func aggregating(c *cli.Context) bool {
	switch c.Command.Name {
	case "generate", "diff":
		return true
	}
	return false
}

// athenaRecords returns the records of the Athena source when --athena-table is given; ok
// is false otherwise. For generate it runs the grouping query (see source.Athena.Groups).
// At the end it prints on stderr how much data the query scanned and what that costs.
func athenaRecords(c *cli.Context, log *slog.Logger) (iter.Seq2[trailscraper.Record, error], bool, error) {
	table := c.String("athena-table")
	if table == "" {
		for _, name := range []string{"athena-workgroup", "athena-output-location", "athena-partitions", "athena-query-only"} {
			if c.IsSet(name) {
				return nil, false, usagef("--%s needs --athena-table", name)
			}
		}
		return nil, false, nil
	}
	for _, name := range []string{"use-cloudtrail-api", "lake-event-data-store", "log-dir"} {
		if c.IsSet(name) {
			return nil, false, usagef("--athena-table and --%s are different sources; give one of them", name)
		}
	}
	regions := c.StringSlice("region")
	if len(regions) > 1 {
		return nil, false, usagef("Athena runs the query in one region; give at most one --region")
	}
	filter, err := filterFromFlags(c)
	if err != nil {
		return nil, false, err
	}
	opts := []source.AthenaOption{source.WithLogger(log), source.WithFilter(filter),
		source.WithWorkGroup(c.String("athena-workgroup")), source.WithOutputLocation(c.String("athena-output-location"))}
	if s := c.String("athena-partitions"); s != "" {
		scheme, err := source.ParsePartitionScheme(s)
		if err != nil {
			return nil, false, usagef("--athena-partitions: %v", err)
		}
		opts = append(opts, source.WithPartitionScheme(scheme))
	}
	if _, err := source.ParseTable(table); err != nil {
		return nil, false, usagef("--athena-table: %v", err)
	}
	if c.Bool("athena-query-only") && c.IsSet("athena-partitions") {
		// Print the query without any AWS call.
		return athenaQueryOnly(c, nil, opts)
	}
	region := ""
	if len(regions) == 1 {
		region = regions[0]
	}
	cfg, err := loadAWSConfig(c.Context, region, log)
	if err != nil {
		return nil, false, err
	}
	client := athena.NewFromConfig(cfg)
	if c.Bool("athena-query-only") {
		return athenaQueryOnly(c, client, opts)
	}
	p := newProgressLine(c.App.ErrWriter)
	var scanned atomic.Int64
	var ran atomic.Bool
	opts = append(opts, source.WithProgress(func(pr source.Progress) {
		if pr.DataScanned > 0 || pr.State != "" {
			scanned.Store(pr.DataScanned)
			ran.Store(true)
		}
		p.update(pr)
	}))
	src, err := source.NewAthena(client, table, opts...)
	if err != nil {
		return nil, false, usagef("%v", err)
	}
	if !c.IsSet("from") {
		log.Warn("no --from: the Athena query reads every partition of the table up to --to, and Athena bills by the data a query scans")
	}
	recs := src.Records
	if aggregating(c) {
		recs = src.Groups
	}
	seq := awsHinted(p.wrap(recs(c.Context, filter.From, filter.To)))
	return func(yield func(trailscraper.Record, error) bool) {
		defer func() {
			if ran.Load() {
				n := scanned.Load()
				fmt.Fprintf(c.App.ErrWriter, "trailscraper: the Athena query scanned %s (%d bytes): $%.4f at $5 per TB\n", downloadBytes(n), n, source.ScanCost(n))
			}
		}()
		for r, err := range seq {
			if !yield(r, err) {
				return
			}
		}
	}, true, nil
}

// athenaQueryOnly prints the query the command would run and ends it. Without the
// partition scheme given, it asks Athena for the table's partition keys (GetTableMetadata,
// which starts no query).
func athenaQueryOnly(c *cli.Context, client source.AthenaAPI, opts []source.AthenaOption) (iter.Seq2[trailscraper.Record, error], bool, error) {
	src, err := source.NewAthena(client, c.String("athena-table"), opts...)
	if err != nil {
		return nil, false, usagef("%v", err)
	}
	query := src.Query
	if aggregating(c) {
		query = src.GroupQuery
	}
	filter, err := filterFromFlags(c)
	if err != nil {
		return nil, false, err
	}
	sql, err := query(c.Context, filter.From, filter.To)
	if err != nil {
		return nil, false, awsCallError(err)
	}
	if _, err := fmt.Fprintln(c.App.Writer, sql); err != nil {
		return nil, false, err
	}
	return nil, false, errAthenaQueryOnly
}
