package mapping_test

import (
	"encoding/json"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/internal/testfiles"
)

// resourcesCase is one case of ../shared/expectations/resources-dev.json; its _doc gives
// the semantics.
type resourcesCase struct {
	Name   string          `json:"name"`
	Record json.RawMessage `json:"record"`
	Action string          `json:"action"`
	Expect struct {
		Exact   []string `json:"exact"`
		Include []string `json:"include"`
		Star    bool     `json:"star"`
	} `json:"expect"`
}

func loadResourcesDev(t *testing.T) []resourcesCase {
	t.Helper()
	data := testfiles.Read(t, "expectations/resources-dev.json")
	var doc struct {
		Cases []resourcesCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Cases
}

// checkResources compares the resources of a case's action with its expectation, as the
// _doc says: partition and region case-insensitively, the rest exactly.
func checkResources(t *testing.T, c resourcesCase, got []string) {
	t.Helper()
	canon := func(a string) string {
		p := strings.SplitN(a, ":", 5)
		if len(p) == 5 {
			p[1], p[3] = strings.ToLower(p[1]), strings.ToLower(p[3])
		}
		return strings.Join(p, ":")
	}
	set := map[string]bool{}
	for _, a := range got {
		set[canon(a)] = true
	}
	switch {
	case c.Expect.Star:
		if len(got) != 1 || got[0] != "*" {
			t.Errorf("want only \"*\", got %q", got)
		}
	case c.Expect.Exact != nil:
		want := map[string]bool{}
		for _, a := range c.Expect.Exact {
			want[canon(a)] = true
		}
		for a := range want {
			if !set[a] {
				t.Errorf("missing %s; got %q", a, got)
			}
		}
		for a := range set {
			if !want[a] {
				t.Errorf("extra %s", a)
			}
		}
	default:
		for _, a := range c.Expect.Include {
			if !set[canon(a)] {
				t.Errorf("missing %s; got %q", a, got)
			}
		}
	}
}

// TestResourcesDev runs every case of ../shared/expectations/resources-dev.json through
// GeneratePolicy in the scoped resource mode and checks the resources of the statements
// that allow the case's action.
func TestResourcesDev(t *testing.T) {
	passed, cases := 0, loadResourcesDev(t)
	for _, c := range cases {
		ok := t.Run(c.Name, func(t *testing.T) {
			rec, err := cloudtrail.ParseRecord(c.Record)
			if err != nil {
				t.Fatalf("ParseRecord: %v", err)
			}
			p, err := trailscraper.GeneratePolicy(func(yield func(trailscraper.Record, error) bool) { yield(rec, nil) },
				trailscraper.WithResources(trailscraper.ResourcesScoped))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range p.Statement {
				if slices.ContainsFunc(s.Action, func(a iam.Action) bool { return actionMatches(string(a), c.Action) }) {
					got = append(got, s.Resource...)
				}
			}
			if got == nil {
				t.Fatalf("no statement allows %s", c.Action)
			}
			slices.Sort(got)
			checkResources(t, c, slices.Compact(got))
		})
		if ok {
			passed++
		}
	}
	t.Logf("resources-dev: %d of %d cases pass", passed, len(cases))
}

// actionMatches reports whether the policy action pattern (with IAM wildcards * and ?)
// matches action, case-insensitively.
func actionMatches(pattern, action string) bool {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(action))
	return err == nil && ok
}
