package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/internal/awsretry"
)

// awsProfile is the AWS profile the SDK uses: AWS_PROFILE, else AWS_DEFAULT_PROFILE.
func awsProfile() string {
	if p := os.Getenv("AWS_PROFILE"); p != "" {
		return p
	}
	return os.Getenv("AWS_DEFAULT_PROFILE")
}

// awsLoadDefaultConfig is config.LoadDefaultConfig with the SDK's own log lines sent to log
// (so that they carry the trailscraper: prefix), its errors turned into one line that says
// what to do, and the credentials retrieved once up front: without them no call can work,
// and the SDK's error for missing credentials is a dump of its whole credential chain.
func awsLoadDefaultConfig(ctx context.Context, log *slog.Logger, opts ...func(*config.LoadOptions) error) (aws.Config, error) {
	opts = append(opts, config.WithLogger(awsLogger(log)))
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, awsConfigError(err)
	}
	if cfg.Credentials == nil {
		return aws.Config{}, errors.New(noCredentialsHint(awsProfile()))
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if ctx.Err() != nil {
			return aws.Config{}, ctx.Err()
		}
		return aws.Config{}, awsCredentialsError(err)
	}
	return cfg, nil
}

// awsLogger sends the SDK's log lines (warnings such as a skipped checksum, and with
// client log modes the debug output) to log as debug lines.
func awsLogger(log *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		msg := strings.TrimSpace(fmt.Sprintf(format, v...))
		log.Debug("AWS SDK: "+strings.ReplaceAll(msg, "\n", " "), "classification", string(c))
	})
}

func noCredentialsHint(profile string) string {
	if profile != "" {
		return fmt.Sprintf("no AWS credentials found for profile %q (AWS_PROFILE); for an SSO profile run 'aws sso login --profile %s', else add keys with 'aws configure --profile %s'", profile, profile, profile)
	}
	return "no AWS credentials found; set AWS_PROFILE to a profile of your AWS config (run 'aws sso login' for an SSO profile), run 'aws configure', or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
}

// awsConfigError turns an error of loading the AWS configuration into one line.
func awsConfigError(err error) error {
	var pe config.SharedConfigProfileNotExistError
	if errors.As(err, &pe) {
		where := strings.Join(pe.Filename, " or ")
		if where == "" {
			where = cmp.Or(os.Getenv("AWS_CONFIG_FILE"), config.DefaultSharedConfigFilename()) + " or " +
				cmp.Or(os.Getenv("AWS_SHARED_CREDENTIALS_FILE"), config.DefaultSharedCredentialsFilename())
		}
		return fmt.Errorf("AWS profile %q (AWS_PROFILE) is not in %s; set AWS_PROFILE to one of its profiles, unset it for the default profile, or create it with 'aws configure --profile %s'", pe.Profile, where, pe.Profile)
	}
	return fmt.Errorf("loading the AWS configuration: %w", err)
}

// awsCredentialsError turns an error of retrieving credentials into one line that says
// what to do.
func awsCredentialsError(err error) error {
	profile := awsProfile()
	msg := err.Error()
	switch {
	case strings.Contains(msg, "SSO session has expired") || strings.Contains(msg, "cached SSO token"):
		login := "aws sso login"
		if profile != "" {
			login += " --profile " + profile
		}
		return fmt.Errorf("the AWS SSO session has expired or was never started; run '%s'", login)
	case strings.Contains(msg, "IMDS") || strings.Contains(msg, "no valid providers") || strings.Contains(msg, "failed to find credentials"):
		// The default chain ends with the EC2 instance role: nothing was found before it.
		return errors.New(noCredentialsHint(profile))
	}
	if i := strings.LastIndex(msg, ", "); i >= 0 && len(msg) > 200 {
		msg = msg[i+2:] // the innermost cause, not the chain
	}
	return fmt.Errorf("getting AWS credentials: %s", msg)
}

// awsCallError adds to an error of an AWS call that refused the credentials what to do
// about them; other errors are returned as they are.
func awsCallError(err error) error {
	code := awsretry.AuthFailure(err)
	if code == "" {
		return err
	}
	var ae smithy.APIError
	errors.As(err, &ae)
	hint := "refresh them ('aws sso login' for an SSO profile, or new AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN)"
	if p := awsProfile(); p != "" {
		hint = fmt.Sprintf("refresh those of profile %q ('aws sso login --profile %s' for an SSO profile, else 'aws configure --profile %s')", p, p, p)
	}
	return fmt.Errorf("AWS refused the credentials (%s: %s); %s", code, ae.ErrorMessage(), hint)
}

// awsHinted passes seq through, with the errors that end it (not per-record errors) passed
// through awsCallError.
func awsHinted(seq iter.Seq2[trailscraper.Record, error]) iter.Seq2[trailscraper.Record, error] {
	return func(yield func(trailscraper.Record, error) bool) {
		for r, err := range seq {
			var re *trailscraper.RecordError
			if err != nil && !errors.As(err, &re) {
				err = awsCallError(err)
			}
			if !yield(r, err) {
				return
			}
		}
	}
}
