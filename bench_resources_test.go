package trailscraper

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/internal/benchdata"
)

// BenchmarkGenerateModes is BenchmarkGenerate in each resource mode.
func BenchmarkGenerateModes(b *testing.B) {
	doc := benchdata.Document(20000)
	for _, m := range []ResourceMode{ResourcesLogged, ResourcesScoped, ResourcesStar} {
		b.Run(m.String(), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				generateAll(b, doc, WithResources(m))
			}
		})
	}
}

// BenchmarkGenerateDistinctObjects: every record names another S3 object, so the action's
// resources collapse past the limit; memory stays bounded (see BENCHMARKS.md for the
// 1,000,000-record run).
func BenchmarkGenerateDistinctObjects(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for i := range 20000 {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","recipientAccountId":"111122223333",`+
			`"requestParameters":{"bucketName":"data","key":"p/%08d.json"},"resources":[{"ARN":"arn:aws:s3:::data/p/%08d.json"},{"ARN":"arn:aws:s3:::data"}]}`, i, i)
	}
	buf.WriteString(`]}`)
	doc := buf.Bytes()
	for _, m := range []ResourceMode{ResourcesLogged, ResourcesScoped} {
		b.Run(m.String(), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				generateAll(b, doc, WithResources(m))
			}
		})
	}
}

func generateAll(b *testing.B, doc []byte, opts ...Option) {
	g := NewGenerator(opts...)
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
