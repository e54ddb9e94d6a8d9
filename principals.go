package trailscraper

import (
	"iter"
	"maps"
	"slices"

	"github.com/trailscraper/trailscraper/iam"
)

// PrincipalPolicy is the policy of one principal: what its records did.
type PrincipalPolicy struct {
	// Principal is who made the calls, as [cloudtrail.Record.Principal] names it: a role
	// ARN for assumed roles, a user ARN, a service; "" for records that do not say.
	Principal string
	Policy    *iam.Policy
	// Records is the number of records of the principal that were used.
	Records int
}

// GeneratePolicies is [GeneratePolicy] for each principal: it reads records once and
// returns one policy per principal, sorted by principal. Records are skipped and errors
// returned as GeneratePolicy does; with [WithStrict] an unknown action in any principal's
// policy fails it.
func GeneratePolicies(records iter.Seq2[Record, error], opts ...Option) ([]PrincipalPolicy, error) {
	skips := NewGenerator(opts...) // sees only the records that are skipped, and counts them
	gens := map[string]*Generator{}
	counts := map[string]int{}
	err := skips.AddAll(func(yield func(Record, error) bool) {
		for r, err := range records {
			if err != nil || r.EventSource == "" || r.EventName == "" {
				if !yield(r, err) {
					return
				}
				continue
			}
			p := r.Principal()
			g := gens[p]
			if g == nil {
				g = NewGenerator(opts...)
				gens[p] = g
			}
			g.Add(&r)
			counts[p]++
		}
	})
	if err != nil {
		return nil, err
	}
	var out []PrincipalPolicy
	for _, p := range slices.Sorted(maps.Keys(gens)) {
		pol, err := gens[p].Policy()
		if err != nil {
			return nil, err
		}
		out = append(out, PrincipalPolicy{Principal: p, Policy: pol, Records: counts[p]})
	}
	return out, nil
}
