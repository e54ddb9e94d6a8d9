package guess

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/trailscraper/trailscraper/iam"
)

// FuzzExtend feeds arbitrary policy documents and verbs through Parse and Extend: Extend
// must not panic, must keep every input statement in place, must propose no action twice
// per effect, and its result must render and parse again.
func FuzzExtend(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`), "")
	f.Add([]byte(`{"Statement":{"Effect":"Deny","Action":"ec2:DetachVolume"}}`), "attach")
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"},{"Effect":"Allow","Action":["*","s3:Get*",":x","a:"]}]}`), "get,list")
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","Action":["autoscaling:DescribeLaunchConfigurations","AUTOSCALING:createlaunchconfiguration"]}]}`), "Create")
	g := New(WithCatalog(original))
	f.Fuzz(func(t *testing.T, data []byte, verbs string) {
		p, err := iam.Parse(data)
		if err != nil {
			return
		}
		var vs []string
		if verbs != "" {
			vs = strings.Split(verbs, ",")
		}
		out := g.Extend(p, vs...)
		i := 0
		seen := map[iam.Effect]map[string]bool{}
		for _, s := range out.Statement {
			if i < len(p.Statement) && s.Effect == p.Statement[i].Effect && equalList(s.Action, p.Statement[i].Action) && equalList(s.Resource, p.Statement[i].Resource) && s.Sid == p.Statement[i].Sid {
				i++
				continue
			}
			// A guessed statement.
			if len(s.Resource) != 1 || s.Resource[0] != "*" || len(s.Action) == 0 {
				t.Fatalf("unexpected statement %+v", s)
			}
			if seen[s.Effect] == nil {
				seen[s.Effect] = map[string]bool{}
			}
			for _, a := range s.Action {
				k := strings.ToLower(string(a))
				if seen[s.Effect][k] {
					t.Fatalf("%s proposed twice", a)
				}
				seen[s.Effect][k] = true
			}
		}
		if i != len(p.Statement) {
			t.Fatalf("only %d of %d input statements kept", i, len(p.Statement))
		}
		b, err := iam.Marshal(out)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		p2, err := iam.Parse(b)
		if err != nil {
			t.Fatalf("Parse(Marshal(Extend())) = %v:\n%s", err, b)
		}
		b2, _ := iam.Marshal(p2)
		if !bytes.Equal(b, b2) {
			t.Fatalf("output not stable:\n%s\n%s", b, b2)
		}
	})
}

// equalList reports whether a and b hold the same elements and are both nil or both not.
func equalList[T comparable](a, b []T) bool {
	return (a == nil) == (b == nil) && slices.Equal(a, b)
}
