package guess

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/servicedefs"
)

var cmpIAM = cmp.AllowUnexported(iam.Statement{}, iam.Policy{})

// fakeCatalog knows a fixed set of actions, matched case-insensitively.
type fakeCatalog map[string]string

func newFake(actions ...string) fakeCatalog {
	c := fakeCatalog{}
	for _, a := range actions {
		c[strings.ToLower(a)] = a
	}
	return c
}

func (c fakeCatalog) Canonical(action string) (string, bool) {
	a, ok := c[strings.ToLower(action)]
	return a, ok
}

// original holds the actions the original tool's tests relied on, including s3:ListObjects,
// which was in its 2018 list but is not an IAM action.
var original = newFake(
	"autoscaling:CreateLaunchConfiguration", "autoscaling:DeleteLaunchConfiguration",
	"autoscaling:DescribeLaunchConfigurations", "autoscaling:CreateAutoScalingGroup",
	"autoscaling:DeleteAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup",
	"autoscaling:DescribeAutoScalingGroups",
	"ec2:CreateVolume", "ec2:DeleteVolume", "ec2:AttachVolume", "ec2:DetachVolume", "ec2:DescribeVolumes",
	"ecr:ListImages", "ecr:PutImage", "ecr:DescribeImages",
	"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListObjects",
	"sts:AssumeRole",
)

// TestBase ports test_base_action from the original's tests/iam/action_test.py.
func TestBase(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "describe plural", in: "DescribeLaunchConfigurations", want: "LaunchConfiguration"},
		{name: "create", in: "CreateLaunchConfiguration", want: "LaunchConfiguration"},
		{name: "delete", in: "DeleteLaunchConfiguration", want: "LaunchConfiguration"},
		{name: "update", in: "UpdateAutoScalingGroup", want: "AutoScalingGroup"},
		{name: "detach", in: "DetachVolume", want: "Volume"},
		{name: "attach", in: "AttachVolume", want: "Volume"},
		{name: "list plural", in: "ListImages", want: "Image"},
		{name: "put", in: "PutObject", want: "Object"},
		{name: "get", in: "GetObject", want: "Object"},
		// Beyond the original's cases: its rule removes every occurrence, anywhere.
		{name: "verb inside the name", in: "GetBucketPolicyStatus", want: "BucketPolicyStatu"},
		{name: "verb as part of a word (a quirk kept from the original)", in: "DescribeListeners", want: "ener"},
		{name: "removal makes a new verb", in: "DeDescribelete", want: ""},
		{name: "only a verb", in: "List", want: ""},
		{name: "no verb", in: "AssumeRole", want: "AssumeRole"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Base(tt.in); got != tt.want {
				t.Errorf("Base(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestRelated ports test_find_matching_actions_without_filtering and _with_filtering from
// the original's tests/iam/action_test.py, against a catalogue with the actions it knew.
func TestRelated(t *testing.T) {
	tests := []struct {
		name  string
		in    iam.Action
		verbs []string
		want  []iam.Action
	}{
		{name: "describe launch configurations", in: "autoscaling:DescribeLaunchConfigurations",
			want: []iam.Action{"autoscaling:CreateLaunchConfiguration", "autoscaling:DeleteLaunchConfiguration"}},
		{name: "create launch configuration", in: "autoscaling:CreateLaunchConfiguration",
			want: []iam.Action{"autoscaling:DeleteLaunchConfiguration", "autoscaling:DescribeLaunchConfigurations"}},
		{name: "delete launch configuration", in: "autoscaling:DeleteLaunchConfiguration",
			want: []iam.Action{"autoscaling:CreateLaunchConfiguration", "autoscaling:DescribeLaunchConfigurations"}},
		{name: "update auto scaling group", in: "autoscaling:UpdateAutoScalingGroup",
			want: []iam.Action{"autoscaling:CreateAutoScalingGroup", "autoscaling:DeleteAutoScalingGroup", "autoscaling:DescribeAutoScalingGroups"}},
		{name: "delete auto scaling group", in: "autoscaling:DeleteAutoScalingGroup",
			want: []iam.Action{"autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup", "autoscaling:DescribeAutoScalingGroups"}},
		{name: "detach volume", in: "ec2:DetachVolume",
			want: []iam.Action{"ec2:CreateVolume", "ec2:DeleteVolume", "ec2:AttachVolume", "ec2:DescribeVolumes"}},
		{name: "list images", in: "ecr:ListImages",
			want: []iam.Action{"ecr:PutImage", "ecr:DescribeImages"}},
		{name: "put object", in: "s3:PutObject",
			want: []iam.Action{"s3:DeleteObject", "s3:GetObject", "s3:ListObjects"}},
		{name: "filtered to attach", in: "ec2:DetachVolume", verbs: []string{"Attach"},
			want: []iam.Action{"ec2:AttachVolume"}},
		// Beyond the original's cases.
		{name: "case-insensitive input uses AWS's spelling", in: "S3:getobject",
			want: []iam.Action{"s3:DeleteObject", "s3:PutObject", "s3:ListObjects"}},
		{name: "nothing related", in: "sts:AssumeRole", want: nil},
		{name: "unknown action still guesses from its name", in: "s3:ListObject",
			want: []iam.Action{"s3:DeleteObject", "s3:PutObject", "s3:GetObject", "s3:ListObjects"}},
		{name: "wildcard", in: "s3:Get*", want: nil},
		{name: "question mark wildcard", in: "s3:GetObjec?", want: nil},
		{name: "everything", in: "*", want: nil},
		{name: "no prefix", in: "GetObject", want: nil},
		{name: "empty prefix", in: ":GetObject", want: nil},
		{name: "unknown service", in: "nosuch:GetObject", want: nil},
	}
	g := New(WithCatalog(original))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := g.Related(tt.in, tt.verbs...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Related(%q, %q) differs (-want +got):\n%s", tt.in, tt.verbs, diff)
			}
		})
	}
}

func TestTitle(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "lower", in: "describe", want: "Describe"},
		{name: "upper", in: "DESCRIBE", want: "Describe"},
		{name: "already", in: "Describe", want: "Describe"},
		{name: "mixed", in: "batchGet", want: "Batchget"},
		{name: "words", in: "get_object", want: "Get_Object"},
		{name: "digits", in: "a1b", want: "A1B"},
		{name: "non-ASCII", in: "ñame", want: "Ñame"},
		{name: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := title(tt.in); got != tt.want {
				t.Errorf("title(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func allow(actions []iam.Action, resources ...string) iam.Statement {
	return iam.Statement{Effect: iam.Allow, Action: actions, Resource: resources}
}

func acts(as ...iam.Action) []iam.Action { return as }

func mustParse(t *testing.T, s string) *iam.Policy {
	t.Helper()
	p, err := iam.Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%s): %v", s, err)
	}
	return p
}

func TestExtend(t *testing.T) {
	role := "arn:aws:iam::111111111111:role/someRole"
	tests := []struct {
		name  string
		in    *iam.Policy
		verbs []string
		want  *iam.Policy
	}{
		{
			// tests/integration/cli_guess_test.py: test_should_guess_all_matching_statements
			name: "original: guess all matching statements",
			in: &iam.Policy{Version: iam.Version, Statement: []iam.Statement{
				allow(acts("autoscaling:DescribeLaunchConfigurations"), "*"),
				allow(acts("sts:AssumeRole"), role),
			}},
			want: &iam.Policy{Version: iam.Version, Statement: []iam.Statement{
				allow(acts("autoscaling:DescribeLaunchConfigurations"), "*"),
				allow(acts("autoscaling:CreateLaunchConfiguration", "autoscaling:DeleteLaunchConfiguration"), "*"),
				allow(acts("sts:AssumeRole"), role),
			}},
		},
		{
			// test_should_guess_only_specific_actions_and_fix_upper_lowercase
			name:  "original: only specific verbs, title-cased",
			verbs: []string{"Attach", "describe"},
			in: &iam.Policy{Version: iam.Version, Statement: []iam.Statement{
				allow(acts("ec2:DetachVolume"), "*"),
			}},
			want: &iam.Policy{Version: iam.Version, Statement: []iam.Statement{
				allow(acts("ec2:DetachVolume"), "*"),
				allow(acts("ec2:AttachVolume", "ec2:DescribeVolumes"), "*"),
			}},
		},
		{
			name:  "repeated and empty verbs",
			verbs: []string{"ATTACH", "", "attach"},
			in: &iam.Policy{Statement: []iam.Statement{
				allow(acts("ec2:DetachVolume"), "*"),
			}},
			want: &iam.Policy{Statement: []iam.Statement{
				allow(acts("ec2:DetachVolume"), "*"),
				allow(acts("ec2:AttachVolume"), "*"),
			}},
		},
		{
			name:  "spaces around verbs",
			verbs: []string{" attach ", "\tDescribe", "  "},
			in: &iam.Policy{Statement: []iam.Statement{
				allow(acts("ec2:DetachVolume"), "*"),
			}},
			want: &iam.Policy{Statement: []iam.Statement{
				allow(acts("ec2:DetachVolume"), "*"),
				allow(acts("ec2:AttachVolume", "ec2:DescribeVolumes"), "*"),
			}},
		},
		{
			// The original proposed s3:DeleteObject twice here and s3:PutObject although
			// the policy had it.
			name: "fixed: no duplicates within a statement or of actions in the policy",
			in: &iam.Policy{Version: iam.Version, Statement: []iam.Statement{
				allow(acts("s3:GetObject", "s3:PutObject"), "arn:aws:s3:::b/*"),
			}},
			want: &iam.Policy{Version: iam.Version, Statement: []iam.Statement{
				allow(acts("s3:GetObject", "s3:PutObject"), "arn:aws:s3:::b/*"),
				allow(acts("s3:DeleteObject", "s3:ListObjects"), "*"),
			}},
		},
		{
			name: "fixed: an action guessed once is not guessed again by a later statement",
			in: &iam.Policy{Statement: []iam.Statement{
				allow(acts("s3:GetObject"), "arn:aws:s3:::a/*"),
				allow(acts("s3:DeleteObject"), "arn:aws:s3:::b/*"),
			}},
			want: &iam.Policy{Statement: []iam.Statement{
				allow(acts("s3:GetObject"), "arn:aws:s3:::a/*"),
				allow(acts("s3:PutObject", "s3:ListObjects"), "*"),
				allow(acts("s3:DeleteObject"), "arn:aws:s3:::b/*"),
			}},
		},
		{
			name: "actions already in the policy compare case-insensitively",
			in: &iam.Policy{Statement: []iam.Statement{
				allow(acts("s3:getobject"), "*"),
				allow(acts("s3:deleteobject", "S3:PUTOBJECT", "s3:listobjects"), "*"),
			}},
			want: &iam.Policy{Statement: []iam.Statement{
				allow(acts("s3:getobject"), "*"),
				allow(acts("s3:deleteobject", "S3:PUTOBJECT", "s3:listobjects"), "*"),
			}},
		},
		{
			name: "deny statements guess deny statements, separately from allow",
			in: &iam.Policy{Statement: []iam.Statement{
				allow(acts("s3:GetObject", "s3:PutObject"), "*"),
				{Effect: iam.Deny, Action: acts("s3:DeleteObject"), Resource: []string{"arn:aws:s3:::b/*"}},
			}},
			want: &iam.Policy{Statement: []iam.Statement{
				allow(acts("s3:GetObject", "s3:PutObject"), "*"),
				allow(acts("s3:DeleteObject", "s3:ListObjects"), "*"),
				{Effect: iam.Deny, Action: acts("s3:DeleteObject"), Resource: []string{"arn:aws:s3:::b/*"}},
				{Effect: iam.Deny, Action: acts("s3:PutObject", "s3:GetObject", "s3:ListObjects"), Resource: []string{"*"}},
			}},
		},
		{
			name: "NotAction, wildcards and actions without a prefix guess nothing",
			in: &iam.Policy{Statement: []iam.Statement{
				{Effect: iam.Allow, NotAction: acts("s3:GetObject"), Resource: []string{"*"}},
				allow(acts("s3:*", "*", "GetObject", "s3:Get*"), "*"),
				{Effect: iam.Allow, Action: acts(), Resource: []string{"*"}},
			}},
			want: &iam.Policy{Statement: []iam.Statement{
				{Effect: iam.Allow, NotAction: acts("s3:GetObject"), Resource: []string{"*"}},
				allow(acts("s3:*", "*", "GetObject", "s3:Get*"), "*"),
				{Effect: iam.Allow, Action: acts(), Resource: []string{"*"}},
			}},
		},
		{
			name: "empty policy",
			in:   &iam.Policy{Version: iam.Version, Statement: []iam.Statement{}},
			want: &iam.Policy{Version: iam.Version, Statement: []iam.Statement{}},
		},
		{
			name: "nil policy",
			in:   nil,
			want: nil,
		},
	}
	g := New(WithCatalog(original))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.in.Clone()
			got := g.Extend(tt.in, tt.verbs...)
			if diff := cmp.Diff(tt.want, got, cmpIAM); diff != "" {
				t.Errorf("Extend(%q) differs (-want +got):\n%s", tt.verbs, diff)
			}
			if diff := cmp.Diff(before, tt.in, cmpIAM); diff != "" {
				t.Errorf("Extend modified its input (-before +after):\n%s", diff)
			}
		})
	}
}

// TestExtendKeepsStatements checks that input statements, Version and Id come out as they
// went in, string forms included.
func TestExtendKeepsStatements(t *testing.T) {
	in := `{
    "Id": "my-policy",
    "Statement": {
        "Action": "s3:GetObject",
        "Condition": {
            "NumericLessThan": {
                "s3:max-keys": 1e2
            }
        },
        "Effect": "Allow",
        "Resource": "arn:aws:s3:::b/*",
        "Sid": "Read"
    },
    "Version": "2008-10-17"
}
`
	p := mustParse(t, in)
	out := New(WithCatalog(original)).Extend(p, "put")
	b, err := iam.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
    "Id": "my-policy",
    "Statement": [
        {
            "Action": "s3:GetObject",
            "Condition": {
                "NumericLessThan": {
                    "s3:max-keys": 1e2
                }
            },
            "Effect": "Allow",
            "Resource": "arn:aws:s3:::b/*",
            "Sid": "Read"
        },
        {
            "Action": [
                "s3:PutObject"
            ],
            "Effect": "Allow",
            "Resource": [
                "*"
            ]
        }
    ],
    "Version": "2008-10-17"
}
`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("Marshal(Extend()) differs (-want +got):\n%s", diff)
	}
	// Without guesses the single statement object stays an object.
	out = New(WithCatalog(original)).Extend(p, "Attach")
	b, err = iam.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, string(b)); diff != "" {
		t.Errorf("Marshal(Extend()) without guesses differs (-want +got):\n%s", diff)
	}
}

// TestWithNilCatalog checks that WithCatalog(nil) keeps the embedded service reference
// instead of leaving a nil Catalog to panic on.
func TestWithNilCatalog(t *testing.T) {
	got := New(WithCatalog(nil)).Related("s3:GetObject")
	if want := New().Related("s3:GetObject"); len(want) == 0 || !cmp.Equal(want, got) {
		t.Errorf("New(WithCatalog(nil)).Related(s3:GetObject) = %v, want %v (non-empty)", got, want)
	}
}

// TestExtendNoAliasing checks that the result shares nothing with the input.
func TestExtendNoAliasing(t *testing.T) {
	p := &iam.Policy{Statement: []iam.Statement{{
		Effect: iam.Allow, Action: acts("s3:GetObject"), Resource: []string{"*"},
		Condition: json.RawMessage(`{"Bool":{"k":"v"}}`),
	}}}
	out := New(WithCatalog(original)).Extend(p)
	out.Statement[0].Action[0] = "x:y"
	out.Statement[0].Resource[0] = "r"
	out.Statement[0].Condition[2] = 'X'
	if p.Statement[0].Action[0] != "s3:GetObject" || p.Statement[0].Resource[0] != "*" || p.Statement[0].Condition[2] != 'B' {
		t.Errorf("changing Extend's result changed its input: %+v", p.Statement[0])
	}
}

// TestExtendServiceReference runs the fixture of the original's smoke test against the
// embedded AWS service reference: s3:ListObjects, which the original proposed, is not an
// action.
func TestExtendServiceReference(t *testing.T) {
	tests := []struct {
		name string
		in   iam.Action
		want []iam.Action
	}{
		{name: "get object", in: "s3:GetObject", want: acts("s3:DeleteObject", "s3:PutObject")},
		{name: "describe launch configurations", in: "autoscaling:DescribeLaunchConfigurations",
			want: acts("autoscaling:CreateLaunchConfiguration", "autoscaling:DeleteLaunchConfiguration")},
		{name: "detach volume", in: "ec2:DetachVolume",
			want: acts("ec2:CreateVolume", "ec2:DeleteVolume", "ec2:AttachVolume", "ec2:DescribeVolumes")},
		{name: "assume role", in: "sts:AssumeRole", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &iam.Policy{Version: iam.Version, Statement: []iam.Statement{allow(acts(tt.in), "*")}}
			got := Extend(p)
			want := &iam.Policy{Version: iam.Version, Statement: []iam.Statement{allow(acts(tt.in), "*")}}
			if tt.want != nil {
				want.Statement = append(want.Statement, allow(tt.want, "*"))
			}
			if diff := cmp.Diff(want, got, cmpIAM); diff != "" {
				t.Errorf("Extend(%s) differs (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestExtendOnlyExistingActions checks, over every action in the service reference, that
// every guess is an existing action, spelled as AWS spells it, and never the action itself.
func TestExtendOnlyExistingActions(t *testing.T) {
	prefixes := servicedefs.Prefixes()
	if len(prefixes) == 0 {
		t.Fatal("servicedefs has no services")
	}
	g := New()
	n := 0
	for _, prefix := range prefixes {
		for _, a := range servicedefs.Actions(prefix) {
			for _, c := range g.Related(iam.Action(a)) {
				n++
				canon, ok := servicedefs.Canonical(string(c))
				if !ok || canon != string(c) || strings.EqualFold(string(c), a) {
					t.Fatalf("Related(%s) proposed %s (exists %v, canonical %q)", a, c, ok, canon)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no guesses over the whole service reference")
	}
}

func BenchmarkExtend(b *testing.B) {
	var stmts []iam.Statement
	for _, a := range servicedefs.Actions("ec2")[:200] {
		stmts = append(stmts, allow(acts(iam.Action(a)), "*"))
	}
	p := &iam.Policy{Version: iam.Version, Statement: stmts}
	b.ReportAllocs()
	for b.Loop() {
		Extend(p)
	}
}
