package trailscraper

import (
	"testing"

	"github.com/trailscraper/trailscraper/internal/depcheck"
)

// TestDependencies keeps the import direction of the module (README, "How the packages fit
// together"): each package may link only what its row allows. The library's core never
// depends on the AWS SDK or the CLI framework; s3download and source never link the
// catalogue (source asserts RecordSource in a test, not in its code);
// nothing below cmd/ parses human times.
func TestDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const m = depcheck.Module
	gzip := "github.com/klauspost/compress/..."
	yaml := "go.yaml.in/yaml/v3" // iam writes CloudFormation templates
	sdk := []string{"github.com/aws/aws-sdk-go-v2/...", "github.com/aws/smithy-go/...", "golang.org/x/sync/errgroup"}
	awsretry := m + "/internal/awsretry" // the SDK retry, timeout and paging guards of s3download and source
	tests := []struct {
		pkg     string
		allowed []string
	}{
		{"servicedefs", nil},
		{"iam", []string{yaml}},
		{"policy", []string{m + "/iam", yaml}},
		{"guess", []string{m + "/iam", m + "/servicedefs", yaml}},
		{"lint", []string{m + "/iam", m + "/servicedefs", yaml}},
		{"cloudtrail", []string{gzip}},
		{"mapping", []string{m + "/cloudtrail", m + "/iam", m + "/servicedefs", gzip, yaml}},
		{"", []string{m + "/access", m + "/cloudtrail", m + "/mapping", m + "/iam", m + "/policy", m + "/guess", m + "/servicedefs", gzip, yaml}},
		{"access", []string{m + "/iam", m + "/servicedefs", yaml}},
		{"granted", append([]string{m + "/access", m + "/iam", m + "/servicedefs", yaml}, sdk...)},
		{"internal/awsretry", sdk},
		{"s3download", append([]string{m + "/cloudtrail", awsretry, gzip}, sdk...)},
		{"source", append([]string{m + "/cloudtrail", awsretry, gzip}, sdk...)},
	}
	for _, tt := range tests {
		pkg := m
		if tt.pkg != "" {
			pkg += "/" + tt.pkg
		}
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			depcheck.AssertOnlyDependencies(t, pkg, tt.allowed...)
		})
	}
}
