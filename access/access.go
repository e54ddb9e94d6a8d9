// Package access compares what IAM policies grant with what CloudTrail records show was
// used, and trims policies to what was used.
//
// # Granted
//
// Every Allow statement's actions are expanded against the embedded AWS service reference
// (package servicedefs): wildcards ("*", "?", "s3:Get*", "*:*") match action names
// case-insensitively, as IAM does, and NotAction grants every known action but those. An
// action a Deny statement without a Condition also matches is not granted when the Deny
// covers the Allow's resources (its Resource is "*", or each of the Allow's resource
// patterns matches one of the Deny's); a Deny with a Condition removes nothing, as it may
// not apply. An action granted only by statements with a Condition is marked conditional.
// Action names the service reference does not know are reported as [UnknownAction]s, not
// treated as errors.
//
// # Used
//
// [Compare] takes the actions records needed as [Use]s (the root package's
// Generator.Explain gives them, with the same mapping as policy generation) and sorts them
// into used (granted and used), unused (granted, never used; actions that CloudTrail logs
// only as data events are marked, see [DataEvent]) and not granted (used, though these
// policies do not allow them: something else allowed them, or they were denied).
//
// # Trimming
//
// [Suggest] returns the granted policies trimmed to the used actions.
package access

import (
	"cmp"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// Document is a granted policy with the name reports use for it: a file name, a managed
// policy's ARN, "role/NAME inline policy P", ….
type Document struct {
	Name   string
	Policy *iam.Policy
}

// Use is one action that records needed: how often, when, and on which resources.
type Use struct {
	Action              iam.Action
	Count               int
	FirstSeen, LastSeen time.Time
	// Resources are the ARNs the action was used on; empty or "*" when not known.
	Resources []string
}

// Report is the comparison of granted with used actions. Every list is sorted and empty
// rather than nil, so that it marshals as [].
type Report struct {
	// Granted is the number of distinct known actions the policies grant.
	Granted         int              `json:"granted"`
	Used            []Used           `json:"used"`
	Unused          []Unused         `json:"unused"`
	NotGranted      []NotGranted     `json:"notGranted"`
	UnusedResources []UnusedResource `json:"unusedResources"`
	// Unknown lists action patterns in the policies that match no action of the service
	// reference: typos, or actions newer than the embedded snapshot.
	Unknown []UnknownAction `json:"unknown,omitempty"`
}

// Used is a granted action that was used.
type Used struct {
	Action   iam.Action `json:"action"`
	Count    int        `json:"count"`
	LastSeen time.Time  `json:"lastSeen,omitzero"`
	// Conditional is true when every statement granting the action has a Condition.
	Conditional bool `json:"conditional"`
}

// Unused is a granted action that was not used.
type Unused struct {
	Action iam.Action `json:"action"`
	// DataEvent is true when CloudTrail logs the action only as a data event: it may have
	// been used without the trail recording data events.
	DataEvent   bool `json:"dataEvent"`
	Conditional bool `json:"conditional"`
}

// NotGranted is a used action the policies do not grant.
type NotGranted struct {
	Action iam.Action `json:"action"`
	Count  int        `json:"count"`
}

// UnusedResource is a resource pattern of an Allow statement that no use of the
// statement's actions touched. A use whose resources are not known ("*") counts as
// touching every pattern of the statements that grant its action; the pattern "*" itself
// is never listed (a statement nothing used shows as unused actions).
type UnusedResource struct {
	Statement string `json:"statement"`
	Resource  string `json:"resource"`
}

// UnknownAction is an action pattern of a statement that matches no known action.
type UnknownAction struct {
	Statement string `json:"statement"`
	Action    string `json:"action"`
}

func (u UnknownAction) String() string { return fmt.Sprintf("%s: %s", u.Statement, u.Action) }

// catalog is every action of the service reference, sorted, with an index by lowered
// name and the range of each service prefix.
type catalog struct {
	names, lowered []string
	index          map[string]int
	ranges         map[string][2]int // lowered prefix → [first, end)
	prefixes       []string          // lowered, sorted
}

var theCatalog = sync.OnceValue(func() *catalog {
	c := &catalog{index: map[string]int{}, ranges: map[string][2]int{}}
	for _, p := range servicedefs.Prefixes() {
		lp := strings.ToLower(p)
		first := len(c.names)
		for _, n := range servicedefs.Actions(p) {
			c.index[strings.ToLower(n)] = len(c.names)
			c.names = append(c.names, n)
			c.lowered = append(c.lowered, strings.ToLower(n))
		}
		c.ranges[lp] = [2]int{first, len(c.names)}
		c.prefixes = append(c.prefixes, lp)
	}
	return c
})

// allActions is every action of the service reference, "prefix:Name", sorted.
func allActions() []string { return theCatalog().names }

// set is a set of actions of the catalog, by index.
type set []uint64

func newSet(n int) set       { return make(set, (n+63)/64) }
func (s set) add(i int)      { s[i/64] |= 1 << (i % 64) }
func (s set) has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }
func (s set) union(o set) {
	for i := range s {
		s[i] |= o[i]
	}
}
func (s set) complement(n int) {
	for i := range s {
		s[i] = ^s[i]
	}
	s.trim(n)
}
func (s set) trim(n int) {
	if r := n % 64; r != 0 {
		s[len(s)-1] &= 1<<r - 1
	}
}
func (s set) each(fn func(i int)) {
	for w, word := range s {
		for word != 0 {
			b := word & -word
			fn(w*64 + bits.TrailingZeros64(b))
			word ^= b
		}
	}
}

// expander expands action patterns against the catalog, each distinct pattern once.
type expander struct {
	c     *catalog
	cache map[string]set
}

// expand returns the actions the pattern matches; an empty set when it matches none.
// Patterns other than "*" need a colon, as IAM requires ("service:action").
func (e *expander) expand(raw string) set {
	lowered := strings.ToLower(raw)
	if s, ok := e.cache[lowered]; ok {
		return s
	}
	c := e.c
	out := newSet(len(c.names))
	e.cache[lowered] = out
	if lowered == "*" {
		out.complement(len(c.names))
		return out
	}
	prefix, name, ok := strings.Cut(lowered, ":")
	if !ok {
		return out
	}
	if !strings.ContainsAny(lowered, "*?") {
		if i, ok := c.index[lowered]; ok {
			out.add(i)
		}
		return out
	}
	pg, ng := compileAction(prefix), compileAction(name)
	for _, p := range c.prefixes {
		if !pg.match(p) {
			continue
		}
		r := c.ranges[p]
		for i := r[0]; i < r[1]; i++ {
			if name == "*" || ng.match(c.lowered[i][len(p)+1:]) {
				out.add(i)
			}
		}
	}
	return out
}

// pattern is one entry of a statement's Action or NotAction.
type pattern struct {
	raw  string
	glob glob
}

// statement is a compiled statement of a document.
type statement struct {
	ref         string
	src         *iam.Statement
	deny        bool
	not         bool // NotAction
	patterns    []pattern
	actions     set // the known actions the statement applies to
	conditional bool
	resources   []glob // Resource, compiled; nil with NotResource
	allRes      bool   // Resource holds "*"
	unknown     []string
}

// ref names statement i of a document in reports.
func ref(doc string, i int, sid string) string {
	if sid != "" {
		return fmt.Sprintf("%s Statement[%d] (Sid %s)", doc, i, sid)
	}
	return fmt.Sprintf("%s Statement[%d]", doc, i)
}

func compile(docs []Document) []statement {
	e := &expander{c: theCatalog(), cache: map[string]set{}}
	n := len(e.c.names)
	var out []statement
	for _, d := range docs {
		if d.Policy == nil {
			continue
		}
		for i := range d.Policy.Statement {
			s := &d.Policy.Statement[i]
			st := statement{
				ref:         ref(d.Name, i, s.Sid),
				src:         s,
				deny:        strings.EqualFold(string(s.Effect), string(iam.Deny)),
				conditional: hasCondition(s),
				actions:     newSet(n),
			}
			acts := s.Action
			if len(s.NotAction) > 0 || s.Action == nil {
				acts, st.not = s.NotAction, true
			}
			seen := map[string]bool{}
			for _, a := range acts {
				if seen[strings.ToLower(string(a))] {
					continue
				}
				seen[strings.ToLower(string(a))] = true
				st.patterns = append(st.patterns, pattern{raw: string(a), glob: compileAction(string(a))})
				x := e.expand(string(a))
				st.actions.union(x)
				if isEmpty(x) {
					st.unknown = append(st.unknown, string(a))
				}
			}
			if st.not {
				st.actions.complement(n)
			}
			if s.NotResource == nil {
				for _, r := range s.Resource {
					st.resources = append(st.resources, compileResource(r))
					st.allRes = st.allRes || r == "*"
				}
			}
			out = append(out, st)
		}
	}
	return out
}

func isEmpty(s set) bool {
	for _, w := range s {
		if w != 0 {
			return false
		}
	}
	return true
}

// hasCondition reports whether the statement has a Condition that is not empty.
func hasCondition(s *iam.Statement) bool {
	c := strings.TrimSpace(string(s.Condition))
	return c != "" && c != "{}" && c != "null"
}

// matches reports whether the statement applies to the lowered action: by index when the
// action is known, else by matching its patterns.
func (s *statement) matches(lowered string) bool {
	if i, ok := theCatalog().index[lowered]; ok {
		return s.actions.has(i)
	}
	hit := slices.ContainsFunc(s.patterns, func(p pattern) bool { return p.glob.match(lowered) })
	return hit != s.not
}

// covers reports whether Deny statement d covers every resource Allow statement a grants.
func (d *statement) covers(a *statement) bool {
	if d.allRes {
		return true
	}
	if a.src.NotResource != nil || d.resources == nil || len(a.src.Resource) == 0 {
		return false
	}
	for _, r := range a.src.Resource {
		if !slices.ContainsFunc(d.resources, func(g glob) bool { return g.match(r) }) {
			return false
		}
	}
	return true
}

// evaluator decides which actions the compiled statements grant.
type evaluator struct {
	allows, denies []*statement
}

func newEvaluator(stmts []statement) *evaluator {
	e := &evaluator{}
	for i := range stmts {
		s := &stmts[i]
		switch {
		case s.deny && !s.conditional:
			e.denies = append(e.denies, s)
		case !s.deny && strings.EqualFold(string(s.src.Effect), string(iam.Allow)):
			e.allows = append(e.allows, s)
		}
	}
	return e
}

// grant reports whether the lowered action is granted, and whether only conditionally.
func (e *evaluator) grant(lowered string) (granted, conditional bool) {
	conditional = true
	for _, a := range e.allows {
		if !a.matches(lowered) || e.denied(a, lowered) {
			continue
		}
		granted = true
		conditional = conditional && a.conditional
	}
	return granted, granted && conditional
}

func (e *evaluator) denied(a *statement, lowered string) bool {
	for _, d := range e.denies {
		if d.matches(lowered) && d.covers(a) {
			return true
		}
	}
	return false
}

// granted expands the Allow statements against the service reference: every known action
// granted, as AWS spells it, with whether it is granted only conditionally.
func (e *evaluator) granted() map[string]bool {
	c := theCatalog()
	candidates := newSet(len(c.names))
	for _, a := range e.allows {
		candidates.union(a.actions)
	}
	out := map[string]bool{}
	candidates.each(func(i int) {
		if ok, cond := e.grant(c.lowered[i]); ok {
			out[c.names[i]] = cond
		}
	})
	return out
}

// unknown lists the action patterns that match no known action.
func unknown(stmts []statement) []UnknownAction {
	var out []UnknownAction
	for _, s := range stmts {
		for _, a := range s.unknown {
			out = append(out, UnknownAction{Statement: s.ref, Action: a})
		}
	}
	return out
}

// use is a Use with its action canonical and lowered; uses of the same action are merged.
type use struct {
	Use
	lowered string
}

func mergeUses(uses []Use) []*use {
	byAction := map[string]*use{}
	for _, u := range uses {
		name := string(u.Action)
		if c, ok := servicedefs.Canonical(name); ok {
			name = c
		}
		l := strings.ToLower(name)
		m := byAction[l]
		if m == nil {
			m = &use{Use: Use{Action: iam.Action(name)}, lowered: l}
			byAction[l] = m
		}
		m.Count += u.Count
		if !u.FirstSeen.IsZero() && (m.FirstSeen.IsZero() || u.FirstSeen.Before(m.FirstSeen)) {
			m.FirstSeen = u.FirstSeen
		}
		if u.LastSeen.After(m.LastSeen) {
			m.LastSeen = u.LastSeen
		}
		res := u.Resources
		if len(res) == 0 {
			res = []string{"*"}
		}
		for _, r := range res {
			if !slices.Contains(m.Resources, r) {
				m.Resources = append(m.Resources, r)
			}
		}
	}
	out := slices.Collect(maps.Values(byAction))
	slices.SortFunc(out, func(a, b *use) int { return cmp.Compare(a.Action, b.Action) })
	return out
}

// Compare reports which of the actions the documents grant were used.
func Compare(docs []Document, uses []Use) *Report {
	stmts := compile(docs)
	e := newEvaluator(stmts)
	granted := e.granted()
	r := &Report{
		Granted:         len(granted),
		Used:            []Used{},
		Unused:          []Unused{},
		NotGranted:      []NotGranted{},
		UnusedResources: []UnusedResource{},
		Unknown:         unknown(stmts),
	}
	merged := mergeUses(uses)
	seen := map[string]bool{}
	for _, u := range merged {
		seen[string(u.Action)] = true
		ok, cond := e.grant(u.lowered)
		if !ok {
			r.NotGranted = append(r.NotGranted, NotGranted{Action: u.Action, Count: u.Count})
			continue
		}
		r.Used = append(r.Used, Used{Action: u.Action, Count: u.Count, LastSeen: u.LastSeen, Conditional: cond})
	}
	for _, a := range slices.Sorted(maps.Keys(granted)) {
		if !seen[a] {
			r.Unused = append(r.Unused, Unused{Action: iam.Action(a), DataEvent: DataEvent(iam.Action(a)), Conditional: granted[a]})
		}
	}
	r.UnusedResources = unusedResources(e.allows, merged)
	return r
}

// unusedResources lists the resource patterns of the Allow statements that no use of the
// statement's actions matched, in the order of the statements.
func unusedResources(allows []*statement, uses []*use) []UnusedResource {
	out := []UnusedResource{}
	for _, s := range allows {
		var mine []*use
		for _, u := range uses {
			if s.matches(u.lowered) {
				mine = append(mine, u)
			}
		}
		seen := map[string]bool{}
		for i, g := range s.resources {
			raw := s.src.Resource[i]
			if seen[raw] || raw == "*" {
				continue
			}
			seen[raw] = true
			touched := slices.ContainsFunc(mine, func(u *use) bool {
				return slices.ContainsFunc(u.Resources, func(r string) bool { return r == "*" || g.match(r) })
			})
			if !touched {
				out = append(out, UnusedResource{Statement: s.ref, Resource: raw})
			}
		}
	}
	return out
}
