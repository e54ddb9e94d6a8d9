package source_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	ctapi "github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/trailscraper/trailscraper/source"
)

// Giving each LookupEvents attempt 20 seconds before it is abandoned and tried again, and
// telling a service that repeats its page token from other errors. Throttling needs no
// option: it is waited out for as long as ctx lasts. (Not run: it needs AWS credentials.)
func ExampleWithCallTimeout() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour) // bounds throttling too
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	src := source.NewCloudTrail(ctapi.NewFromConfig(cfg), source.WithCallTimeout(20*time.Second))
	for _, err := range src.Records(ctx, time.Now().Add(-time.Hour), time.Now()) {
		if errors.Is(err, source.ErrRepeatedToken) {
			fmt.Fprintln(os.Stderr, "the service paged in a circle:", err)
		}
	}
}
