package policy

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/trailscraper/trailscraper/iam"
)

// The sizes IAM allows, in characters without white space ([iam.Size]).
const (
	// LimitManaged is the size of one managed policy.
	LimitManaged = 6144
	// LimitInlineRole is the size of all the inline policies of a role together.
	LimitInlineRole = 10240
	// LimitInlineUser is the size of all the inline policies of a user together.
	LimitInlineUser = 2048
	// LimitInlineGroup is the size of all the inline policies of a group together.
	LimitInlineGroup = 5120
)

// TooLargeError reports a grant that does not fit the size limit even alone: one action on
// one resource, in a statement of its own with that statement's other elements.
type TooLargeError struct {
	Statement int    // index of the statement in the policy
	Action    string // the action (or NotAction list entry) that does not fit
	Resource  string // the resource (or NotResource entry); empty when the statement has none
	Size      int    // the size of the smallest document that holds it
	Limit     int
}

func (e *TooLargeError) Error() string {
	what := e.Action
	if e.Resource != "" {
		what += " on " + e.Resource
	}
	return fmt.Sprintf("statement %d: %s needs a document of %d characters, over the limit of %d", e.Statement, what, e.Size, e.Limit)
}

// Split returns p as documents of at most limit characters each, counted as [iam.Size]
// counts. A policy that fits is returned as it is (a copy). Otherwise its statements are
// distributed over as few documents as the packing finds, and a statement too large for one
// document is split into statements on parts of its Action and Resource lists.
//
// Splitting never widens: every statement of the result grants a subset of one statement of
// p (same Effect, Principal and Condition, a part of its actions or resources), and the
// union of (effect, action, resource, condition) over the documents equals p's. A statement
// with NotAction keeps that list whole and is split on its resources; one with NotResource
// keeps that whole and is split on its actions. Parts of a statement keep its Sid, and
// parts of a statement with a Sid go to different documents, so that Sids stay unique in
// each. Documents keep p's Version and Id. The result depends only on p and limit.
//
// When one action on one resource does not fit alone Split fails with a *[TooLargeError].
func Split(p *iam.Policy, limit int) ([]*iam.Policy, error) {
	if p == nil {
		return nil, fmt.Errorf("splitting a nil policy")
	}
	size, err := iam.Size(p)
	if err != nil {
		return nil, err
	}
	if size <= limit {
		return []*iam.Policy{p.Clone()}, nil
	}
	empty := &iam.Policy{Version: p.Version, ID: p.ID, Statement: []iam.Statement{}}
	base, err := iam.Size(empty)
	if err != nil {
		return nil, err
	}
	budget := limit - base // for the statements and the commas between them
	var units []unit
	for i := range p.Statement {
		us, err := splitStatement(p.Statement[i], i, budget, base, limit)
		if err != nil {
			return nil, err
		}
		units = append(units, us...)
	}

	// First fit decreasing: the largest statements first, each into the first document with
	// room; ties in input order.
	order := make([]int, len(units))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(units[b].size, units[a].size) })
	type bin struct {
		used  int
		units []int
		sids  map[int]bool // origins of the parts with a Sid in the bin
	}
	var bins []*bin
	for _, u := range order {
		placed := false
		hasSid := units[u].stmt.Sid != ""
		for _, b := range bins {
			if b.used+1+units[u].size <= budget && !(hasSid && b.sids[units[u].origin]) {
				b.sids[units[u].origin] = b.sids[units[u].origin] || hasSid
				b.used += 1 + units[u].size
				b.units = append(b.units, u)
				placed = true
				break
			}
		}
		if !placed {
			bins = append(bins, &bin{used: units[u].size, units: []int{u}, sids: map[int]bool{units[u].origin: hasSid}})
		}
	}
	out := make([]*iam.Policy, len(bins))
	for i, b := range bins {
		slices.Sort(b.units) // statements in the order of p
		d := &iam.Policy{Version: p.Version, ID: p.ID, Statement: make([]iam.Statement, len(b.units))}
		for j, u := range b.units {
			d.Statement[j] = units[u].stmt
		}
		out[i] = d
	}
	return out, nil
}

// unit is a statement that fits a document alone, with its size and the index of the
// statement of the policy it is (a part of).
type unit struct {
	stmt   iam.Statement
	size   int
	origin int
}

// statementSize returns the size s adds to a document's statement list.
func statementSize(s iam.Statement) (int, error) {
	b, err := iam.Size(&iam.Policy{Statement: []iam.Statement{s}})
	if err != nil {
		return 0, err
	}
	return b - len(`{"Statement":[]}`), nil
}

// jsonLen is the size of s written as a JSON string.
func jsonLen(s string) int {
	b, _ := json.Marshal(s) // a string always marshals
	// json.Marshal escapes <, > and & where Marshal does not; count as Marshal writes.
	n := utf8.RuneCount(b)
	for _, c := range []byte(s) {
		if c == '<' || c == '>' || c == '&' {
			n -= 5
		}
	}
	return n
}

// splitStatement returns s as one unit when it fits the budget, else as statements on
// parts of its lists that each fit.
func splitStatement(s iam.Statement, index, budget, base, limit int) ([]unit, error) {
	size, err := statementSize(s)
	if err != nil {
		return nil, fmt.Errorf("statement %d: %w", index, err)
	}
	if size <= budget {
		return []unit{{stmt: s.Clone(), size: size, origin: index}}, nil
	}
	// The lists that can be split: Action (not NotAction, whose parts would each allow
	// more) and Resource (not NotResource).
	acts := actionStrings(s.Action)
	res := s.Resource
	splitActs, splitRes := s.Action != nil && len(acts) > 1, s.Resource != nil && len(res) > 1

	// The skeleton is s with empty splittable lists.
	skel := part(s, nil, nil)
	skelSize, err := statementSize(skel)
	if err != nil {
		return nil, fmt.Errorf("statement %d: %w", index, err)
	}
	listSize := func(list []string) int {
		n := max(len(list)-1, 0) // commas
		for _, e := range list {
			n += jsonLen(e)
		}
		return n
	}
	largest := func(list []string) int {
		n := 0
		for _, e := range list {
			n = max(n, jsonLen(e))
		}
		return n
	}
	// chunk cuts list into runs whose list size stays within room.
	chunk := func(list []string, room int) [][]string {
		var out [][]string
		start, used := 0, -1
		for i, e := range list {
			n := jsonLen(e)
			if i > start && used+1+n > room {
				out = append(out, list[start:i])
				start, used = i, -1
			}
			used += 1 + n
		}
		return append(out, list[start:])
	}
	room := budget - skelSize
	var actChunks, resChunks [][]string
	switch {
	case splitActs && largest(acts)+listSize(res) <= room:
		actChunks, resChunks = chunk(acts, room-listSize(res)), [][]string{res}
	case splitRes && listSize(acts)+largest(res) <= room:
		actChunks, resChunks = [][]string{acts}, chunk(res, room-listSize(acts))
	default:
		// Both: resources in runs that fit next to the largest action, then the actions
		// in runs that fit next to each run of resources.
		resChunks = [][]string{res}
		if splitRes {
			resChunks = chunk(res, room-largest(acts))
		}
		actChunks = [][]string{acts}
		if splitActs {
			actChunks = chunk(acts, room-maxListSize(resChunks, listSize))
		}
	}
	var parts []iam.Statement
	for _, rc := range resChunks {
		for _, ac := range actChunks {
			parts = append(parts, part(s, ac, rc))
		}
	}
	var out []unit
	for _, pt := range parts {
		n, err := statementSize(pt)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", index, err)
		}
		if n <= budget {
			out = append(out, unit{stmt: pt, size: n})
			continue
		}
		// The runs were cut for the largest element; fall back to one statement per
		// action and resource, and fail on the first that does not fit.
		for _, r := range singles(pt.Resource) {
			for _, a := range singles(actionStrings(pt.Action)) {
				one := part(s, a, r)
				n, err := statementSize(one)
				if err != nil {
					return nil, fmt.Errorf("statement %d: %w", index, err)
				}
				if n > budget {
					return nil, tooLarge(one, index, base+n, limit)
				}
				out = append(out, unit{stmt: one, size: n})
			}
		}
	}
	for i := range out {
		out[i].origin = index
	}
	return out, nil
}

// part is s on the actions acts and resources res (the lists s has; NotAction and
// NotResource are kept whole).
func part(s iam.Statement, acts, res []string) iam.Statement {
	p := iam.Statement{
		Sid: s.Sid, Effect: s.Effect, NotAction: s.NotAction, NotResource: s.NotResource,
		Principal: s.Principal, NotPrincipal: s.NotPrincipal, Condition: s.Condition,
	}
	if s.Action != nil {
		p.Action = make([]iam.Action, len(acts))
		for i, a := range acts {
			p.Action[i] = iam.Action(a)
		}
	}
	if s.Resource != nil {
		p.Resource = append([]string{}, res...)
	}
	return p
}

// singles returns each element of list as a list of its own; one empty list for none.
func singles(list []string) [][]string {
	if len(list) == 0 {
		return [][]string{list}
	}
	out := make([][]string, len(list))
	for i := range list {
		out[i] = list[i : i+1]
	}
	return out
}

// maxListSize is the size of the largest run: the actions must fit next to every run of
// resources.
func maxListSize(runs [][]string, listSize func([]string) int) int {
	n := 0
	for _, r := range runs {
		n = max(n, listSize(r))
	}
	return n
}

// tooLarge names the first single grant of a part that does not fit.
func tooLarge(part iam.Statement, index, size, limit int) error {
	e := &TooLargeError{Statement: index, Size: size, Limit: limit}
	switch {
	case len(part.Action) > 0:
		e.Action = string(part.Action[0])
	case len(part.NotAction) > 0:
		e.Action = "NotAction " + string(part.NotAction[0])
	}
	switch {
	case len(part.Resource) > 0:
		e.Resource = part.Resource[0]
	case len(part.NotResource) > 0:
		e.Resource = "NotResource " + part.NotResource[0]
	}
	return e
}
