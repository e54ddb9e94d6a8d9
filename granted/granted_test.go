package granted

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamapi "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper/access"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/internal/iamfake"
)

const (
	readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	appARN   = "arn:aws:iam::111122223333:policy/app"
	teamARN  = "arn:aws:iam::111122223333:policy/team"
)

// account is the fake's data: a role with two managed and three inline policies (pages of
// two), a user in two groups that share a managed policy with it.
func account() *iamfake.IAM {
	return &iamfake.IAM{
		PageSize: 2,
		Policies: map[string]iamfake.Policy{
			readOnly: {DefaultVersion: "v7", Versions: map[string]string{"v7": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","ec2:Describe*"],"Resource":"*"}]}`}},
			appARN: {DefaultVersion: "v2", Versions: map[string]string{
				"v1": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
				"v2": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:q+1 %"}}`,
			}},
			teamARN: {DefaultVersion: "v1", Versions: map[string]string{"v1": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sns:Publish","Resource":"*"}}`}},
		},
		Roles: map[string]iamfake.Principal{
			"app": {
				Attached: []string{readOnly, appARN},
				Inline: map[string]string{
					"c-deny": `{"Statement":{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}}`,
					"a-logs": `{"Statement":{"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":"*"}}`,
					"b-kms":  `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}}`,
				},
			},
			"broken": {Inline: map[string]string{"bad": `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"`}},
		},
		Users: map[string]iamfake.Principal{
			"alice": {
				Attached: []string{teamARN},
				Inline:   map[string]string{"own": `{"Statement":{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}}`},
				Groups:   []string{"ops", "dev", "empty"},
			},
		},
		Groups: map[string]iamfake.Principal{
			"dev":   {Attached: []string{teamARN, appARN}},
			"ops":   {Inline: map[string]string{"ops": `{"Statement":{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}}`}},
			"empty": {},
		},
	}
}

func client(t *testing.T, f *iamfake.IAM) *iamapi.Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return iamapi.New(iamapi.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
}

// names returns the documents' names and each one's first action, for comparing.
func names(docs []access.Document) []string {
	var out []string
	for _, d := range docs {
		s := d.Policy.Statement[0]
		acts := s.Action
		if acts == nil {
			acts = s.NotAction
		}
		out = append(out, d.Name+": "+string(s.Effect)+" "+string(acts[0]))
	}
	return out
}

func TestRole(t *testing.T) {
	f := account()
	docs, err := Role(context.Background(), client(t, f), "app")
	if err != nil {
		t.Fatalf("Role: %v", err)
	}
	want := []string{
		"arn:aws:iam::111122223333:policy/app: Allow sqs:SendMessage",
		"arn:aws:iam::aws:policy/ReadOnlyAccess: Allow s3:Get*",
		"role/app inline policy a-logs: Allow logs:PutLogEvents",
		"role/app inline policy b-kms: Allow kms:Decrypt",
		"role/app inline policy c-deny: Deny s3:GetObject",
	}
	if diff := cmp.Diff(want, names(docs)); diff != "" {
		t.Errorf("Role documents (-want +got):\n%s", diff)
	}
	// The URL-encoded document came back as written, '+' and '%' included.
	if got := docs[0].Policy.Statement[0].Resource; !cmp.Equal(got, []string{"arn:aws:sqs:us-east-1:111122223333:q+1 %"}) {
		t.Errorf("decoded Resource = %q", got)
	}
	wantCalls := []string{
		"ListAttachedRolePolicies",
		"GetPolicy", "GetPolicyVersion", "GetPolicy", "GetPolicyVersion",
		"ListRolePolicies", "ListRolePolicies Marker=2",
		"GetRolePolicy", "GetRolePolicy", "GetRolePolicy",
	}
	if diff := cmp.Diff(wantCalls, f.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestUser(t *testing.T) {
	f := account()
	docs, err := User(context.Background(), client(t, f), "alice")
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	want := []string{
		"arn:aws:iam::111122223333:policy/app: Allow sqs:SendMessage",
		"arn:aws:iam::111122223333:policy/team: Allow sns:Publish",
		"user/alice inline policy own: Allow iam:ListRoles",
		"group/ops inline policy ops: Allow ssm:GetParameter",
	}
	if diff := cmp.Diff(want, names(docs)); diff != "" {
		t.Errorf("User documents (-want +got):\n%s", diff)
	}
	calls := strings.Join(f.Calls(), ",")
	for _, c := range []string{"ListGroupsForUser Marker=2", "ListAttachedGroupPolicies", "ListGroupPolicies"} {
		if !strings.Contains(calls, c) {
			t.Errorf("calls %s: no %s", calls, c)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name     string
		denied   string
		user     bool
		who      string
		wantCode string
		wantMsg  string
	}{
		{name: "no such role", who: "nobody", wantCode: "NoSuchEntity", wantMsg: "listing the managed policies attached to role nobody: "},
		{name: "no such user", user: true, who: "nobody", wantCode: "NoSuchEntity", wantMsg: "listing the managed policies attached to user nobody: "},
		{name: "access denied", denied: "GetRolePolicy", who: "app", wantCode: "AccessDenied", wantMsg: "getting inline policy a-logs of role app: "},
		{name: "access denied on a group", denied: "ListGroupPolicies", user: true, who: "alice", wantCode: "AccessDenied", wantMsg: "listing the inline policies of group dev: "},
		{name: "malformed document", who: "broken", wantMsg: "policy role/broken inline policy bad: policy at byte offset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := account()
			if tt.denied != "" {
				f.Denied = map[string]bool{tt.denied: true}
			}
			c := client(t, f)
			var err error
			if tt.user {
				_, err = User(context.Background(), c, tt.who)
			} else {
				_, err = Role(context.Background(), c, tt.who)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.wantMsg) {
				t.Errorf("error %q, want it to start with %q", err, tt.wantMsg)
			}
			var ae smithy.APIError
			switch {
			case tt.wantCode == "":
				var pe *iam.ParseError
				if !errors.As(err, &pe) {
					t.Errorf("error %v is not an *iam.ParseError", err)
				}
			case !errors.As(err, &ae):
				t.Errorf("error %v carries no smithy.APIError", err)
			case ae.ErrorCode() != tt.wantCode:
				t.Errorf("error code %q, want %q", ae.ErrorCode(), tt.wantCode)
			}
		})
	}
}

func TestDocumentNotURLEncoded(t *testing.T) {
	bad := "%zz"
	if _, err := document("p", &bad); err == nil || !strings.Contains(err.Error(), "URL-encoded") {
		t.Errorf("document(%q) = %v, want a URL-decoding error", bad, err)
	}
	if _, err := document("p", nil); !errors.Is(err, ErrNoDocument) {
		t.Errorf("document(nil) = %v, want ErrNoDocument", err)
	}
}
