// Package trailscraper turns AWS CloudTrail records into least-privilege IAM policies.
//
// The package is the library's front door: one call goes from records to a policy. The
// machinery lives in subpackages that can be used on their own.
//
// # Records
//
// A [Record] is one CloudTrail event (package cloudtrail decodes, filters and encodes
// them). A [RecordSource] yields the records of a time window from somewhere: package
// source reads a local log directory, the CloudTrail LookupEvents API and CloudTrail Lake;
// package s3download fetches log files from S3. Sources stream, and report a record or
// file they could not read as a *[RecordError] while the rest go on.
//
// # Policies
//
// [GeneratePolicy] takes what a source yields, maps every record to the IAM actions it
// needed (package mapping, built on AWS's service reference in package servicedefs) and
// combines them into a small, deterministic [iam.Policy] (package policy):
//
//	src := source.NewDir("logs")
//	p, err := trailscraper.GeneratePolicy(src.Records(ctx, from, to))
//
// A [Generator] does the same one record at a time and explains each action. [Guess]
// extends a policy with related actions that exist in the service reference.
//
// # Packages
//
// cloudtrail, mapping, iam, policy, guess and servicedefs never touch the network; source
// and s3download take the AWS SDK's clients. No package prints: diagnostics go to an
// optional [log/slog.Logger].
package trailscraper

import (
	"context"
	"iter"
	"time"

	"github.com/trailscraper/trailscraper/guess"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/mapping"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// RecordSource yields the records of a time window. Implementations stream: they never need
// the whole log set in memory. A zero from or to leaves that end of the window open.
//
// An error yielded with a zero Record ends the sequence unless it is a *[RecordError], which
// reports one record or file that was skipped while the rest go on.
type RecordSource interface {
	Records(ctx context.Context, from, to time.Time) iter.Seq2[Record, error]
}

// Guess returns a copy of p extended with actions related to the ones it allows, limited
// to the given name prefixes ("Get", "List", …; none means all). The guessed actions whose
// resource types accept a statement's resources are allowed on them; the others on "*".
// It is the one entry point for guessing; package guess has the machinery (a
// [guess.Guesser] with its own catalogue, or the original tool's all-"*" guesses).
func Guess(p *iam.Policy, prefixes ...string) *iam.Policy {
	return guess.New(guess.WithCatalog(resourceCatalog{}), guess.WithKeptResources()).Extend(p, prefixes...)
}

// resourceCatalog is the service reference as a guess.ResourceCatalog: actions from
// servicedefs, resource types from their ARN formats.
type resourceCatalog struct{}

func (resourceCatalog) Canonical(action string) (string, bool) { return servicedefs.Canonical(action) }

func (resourceCatalog) Accepts(action, resource string) bool {
	return mapping.FitsFormat(action, resource)
}
