package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailscraper/trailscraper/iam"
)

func TestSuggest(t *testing.T) {
	tests := []struct {
		name     string
		policies []string
		uses     []Use
		want     string
	}{
		{
			name:     "wildcards become the used actions they cover",
			policies: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`},
			uses:     uses("s3:listbucket", "s3:GetObject", "sqs:SendMessage"),
			want:     `{"Statement":[{"Action":["s3:GetObject","s3:ListBucket"],"Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`,
		},
		{
			name: "statements left empty are dropped, Deny kept, Resource and Condition kept",
			policies: []string{`{"Version":"2012-10-17","Statement":[
				{"Sid":"Read","Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"true"}}},
				{"Effect":"Allow","Action":"ec2:*","Resource":"*"},
				{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`},
			uses: uses("s3:GetObject"),
			want: `{"Statement":[{"Action":"s3:GetObject","Condition":{"Bool":{"aws:SecureTransport":"true"}},"Effect":"Allow","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Sid":"Read"},{"Action":"s3:DeleteBucket","Effect":"Deny","Resource":"*"}],"Version":"2012-10-17"}`,
		},
		{
			name:     "NotAction becomes Action",
			policies: []string{`{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`},
			uses:     uses("iam:CreateUser", "sts:GetSessionToken", "s3:GetObject"),
			want:     `{"Statement":[{"Action":["s3:GetObject","sts:GetSessionToken"],"Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`,
		},
		{
			name: "several documents: one policy, Sids kept unique",
			policies: []string{
				`{"Statement":{"Sid":"A","Effect":"Allow","Action":"sqs:*","Resource":"*"}}`,
				`{"Statement":{"Sid":"A","Effect":"Allow","Action":"sns:*","Resource":"*"}}`,
			},
			uses: uses("sqs:SendMessage", "sns:Publish"),
			want: `{"Statement":[{"Action":"sqs:SendMessage","Effect":"Allow","Resource":"*","Sid":"A"},{"Action":"sns:Publish","Effect":"Allow","Resource":"*","Sid":"A2"}],"Version":"2012-10-17"}`,
		},
		{
			name:     "nothing used: no statements",
			policies: []string{`{"Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`},
			want:     `{"Statement":[],"Version":"2012-10-17"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var docs []Document
			for i, p := range tt.policies {
				docs = append(docs, doc(t, "p"+string(rune('0'+i)), p))
			}
			got, err := iam.Marshal(Suggest(docs, tt.uses))
			if err != nil {
				t.Fatal(err)
			}
			want, err := iam.Marshal(mustParse(t, tt.want))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Suggest (-want +got):\n%s", diff)
			}
		})
	}
}

func mustParse(t *testing.T, js string) *iam.Policy {
	t.Helper()
	p, err := iam.Parse([]byte(js))
	if err != nil {
		t.Fatalf("iam.Parse(%s): %v", js, err)
	}
	return p
}

// TestSuggestKeepsGrant checks on a few policies that the trimmed policy still grants every
// used action the original granted, and nothing the original did not.
func TestSuggestKeepsGrant(t *testing.T) {
	docs := []Document{doc(t, "p", `{"Statement":[
		{"Effect":"Allow","Action":["s3:*","ec2:Describe*"],"Resource":"*"},
		{"Effect":"Allow","NotAction":["s3:*","ec2:*","iam:*"],"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
		{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`)}
	in := uses("s3:GetObject", "s3:DeleteBucket", "ec2:DescribeInstances", "ec2:RunInstances", "sqs:SendMessage", "iam:ListRoles")
	before := Compare(docs, in)
	after := Compare([]Document{{Name: "suggested", Policy: Suggest(docs, in)}}, in)
	if diff := cmp.Diff(before.Used, after.Used); diff != "" {
		t.Errorf("used actions differ after Suggest (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(before.NotGranted, after.NotGranted); diff != "" {
		t.Errorf("not granted actions differ after Suggest (-before +after):\n%s", diff)
	}
	if len(after.Unused) != 0 {
		t.Errorf("after Suggest, unused = %v, want none", after.Unused)
	}
}
