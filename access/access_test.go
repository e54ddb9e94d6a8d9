package access

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/servicedefs"
)

func doc(t testing.TB, name, js string) Document {
	p, err := iam.Parse([]byte(js))
	if err != nil {
		t.Fatalf("iam.Parse(%s): %v", name, err)
	}
	return Document{Name: name, Policy: p}
}

func uses(actions ...string) []Use {
	out := make([]Use, len(actions))
	for i, a := range actions {
		out[i] = Use{Action: iam.Action(a), Count: 1}
	}
	return out
}

// granted returns the known actions the documents grant, as Compare counts them, and which
// of them are conditional.
func grantedActions(docs []Document) map[string]bool {
	return newEvaluator(compile(docs)).granted()
}

func TestCompareSemantics(t *testing.T) {
	s3Get := len(matching("s3", "get"))
	tests := []struct {
		name     string
		policies []string
		uses     []Use
		// want checks: the number granted, and a few actions' status.
		granted     int
		used        []string // granted and used
		notGranted  []string
		conditional []string // granted only conditionally (used or unused)
		absent      []string // not granted (and not used)
		unknown     []string
	}{
		{
			name:     "exact action, case-insensitive, canonical case out",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"S3:getobject","Resource":"*"}}`},
			uses:     uses("s3:GetObject", "s3:PutObject"),
			granted:  1, used: []string{"s3:GetObject"}, notGranted: []string{"s3:PutObject"},
		},
		{
			name:     "prefix wildcard",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}`},
			uses:     uses("s3:getobject"),
			granted:  s3Get, used: []string{"s3:GetObject"}, absent: []string{"s3:PutObject"},
		},
		{
			name:     "question mark matches one character",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"sqs:?eceiveMessage","Resource":"*"}}`},
			granted:  1, absent: []string{"sqs:SendMessage"},
		},
		{
			name:     "star grants every known action",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`},
			uses:     uses("iam:ListRoles"),
			granted:  len(allActions()), used: []string{"iam:ListRoles"},
		},
		{
			name:     "star colon star grants every known action",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"*:*","Resource":"*"}}`},
			granted:  len(allActions()),
		},
		{
			name:     "wildcard in the service prefix",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"s3*:GetObject","Resource":"*"}}`},
			granted: len(matchingAll(func(a string) bool {
				p, n, _ := strings.Cut(a, ":")
				return strings.HasPrefix(p, "s3") && n == "getobject"
			})),
			used: nil, absent: []string{"s3:PutObject"},
		},
		{
			name:     "NotAction grants every known action but those",
			policies: []string{`{"Statement":{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}}`},
			uses:     uses("s3:GetObject", "iam:CreateUser"),
			granted:  len(allActions()) - len(servicedefs.Actions("iam")) - len(servicedefs.Actions("organizations")),
			used:     []string{"s3:GetObject"}, notGranted: []string{"iam:CreateUser"},
		},
		{
			name: "unconditional Deny on * removes",
			policies: []string{`{"Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"},
				{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`},
			uses:    uses("s3:GetObject"),
			granted: s3Get - 1, notGranted: []string{"s3:GetObject"},
		},
		{
			name: "Deny with a Condition does not remove",
			policies: []string{`{"Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"},
				{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`},
			uses:    uses("s3:GetObject"),
			granted: s3Get, used: []string{"s3:GetObject"},
		},
		{
			name: "Deny on fewer resources than the Allow does not remove",
			policies: []string{`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
				{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret/*"}]}`},
			granted: 1,
		},
		{
			name: "Deny covering the Allow's resources removes",
			policies: []string{`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/logs/*"},
				{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}`},
			granted: 0, absent: []string{"s3:GetObject"},
		},
		{
			name: "Deny with NotAction removes everything else",
			policies: []string{`{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","sqs:SendMessage"],"Resource":"*"},
				{"Effect":"Deny","NotAction":"sqs:*","Resource":"*"}]}`},
			granted: 1, absent: []string{"s3:GetObject"},
		},
		{
			name:     "a grant with a Condition is conditional",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}}`},
			uses:     uses("ec2:RunInstances"),
			granted:  1, used: []string{"ec2:RunInstances"}, conditional: []string{"ec2:RunInstances"},
		},
		{
			name: "an unconditional grant elsewhere makes it unconditional",
			policies: []string{
				`{"Statement":{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}}`,
				`{"Statement":{"Effect":"Allow","Action":"ec2:Run*","Resource":"*"}}`,
			},
			granted: len(matching("ec2", "run")),
		},
		{
			name: "several policies: union of Allows, Deny of one applies to all",
			policies: []string{
				`{"Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}}`,
				`{"Statement":{"Effect":"Allow","Action":["sns:Publish","s3:GetObject"],"Resource":"*"}}`,
				`{"Statement":{"Effect":"Deny","Action":"SNS:PUBLISH","Resource":"*"}}`,
			},
			uses:    uses("sqs:sendmessage", "sns:Publish"),
			granted: 2, used: []string{"sqs:SendMessage"}, notGranted: []string{"sns:Publish"},
		},
		{
			name:     "unknown actions are reported, the rest still counts",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:NoSuchThing","nosvc:*","s3:Zzz*"],"Resource":"*"}}`},
			granted:  1,
			unknown:  []string{"s3:NoSuchThing", "nosvc:*", "s3:Zzz*"},
		},
		{
			name:     "a used action unknown to the service reference can still be granted by a wildcard",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
			uses:     uses("s3:BrandNewAction"),
			granted:  len(servicedefs.Actions("s3")), used: []string{"s3:BrandNewAction"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var docs []Document
			for i, p := range tt.policies {
				docs = append(docs, doc(t, "p"+string(rune('0'+i)), p))
			}
			r := Compare(docs, tt.uses)
			if r.Granted != tt.granted {
				t.Errorf("Granted = %d, want %d", r.Granted, tt.granted)
			}
			var used, notGranted, conditional, unknown []string
			for _, u := range r.Used {
				used = append(used, string(u.Action))
				if u.Conditional {
					conditional = append(conditional, string(u.Action))
				}
			}
			for _, u := range r.Unused {
				if u.Conditional {
					conditional = append(conditional, string(u.Action))
				}
			}
			for _, n := range r.NotGranted {
				notGranted = append(notGranted, string(n.Action))
			}
			for _, u := range r.Unknown {
				unknown = append(unknown, u.Action)
			}
			for _, c := range []struct {
				what      string
				got, want []string
			}{{"used", used, tt.used}, {"notGranted", notGranted, tt.notGranted}, {"conditional", conditional, tt.conditional}, {"unknown", unknown, tt.unknown}} {
				if diff := cmp.Diff(c.want, c.got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", c.what, diff)
				}
			}
			g := grantedActions(docs)
			for _, a := range tt.absent {
				if _, ok := g[a]; ok {
					t.Errorf("%s is granted, want not", a)
				}
			}
			if len(r.Used)+len(r.Unused) != r.Granted+countUnknownUsed(r) {
				t.Errorf("len(Used)+len(Unused) = %d+%d, want Granted %d", len(r.Used), len(r.Unused), r.Granted)
			}
		})
	}
}

func countUnknownUsed(r *Report) int {
	n := 0
	for _, u := range r.Used {
		if _, ok := servicedefs.Canonical(string(u.Action)); !ok {
			n++
		}
	}
	return n
}

// matching returns the known actions of prefix whose lowered name starts with namePrefix.
func matching(prefix, namePrefix string) []string {
	var out []string
	for _, a := range servicedefs.Actions(prefix) {
		if strings.HasPrefix(strings.ToLower(iam.Action(a).Name()), namePrefix) {
			out = append(out, a)
		}
	}
	return out
}

func matchingAll(f func(lowered string) bool) []string {
	var out []string
	for _, a := range allActions() {
		if f(strings.ToLower(a)) {
			out = append(out, a)
		}
	}
	return out
}

func TestCompareReport(t *testing.T) {
	t1 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	docs := []Document{doc(t, "app.json", `{"Version":"2012-10-17","Statement":[
		{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*","arn:aws:s3:::old/*"]},
		{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:q","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
		{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:*:*:function:f"}]}`)}
	in := []Use{
		{Action: "s3:GetObject", Count: 2, FirstSeen: t1, LastSeen: t1, Resources: []string{"arn:aws:s3:::data/k1"}},
		{Action: "S3:getobject", Count: 1, FirstSeen: t2, LastSeen: t2, Resources: []string{"arn:aws:s3:::data/k2"}},
		{Action: "sqs:SendMessage", Count: 5, LastSeen: t2},
		{Action: "ec2:DescribeInstances", Count: 7},
	}
	got := Compare(docs, in)
	want := &Report{
		Granted: 4,
		Used: []Used{
			{Action: "s3:GetObject", Count: 3, LastSeen: t2},
			{Action: "sqs:SendMessage", Count: 5, LastSeen: t2, Conditional: true},
		},
		Unused: []Unused{
			{Action: "lambda:InvokeFunction", DataEvent: true},
			{Action: "s3:ListBucket", DataEvent: true},
		},
		NotGranted: []NotGranted{{Action: "ec2:DescribeInstances", Count: 7}},
		UnusedResources: []UnusedResource{
			{Statement: "app.json Statement[0] (Sid Read)", Resource: "arn:aws:s3:::data"},
			{Statement: "app.json Statement[0] (Sid Read)", Resource: "arn:aws:s3:::old/*"},
			{Statement: "app.json Statement[2]", Resource: "arn:aws:lambda:*:*:function:f"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Compare (-want +got):\n%s", diff)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	const wantJSON = `{"granted":4,"used":[{"action":"s3:GetObject","count":3,"lastSeen":"2026-03-01T13:00:00Z","conditional":false},{"action":"sqs:SendMessage","count":5,"lastSeen":"2026-03-01T13:00:00Z","conditional":true}],"unused":[{"action":"lambda:InvokeFunction","dataEvent":true,"conditional":false},{"action":"s3:ListBucket","dataEvent":true,"conditional":false}],"notGranted":[{"action":"ec2:DescribeInstances","count":7}],"unusedResources":[{"statement":"app.json Statement[0] (Sid Read)","resource":"arn:aws:s3:::data"},{"statement":"app.json Statement[0] (Sid Read)","resource":"arn:aws:s3:::old/*"},{"statement":"app.json Statement[2]","resource":"arn:aws:lambda:*:*:function:f"}]}`
	if string(b) != wantJSON {
		t.Errorf("json.Marshal(report) =\n%s\nwant\n%s", b, wantJSON)
	}
}

func TestCompareEmpty(t *testing.T) {
	b, err := json.Marshal(Compare(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"granted":0,"used":[],"unused":[],"notGranted":[],"unusedResources":[]}`; string(b) != want {
		t.Errorf("json.Marshal(Compare(nil, nil)) = %s, want %s", b, want)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		name, pattern, s string
		resource         bool
		want             bool
	}{
		{name: "literal", pattern: "s3:getobject", s: "s3:getobject", want: true},
		{name: "literal differs", pattern: "s3:getobject", s: "s3:getobjects", want: false},
		{name: "star", pattern: "s3:get*", s: "s3:getobject", want: true},
		{name: "star empty", pattern: "s3:get*", s: "s3:get", want: true},
		{name: "star middle backtracks", pattern: "*object*acl", s: "s3:getobjectversionacl", want: true},
		{name: "question", pattern: "s3:?et*", s: "s3:getobject", want: true},
		{name: "question needs one", pattern: "s3:get?", s: "s3:get", want: false},
		{name: "action pattern lowered", pattern: "S3:GET*", s: "s3:getobject", want: true},
		{name: "resource case-sensitive", pattern: "arn:aws:s3:::Data/*", s: "arn:aws:s3:::data/k", resource: true, want: false},
		{name: "resource star", pattern: "arn:aws:s3:::data/*", s: "arn:aws:s3:::data/a/b", resource: true, want: true},
		{name: "resource variable matches anything", pattern: "arn:aws:s3:::home/${aws:username}/*", s: "arn:aws:s3:::home/alice/x", resource: true, want: true},
		{name: "escaped star is literal", pattern: "arn:aws:s3:::b/${*}", s: "arn:aws:s3:::b/x", resource: true, want: false},
		{name: "escaped star matches star", pattern: "arn:aws:s3:::b/${*}", s: "arn:aws:s3:::b/*", resource: true, want: true},
		{name: "question matches a rune", pattern: "arn:aws:s3:::b/?", s: "arn:aws:s3:::b/é", resource: true, want: true},
		{name: "unterminated variable is literal", pattern: "arn:${x", s: "arn:${x", resource: true, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := compileAction(tt.pattern)
			if tt.resource {
				g = compileResource(tt.pattern)
			}
			if got := g.match(tt.s); got != tt.want {
				t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
			}
		})
	}
}

func TestDataEvent(t *testing.T) {
	for prefix, names := range dataEvents {
		for _, n := range names {
			a := prefix + ":" + n
			if c, ok := servicedefs.Canonical(a); !ok || c != a {
				t.Errorf("data event %s: servicedefs.Canonical = %q, %v; want the action as AWS spells it", a, c, ok)
			}
		}
	}
	tests := []struct {
		action string
		want   bool
	}{
		{"s3:GetObject", true},
		{"S3:PUTOBJECT", true},
		{"s3:CreateBucket", false},
		{"lambda:InvokeFunction", true},
		{"lambda:CreateFunction", false},
		{"dynamodb:GetItem", true},
		{"dynamodb:CreateTable", false},
		{"kinesis:PutRecord", true},
		{"GetObject", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			if got := DataEvent(iam.Action(tt.action)); got != tt.want {
				t.Errorf("DataEvent(%q) = %v, want %v", tt.action, got, tt.want)
			}
		})
	}
}
