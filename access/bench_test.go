package access

import (
	"testing"
)

// BenchmarkCompareAdmin is Compare on a policy that grants every action ("*"): the whole
// service reference is expanded. Target: under 50 ms.
func BenchmarkCompareAdmin(b *testing.B) {
	docs := []Document{doc(b, "admin", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)}
	in := uses("s3:GetObject", "iam:ListRoles", "ec2:DescribeInstances")
	allActions()
	b.ResetTimer()
	for b.Loop() {
		Compare(docs, in)
	}
}

// BenchmarkCompareNotAction is Compare on a NotAction statement next to a Deny with a
// wildcard prefix, the costly shape: every known action is evaluated against both.
// Target: under 100 ms.
func BenchmarkCompareNotAction(b *testing.B) {
	docs := []Document{doc(b, "poweruser", `{"Statement":[
		{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},
		{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions"],"Resource":"*"},
		{"Effect":"Deny","Action":["*:Delete*","s3:Put*"],"Resource":"*"}]}`)}
	in := uses("s3:GetObject", "iam:ListRoles", "ec2:DescribeInstances")
	allActions()
	b.ResetTimer()
	for b.Loop() {
		Compare(docs, in)
	}
}
