package mapping

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
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
	data, err := os.ReadFile("../../shared/expectations/resources-dev.json")
	if err != nil {
		t.Skip("../shared/expectations/resources-dev.json is absent")
	}
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

// callOf reads the fields of a CloudTrail record that scoping needs.
func callOf(t *testing.T, raw json.RawMessage) *Call {
	var r struct {
		AWSRegion          string `json:"awsRegion"`
		RecipientAccountID string `json:"recipientAccountId"`
		UserIdentity       struct {
			Type, ARN, AccountID string
		} `json:"userIdentity"`
		Resources []struct {
			ARN string `json:"ARN"`
		} `json:"resources"`
		RequestParameters json.RawMessage `json:"requestParameters"`
		ResponseElements  json.RawMessage `json:"responseElements"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	c := &Call{Region: r.AWSRegion, Account: r.RecipientAccountID, CallerARN: r.UserIdentity.ARN, CallerType: r.UserIdentity.Type,
		Request: r.RequestParameters, Response: r.ResponseElements}
	if c.Account == "" {
		c.Account = r.UserIdentity.AccountID
	}
	for _, x := range r.Resources {
		if x.ARN != "" {
			c.ResourceARNs = append(c.ResourceARNs, x.ARN)
		}
	}
	return c
}

// TestScoperDev runs the engine alone on each case's action (the mapping decides the
// actions; TestResourcesDev checks the whole pipeline).
func TestScoperDev(t *testing.T) {
	passed, cases := 0, loadResourcesDev(t)
	for _, c := range cases {
		ok := t.Run(c.Name, func(t *testing.T) {
			if strings.HasPrefix(c.Name, "kms-reencrypt-") {
				t.Skip("the mapping's kms-reencrypt override tells the source key from the destination")
			}
			rs := NewScoper(callOf(t, c.Record)).Resources(c.Action)
			got := []string{"*"}
			if rs != nil {
				got = got[:0]
				for _, r := range rs {
					got = append(got, r.ARN)
				}
			}
			slices.Sort(got)
			checkResources(t, c, got)
		})
		if ok {
			passed++
		}
	}
	t.Logf("resources-dev (engine alone): %d of %d cases pass", passed, len(cases))
}
