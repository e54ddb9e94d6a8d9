// Package policy combines IAM statements into a small, deterministic policy.
//
// # Merging
//
// [Build] merges statements the way the original trailscraper did, so that policies stay
// comparable between the two tools: first statements that allow the same resources are
// combined into one that allows the union of their actions, then statements that allow the
// same actions are combined into one on the union of their resources. Only statements of
// the same [iam.Effect] that hold nothing but Effect, Action and Resource are merged.
//
// # Order
//
// Inside every statement actions and resources are de-duplicated and sorted, and the
// statements are sorted by effect, then by their actions joined with "-", then by their
// resources joined with "" (plain byte comparison), so the same statements in any order
// give the same [iam.Policy].
//
// # Splitting
//
// [Split] cuts a policy into documents within one of IAM's size limits ([LimitManaged],
// [LimitInlineRole], [LimitInlineUser], [LimitInlineGroup], counted by [iam.Size]) without
// widening any grant.
package policy

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/trailscraper/trailscraper/iam"
)

// Build returns a policy (Version 2012-10-17) whose statements are stmts merged: first
// statements with equal resource lists have their actions unioned, then statements with
// equal action lists have their resources unioned; duplicates are removed and statements
// sorted by effect, then joined actions, then joined resources.
//
// Only statements of the same effect are merged, and only statements that consist of
// Effect, Action and Resource: a statement with a Sid, Condition, Principal, NotAction or
// NotResource, or without Action or Resource, is kept as it is (and sorted with the rest).
// Build does not modify stmts.
func Build(stmts []iam.Statement) *iam.Policy {
	var plain []*entry
	var other []iam.Statement
	for i := range stmts {
		s := &stmts[i]
		if !mergeable(s) {
			other = append(other, s.Clone())
			continue
		}
		plain = append(plain, &entry{
			effect:    s.Effect,
			actions:   sortedUnique(s.Action),
			resources: sortedUnique(s.Resource),
		})
	}

	// Merging appends; each pass sorts and de-duplicates the grown lists once at its end.
	plain = mergeBy(plain, func(e *entry) []string { return e.resources }, func(into, e *entry) {
		into.actions = append(into.actions, e.actions...)
		into.merged = true
	})
	for _, e := range plain {
		if e.merged {
			e.actions, e.merged = sortedUnique(e.actions), false
		}
	}
	plain = mergeBy(plain, func(e *entry) []string { return actionStrings(e.actions) }, func(into, e *entry) {
		into.resources = append(into.resources, e.resources...)
		into.merged = true
	})
	for _, e := range plain {
		if e.merged {
			e.resources = sortedUnique(e.resources)
		}
	}

	sorted := make([]sortable, 0, len(plain)+len(other))
	for _, e := range plain {
		s := iam.Statement{Effect: e.effect, Action: e.actions, Resource: e.resources}
		sorted = append(sorted, newSortable(s))
	}
	for _, s := range other {
		sorted = append(sorted, newSortable(s))
	}
	slices.SortStableFunc(sorted, compareSortable)

	out := make([]iam.Statement, len(sorted))
	for i, s := range sorted {
		out[i] = s.stmt
	}
	return &iam.Policy{Version: iam.Version, Statement: out}
}

// entry is a mergeable statement during Build.
type entry struct {
	effect    iam.Effect
	actions   []iam.Action
	resources []string
	merged    bool // lists grew in the current pass and need sorting
}

func mergeable(s *iam.Statement) bool {
	return s.Sid == "" && s.Action != nil && s.Resource != nil &&
		s.NotAction == nil && s.NotResource == nil &&
		len(s.Principal) == 0 && len(s.NotPrincipal) == 0 && len(s.Condition) == 0
}

// mergeBy merges the entries whose effect and key are equal into the first of them, keeping
// the order in which the groups first appear.
func mergeBy(in []*entry, key func(*entry) []string, merge func(into, e *entry)) []*entry {
	groups := make(map[string]*entry, len(in))
	out := in[:0:0]
	var kb strings.Builder
	for _, e := range in {
		kb.Reset()
		kb.WriteString(strconv.Itoa(len(e.effect)))
		kb.WriteByte(':')
		kb.WriteString(string(e.effect))
		for _, k := range key(e) {
			// Length-prefix every part so that no two lists share a key.
			kb.WriteByte(0)
			kb.WriteString(strconv.Itoa(len(k)))
			kb.WriteByte(':')
			kb.WriteString(k)
		}
		k := kb.String()
		if g, ok := groups[k]; ok {
			merge(g, e)
			continue
		}
		groups[k] = e
		out = append(out, e)
	}
	return out
}

func actionStrings(as []iam.Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}

// sortedUnique returns a sorted copy of s without duplicates.
func sortedUnique[T cmp.Ordered](s []T) []T {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// sortable is a statement with its sort keys computed once.
type sortable struct {
	stmt      iam.Statement
	actions   string // actions joined with "-"
	resources string // resources joined with ""
}

func newSortable(s iam.Statement) sortable {
	acts := s.Action
	if acts == nil {
		acts = s.NotAction
	}
	res := s.Resource
	if res == nil {
		res = s.NotResource
	}
	return sortable{
		stmt:      s,
		actions:   strings.Join(actionStrings(acts), "-"),
		resources: strings.Join(res, ""),
	}
}

// compareSortable orders by effect, joined actions and joined resources as the original
// did; the rare ties that the original left to input order are broken by the rest of the
// content, so that the order never depends on the input order.
func compareSortable(a, b sortable) int {
	if c := cmp.Or(
		cmp.Compare(a.stmt.Effect, b.stmt.Effect),
		cmp.Compare(a.actions, b.actions),
		cmp.Compare(a.resources, b.resources),
	); c != 0 {
		return c
	}
	return cmp.Compare(tail(&a.stmt), tail(&b.stmt))
}

// tail encodes everything in s that the sort keys leave out, unambiguously.
func tail(s *iam.Statement) string {
	var b strings.Builder
	for _, part := range [][]string{actionStrings(s.Action), actionStrings(s.NotAction), s.Resource, s.NotResource} {
		b.WriteString(strconv.Itoa(len(part)))
		for _, p := range part {
			b.WriteByte(0)
			b.WriteString(strconv.Itoa(len(p)))
			b.WriteByte(':')
			b.WriteString(p)
		}
		b.WriteByte(1)
	}
	for _, part := range []string{s.Sid, string(s.Principal), string(s.NotPrincipal), string(s.Condition)} {
		b.WriteString(strconv.Itoa(len(part)))
		b.WriteByte(':')
		b.WriteString(part)
	}
	return b.String()
}
