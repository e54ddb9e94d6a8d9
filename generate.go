package trailscraper

import (
	"cmp"
	"fmt"
	"iter"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/policy"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// Permission is one IAM action that a record needed, with the resources it was used on.
type Permission struct {
	Action    iam.Action
	Resources []string // resource ARNs, or ["*"]
	Rule      string   // the mapping rule that decided, for explanations
}

// Option configures [GeneratePolicy] and [NewGenerator].
type Option func(*config)

type config struct {
	logger *slog.Logger
	strict bool
}

// WithLogger sends warnings (unknown actions) to l. By default they are discarded.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithStrict makes [Generator.Policy] fail with an *[UnknownActionsError] when the policy
// would name actions that are not in the embedded service reference.
func WithStrict() Option { return func(c *config) { c.strict = true } }

// UnknownActionsError lists actions that are not in the embedded service reference, such as
// actions of a service newer than the snapshot.
type UnknownActionsError struct {
	Actions []iam.Action
}

func (e *UnknownActionsError) Error() string {
	names := make([]string, len(e.Actions))
	for i, a := range e.Actions {
		names[i] = string(a)
	}
	return fmt.Sprintf("%d action(s) not in the AWS service reference: %s", len(names), strings.Join(names, ", "))
}

// GeneratePolicy returns the least-privilege policy that allows what records did.
func GeneratePolicy(records iter.Seq[Record], opts ...Option) (*iam.Policy, error) {
	g := NewGenerator(opts...)
	for r := range records {
		g.Add(&r)
	}
	return g.Policy()
}

// Generator accumulates the permissions of records one at a time; [GeneratePolicy] is a
// loop over it. It is not safe for concurrent use.
type Generator struct {
	cfg      config
	grants   map[string]iam.Statement // distinct action+resources
	actions  map[iam.Action]*Explanation
	unmapped map[EventName]int
	records  int
}

// Explanation says why a policy holds an action: the events that needed it and the mapping
// rules that decided.
type Explanation struct {
	Action iam.Action
	Events map[string]int // "eventSource eventName" → number of records
	Rules  map[string]int // rule → number of records
	Known  bool           // the action is in the embedded service reference
	// Count is the number of calls that needed the action (an aggregated record counts
	// as its Count); FirstSeen and LastSeen are the earliest and latest of their event
	// times, zero when no record had one.
	Count               int
	FirstSeen, LastSeen time.Time
}

// NewGenerator returns an empty Generator.
func NewGenerator(opts ...Option) *Generator {
	g := &Generator{
		cfg:      config{logger: slog.New(slog.DiscardHandler)},
		grants:   map[string]iam.Statement{},
		actions:  map[iam.Action]*Explanation{},
		unmapped: map[EventName]int{},
	}
	for _, o := range opts {
		o(&g.cfg)
	}
	return g
}

// Add records the permissions r needed.
func (g *Generator) Add(r *Record) {
	g.records++
	m := r.Mapping()
	if m.Outcome == Unmapped {
		g.unmapped[EventName{r.EventSource, r.EventName}] += max(r.Count, 1)
	}
	for _, p := range m.Permissions {
		g.add(r, p)
	}
}

// EventName is a CloudTrail event source and event name.
type EventName struct {
	Source, Name string
}

func (e EventName) String() string { return e.Source + " " + e.Name }

// Unmapped returns the events added so far that map to no IAM action, with how many
// records each had: operations the service reference does not know, and event sources of
// no known service.
func (g *Generator) Unmapped() map[EventName]int { return maps.Clone(g.unmapped) }

func (g *Generator) add(r *Record, p Permission) {
	res := p.Resources
	if len(res) == 0 {
		res = []string{"*"}
	}
	var kb strings.Builder
	kb.WriteString(string(p.Action))
	for _, s := range res {
		kb.WriteByte(0)
		kb.WriteString(s)
	}
	key := kb.String()
	if _, ok := g.grants[key]; !ok {
		g.grants[key] = iam.Statement{Effect: iam.Allow, Action: []iam.Action{p.Action}, Resource: slices.Clone(res)}
	}
	e := g.actions[p.Action]
	if e == nil {
		_, known := servicedefs.Canonical(string(p.Action))
		e = &Explanation{Action: p.Action, Events: map[string]int{}, Rules: map[string]int{}, Known: known}
		g.actions[p.Action] = e
	}
	n := max(r.Count, 1)
	e.Events[r.EventSource+" "+r.EventName] += n
	e.Rules[p.Rule] += n
	e.Count += n
	first, last := r.EventTime, r.LastTime
	if last.IsZero() {
		last = first
	}
	if !first.IsZero() && (e.FirstSeen.IsZero() || first.Before(e.FirstSeen)) {
		e.FirstSeen = first
	}
	if !last.IsZero() && last.After(e.LastSeen) {
		e.LastSeen = last
	}
}

// Unknown returns the actions added so far that are not in the embedded service reference,
// sorted.
func (g *Generator) Unknown() []iam.Action {
	var out []iam.Action
	for a, e := range g.actions {
		if !e.Known {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// Explain returns an explanation for every action added so far, sorted by action.
func (g *Generator) Explain() []Explanation {
	out := make([]Explanation, 0, len(g.actions))
	for _, e := range g.actions {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b Explanation) int { return cmp.Compare(a.Action, b.Action) })
	return out
}

// Policy returns the policy for everything added so far. With [WithStrict] it fails when the
// policy would name unknown actions; otherwise they are logged as one warning.
func (g *Generator) Policy() (*iam.Policy, error) {
	if unknown := g.Unknown(); len(unknown) > 0 {
		err := &UnknownActionsError{Actions: unknown}
		if g.cfg.strict {
			return nil, err
		}
		g.cfg.logger.Warn(err.Error())
	}
	keys := make([]string, 0, len(g.grants))
	for k := range g.grants {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	stmts := make([]iam.Statement, len(keys))
	for i, k := range keys {
		stmts[i] = g.grants[k]
	}
	return policy.Build(stmts), nil
}
