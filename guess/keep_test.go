package guess

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trailscraper/trailscraper/iam"
)

// typedCatalog is the service reference with a toy notion of resource types: an action
// accepts the ARNs that start with its prefix.
type typedCatalog struct {
	serviceReference
	accepts map[iam.Action]string
}

func (c typedCatalog) Accepts(action, resource string) bool {
	p, ok := c.accepts[iam.Action(action)]
	return ok && strings.HasPrefix(resource, p)
}

func TestWithKeptResources(t *testing.T) {
	cat := typedCatalog{accepts: map[iam.Action]string{
		"s3:DeleteObject": "arn:aws:s3:::b/", "s3:PutObject": "arn:aws:s3:::b/",
		"s3:DeleteBucketPolicy": "arn:aws:s3:::", "s3:PutBucketPolicy": "arn:aws:s3:::",
		"iam:CreateRole": "arn:aws:iam::", "iam:DeleteRole": "arn:aws:iam::", "iam:UpdateRole": "arn:aws:iam::",
	}}
	object := "arn:aws:s3:::b/home/${aws:userid}/*"
	tests := []struct {
		name string
		in   iam.Statement
		want []iam.Statement
	}{
		{name: "guesses that accept the object keep it",
			in:   allow(acts("s3:GetObject"), object),
			want: []iam.Statement{allow(acts("s3:GetObject"), object), allow(acts("s3:DeleteObject", "s3:PutObject"), object)}},
		{name: "bucket guesses keep the bucket",
			in: allow(acts("s3:GetBucketPolicy"), "arn:aws:s3:::b"),
			want: []iam.Statement{allow(acts("s3:GetBucketPolicy"), "arn:aws:s3:::b"),
				allow(acts("s3:DeleteBucketPolicy", "s3:PutBucketPolicy"), "arn:aws:s3:::b")}},
		{name: "guesses without the resource type go on star",
			in: allow(acts("iam:GetRole"), "arn:aws:iam::111111111111:role/r"),
			want: []iam.Statement{allow(acts("iam:GetRole"), "arn:aws:iam::111111111111:role/r"),
				allow(acts("iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole"), "arn:aws:iam::111111111111:role/r"),
				allow(acts("iam:ListRoles"), "*")}},
		{name: "star stays star",
			in:   allow(acts("s3:GetObject"), "*"),
			want: []iam.Statement{allow(acts("s3:GetObject"), "*"), allow(acts("s3:DeleteObject", "s3:PutObject"), "*")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &iam.Policy{Version: iam.Version, Statement: []iam.Statement{tc.in}}
			got := New(WithCatalog(cat), WithKeptResources()).Extend(p)
			if diff := cmp.Diff(tc.want, got.Statement, cmpopts.IgnoreUnexported(iam.Statement{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Extend (-want +got):\n%s", diff)
			}
		})
	}
	// A Catalog that cannot tell resources keeps every guess on "*".
	p := &iam.Policy{Version: iam.Version, Statement: []iam.Statement{allow(acts("s3:GetObject"), object)}}
	got := New(WithCatalog(newFake("s3:GetObject", "s3:PutObject")), WithKeptResources()).Extend(p)
	if diff := cmp.Diff([]iam.Statement{allow(acts("s3:GetObject"), object), allow(acts("s3:PutObject"), "*")}, got.Statement,
		cmpopts.IgnoreUnexported(iam.Statement{})); diff != "" {
		t.Errorf("plain Catalog (-want +got):\n%s", diff)
	}
}
