package access

import (
	"testing"

	"github.com/trailscraper/trailscraper/iam"
)

// FuzzCompare feeds any policy document that iam.Parse accepts through Compare and Suggest:
// neither may panic, Used and Unused add up to what is granted (plus used actions unknown to
// the service reference), and the suggested policy marshals and parses again.
func FuzzCompare(f *testing.F) {
	f.Add(`{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/${aws:username}/*"}}`, "s3:GetObject", "arn:aws:s3:::b/alice/k")
	f.Add(`{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"},{"Effect":"Deny","Action":"?3:*","Resource":"*"}]}`, "sqs:SendMessage", "*")
	f.Add(`{"Statement":{"Sid":"x","Effect":"Allow","Action":["*:*","a:b"],"NotResource":"x","Condition":{}}}`, "x:y", "")
	f.Fuzz(func(t *testing.T, policy, action, resource string) {
		p, err := iam.Parse([]byte(policy))
		if err != nil {
			return
		}
		docs := []Document{{Name: "fuzz", Policy: p}}
		in := []Use{{Action: iam.Action(action), Count: 1, Resources: []string{resource}}}
		r := Compare(docs, in)
		if len(r.Used)+len(r.Unused) != r.Granted+countUnknownUsed(r) {
			t.Errorf("len(Used)+len(Unused) = %d+%d, want Granted %d", len(r.Used), len(r.Unused), r.Granted)
		}
		b, err := iam.Marshal(Suggest(docs, in))
		if err != nil {
			t.Fatalf("iam.Marshal(Suggest) = %v", err)
		}
		if _, err := iam.Parse(b); err != nil {
			t.Fatalf("iam.Parse(Suggest) = %v\n%s", err, b)
		}
	})
}
