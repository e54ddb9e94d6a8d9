package trailscraper

import (
	"bytes"
	"io"
	"testing"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/internal/benchdata"
)

// BenchmarkGenerate is the whole of `trailscraper generate` but the process: decoding a
// document, mapping every record and building the policy.
func BenchmarkGenerate(b *testing.B) {
	doc := benchdata.Document(20000)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		g := NewGenerator()
		for r, err := range cloudtrail.DecodeRecords(io.Reader(bytes.NewReader(doc)), cloudtrail.WithWorkers(2)) {
			if err != nil {
				b.Fatal(err)
			}
			g.Add(&r)
		}
		if _, err := g.Policy(); err != nil {
			b.Fatal(err)
		}
	}
}
