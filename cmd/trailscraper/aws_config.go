package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
)

// awsRetryAttempts is how often a CloudTrail call is tried before the SDK gives up on a
// retryable error. Throttling needs many: LookupEvents allows about 2 calls a second.
const awsRetryAttempts = 12

// loadAWSConfig loads the standard AWS configuration (environment, shared config and
// credentials files, AWS_PROFILE, SSO, instance roles, AWS_ENDPOINT_URL_CLOUDTRAIL), in
// region when it is not empty. Retries use the SDK's standard retryer with backoff, more
// attempts, and no retry quota, so that a long run of throttled calls never fails it.
func loadAWSConfig(ctx context.Context, region string, log *slog.Logger) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = awsRetryAttempts
				o.MaxBackoff = 20 * time.Second
				o.RateLimiter = ratelimit.None
			})
		}),
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := awsLoadDefaultConfig(ctx, log, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	if cfg.Region == "" {
		return aws.Config{}, usagef("no AWS region is configured; give --region or set AWS_REGION (or a region in your AWS profile)")
	}
	return cfg, nil
}
