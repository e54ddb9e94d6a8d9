package main

import (
	"fmt"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/internal/humantime"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/source"
	"github.com/urfave/cli/v2"
)

// defaultLogDir is where download puts log files and select reads them, as in the original.
const defaultLogDir = "~/.trailscraper/logs"

// localSourceFlags are the flags of the local log directory source. For generate, --log-dir
// has no default: records come from stdin unless it is given.
func localSourceFlags(forGenerate bool) []cli.Flag {
	logDir := &cli.StringFlag{Name: "log-dir", Value: defaultLogDir, Usage: "the `DIR` of downloaded CloudTrail log files, read recursively"}
	if forGenerate {
		logDir.Value = ""
		logDir.Usage = "read the CloudTrail log files below `DIR` instead of stdin"
	}
	return []cli.Flag{
		logDir,
		jobsFlag(),
	}
}

// jobsFlag is --jobs, how many log files are decoded at once.
func jobsFlag() cli.Flag {
	return &cli.IntFlag{Name: "jobs", Usage: "decode `N` log files at once", DefaultText: "the number of CPUs"}
}

// filterFlags are the flags that choose which records to keep, whatever their source.
func filterFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "from", Value: "1970-01-01", Usage: "keep events at or after `TIME`: a date, a date-time (local unless it has a zone), 'now', '2 hours ago', '-1days', 'yesterday'"},
		&cli.StringFlag{Name: "to", Value: "now", Usage: "keep events at or before `TIME` (same forms as --from)"},
		&cli.StringSliceFlag{Name: "filter-assumed-role-arn", Usage: "keep only events of sessions of the role `ARN`, matched exactly (repeatable)"},
		&cli.StringSliceFlag{Name: "filter-principal", Usage: "keep only events whose userIdentity ARN, session issuer ARN or user name matches `PATTERN`; '*' matches anything (repeatable)"},
		&cli.StringSliceFlag{Name: "filter-event-source", Usage: "keep only events of the event `SOURCE`, e.g. s3.amazonaws.com; '*' matches anything (repeatable)"},
		&cli.StringFlag{Name: "errors", Value: "include", Usage: "`MODE` for failed calls (records with an errorCode): include them, exclude them, or keep only them (include, exclude, only)"},
	}
}

// timeWindowFromFlags reads --from and --to (select, generate, download). Times that
// cannot be read and a window that ends before it starts are usage errors.
func timeWindowFromFlags(c *cli.Context) (from, to time.Time, err error) {
	now := time.Now()
	if from, err = humantime.Parse(c.String("from"), now); err != nil {
		return from, to, usagef("--from: %v", err)
	}
	if to, err = humantime.Parse(c.String("to"), now); err != nil {
		return from, to, usagef("--to: %v", err)
	}
	if to.Before(from) {
		return from, to, usagef("--from %s is after --to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return from, to, nil
}

// filterFromFlags builds the library filter from the filter flags. Times that cannot be
// read, a window that ends before it starts and an unknown --errors mode are usage errors.
func filterFromFlags(c *cli.Context) (cloudtrail.Filter, error) {
	var f cloudtrail.Filter
	var err error
	if f.From, f.To, err = timeWindowFromFlags(c); err != nil {
		return f, err
	}
	if f.Errors, err = cloudtrail.ParseErrorMode(c.String("errors")); err != nil {
		return f, usagef("--errors: %v", err)
	}
	f.AssumedRoleARNs = nonEmpty(c.StringSlice("filter-assumed-role-arn"))
	f.Principals = nonEmpty(c.StringSlice("filter-principal"))
	f.EventSources = nonEmpty(c.StringSlice("filter-event-source"))
	return f, nil
}

// givenWindow returns from and to, each zero unless its flag was given.
func givenWindow(c *cli.Context, from, to time.Time) (time.Time, time.Time) {
	if !c.IsSet("from") {
		from = time.Time{}
	}
	if !c.IsSet("to") {
		to = time.Time{}
	}
	return from, to
}

// nonEmpty drops empty values, which a stray empty --filter-principal would otherwise turn
// into a filter that matches nothing.
func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// expandHome replaces a leading "~" with the user's home directory.
func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("--log-dir %s: %w", p, err)
	}
	return filepath.Join(home, p[1:]), nil
}

// localDir returns the log directory source that the flags name.
func localDir(c *cli.Context, log *slog.Logger, opts ...source.DirOption) (*source.Dir, error) {
	dir, err := expandHome(c.String("log-dir"))
	if err != nil {
		return nil, err
	}
	if n := c.Int("jobs"); n < 0 || n > source.MaxParallelism {
		return nil, usagef("--jobs %d: must be between 1 and %d (0: the number of CPUs)", n, source.MaxParallelism)
	}
	opts = append(opts, source.WithLogger(log), source.WithParallelism(c.Int("jobs")))
	return source.NewDir(dir, opts...), nil
}

// localRecords returns the records of the log directory that pass the filters. For
// generate without --log-dir, ok is false: records come from stdin.
func localRecords(c *cli.Context, log *slog.Logger, forGenerate bool) (iter.Seq2[trailscraper.Record, error], bool, error) {
	if forGenerate && c.String("log-dir") == "" {
		return nil, false, nil
	}
	f, err := filterFromFlags(c)
	if err != nil {
		return nil, false, err
	}
	if forGenerate {
		// As on stdin, generate applies a time window only when one is given: records
		// without a usable eventTime still need their permissions.
		f.From, f.To = givenWindow(c, f.From, f.To)
	}
	opts := []source.DirOption{source.WithFilter(f)}
	if !forGenerate {
		// select prints records as they were logged: it needs only what the filter reads.
		opts = append(opts, source.WithFields(cloudtrail.FieldEventTime))
	}
	dir, err := localDir(c, log, opts...)
	if err != nil {
		return nil, false, err
	}
	return dir.Records(c.Context, f.From, f.To), true, nil
}
