// Package trailscraper turns AWS CloudTrail records into least-privilege IAM policies.
//
// # Records
//
// A [Record] is one CloudTrail event with the fields that policy generation and filtering
// need, plus its original JSON bytes. [DecodeRecords] streams records out of a CloudTrail
// log document (`{"Records": [...]}`) without reading it into memory whole; [ParseRecord]
// parses a single event. A [RecordSource] yields records of a time window from somewhere:
// the package source has implementations for a local log directory, the CloudTrail
// LookupEvents API and CloudTrail Lake.
//
// # Policies
//
// [GeneratePolicy] maps every record to the IAM actions it needed (see [Record.Permissions])
// and combines them into a small, deterministic [iam.Policy]. [Guess] extends a policy with
// related actions that exist in AWS's service reference.
//
// The package and its subpackages iam, policy, guess and servicedefs never touch the network
// and never print: diagnostics go to an optional [log/slog.Logger].
package trailscraper

import (
	"context"
	"iter"
	"time"

	"github.com/trailscraper/trailscraper/guess"
	"github.com/trailscraper/trailscraper/iam"
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
// to the given name prefixes ("Get", "List", …; none means all). See package guess.
func Guess(p *iam.Policy, prefixes ...string) *iam.Policy { return guess.Extend(p, prefixes...) }
