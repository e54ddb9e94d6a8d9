package trailscraper

import (
	"github.com/trailscraper/trailscraper/access"
	"github.com/trailscraper/trailscraper/iam"
)

// Uses returns what the records added so far used, for comparing with what a principal is
// granted ([access.Compare], [access.Suggest]): each action with its number of calls, its
// first and last use, and the resources the generated policy allows it on. Like
// [Generator.Policy] it fails with an *[UnknownActionsError] under [WithStrict].
func (g *Generator) Uses() ([]access.Use, error) {
	p, err := g.Policy()
	if err != nil {
		return nil, err
	}
	resources := map[iam.Action][]string{}
	for _, s := range p.Statement {
		for _, a := range s.Action {
			resources[a] = append(resources[a], s.Resource...)
		}
	}
	exps := g.Explain()
	uses := make([]access.Use, len(exps))
	for i, e := range exps {
		uses[i] = access.Use{Action: e.Action, Count: e.Count, FirstSeen: e.FirstSeen, LastSeen: e.LastSeen, Resources: resources[e.Action]}
	}
	return uses, nil
}
