package lint_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/lint"
)

func TestCheck(t *testing.T) {
	type f = struct {
		Code      lint.Code
		Statement int
		Action    string
		Resource  string
	}
	for _, tc := range []struct {
		name    string
		policy  string
		maxSize int
		want    []f
	}{
		{"clean", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::bucket/*"]},
			{"Effect":"Allow","Action":["ec2:DescribeInstances","s3:ListAllMyBuckets"],"Resource":"*"},
			{"Effect":"Allow","Action":["iam:PassRole"],"Resource":["arn:aws:iam::123456789012:role/app/${aws:username}"]},
			{"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:log-stream:*"]},
			{"Effect":"Allow","Action":["ec2:Describe*","s3:Get*Tagging"],"Resource":"*"},
			{"Effect":"Allow","Action":["ssm:SendCommand"],"Resource":["arn:aws:ssm:us-east-1::document/AWS-RunShellScript"]}]}`, 0, nil},
		{"unknown action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListObjects","s3:Frob*","s3"],"Resource":"*"}]}`, 0,
			[]f{{lint.UnknownAction, 0, "s3:ListObjects", ""}, {lint.UnknownAction, 0, "s3:Frob*", ""}, {lint.UnknownAction, 0, "s3", ""}}},
		{"unknown service", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["nosuch:Get","zz*:Get"],"Resource":"*"}]}`, 0,
			[]f{{lint.UnknownService, 0, "nosuch:Get", ""}, {lint.UnknownService, 0, "zz*:Get", ""}}},
		{"resource mismatch", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::bucket","arn:aws:sqs:us-east-1:123456789012:q"]},
			{"Effect":"Allow","Action":["s3:ListAllMyBuckets"],"Resource":["arn:aws:s3:::bucket"]},
			{"Effect":"Allow","Action":["ssm:SendCommand"],"Resource":["arn:aws:ssm:us-east-1:document/x"]}]}`, 0,
			[]f{{lint.ResourceMismatch, 0, "", "arn:aws:sqs:us-east-1:123456789012:q"}, {lint.ResourceMismatch, 1, "", "arn:aws:s3:::bucket"},
				{lint.ResourceMismatch, 2, "", "arn:aws:ssm:us-east-1:document/x"}}},
		{"pass role", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["iam:Pass*"],"Resource":"*"},
			{"Effect":"Allow","NotAction":["s3:*"],"Resource":["*"]},
			{"Effect":"Deny","Action":["iam:PassRole"],"Resource":"*"},
			{"Effect":"Allow","NotAction":["iam:*"],"Resource":["*"]}]}`, 0,
			[]f{{lint.PassRoleWithStar, 0, "iam:PassRole", "*"}, {lint.PassRoleWithStar, 1, "iam:PassRole", "*"}}},
		{"version", `{"Statement":[]}`, 0, []f{{lint.InvalidVersion, -1, "", ""}}},
		{"bad version", `{"Version":"2012-10-18","Statement":[]}`, 0, []f{{lint.InvalidVersion, -1, "", ""}}},
		{"size", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, 50,
			[]f{{lint.PolicySize, -1, "", ""}}},
		{"sids", `{"Version":"2012-10-17","Statement":[
			{"Sid":"A1","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
			{"Sid":"A1","Effect":"Allow","Action":"s3:PutObject","Resource":"*"},
			{"Sid":"a-b","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`, 0,
			[]f{{lint.DuplicateSid, 1, "", ""}, {lint.InvalidSid, 2, "", ""}}},
		{"redundant", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:getobject","s3:Get*","s3:PutObject"],"Resource":"*"}]}`, 0,
			[]f{{lint.RedundantAction, 0, "s3:GetObject", ""}, {lint.RedundantAction, 0, "s3:getobject", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := iam.Parse([]byte(tc.policy))
			if err != nil {
				t.Fatal(err)
			}
			var got []f
			for _, x := range lint.Check(p, lint.WithMaxSize(tc.maxSize)) {
				got = append(got, f{x.Code, x.Statement, x.Action, x.Resource})
				if x.Message == "" || x.Severity == "" {
					t.Errorf("finding without message or severity: %+v", x)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Check(%s) (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

func TestFindingJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    lint.Finding
		want string
	}{
		{"statement", lint.Finding{Code: lint.UnknownAction, Severity: lint.Error, Statement: 0, Action: "s3:X", Message: "m"},
			`{"code":"UNKNOWN_ACTION","severity":"error","statement":0,"action":"s3:X","message":"m"}`},
		{"policy", lint.Finding{Code: lint.InvalidVersion, Severity: lint.Error, Statement: -1, Message: "m"},
			`{"code":"INVALID_VERSION","severity":"error","message":"m"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.f)
			if err != nil || string(b) != tc.want {
				t.Errorf("json.Marshal = %s, %v, want %s", b, err, tc.want)
			}
		})
	}
}

func ExampleCheck() {
	p, _ := iam.Parse([]byte(`{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Action": ["iam:PassRole", "s3:ListObjects"], "Resource": "*"}]}`))
	for _, f := range lint.Check(p) {
		fmt.Println(f)
	}
	// Output:
	// statement 0: ERROR UNKNOWN_ACTION: s3:ListObjects is not an action of s3 in the AWS service reference
	// statement 0: SECURITY PASS_ROLE_WITH_STAR: the statement allows iam:PassRole on every role (Resource "*"): any role can be handed to a service; name the roles
}
