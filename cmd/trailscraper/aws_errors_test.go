package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

func TestAWSErrorHints(t *testing.T) {
	chain := errors.New("failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, access disabled to EC2 IMDS via client option, or \"AWS_EC2_METADATA_DISABLED\" environment variable")
	tests := []struct {
		name    string
		profile string
		err     func() error // built under the test's AWS_PROFILE
		want    string
		not     string
	}{
		{"no credentials", "", func() error { return awsCredentialsError(chain) }, "no AWS credentials found; set AWS_PROFILE", "IMDS"},
		{"no credentials for a profile", "dev", func() error { return awsCredentialsError(chain) }, `no AWS credentials found for profile "dev" (AWS_PROFILE); for an SSO profile run 'aws sso login --profile dev'`, "IMDS"},
		{"SSO", "dev", func() error {
			return awsCredentialsError(errors.New("failed to refresh cached credentials, the SSO session has expired or is invalid: failed to read cached SSO token file"))
		}, "run 'aws sso login --profile dev'", "cached"},
		{"unknown profile", "", func() error {
			return awsConfigError(config.SharedConfigProfileNotExistError{Profile: "x", Filename: []string{"/c"}})
		}, `AWS profile "x" (AWS_PROFILE) is not in /c; set AWS_PROFILE`, ""},
		{"expired token", "", func() error {
			return awsCallError(fmt.Errorf("LookupEvents: %w", &smithy.GenericAPIError{Code: "ExpiredTokenException", Message: "The security token included in the request is expired"}))
		}, "AWS refused the credentials (ExpiredTokenException: The security token included in the request is expired); refresh them", ""},
		{"other API errors pass", "", func() error { return awsCallError(&smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}) }, "api error AccessDenied: no", "refresh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_PROFILE", tt.profile)
			t.Setenv("AWS_DEFAULT_PROFILE", "")
			got := tt.err().Error()
			if !strings.Contains(got, tt.want) || (tt.not != "" && strings.Contains(got, tt.not)) || strings.Contains(got, "\n") {
				t.Errorf("got  %q\nwant one line with %q and without %q", got, tt.want, tt.not)
			}
		})
	}
}

// TestAWSLogger: the SDK's log lines go through the CLI logger, with its prefix, and only
// with --verbose.
func TestAWSLogger(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		var b strings.Builder
		awsLogger(newLogger(&b, verbose)).Logf(logging.Warn, "Response has no supported checksum.\nNot validating %s", "payload")
		want := ""
		if verbose {
			want = "trailscraper: debug: AWS SDK: Response has no supported checksum. Not validating payload (classification=WARN)\n"
		}
		if b.String() != want {
			t.Errorf("verbose %v: got %q, want %q", verbose, b.String(), want)
		}
	}
}
