package policy

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailscraper/trailscraper/iam"
)

var cmpIAM = cmp.AllowUnexported(iam.Statement{}, iam.Policy{})

func allow(actions []iam.Action, resources ...string) iam.Statement {
	return iam.Statement{Effect: iam.Allow, Action: actions, Resource: resources}
}

func deny(actions []iam.Action, resources ...string) iam.Statement {
	return iam.Statement{Effect: iam.Deny, Action: actions, Resource: resources}
}

func acts(as ...iam.Action) []iam.Action { return as }

// record builds the statement the original's Record.to_statement made for an event:
// one action on the record's resources, or on "*" when it has none.
func record(action iam.Action, resources ...string) iam.Statement {
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	return allow(acts(action), resources...)
}

// TestBuild holds the original tool's own test cases (tests/iam/statement_test.py,
// tests/policy_generator/combine_statements_test.py, generate_policy_test.py and
// generate_policy_from_records_test.py, flosell/trailscraper) expressed over Build, plus
// the cases where this implementation deliberately differs from the original.
func TestBuild(t *testing.T) {
	const (
		db1 = "arn:aws:rds:eu-central-1:111111111111:db:some-db"
		db2 = "arn:aws:rds:eu-central-1:111111111111:db:some-other-db"
		db3 = "arn:aws:rds:eu-central-1:111111111111:db:a-third-db"
	)
	tests := []struct {
		name string
		in   []iam.Statement
		want []iam.Statement
	}{
		// statement_test.py / combine_statements_test.py
		{
			name: "original: merge two identical statements",
			in: []iam.Statement{
				allow(acts("some-service:some-action"), "some-resource"),
				allow(acts("some-service:some-action"), "some-resource"),
			},
			want: []iam.Statement{allow(acts("some-service:some-action"), "some-resource")},
		},
		{
			// The original's Statement.merge test merged these two directly. Its policy
			// generation only ever merges statements with equal resources or equal
			// actions, and these have neither, so Build (like the original's
			// generate_policy) keeps them apart.
			name: "original: different actions and resources stay apart",
			in: []iam.Statement{
				allow(acts("some-service:some-action"), "some-resource"),
				allow(acts("some-service:some-other-action"), "some-resource", "some-other-resource"),
			},
			want: []iam.Statement{
				allow(acts("some-service:some-action"), "some-resource"),
				allow(acts("some-service:some-other-action"), "some-other-resource", "some-resource"),
			},
		},
		{
			name: "original: merge deny statements",
			in: []iam.Statement{
				deny(acts("some-service:some-action"), "*"),
				deny(acts("some-service:some-other-action"), "*"),
			},
			want: []iam.Statement{deny(acts("some-service:some-action", "some-service:some-other-action"), "*")},
		},
		{
			// The original raised "Trying to combine two statements with differing
			// effects: Allow Deny". Build never merges across effects.
			name: "changed: different effects are never merged",
			in: []iam.Statement{
				deny(acts("a:x"), "*"),
				allow(acts("a:y"), "*"),
			},
			want: []iam.Statement{allow(acts("a:y"), "*"), deny(acts("a:x"), "*")},
		},
		{
			name: "original: order by effect first",
			in: []iam.Statement{
				{Effect: iam.Deny, Action: acts("a:a"), Resource: []string{"a"}, Sid: "d"},
				{Effect: iam.Allow, Action: acts("z:z"), Resource: []string{"z"}, Sid: "a"},
			},
			want: []iam.Statement{
				{Effect: iam.Allow, Action: acts("z:z"), Resource: []string{"z"}, Sid: "a"},
				{Effect: iam.Deny, Action: acts("a:a"), Resource: []string{"a"}, Sid: "d"},
			},
		},
		{
			name: "original: order by action list second",
			in: []iam.Statement{
				allow(acts("iam:PassRole"), "a"),
				allow(acts("ec2:DescribeInstances"), "b"),
			},
			want: []iam.Statement{
				allow(acts("ec2:DescribeInstances"), "b"),
				allow(acts("iam:PassRole"), "a"),
			},
		},
		{
			name: "original: order by resource list third",
			in: []iam.Statement{
				{Effect: iam.Allow, Action: acts("a:a"), Resource: []string{"b"}, Sid: "2"},
				{Effect: iam.Allow, Action: acts("a:a"), Resource: []string{"a"}, Sid: "1"},
			},
			want: []iam.Statement{
				{Effect: iam.Allow, Action: acts("a:a"), Resource: []string{"a"}, Sid: "1"},
				{Effect: iam.Allow, Action: acts("a:a"), Resource: []string{"b"}, Sid: "2"},
			},
		},
		{
			name: "joined actions compare as plain bytes",
			in: []iam.Statement{
				allow(acts("s3:GetObject"), "a"),
				allow(acts("s3:Get", "s3:Put"), "b"),
			},
			// "s3:Get-s3:Put" < "s3:GetObject" because '-' < 'O'.
			want: []iam.Statement{
				allow(acts("s3:Get", "s3:Put"), "b"),
				allow(acts("s3:GetObject"), "a"),
			},
		},
		// generate_policy_test.py / generate_policy_from_records_test.py
		{
			name: "original: generate simple policy",
			in: []iam.Statement{
				record("autoscaling:DescribeLaunchConfigurations"),
				record("sts:AssumeRole"),
			},
			want: []iam.Statement{allow(acts("autoscaling:DescribeLaunchConfigurations", "sts:AssumeRole"), "*")},
		},
		{
			name: "original: remove duplicate actions",
			in: []iam.Statement{
				record("autoscaling:DescribeLaunchConfigurations"),
				record("autoscaling:DescribeLaunchConfigurations"),
			},
			want: []iam.Statement{allow(acts("autoscaling:DescribeLaunchConfigurations"), "*")},
		},
		{
			name: "original: sort actions alphabetically",
			in: []iam.Statement{
				record("ec2:DescribeSecurityGroups"),
				record("rds:ListTagsForResource"),
				record("ec2:DescribeInstances"),
			},
			want: []iam.Statement{allow(acts("ec2:DescribeInstances", "ec2:DescribeSecurityGroups", "rds:ListTagsForResource"), "*")},
		},
		{
			name: "original: group by resources",
			in: []iam.Statement{
				record("ec2:DescribeSecurityGroups"),
				record("rds:ListTagsForResource", db1),
				record("ec2:DescribeInstances"),
			},
			want: []iam.Statement{
				allow(acts("ec2:DescribeInstances", "ec2:DescribeSecurityGroups"), "*"),
				allow(acts("rds:ListTagsForResource"), db1),
			},
		},
		{
			name: "original: combine same actions on different resources",
			in: []iam.Statement{
				record("rds:ListTagsForResource", db1),
				record("rds:ListTagsForResource", db2),
			},
			want: []iam.Statement{allow(acts("rds:ListTagsForResource"), db1, db2)},
		},
		{
			name: "original: group by action and resource independent of order",
			in: []iam.Statement{
				record("rds:ListTagsForResource", db1),
				record("rds:SomethingDifferent", db3),
				record("rds:ListTagsForResource", db2),
			},
			want: []iam.Statement{
				allow(acts("rds:ListTagsForResource"), db1, db2),
				allow(acts("rds:SomethingDifferent"), db3),
			},
		},
		{
			name: "original: no statements",
			in:   nil,
			want: []iam.Statement{},
		},
		// NOTES.md "Merging" examples.
		{
			name: "notes: same actions on two resources become one statement",
			in: []iam.Statement{
				allow(acts("a:x", "a:y"), "r1"),
				allow(acts("a:x", "a:y"), "r2"),
			},
			want: []iam.Statement{allow(acts("a:x", "a:y"), "r1", "r2")},
		},
		{
			name: "notes: overlapping action lists stay two statements",
			in: []iam.Statement{
				record("sqs:SendMessage", "q1"),
				record("sqs:DeleteMessage", "q1"),
				record("sqs:SendMessage", "q2"),
			},
			want: []iam.Statement{
				allow(acts("sqs:DeleteMessage", "sqs:SendMessage"), "q1"),
				allow(acts("sqs:SendMessage"), "q2"),
			},
		},
		{
			// The original kept ["q1", "q1"] for a record whose resources repeat an ARN.
			name: "fixed: repeated ARN in one statement",
			in:   []iam.Statement{record("sqs:SendMessage", "q1", "q1")},
			want: []iam.Statement{allow(acts("sqs:SendMessage"), "q1")},
		},
		{
			// The original grouped by the resource list as given, so these two were not
			// merged; Build sorts and de-duplicates first.
			name: "changed: resource lists compare after sorting",
			in: []iam.Statement{
				allow(acts("a:x"), "r2", "r1"),
				allow(acts("a:y"), "r1", "r2", "r1"),
			},
			want: []iam.Statement{allow(acts("a:x", "a:y"), "r1", "r2")},
		},
		{
			name: "both passes",
			in: []iam.Statement{
				record("a:x", "r1"),
				record("a:y", "r1"),
				record("a:x", "r2"),
				record("a:y", "r2"),
				record("a:z", "r3"),
				record("a:w"),
			},
			want: []iam.Statement{
				allow(acts("a:w"), "*"),
				allow(acts("a:x", "a:y"), "r1", "r2"),
				allow(acts("a:z"), "r3"),
			},
		},
		{
			name: "statements with more than Effect, Action and Resource are kept as they are",
			in: []iam.Statement{
				{Effect: iam.Allow, Action: acts("s3:b", "s3:a"), Resource: []string{"*"}, Condition: json.RawMessage(`{"Bool":{"aws:SecureTransport":"true"}}`)},
				allow(acts("s3:c"), "*"),
				{Effect: iam.Allow, NotAction: acts("iam:*"), Resource: []string{"*"}},
				{Effect: iam.Allow, Action: acts("sts:AssumeRole"), Principal: json.RawMessage(`"*"`)},
				allow(acts("s3:d"), "*"),
			},
			want: []iam.Statement{
				{Effect: iam.Allow, NotAction: acts("iam:*"), Resource: []string{"*"}},
				{Effect: iam.Allow, Action: acts("s3:b", "s3:a"), Resource: []string{"*"}, Condition: json.RawMessage(`{"Bool":{"aws:SecureTransport":"true"}}`)},
				allow(acts("s3:c", "s3:d"), "*"),
				{Effect: iam.Allow, Action: acts("sts:AssumeRole"), Principal: json.RawMessage(`"*"`)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := cloneAll(tt.in)
			got := Build(tt.in)
			want := &iam.Policy{Version: iam.Version, Statement: tt.want}
			if diff := cmp.Diff(want, got, cmpIAM); diff != "" {
				t.Errorf("Build(%v) differs (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(in, tt.in, cmpIAM); diff != "" {
				t.Errorf("Build modified its input (-before +after):\n%s", diff)
			}
		})
	}
}

func cloneAll(in []iam.Statement) []iam.Statement {
	if in == nil {
		return nil
	}
	out := make([]iam.Statement, len(in))
	for i := range in {
		out[i] = in[i].Clone()
	}
	return out
}

// TestBuildDeterministic checks that the order of the input does not change the output.
func TestBuildDeterministic(t *testing.T) {
	stmts := manyStatements(500)
	want := Build(stmts)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		shuffled := slices.Clone(stmts)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := Build(shuffled)
		if diff := cmp.Diff(want, got, cmpIAM); diff != "" {
			t.Fatalf("shuffle %d: Build differs (-first +shuffled):\n%s", i, diff)
		}
	}
}

// TestBuildOutput renders a built policy to check the whole path to bytes.
func TestBuildOutput(t *testing.T) {
	p := Build([]iam.Statement{
		record("sts:AssumeRole", "arn:aws:iam::111111111111:role/someRole"),
		record("autoscaling:DescribeLaunchConfigurations"),
		record("apigateway:GET", "arn:aws:apigateway:*::/restapis/*/resources/*"),
	})
	got, err := iam.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	// The original's output for its smoke-test events (fixtures/events-for-smoke-test.*).
	want := `{
    "Statement": [
        {
            "Action": [
                "apigateway:GET"
            ],
            "Effect": "Allow",
            "Resource": [
                "arn:aws:apigateway:*::/restapis/*/resources/*"
            ]
        },
        {
            "Action": [
                "autoscaling:DescribeLaunchConfigurations"
            ],
            "Effect": "Allow",
            "Resource": [
                "*"
            ]
        },
        {
            "Action": [
                "sts:AssumeRole"
            ],
            "Effect": "Allow",
            "Resource": [
                "arn:aws:iam::111111111111:role/someRole"
            ]
        }
    ],
    "Version": "2012-10-17"
}
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Marshal(Build()) differs (-want +got):\n%s", diff)
	}
}

// manyStatements returns n one-action statements over a realistic spread of services,
// actions and resources, with repeats, as the generator produces them.
func manyStatements(n int) []iam.Statement {
	r := rand.New(rand.NewPCG(42, 42))
	services := []string{"s3", "ec2", "sqs", "dynamodb", "lambda", "kms", "iam", "sts", "logs", "sns"}
	out := make([]iam.Statement, n)
	for i := range out {
		svc := services[r.IntN(len(services))]
		action := iam.Action(fmt.Sprintf("%s:Action%d", svc, r.IntN(40)))
		var res []string
		switch r.IntN(3) {
		case 0:
			res = []string{"*"}
		case 1:
			res = []string{fmt.Sprintf("arn:aws:%s:eu-central-1:111111111111:thing/%d", svc, r.IntN(50))}
		default:
			res = []string{
				fmt.Sprintf("arn:aws:%s:eu-central-1:111111111111:thing/%d", svc, r.IntN(50)),
				fmt.Sprintf("arn:aws:%s:eu-central-1:111111111111:other/%d", svc, r.IntN(10)),
			}
		}
		out[i] = record(action, res...)
	}
	return out
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{100, 10_000, 100_000} {
		stmts := manyStatements(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Build(stmts)
			}
		})
	}
}
