package mapping

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// Coverage tallies how records map to IAM actions: how many map to actions of the service
// reference, how many need no permission, how many cannot be mapped. Add records one at a
// time, then read the [CoverageReport]. It is not safe for concurrent use.
type Coverage struct {
	counts  [4]int
	pairs   map[pairKey]*pairTally
	actions map[iam.Action]int
}

type pairTally struct {
	counts [4]int
	rules  map[string]int
}

// NewCoverage returns an empty Coverage.
func NewCoverage() *Coverage {
	return &Coverage{pairs: map[pairKey]*pairTally{}, actions: map[iam.Action]int{}}
}

// Add maps r and counts the outcome.
func (c *Coverage) Add(r *cloudtrail.Record) {
	m := For(r)
	c.counts[m.Outcome]++
	k := r.Event()
	t := c.pairs[k]
	if t == nil {
		t = &pairTally{rules: map[string]int{}}
		c.pairs[k] = t
	}
	t.counts[m.Outcome]++
	t.rules[m.Rule]++
	for _, p := range m.Permissions {
		c.actions[p.Action]++
	}
}

// PairCount is an (eventSource, eventName) pair with its number of records and the rule
// that decided most of them.
type PairCount struct {
	Event   cloudtrail.Event
	Records int
	Rule    string
}

// ActionCount is an action with the number of records that needed it.
type ActionCount struct {
	Action  iam.Action
	Records int
}

// CoverageReport is the result of a [Coverage].
type CoverageReport struct {
	Records int
	// Records by outcome, indexed by [Outcome].
	ByOutcome [4]int
	Pairs     int
	// Distinct (eventSource, eventName) pairs by outcome. A pair counts as mapped when any
	// of its records is, else unverified, else permissionless, else unmapped.
	PairsByOutcome [4]int
	// Actions is the number of distinct actions written.
	Actions int
	// UnknownActions are written actions that are not in the service reference (of
	// services missing from the snapshot), with the services they belong to.
	UnknownActions  []ActionCount
	MissingServices []string
	// UnmappedPairs lists the pairs none of whose records could be mapped, most records first.
	UnmappedPairs []PairCount
}

// pairOutcome is the outcome a pair is counted under.
func (t *pairTally) outcome() Outcome {
	for _, o := range []Outcome{Mapped, Unverified, Permissionless} {
		if t.counts[o] > 0 {
			return o
		}
	}
	return Unmapped
}

// Report returns the figures so far.
func (c *Coverage) Report() CoverageReport {
	rep := CoverageReport{ByOutcome: c.counts, Pairs: len(c.pairs), Actions: len(c.actions)}
	for _, n := range c.counts {
		rep.Records += n
	}
	for k, t := range c.pairs {
		o := t.outcome()
		rep.PairsByOutcome[o]++
		if o == Unmapped {
			rule, best := "", -1
			for r, n := range t.rules {
				if n > best || (n == best && r < rule) {
					rule, best = r, n
				}
			}
			rep.UnmappedPairs = append(rep.UnmappedPairs, PairCount{k, t.counts[Unmapped], rule})
		}
	}
	slices.SortFunc(rep.UnmappedPairs, func(a, b PairCount) int {
		return cmp.Or(cmp.Compare(b.Records, a.Records), cmp.Compare(a.Event.Source, b.Event.Source), cmp.Compare(a.Event.Name, b.Event.Name))
	})
	missing := map[string]bool{}
	for a, n := range c.actions {
		if _, ok := servicedefs.Canonical(string(a)); !ok {
			rep.UnknownActions = append(rep.UnknownActions, ActionCount{a, n})
			missing[a.Prefix()] = true
		}
	}
	slices.SortFunc(rep.UnknownActions, func(a, b ActionCount) int { return cmp.Compare(a.Action, b.Action) })
	for p := range missing {
		rep.MissingServices = append(rep.MissingServices, p)
	}
	slices.Sort(rep.MissingServices)
	return rep
}

func share(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

// WriteText prints the report for people.
func (rep CoverageReport) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%-16s %10s %8s %10s %8s\n", "", "records", "share", "pairs", "share")
	line := func(name string, n, p int) {
		fmt.Fprintf(bw, "%-16s %10d %8s %10d %8s\n", name, n, share(n, rep.Records), p, share(p, rep.Pairs))
	}
	line("total", rep.Records, rep.Pairs)
	for _, o := range []Outcome{Mapped, Permissionless, Unverified, Unmapped} {
		line(o.String(), rep.ByOutcome[o], rep.PairsByOutcome[o])
	}
	fmt.Fprintf(bw, "\ndistinct actions written: %d, not in the service reference: %d\n", rep.Actions, len(rep.UnknownActions))
	if len(rep.MissingServices) > 0 {
		fmt.Fprintf(bw, "services missing from the snapshot: %s\n", strings.Join(rep.MissingServices, ", "))
		for _, a := range rep.UnknownActions {
			fmt.Fprintf(bw, "  %s (%d)\n", a.Action, a.Records)
		}
	}
	if len(rep.UnmappedPairs) > 0 {
		fmt.Fprintf(bw, "\nunmapped pairs (%d):\n", len(rep.UnmappedPairs))
		for _, p := range rep.UnmappedPairs {
			fmt.Fprintf(bw, "  %s %s (%d, %s)\n", p.Event.Source, p.Event.Name, p.Records, p.Rule)
		}
	}
	return bw.Flush()
}
