package iam

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEncodingJSON checks that encoding/json writes what Marshal writes, as JSON values, and
// reads it back to the same policy.
func TestEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"generated", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]}]}`},
		{"single statement and strings", `{"Version":"2012-10-17","Id":"x","Statement":{"Sid":"A","Effect":"Deny","NotAction":"iam:*","Resource":"*"}}`},
		{"condition and principal", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600.0}}}]}`},
		{"no statements", `{"Version":"2012-10-17","Statement":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			want, err := Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range []any{p, *p} {
				got, err := json.Marshal(v)
				if err != nil {
					t.Fatalf("json.Marshal(%T) = %v", v, err)
				}
				var gv, wv any
				if err := json.Unmarshal(got, &gv); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(want, &wv); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wv, gv); diff != "" {
					t.Errorf("json.Marshal(%T) differs from Marshal (-want +got):\n%s", v, diff)
				}
				var back Policy
				if err := json.Unmarshal(got, &back); err != nil {
					t.Fatalf("json.Unmarshal: %v", err)
				}
				again, _ := Marshal(&back)
				if !json.Valid(again) || len(back.Statement) != len(p.Statement) {
					t.Errorf("round trip = %s", again)
				}
			}
			if len(p.Statement) > 0 {
				got, err := json.Marshal(p.Statement[0])
				if err != nil {
					t.Fatal(err)
				}
				var s Statement
				if err := json.Unmarshal(got, &s); err != nil {
					t.Fatalf("json.Unmarshal(statement %s): %v", got, err)
				}
				if diff := cmp.Diff(p.Statement[0], s, cmp.AllowUnexported(Statement{})); diff != "" {
					t.Errorf("statement round trip (-want +got):\n%s", diff)
				}
			}
		})
	}
	var p Policy
	if err := json.Unmarshal([]byte(`{"Statement":[{"Effect":"Maybe"}]}`), &p); err == nil {
		t.Error("json.Unmarshal accepted an invalid effect")
	}
}
