package trailscraper

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/mapping"
	"github.com/trailscraper/trailscraper/policy"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// Option configures [GeneratePolicy] and [NewGenerator].
type Option func(*config)

type config struct {
	logger  *slog.Logger
	strict  bool
	skipped func(error)
	mode    ResourceMode
	limit   int
}

// ResourceMode says where the resources of a policy's statements come from.
type ResourceMode uint8

const (
	// ResourcesLogged uses the ARNs CloudTrail lists in each record's resources[] that fit
	// the action's resource types, "*" otherwise. It is the default.
	ResourcesLogged ResourceMode = iota
	// ResourcesScoped builds every permission's resources from the call: resources[], the
	// request, the response, the caller (see mapping.Scope and docs/mapping.md).
	ResourcesScoped
	// ResourcesStar puts every statement on "*".
	ResourcesStar
)

func (m ResourceMode) String() string {
	switch m {
	case ResourcesLogged:
		return "logged"
	case ResourcesScoped:
		return "scoped"
	case ResourcesStar:
		return "star"
	}
	return "unknown"
}

// MarshalText writes the mode's name, as String does.
func (m ResourceMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads the mode named "logged", "scoped" or "star", so that a mode can be a
// flag (flag.TextVar) or a field of a configuration file.
func (m *ResourceMode) UnmarshalText(text []byte) error {
	for _, c := range []ResourceMode{ResourcesLogged, ResourcesScoped, ResourcesStar} {
		if string(text) == c.String() {
			*m = c
			return nil
		}
	}
	return fmt.Errorf("unknown resource mode %q (want logged, scoped or star)", text)
}

// WithResources sets where the policy's resources come from (default [ResourcesLogged]).
func WithResources(m ResourceMode) Option { return func(c *config) { c.mode = m } }

// DefaultResourceLimit is the number of distinct resource lists kept per action before
// they are collapsed.
const DefaultResourceLimit = 1000

// WithResourceLimit keeps at most n distinct resource lists per action (default
// [DefaultResourceLimit]); past that, the action's ARNs are collapsed by writing one more
// part of each as "*" (an S3 object key first, then the bucket), with a warning naming the
// action. It bounds the memory a run takes whatever the input.
func WithResourceLimit(n int) Option { return func(c *config) { c.limit = max(n, 1) } }

// WithLogger sends the generator's warnings to l: actions that are not in the service
// reference, events that map to no action, records skipped. By default they are discarded.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithStrict makes [Generator.Policy] fail with an *[UnknownActionsError] when the policy
// would name actions that are not in the embedded service reference.
func WithStrict() Option { return func(c *config) { c.strict = true } }

// WithSkipped has [Generator.AddAll] and [GeneratePolicy] call fn with every *[RecordError]
// they skip, instead of logging it as a warning.
func WithSkipped(fn func(error)) Option { return func(c *config) { c.skipped = fn } }

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

// GeneratePolicy returns the least-privilege policy that allows what the records did. It
// reads records as every [RecordSource] yields them: a *[RecordError] is skipped (see
// [WithSkipped]) and any other error stops it and is returned.
func GeneratePolicy(records iter.Seq2[Record, error], opts ...Option) (*iam.Policy, error) {
	g := NewGenerator(opts...)
	if err := g.AddAll(records); err != nil {
		return nil, err
	}
	return g.Policy()
}

// Generator accumulates the permissions of records one at a time; [GeneratePolicy] is a
// loop over it. It is not safe for concurrent use.
type Generator struct {
	cfg     config
	mapper  func(*Record) mapping.Mapping // mapping.For; replaced in tests
	grants  map[iam.Action]*actionGrants
	actions map[iam.Action]*Explanation
	// index holds the IAM and Secrets Manager ARNs seen in the run (scoped mode), assumed
	// the ARNs built from bare names that it may resolve.
	index    *mapping.Index
	assumed  map[string]struct{}
	unmapped map[cloudtrail.Event]int
	records  int
	skipped  int
	// warnedUnmapped is the number of unmapped calls the last warning about them named.
	warnedUnmapped int
}

// Explanation says why a policy holds an action: the events that needed it and the mapping
// rules that decided.
type Explanation struct {
	Action iam.Action
	Events map[string]int // "eventSource eventName" → number of calls
	Rules  map[string]int // rule → number of calls
	Known  bool           // the action is in the embedded service reference
	// Count is the number of calls that needed the action (an aggregated record counts
	// as its Count); FirstSeen and LastSeen are the earliest and latest of their event
	// times, zero when no record had one.
	Count               int
	FirstSeen, LastSeen time.Time
	// ResourceSources says, in the scoped resource mode, where each resource ARN came from:
	// "resources[]", "request key bucketName", "response", "caller", "index", "none". It
	// holds at most the resource limit of ARNs.
	ResourceSources map[string]string
}

// NewGenerator returns an empty Generator.
func NewGenerator(opts ...Option) *Generator {
	g := &Generator{
		cfg:      config{logger: slog.New(slog.DiscardHandler)},
		mapper:   mapping.For,
		grants:   map[iam.Action]*actionGrants{},
		actions:  map[iam.Action]*Explanation{},
		unmapped: map[cloudtrail.Event]int{},
	}
	g.cfg.limit = DefaultResourceLimit
	for _, o := range opts {
		o(&g.cfg)
	}
	if g.cfg.mode == ResourcesScoped {
		g.index = mapping.NewIndex(indexLimit)
		g.assumed = map[string]struct{}{}
	}
	return g
}

// indexLimit bounds the run-wide index of ARNs seen and the set of ARNs it may resolve.
const indexLimit = 100_000

// Add records the permissions r needed.
func (g *Generator) Add(r *Record) {
	g.records++
	m := g.mapper(r)
	if m.Outcome == mapping.Unmapped {
		g.unmapped[r.Event()] += max(r.Count, 1)
	}
	if g.cfg.mode == ResourcesScoped && len(m.Permissions) > 0 {
		s := mapping.NewScoper(mapping.CallOf(r))
		mapping.Scope(s, &m)
		s.SeenARNs(g.index.Add)
	}
	for _, p := range m.Permissions {
		g.add(r, p)
	}
}

// AddAll adds every record of records. A *[RecordError] is skipped and counted (see
// [WithSkipped]); any other error stops it and is returned.
func (g *Generator) AddAll(records iter.Seq2[Record, error]) error {
	for r, err := range records {
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				return err
			}
			g.skipped += cloudtrail.Problems(err)
			if g.cfg.skipped != nil {
				g.cfg.skipped(err)
			} else {
				g.cfg.logger.Warn("skipped: " + err.Error())
			}
			continue
		}
		if r.EventSource == "" || r.EventName == "" {
			g.skipped++
			err := &RecordError{Index: -1, Offset: -1, Err: errNoEvent}
			if g.cfg.skipped != nil {
				g.cfg.skipped(err)
			} else {
				g.cfg.logger.Warn("skipped record: "+errNoEvent.Error(), "eventID", cmp.Or(r.EventID(), "unknown"))
			}
			continue
		}
		g.Add(&r)
	}
	return nil
}

var errNoEvent = errors.New("record has no eventSource or eventName")

// warnUnmapped logs one warning listing the events that map to no IAM action, so that a
// policy that misses something never does so silently. It says nothing new twice.
func (g *Generator) warnUnmapped() {
	total := 0
	for _, n := range g.unmapped {
		total += n
	}
	if total == 0 || total == g.warnedUnmapped {
		return
	}
	g.warnedUnmapped = total
	events := slices.SortedFunc(maps.Keys(g.unmapped), func(a, b cloudtrail.Event) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Name, b.Name))
	})
	parts := make([]string, len(events))
	for i, e := range events {
		parts[i] = fmt.Sprintf("%s (%d)", e, g.unmapped[e])
	}
	g.cfg.logger.Warn(fmt.Sprintf("%d record(s) of %d event(s) map to no IAM action and are not in the policy: %s",
		total, len(events), strings.Join(parts, ", ")))
}

// Skipped returns the number of records [Generator.AddAll] skipped.
func (g *Generator) Skipped() int { return g.skipped }

// Unmapped returns the events added so far that map to no IAM action, with how many
// calls each had: operations the service reference does not know, and event sources of
// no known service.
func (g *Generator) Unmapped() map[cloudtrail.Event]int { return maps.Clone(g.unmapped) }

func (g *Generator) add(r *Record, p mapping.Permission) {
	res, weak := p.Resources, false
	switch g.cfg.mode {
	case ResourcesStar:
		res = nil
	case ResourcesScoped:
		res, weak = g.scoped(r, p)
	}
	if len(res) == 0 {
		res = star
	}
	ag := g.grants[p.Action]
	if ag == nil {
		ag = &actionGrants{sets: map[string]struct{}{}}
		g.grants[p.Action] = ag
	}
	level := ag.level
	ag.add(p.Action, res, weak, g.cfg.limit)
	e := g.explanation(p.Action)
	if g.cfg.mode == ResourcesScoped {
		g.noteSources(e, ag, p, weak, level)
	}
	n := max(r.Count, 1)
	e.Events[r.Event().String()] += n
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

// explanation returns the explanation of action a, made on first use.
func (g *Generator) explanation(a iam.Action) *Explanation {
	e := g.actions[a]
	if e == nil {
		_, known := servicedefs.Canonical(string(a))
		e = &Explanation{Action: a, Events: map[string]int{}, Rules: map[string]int{}, Known: known}
		g.actions[a] = e
	}
	return e
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

// Explain returns an explanation for every action added so far, sorted by action. Events
// that map to no action are logged as one warning that names them.
func (g *Generator) Explain() []Explanation {
	g.warnUnmapped()
	out := make([]Explanation, 0, len(g.actions))
	for a, e := range g.actions {
		x := *e
		if ag := g.grants[a]; ag != nil && len(ag.sets) == 0 && len(ag.weakSources) > 0 {
			// Only failed calls that named nothing: their resources are the policy's.
			x.ResourceSources = maps.Clone(ag.weakSources)
		}
		out = append(out, x)
	}
	slices.SortFunc(out, func(a, b Explanation) int { return cmp.Compare(a.Action, b.Action) })
	return out
}

// Policy returns the policy for everything added so far. With [WithStrict] it fails when the
// policy would name unknown actions; otherwise they are logged as one warning. Events that
// map to no action are logged as one warning that names them.
func (g *Generator) Policy() (*iam.Policy, error) {
	if unknown := g.Unknown(); len(unknown) > 0 {
		err := &UnknownActionsError{Actions: unknown}
		if g.cfg.strict {
			return nil, err
		}
		g.cfg.logger.Warn(err.Error())
	}
	g.warnUnmapped()
	var stmts []iam.Statement
	for _, a := range slices.Sorted(maps.Keys(g.grants)) {
		ag := g.grants[a]
		if ag.level > 0 {
			g.cfg.logger.Warn(fmt.Sprintf("%s: more than %d distinct resources (%d calls); each ARN written with its last %d part(s) as \"*\"",
				a, g.cfg.limit, ag.calls, ag.level))
		}
		sets := ag.sets
		if len(sets) == 0 {
			// Only failed calls that named no resource: the action on what they could say.
			sets = ag.weak
		}
		for _, k := range slices.Sorted(maps.Keys(sets)) {
			stmts = append(stmts, iam.Statement{Effect: iam.Allow, Action: []iam.Action{a}, Resource: g.resolve(strings.Split(k, "\x00"))})
		}
	}
	return policy.Build(stmts), nil
}

var star = []string{"*"}
