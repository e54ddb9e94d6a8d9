package source_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/aws/aws-sdk-go-v2/config"
	ctapi "github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/trailscraper/trailscraper/source"
)

// Reading the last day of S3 management events of two regions with LookupEvents. (Not run:
// it needs AWS credentials.)
func ExampleNewCloudTrail() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	src := source.NewCloudTrail(ctapi.NewFromConfig(cfg),
		source.WithRegions("us-east-1", "eu-west-1"),
		source.WithFilter(cloudtrail.Filter{EventSources: []string{"s3.amazonaws.com"}}),
		source.WithLogger(slog.Default()))
	to := time.Now()
	for rec, err := range src.Records(ctx, to.Add(-24*time.Hour), to) {
		if err != nil {
			fmt.Fprintln(os.Stderr, err) // a *trailscraper.RecordError, or the error that ended it
			continue
		}
		fmt.Println(rec.EventTime, rec.EventName)
	}
}
