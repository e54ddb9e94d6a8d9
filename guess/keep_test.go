package guess

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trailscraper/trailscraper/iam"
)

func TestWithKeptResources(t *testing.T) {
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
			got := New(WithKeptResources()).Extend(p)
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
