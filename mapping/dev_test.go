package mapping

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/trailscraper/trailscraper/internal/testfiles"

	"github.com/trailscraper/trailscraper/cloudtrail"
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
// the mapping: required actions present, forbidden ones absent, no statement for
// permissionless records. Actions outside required+allowed are logged as extra.
func TestMappingDev(t *testing.T) {
	data := testfiles.Read(t, "expectations/mapping-dev.json")
	var doc struct {
		Cases []devCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	passed := 0
	for _, c := range doc.Cases {
		ok := t.Run(c.ID, func(t *testing.T) {
			rec, err := cloudtrail.ParseRecord(c.Record)
			if err != nil {
				t.Fatalf("ParseRecord: %v", err)
			}
			got := map[string]bool{}
			for _, p := range Permissions(&rec) {
				got[strings.ToLower(string(p.Action))] = true
			}
			for _, a := range c.Required {
				if !got[strings.ToLower(a)] {
					t.Errorf("required %s missing; got %v (rule %s)", a, keysOf(got), For(&rec).Rule)
				}
			}
			for _, a := range c.Forbidden {
				if got[strings.ToLower(a)] {
					t.Errorf("forbidden %s emitted", a)
				}
			}
			if c.Permissionless && len(got) > 0 {
				t.Errorf("permissionless record produced permissions: %v", keysOf(got))
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
