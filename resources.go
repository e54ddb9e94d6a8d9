package trailscraper

import (
	"slices"
	"strings"

	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/mapping"
)

// actionGrants holds the distinct resource lists of one action, compactly: each list as
// one string (ARNs joined by NUL). Past the resource limit they are collapsed.
type actionGrants struct {
	sets map[string]struct{}
	// weak holds, in the scoped mode, the resources of failed calls that named none (the
	// action's only type with "*" parts, or "*"): used only when no other call scopes the
	// action, so that a failed call cannot widen what the successful ones scope.
	weak  map[string]struct{}
	level int // how many parts of each ARN are written as "*" (0 until collapsed)
	calls int
	// weakSources says where the weak resources came from (they are explained only when
	// they are the policy's).
	weakSources map[string]string
}

func (ag *actionGrants) add(a iam.Action, res []string, weak bool, limit int) {
	ag.calls++
	if ag.level > 0 {
		res = widenAll(a, res, ag.level)
	}
	key := strings.Join(res, "\x00")
	if weak {
		if ag.weak == nil {
			ag.weak = map[string]struct{}{}
		}
		if len(ag.weak) < limit {
			ag.weak[key] = struct{}{}
		}
		return
	}
	ag.sets[key] = struct{}{}
	for len(ag.sets) > limit {
		ag.level++
		next := make(map[string]struct{}, len(ag.sets))
		for k := range ag.sets {
			next[strings.Join(widenAll(a, strings.Split(k, "\x00"), 1), "\x00")] = struct{}{}
		}
		ag.sets = next
	}
}

// widenAll writes n more parts of each ARN as "*" (mapping.Widen); a list in which one
// becomes "*" is just "*".
func widenAll(a iam.Action, res []string, n int) []string {
	out := make([]string, 0, len(res))
	for _, r := range res {
		for range n {
			if r == "*" {
				break
			}
			r = mapping.Widen(string(a), r)
		}
		if r == "*" {
			return star
		}
		out = append(out, r)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// scoped returns a permission's resources in the scoped mode, and whether they are weak:
// a failed call whose request names no resource.
func (g *Generator) scoped(r *Record, p mapping.Permission) ([]string, bool) {
	named := false
	res := make([]string, 0, len(p.Scoped))
	for _, s := range p.Scoped {
		res = append(res, s.ARN)
		named = named || s.Source != mapping.SourceNone
		if s.Assumed && len(g.assumed) < indexLimit {
			g.assumed[s.ARN] = struct{}{}
		}
	}
	slices.Sort(res)
	return slices.Compact(res), r.ErrorCode != "" && !named
}

// noteSources records where the permission's ARNs came from, as the policy writes them:
// widened as often as the action's resources were collapsed (before is the collapse level
// before this permission). Weak resources go to the action's own list.
func (g *Generator) noteSources(e *Explanation, ag *actionGrants, p mapping.Permission, weak bool, before int) {
	if weak {
		if ag.weakSources == nil {
			ag.weakSources = map[string]string{}
		}
		for _, s := range p.Scoped {
			if _, ok := ag.weakSources[s.ARN]; !ok && len(ag.weakSources) < g.cfg.limit {
				ag.weakSources[s.ARN] = s.Origin()
			}
		}
		return
	}
	if e.ResourceSources == nil {
		e.ResourceSources = map[string]string{}
	}
	if ag.level > before {
		widened := make(map[string]string, len(e.ResourceSources))
		for a, src := range e.ResourceSources {
			widened[widenAll(p.Action, []string{a}, ag.level-before)[0]] = src
		}
		e.ResourceSources = widened
	}
	for _, s := range p.Scoped {
		a := s.ARN
		if ag.level > 0 {
			a = widenAll(p.Action, []string{a}, ag.level)[0]
		}
		if _, ok := e.ResourceSources[a]; !ok && len(e.ResourceSources) < g.cfg.limit {
			e.ResourceSources[a] = s.Origin()
		}
	}
}

// resolve replaces ARNs built from bare names by the ones the run's index saw.
func (g *Generator) resolve(res []string) []string {
	if len(g.assumed) == 0 {
		return res
	}
	changed := false
	for i, a := range res {
		if _, ok := g.assumed[a]; !ok {
			continue
		}
		if full, ok := g.index.Resolve(a); ok {
			res[i], changed = full, true
			g.actionSourceIndex(a, full)
		}
	}
	if changed {
		slices.Sort(res)
		res = slices.Compact(res)
	}
	return res
}

// actionSourceIndex notes in the explanations that full came from the index.
func (g *Generator) actionSourceIndex(assumed, full string) {
	for _, e := range g.actions {
		if _, ok := e.ResourceSources[assumed]; ok {
			delete(e.ResourceSources, assumed)
			e.ResourceSources[full] = "index"
		}
	}
}
