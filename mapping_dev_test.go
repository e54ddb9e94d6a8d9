package trailscraper

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// devCase is one case of ../shared/expectations/mapping-dev.json; its _doc gives the
// semantics.
type devCase struct {
	ID             string          `json:"id"`
	Category       string          `json:"category"`
	Record         json.RawMessage `json:"record"`
	Required       []string        `json:"required"`
	Allowed        []string        `json:"allowed"`
	Forbidden      []string        `json:"forbidden"`
	Permissionless bool            `json:"permissionless"`
}

// TestMappingDev runs every worked case of ../shared/expectations/mapping-dev.json through
// GeneratePolicy: required actions present, forbidden ones absent, no statement for
// permissionless records. Actions outside required+allowed are logged as extra.
func TestMappingDev(t *testing.T) {
	data, err := os.ReadFile("../shared/expectations/mapping-dev.json")
	if err != nil {
		t.Skip("../shared/expectations/mapping-dev.json is absent")
	}
	var doc struct {
		Cases []devCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	passed := 0
	for _, c := range doc.Cases {
		ok := t.Run(c.ID, func(t *testing.T) {
			rec, err := ParseRecord(c.Record)
			if err != nil {
				t.Fatalf("ParseRecord: %v", err)
			}
			p, err := GeneratePolicy(slices.Values([]Record{rec}))
			if err != nil {
				t.Fatalf("GeneratePolicy: %v", err)
			}
			got := map[string]bool{}
			for _, s := range p.Statement {
				for _, a := range s.Action {
					got[strings.ToLower(string(a))] = true
				}
			}
			for _, a := range c.Required {
				if !got[strings.ToLower(a)] {
					t.Errorf("required %s missing; got %v (rule %s)", a, keysOf(got), rec.Mapping().Rule)
				}
			}
			for _, a := range c.Forbidden {
				if got[strings.ToLower(a)] {
					t.Errorf("forbidden %s emitted", a)
				}
			}
			if c.Permissionless && len(p.Statement) > 0 {
				t.Errorf("permissionless record produced %d statements: %v", len(p.Statement), keysOf(got))
			}
			var extra []string
			for a := range got {
				if !slices.ContainsFunc(append(slices.Clone(c.Required), c.Allowed...), func(b string) bool { return strings.EqualFold(a, b) }) {
					extra = append(extra, a)
				}
			}
			if len(extra) > 0 {
				slices.Sort(extra)
				t.Logf("extra (imprecise, not a failure): %v", extra)
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("mapping-dev: %d of %d cases pass", passed, len(doc.Cases))
}

func keysOf(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
