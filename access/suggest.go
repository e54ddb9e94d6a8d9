package access

import (
	"slices"
	"strconv"

	"github.com/trailscraper/trailscraper/iam"
)

// Suggest returns the documents' statements, in order, in one policy trimmed to the used
// actions: an Allow statement keeps its Sid, Effect, Resource, NotResource and Condition,
// and its Action or NotAction becomes the list of used actions it covers (as AWS spells
// them, sorted); Allow statements that cover no used action are dropped; Deny statements
// are kept as they are. A Sid that a statement of an earlier document already has gets a
// number appended, as Sids must be unique in a policy. Resources are not narrowed:
// [Report.UnusedResources] lists the patterns nothing touched.
func Suggest(docs []Document, uses []Use) *iam.Policy {
	merged := mergeUses(uses)
	stmts := compile(docs)
	out := &iam.Policy{Version: iam.Version, Statement: []iam.Statement{}}
	sids := map[string]bool{}
	for i := range stmts {
		s := &stmts[i]
		c := s.src.Clone()
		if !s.deny {
			var acts []iam.Action
			for _, u := range merged {
				if s.matches(u.lowered) {
					acts = append(acts, u.Action)
				}
			}
			if len(acts) == 0 {
				continue
			}
			slices.Sort(acts)
			c.Action, c.NotAction = acts, nil
		}
		if c.Sid != "" {
			base := c.Sid
			for n := 2; sids[c.Sid]; n++ {
				c.Sid = base + strconv.Itoa(n)
			}
			sids[c.Sid] = true
		}
		out.Statement = append(out.Statement, c)
	}
	return out
}
