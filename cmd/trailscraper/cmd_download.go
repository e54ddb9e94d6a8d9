package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/urfave/cli/v2"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/s3download"
	"github.com/trailscraper/trailscraper/source"
)

func downloadCommand() *cli.Command {
	return &cli.Command{
		Name:  "download",
		Usage: "download CloudTrail log files from S3",
		Description: `Downloads the CloudTrail log files of the accounts and regions, for every UTC day that
overlaps --from..--to, from the S3 bucket to --log-dir/<key>. Files already there are
skipped; interrupted downloads leave no partial files. AWS credentials, profile and region
come from the usual places (environment, ~/.aws/config, instance roles); AWS_ENDPOINT_URL_S3
or AWS_ENDPOINT_URL points it at an S3-compatible store, with path-style addressing.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "bucket", Usage: "the S3 `BUCKET` CloudTrail delivers to (required)"},
			&cli.StringSliceFlag{Name: "prefix", Usage: "the trail's S3 key `PREFIX`, before AWSLogs/ (repeatable)"},
			&cli.StringSliceFlag{Name: "account-id", Usage: "an AWS account `ID` to download logs of (required, repeatable)"},
			&cli.StringSliceFlag{Name: "region", Usage: "an AWS `REGION` to download logs of (required, repeatable)"},
			&cli.StringSliceFlag{Name: "org-id", Usage: "the organisation `ID` (o-…) of an organisation trail (repeatable)"},
			&cli.StringFlag{Name: "log-dir", Value: "~/.trailscraper/logs", Usage: "where to put the log files"},
			&cli.StringFlag{Name: "from", Value: "one day ago", Usage: "start of the time window: a date, a time or e.g. '2 days ago'"},
			&cli.StringFlag{Name: "to", Value: "now", Usage: "end of the time window"},
			&cli.IntFlag{Name: "parallelism", Value: s3download.DefaultParallelism, Usage: "how many files to download at once"},
			&cli.BoolFlag{Name: "wait", Usage: "download again until the logs hold an event after --to"},
			&cli.DurationFlag{Name: "wait-interval", Value: time.Minute, Usage: "time between downloads with --wait"},
			&cli.DurationFlag{Name: "wait-timeout", Usage: "give up waiting after this long", DefaultText: "never"},
			&cli.BoolFlag{Name: "s3-path-style", Usage: "use path-style S3 addressing (the default with AWS_ENDPOINT_URL[_S3])"},
		},
		Action: runDownload,
	}
}

// layoutFlags names the flag of each s3download.Layout field.
var layoutFlags = map[string]string{"AccountIDs": "account-id", "Regions": "region", "OrgIDs": "org-id"}

// downloadArgs are the validated flags of download.
type downloadArgs struct {
	bucket       string
	layout       s3download.Layout
	logDir       string
	from, to     time.Time
	parallelism  int
	wait         bool
	waitInterval time.Duration
	waitTimeout  time.Duration
	pathStyle    bool
}

func downloadArgsFromFlags(c *cli.Context) (downloadArgs, error) {
	a := downloadArgs{
		bucket:       c.String("bucket"),
		parallelism:  c.Int("parallelism"),
		wait:         c.Bool("wait"),
		waitInterval: c.Duration("wait-interval"),
		waitTimeout:  c.Duration("wait-timeout"),
		pathStyle:    c.Bool("s3-path-style"),
		layout: s3download.Layout{
			Prefixes:   c.StringSlice("prefix"),
			OrgIDs:     c.StringSlice("org-id"),
			AccountIDs: c.StringSlice("account-id"),
			Regions:    c.StringSlice("region"),
		},
	}
	if err := missingFlags(required{"bucket", a.bucket != ""}, required{"account-id", len(a.layout.AccountIDs) > 0},
		required{"region", len(a.layout.Regions) > 0}); err != nil {
		return a, err
	}
	switch {
	case a.parallelism < 1 || a.parallelism > s3download.MaxParallelism:
		return a, usagef("--parallelism %d: must be between 1 and %d", a.parallelism, s3download.MaxParallelism)
	case a.waitInterval <= 0:
		return a, usagef("--wait-interval %s: must be positive", a.waitInterval)
	case a.waitTimeout < 0:
		return a, usagef("--wait-timeout %s: must not be negative", a.waitTimeout)
	}
	if err := a.layout.Validate(); err != nil {
		var le *s3download.LayoutError
		if errors.As(err, &le) {
			return a, usagef("--%s %q: %s", layoutFlags[le.Field], le.Value, le.Want)
		}
		return a, usagef("%v", err)
	}
	for _, p := range a.layout.Prefixes {
		if _, err := s3download.LocalPath(p + "x"); err != nil && p != "" {
			return a, usagef("--prefix %q: not a usable key prefix", p)
		}
	}
	var err error
	if a.from, a.to, err = timeWindowFromFlags(c); err != nil {
		return a, err
	}
	if err := s3download.CheckWindow(a.from, a.to); err != nil {
		return a, usagef("--from/--to: %v", err)
	}
	if a.logDir, err = expandHome(c.String("log-dir")); err != nil {
		return a, err
	}
	return a, nil
}

func runDownload(c *cli.Context) error {
	args, err := downloadArgsFromFlags(c)
	if err != nil {
		return err
	}
	stderr := c.App.ErrWriter
	ctx := c.Context
	verbose := c.Bool("verbose")
	client, err := downloadS3Client(ctx, args.bucket, args.parallelism, args.pathStyle, newLogger(stderr, verbose))
	if err != nil {
		return err
	}
	once := func(summary bool) (*s3download.Result, error) {
		prog := newDownloadProgress(stderr, downloadIsTerminal(stderr))
		log := newLogger(prog.writer(), verbose)
		d := s3download.New(client, args.bucket, args.logDir,
			s3download.WithLogger(log),
			s3download.WithParallelism(args.parallelism),
			s3download.WithProgress(prog.event))
		log.Debug("downloading", "bucket", args.bucket,
			"from", args.from.UTC().Format(time.RFC3339), "to", args.to.UTC().Format(time.RFC3339))
		res, err := d.DownloadWindow(ctx, args.layout, args.from, args.to.Add(cloudtrail.DeliveryLag))
		prog.finish()
		if summary {
			fmt.Fprintln(stderr, downloadSummary(res))
		}
		return res, err
	}
	if !args.wait {
		res, err := once(true)
		return downloadError(err, res)
	}
	return downloadWait(ctx, stderr, args, once)
}

// downloadS3Client returns an S3 client configured as every AWS tool is: the default
// credential chain, AWS_PROFILE, AWS_REGION, and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3
// (or endpoint_url in the profile), with path-style addressing for such endpoints. On AWS
// itself, a client for the bucket's own region: S3 refuses requests sent to another one.
func downloadS3Client(ctx context.Context, bucket string, parallelism int, pathStyle bool, log *slog.Logger) (*s3.Client, error) {
	cfg, err := awsLoadDefaultConfig(ctx, log)
	if err != nil {
		return nil, err
	}
	// Keep a connection per parallel download: the SDK keeps 10, so with more, every
	// request past the tenth would open a new connection (and TLS session).
	if hc, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok || cfg.HTTPClient == nil {
		if hc == nil {
			hc = awshttp.NewBuildableClient()
		}
		cfg.HTTPClient = hc.WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, parallelism)
		})
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	custom := false
	opts := func(o *s3.Options) {
		// BaseEndpoint is set here when AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or the
		// profile's endpoint_url names a custom endpoint: S3-compatible stores (MinIO, Ceph,
		// gofakes3) expect path-style requests.
		if o.BaseEndpoint != nil {
			custom = true
		}
		if pathStyle || custom {
			o.UsePathStyle = true
		}
		// Stores that send no checksums would get an SDK log line per file.
		o.DisableLogOutputChecksumValidationSkipped = true
	}
	client := s3.NewFromConfig(cfg, opts)
	if custom {
		return client, nil
	}
	if region := s3download.BucketRegion(ctx, client, bucket); region != "" && region != cfg.Region {
		log.Debug("using the bucket's region", "bucket", bucket, "region", region, "configured", cfg.Region)
		cfg.Region = region
		client = s3.NewFromConfig(cfg, opts)
	}
	return client, nil
}

// downloadError turns an incomplete download into the command's error. It advises running
// download again only when that can help: when some failure was not refused by S3 for
// good (a 4xx answer: access denied, …) or a listing that repeated its token.
func downloadError(err error, res *s3download.Result) error {
	if !errors.Is(err, s3download.ErrIncomplete) {
		return awsCallError(err)
	}
	for _, f := range res.Failures {
		if !downloadPermanent(f.Err) {
			return fmt.Errorf("%w; run download again to retry the failed files", err)
		}
	}
	return fmt.Errorf("%w; S3 refused them (see the warnings above), so running download again will not help", err)
}

// downloadPermanent reports whether err is a failure that repeating the request cannot
// mend.
func downloadPermanent(err error) bool {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		code := re.HTTPStatusCode()
		return code >= 400 && code < 500 && code != 408 && code != 429
	}
	return errors.Is(err, s3download.ErrRepeatedToken)
}

// downloadSummary is the line printed at the end of every download.
func downloadSummary(r *s3download.Result) string {
	s := fmt.Sprintf("trailscraper: listed %d, downloaded %d (%s), skipped %d (%d already present, %d not log files), refused %d unsafe keys, failed %d",
		r.Listed, r.Downloaded, downloadBytes(r.Bytes), r.Existing+r.InvalidName, r.Existing, r.InvalidName, r.Unsafe, r.Failed)
	if r.Interrupted {
		files := "files"
		if r.Unfinished == 1 {
			files = "file"
		}
		s += fmt.Sprintf("; interrupted: %d listed %s not downloaded, and prefixes may be left unlisted", r.Unfinished, files)
	}
	return s
}

// downloadBytes formats n bytes in binary units.
func downloadBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// downloadWait downloads every interval until the log directory holds an event after
// args.to, printing one line per poll, until ctx ends or the timeout passes. The summary
// line of the last download ends it.
func downloadWait(ctx context.Context, stderr io.Writer, args downloadArgs, once func(summary bool) (*s3download.Result, error)) error {
	var deadline time.Time
	if args.waitTimeout > 0 {
		deadline = time.Now().Add(args.waitTimeout)
	}
	to := args.to.UTC().Format(time.RFC3339)
	dir := source.NewDir(args.logDir, source.WithLogger(newLogger(stderr, false)))
	for poll := 1; ; poll++ {
		res, err := once(false)
		if err != nil && !errors.Is(err, s3download.ErrIncomplete) {
			fmt.Fprintln(stderr, downloadSummary(res))
			return err
		}
		last, lerr := dir.LastEventTime(ctx)
		switch {
		case lerr != nil && ctx.Err() != nil:
			return ctx.Err()
		case lerr != nil && !errors.Is(lerr, source.ErrNoLogFiles):
			return fmt.Errorf("reading the newest event in %s: %w", args.logDir, lerr)
		}
		got := fmt.Sprintf("poll %d: downloaded %d", poll, res.Downloaded)
		if res.Failed > 0 {
			got += fmt.Sprintf(", %d failed", res.Failed)
		}
		if lerr == nil && last.After(args.to) {
			fmt.Fprintf(stderr, "trailscraper: %s; newest event %s is after --to %s; done\n", got, last.UTC().Format(time.RFC3339), to)
			fmt.Fprintln(stderr, downloadSummary(res))
			return downloadError(err, res)
		}
		newest := "no events yet"
		if lerr == nil {
			newest = "newest event " + last.UTC().Format(time.RFC3339)
		}
		next := args.waitInterval
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				fmt.Fprintf(stderr, "trailscraper: %s; %s, none after --to %s; --wait-timeout reached\n", got, newest, to)
				fmt.Fprintln(stderr, downloadSummary(res))
				return fmt.Errorf("gave up waiting after %s: %s, not after --to %s", args.waitTimeout, newest, to)
			}
			next = min(next, left)
		}
		fmt.Fprintf(stderr, "trailscraper: %s; %s, waiting for one after --to %s; next download in %s\n", got, newest, to, next)
		t := time.NewTimer(next)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
