package cloudtrail

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/trailscraper/trailscraper/internal/benchdata"
)

func BenchmarkParseRecord(b *testing.B) {
	doc := benchdata.Document(1)
	rec := doc[len(`{"Records":[`) : len(doc)-2]
	b.SetBytes(int64(len(rec)))
	for b.Loop() {
		if _, err := ParseRecord(rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRecordEncodingJSON(b *testing.B) {
	doc := benchdata.Document(1)
	rec := doc[len(`{"Records":[`) : len(doc)-2]
	b.SetBytes(int64(len(rec)))
	for b.Loop() {
		if _, err := parseRecordStd(rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeRecords(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) { benchDecode(b, WithWorkers(workers)) })
	}
}

func benchDecode(b *testing.B, opts ...DecodeOption) {
	doc := benchdata.Document(20000)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		n := 0
		for _, err := range DecodeRecords(bytes.NewReader(doc), opts...) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 20000 {
			b.Fatalf("decoded %d records", n)
		}
	}
}
