package iam

import (
	"fmt"
	"testing"
)

// bigPolicy returns a policy of n statements of 5 actions and 3 resources each, with a
// Condition on every tenth.
func bigPolicy(n int) *Policy {
	p := &Policy{Version: Version}
	for i := range n {
		s := Statement{Effect: Allow}
		for j := range 5 {
			s.Action = append(s.Action, Action(fmt.Sprintf("svc%d:Action%d", i%20, j)))
		}
		for j := range 3 {
			s.Resource = append(s.Resource, fmt.Sprintf("arn:aws:svc:eu-west-1:111111111111:thing/%d-%d", i, j))
		}
		if i%10 == 0 {
			s.Condition = []byte(`{"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}`)
		}
		p.Statement = append(p.Statement, s)
	}
	return p
}

func BenchmarkMarshal(b *testing.B) {
	p := bigPolicy(1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Marshal(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	data, err := Marshal(bigPolicy(1000))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// deepCondition returns a policy whose Condition nests depth objects around a string of n
// bytes.
func deepCondition(depth, n int) []byte {
	var b []byte
	b = append(b, `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":`...)
	for range depth {
		b = append(b, `{"a":`...)
	}
	b = append(b, '"')
	for range n {
		b = append(b, 'x')
	}
	b = append(b, '"')
	for range depth {
		b = append(b, '}')
	}
	return append(b, "}}]}"...)
}

// BenchmarkParseDeep measures rejecting a Condition nested as deeply as encoding/json
// allows around a 2 MB string: each nesting level used to scan the rest of the document
// for its end, which took 16 s for this input.
func BenchmarkParseDeep(b *testing.B) {
	data := deepCondition(9000, 2<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err == nil {
			b.Fatal("Parse accepted a Condition nested 9,000 deep")
		}
	}
}
