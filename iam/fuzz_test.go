package iam

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailscraper/trailscraper/internal/testfiles"
)

// FuzzParse checks that Parse never panics, that its errors are one line, and that
// whatever it accepts survives Marshal and a second Parse unchanged.
func FuzzParse(f *testing.F) {
	seeds := []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`,
		`{"Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":["a","b"],"Sid":"x"}}`,
		`{"Id":"i","Statement":[{"Effect":"Allow","Principal":{"AWS":["a"]},"Action":"sts:AssumeRole","Condition":{"NumericLessThan":{"k":1e5}}}]}`,
		`{"Statement":[]}`,
		`[]`,
		"\xef\xbb\xbf{}",
		`{"Statement":[{"Effect":"Allow","Action":5}]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if files, err := filepath.Glob(filepath.Join(testfiles.Path(f, "reference/fixtures"), "*.json")); err == nil {
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("Parse error has several lines: %q", err)
			}
			return
		}
		out, err := Marshal(p)
		if err != nil {
			t.Fatalf("Marshal(Parse(%q)): %v", data, err)
		}
		p2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(Parse(%q))) = %v; marshalled:\n%s", data, err, out)
		}
		out2, err := Marshal(p2)
		if err != nil {
			t.Fatalf("second Marshal: %v", err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("parse→marshal is not stable for %q:\n%s\nthen\n%s", data, out, out2)
		}
		if len(p.Statement) != len(p2.Statement) || p.Version != p2.Version || p.ID != p2.ID {
			t.Fatalf("policy changed in a round trip: %+v then %+v", p, p2)
		}
	})
}
