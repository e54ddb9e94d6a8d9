package policy_test

import (
	"errors"
	"maps"
	"testing"

	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/policy"
)

// FuzzSplit splits every policy Parse accepts at a fuzzed limit: each document must fit and
// the grants must be those of the input, or the error must be a *TooLargeError.
func FuzzSplit(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]}]}`), uint16(150))
	f.Add([]byte(`{"Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":["x","y"],"Condition":{"Bool":{"aws:SecureTransport":false}}}}`), uint16(120))
	f.Fuzz(func(t *testing.T, data []byte, limit uint16) {
		p, err := iam.Parse(data)
		if err != nil {
			return
		}
		docs, err := policy.Split(p, int(limit))
		if err != nil {
			var tl *policy.TooLargeError
			if !errors.As(err, &tl) {
				t.Fatalf("Split: %v", err)
			}
			return
		}
		for i, d := range docs {
			if n, err := iam.Size(d); err != nil || n > int(limit) {
				t.Errorf("document %d: size %d, %v, limit %d", i, n, err, limit)
			}
		}
		if want, got := grants(t, p), grants(t, docs...); !maps.Equal(want, got) {
			t.Errorf("grants differ: want %v, got %v", want, got)
		}
	})
}
