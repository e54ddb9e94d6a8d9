// Command role-policy prints the least-privilege policy for one IAM role, built from the
// CloudTrail logs in a local directory. It shows the library used on its own:
//
//	go run ./examples/role-policy -log-dir examples/logs -role arn:aws:iam::111111111111:role/someRole
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/source"
)

func main() {
	logDir := flag.String("log-dir", "examples/logs", "directory of downloaded CloudTrail logs")
	role := flag.String("role", "", "ARN of the role whose policy to print (all principals when empty)")
	days := flag.Int("days", 0, "only the last N days (0: all)")
	flag.Parse()

	if err := run(context.Background(), *logDir, *role, *days); err != nil {
		fmt.Fprintln(os.Stderr, "role-policy:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, logDir, role string, days int) error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var from time.Time
	if days > 0 {
		from = time.Now().AddDate(0, 0, -days)
	}
	filter := cloudtrail.Filter{From: from}
	if role != "" {
		filter.AssumedRoleARNs = []string{role}
	}

	src := source.NewDir(logDir, source.WithLogger(logger), source.WithFilter(filter))
	p, err := trailscraper.GeneratePolicy(src.Records(ctx, from, time.Time{}), trailscraper.WithLogger(logger))
	if err != nil {
		return err
	}
	out, err := iam.Marshal(p)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
