package cloudtrail

import (
	"io"
	"strings"
	"testing"
)

// chunkReader returns at most n bytes a read, as a gzip reader does.
type chunkReader struct {
	r io.Reader
	n int
}

func (c chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// TestDecodeLinear checks that the work of decoding a record grows linearly with its size,
// also when the input arrives in small reads (as from a gzip reader): it compares the bytes
// handed to the record parser for a value and for one twice its size. Parsing a record
// again from its start after each read made a 63 MiB string take 17 s.
func TestDecodeLinear(t *testing.T) {
	docs := map[string]func(n int) string{
		"long string": func(n int) string {
			return `{"Records":[{"eventName":"A","x":"` + strings.Repeat("a", n) + `"},{"eventName":"B"}]}`
		},
		"many resources": func(n int) string {
			return `{"Records":[{"eventName":"A","resources":[` + strings.Repeat(`{"ARN":"a"},`, n/12) + `{"ARN":"b"}]},{"eventName":"B"}]}`
		},
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			work := func(n int) int64 {
				in := doc(n)
				s := newScanner(chunkReader{strings.NewReader(in), 32 << 10})
				var names []string
				s.decode(newDecodeConfig(nil), func(r Record, err error) bool {
					if err != nil {
						t.Fatalf("decoding: %v", err)
					}
					names = append(names, r.EventName)
					return true
				})
				if strings.Join(names, ",") != "A,B" {
					t.Fatalf("decoded %q, want A,B", names)
				}
				return s.parsed
			}
			const n = 4 << 20
			small, large := work(n), work(2*n)
			if small > 2*n || large > 4*n {
				t.Errorf("parsed %d bytes for a %d-byte value and %d for %d bytes: want at most twice the input", small, n, large, 2*n)
			}
		})
	}
}
