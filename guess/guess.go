// Package guess extends a policy with actions related to the ones it has.
//
// # Guessing
//
// It follows the original trailscraper's guess command: the name of an action is reduced to
// its base by removing the verbs Describe, Create, Delete, Update, Detach, Attach, List, Put
// and Get and a trailing "s" ([Base]: "DescribeLaunchConfigurations" → "LaunchConfiguration"),
// and the candidates are every verb plus the base, then every verb plus the base plus "s",
// in that order ([Guesser.Related]).
//
// # Only existing actions, each once
//
// Unlike the original, a candidate is proposed only if it is an action that exists, by
// default in AWS's service reference (see package servicedefs; [WithCatalog] names another
// [Catalog]), and only once: never the action itself, never an action the policy already
// allows (or denies, for a Deny statement), never twice. [Extend] and [Guesser.Extend] add
// the guesses of each statement as a new statement right after it.
package guess

import (
	"slices"
	"strings"
	"unicode"

	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// verbs are the name prefixes the original removes from an action name, in its order; the
// order is also the order of the guesses.
var verbs = [...]string{"Describe", "Create", "Delete", "Update", "Detach", "Attach", "List", "Put", "Get"}

// Catalog tells which IAM actions exist.
type Catalog interface {
	// Canonical returns action ("s3:getobject") as AWS spells it ("s3:GetObject") and
	// whether it exists. Matching is case-insensitive, as IAM's is.
	Canonical(action string) (string, bool)
}

// serviceReference is the default Catalog: the embedded AWS service reference.
type serviceReference struct{}

func (serviceReference) Canonical(action string) (string, bool) {
	return servicedefs.Canonical(action)
}

// ResourceCatalog is a Catalog that also tells which resources an action can be granted
// on; [WithKeptResources] needs one (mapping.FitsFormat answers it from the service
// reference's ARN formats; the CLI's guess --keep-resources uses that).
type ResourceCatalog interface {
	Catalog
	// Accepts reports whether resource (an ARN, possibly with wildcards and policy
	// variables) fits one of the action's resource types.
	Accepts(action, resource string) bool
}

// Guesser extends policies with related actions from a Catalog.
type Guesser struct {
	catalog Catalog
	keep    bool
}

// WithKeptResources makes the Guesser put the guessed actions whose resource types accept
// every resource of the statement they were guessed from in a statement on those
// resources, and only the others on "*" (the original tool's issue 53). It needs a
// [ResourceCatalog] given by [WithCatalog]; with another Catalog (the default) every guess
// goes on "*".
func WithKeptResources() Option { return func(g *Guesser) { g.keep = true } }

// Option configures a Guesser.
type Option func(*Guesser)

// WithCatalog makes the Guesser take its actions from c instead of the embedded AWS service
// reference. A nil c keeps the embedded reference.
func WithCatalog(c Catalog) Option {
	return func(g *Guesser) {
		if c != nil {
			g.catalog = c
		}
	}
}

// New returns a Guesser that proposes actions from the embedded AWS service reference.
func New(opts ...Option) *Guesser {
	g := &Guesser{catalog: serviceReference{}}
	for _, o := range opts {
		o(g)
	}
	return g
}

// Extend returns a copy of p with, after each statement that has related actions, a
// statement that allows them on "*". prefixes limits the guesses ("Get", "List", …); none
// means all of Describe, Create, Delete, Update, Detach, Attach, List, Put and Get.
//
// It uses the embedded AWS service reference; see [Guesser.Extend].
func Extend(p *iam.Policy, prefixes ...string) *iam.Policy { return New().Extend(p, prefixes...) }

// Extend returns a copy of p with, after each statement that has related actions, a
// statement with the same Effect on Resource "*" that lists them. The statements of p are
// kept exactly as they are (Sid, Condition, the string or list form of each field), and so
// are Version and Id.
//
// prefixes limits the guesses to those verbs ("Get", "List", …); none means all of Describe,
// Create, Delete, Update, Detach, Attach, List, Put and Get. They are title-cased as the
// original did ("describe" → "Describe"); prefixes that are not such verbs are allowed
// ("Batch" + "GetItem"…) but rarely produce an existing action. Spaces around a prefix are
// ignored.
//
// Statements with NotAction, and actions that contain a wildcard or have no service prefix,
// produce no guesses. An action is proposed once per effect: never the action itself, never
// one that a statement of the same effect in p already lists (compared case-insensitively),
// never again after an earlier statement proposed it.
func (g *Guesser) Extend(p *iam.Policy, prefixes ...string) *iam.Policy {
	if p == nil {
		return nil
	}
	verbs := normalise(prefixes)

	// present holds, per effect, the lower-cased actions that are listed or already
	// proposed.
	present := map[iam.Effect]map[string]bool{}
	seen := func(e iam.Effect) map[string]bool {
		m := present[e]
		if m == nil {
			m = map[string]bool{}
			present[e] = m
		}
		return m
	}
	for _, s := range p.Statement {
		m := seen(s.Effect)
		for _, a := range s.Action {
			m[strings.ToLower(string(a))] = true
		}
	}

	out := p.Clone()
	out.Statement = make([]iam.Statement, 0, len(p.Statement)*2)
	for _, s := range p.Statement {
		out.Statement = append(out.Statement, s.Clone())
		m := seen(s.Effect)
		var guessed []iam.Action
		for _, a := range s.Action {
			for _, c := range g.Related(a, verbs...) {
				key := strings.ToLower(string(c))
				if m[key] {
					continue
				}
				m[key] = true
				guessed = append(guessed, c)
			}
		}
		kept, rest := g.splitByResources(s, guessed)
		if len(kept) > 0 {
			out.Statement = append(out.Statement, iam.Statement{Effect: s.Effect, Action: kept, Resource: slices.Clone(s.Resource)})
		}
		if len(rest) > 0 {
			out.Statement = append(out.Statement, iam.Statement{
				Effect:   s.Effect,
				Action:   rest,
				Resource: []string{"*"},
			})
		}
	}
	return out
}

// splitByResources splits guessed actions into those that keep the statement's resources
// (with WithKeptResources, when their resource types accept every one) and the others.
func (g *Guesser) splitByResources(s iam.Statement, guessed []iam.Action) (kept, rest []iam.Action) {
	rc, ok := g.catalog.(ResourceCatalog)
	if !g.keep || !ok || len(s.Resource) == 0 || slices.Contains(s.Resource, "*") {
		return nil, guessed
	}
	for _, a := range guessed {
		if !slices.ContainsFunc(s.Resource, func(r string) bool { return !rc.Accepts(string(a), r) }) {
			kept = append(kept, a)
		} else {
			rest = append(rest, a)
		}
	}
	return kept, rest
}

// Related returns the existing actions related to a, in the order the original tool
// proposed them: each verb plus the base name, then each verb plus the base name plus "s".
// It never returns a itself or the same action twice, and returns nothing for an action
// with a wildcard or without a service prefix. verbs are used as given (not title-cased);
// none means all.
func (g *Guesser) Related(a iam.Action, verbs ...string) []iam.Action {
	if len(verbs) == 0 {
		verbs = defaultVerbs()
	}
	if a.Prefix() == "" || strings.ContainsAny(string(a), "*?") {
		return nil
	}
	self := string(a)
	if c, ok := g.catalog.Canonical(self); ok {
		self = c // base the guesses on AWS's spelling of the name
	}
	prefix, name, _ := strings.Cut(self, ":")
	base := Base(name)
	var out []iam.Action
	for _, suffix := range [...]string{"", "s"} {
		for _, v := range verbs {
			c, ok := g.catalog.Canonical(prefix + ":" + v + base + suffix)
			if !ok || strings.EqualFold(c, self) {
				continue
			}
			dup := false
			for _, o := range out {
				if strings.EqualFold(string(o), c) {
					dup = true
					break
				}
			}
			if !dup {
				out = append(out, iam.Action(c))
			}
		}
	}
	return out
}

// Base returns the base of an action name as the original computed it: every occurrence of
// Describe, Create, Delete, Update, Detach, Attach, List, Put and Get removed, in that
// order, then one trailing "s" ("DescribeLaunchConfigurations" → "LaunchConfiguration").
func Base(name string) string {
	for _, v := range verbs {
		name = strings.ReplaceAll(name, v, "")
	}
	return strings.TrimSuffix(name, "s")
}

func defaultVerbs() []string { return verbs[:] }

// normalise trims the verbs, title-cases them as Python's str.title did in the original CLI
// and drops empty and repeated ones; nil means all verbs.
func normalise(prefixes []string) []string {
	var out []string
	for _, p := range prefixes {
		t := title(strings.TrimSpace(p))
		if t == "" {
			continue
		}
		dup := false
		for _, o := range out {
			if o == t {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out
}

// title upper-cases the first letter of every run of letters and lower-cases the rest, as
// Python's str.title does ("describe" → "Describe", "DESCRIBE" → "Describe").
func title(s string) string {
	var b strings.Builder
	inWord := false
	for _, r := range s {
		cased := unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
		switch {
		case cased && inWord:
			b.WriteRune(unicode.ToLower(r))
		case cased:
			b.WriteRune(unicode.ToTitle(r))
		default:
			b.WriteRune(r)
		}
		inWord = cased
	}
	return b.String()
}
