package mapping

import (
	"bufio"
	"bytes"
	"os"
	"testing"

	"github.com/trailscraper/trailscraper/internal/testfiles"

	"github.com/trailscraper/trailscraper/internal/benchdata"

	"github.com/trailscraper/trailscraper/cloudtrail"
)

// benchMappingRecords returns parsed records of the usual kinds (S3 data events, EC2, STS,
// KMS, Lambda, Logs), from benchDocument.
func benchMappingRecords(b *testing.B) []cloudtrail.Record {
	var recs []cloudtrail.Record
	for r, err := range cloudtrail.DecodeRecords(bytes.NewReader(benchdata.Document(700))) {
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, r)
	}
	return recs
}

// BenchmarkPermissions maps records whose decisions are cached, as in a long generate run.
func BenchmarkPermissions(b *testing.B) {
	recs := benchMappingRecords(b)
	for i := range recs {
		Permissions(&recs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		Permissions(&recs[i%len(recs)])
		i++
	}
}

// BenchmarkPermissionsParallel is BenchmarkPermissions on all cores, for the decision
// cache's lock.
func BenchmarkPermissionsParallel(b *testing.B) {
	recs := benchMappingRecords(b)
	for i := range recs {
		Permissions(&recs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			Permissions(&recs[i%len(recs)])
			i++
		}
	})
}

// BenchmarkPermissionsCorpus maps the records of ../shared/corpus/dev.jsonl (405 pairs,
// many with request-dependent rules).
func BenchmarkPermissionsCorpus(b *testing.B) {
	f, err := os.Open(testfiles.Path(b, "corpus/dev.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var recs []cloudtrail.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		if r, err := cloudtrail.ParseRecord(bytes.Clone(sc.Bytes())); err == nil {
			recs = append(recs, r)
		}
	}
	for i := range recs {
		Permissions(&recs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		Permissions(&recs[i%len(recs)])
		i++
	}
}

// BenchmarkDecisionUncached measures the first mapping of a pair: the catalogue lookups
// and rule tables, without the cache.
func BenchmarkDecisionUncached(b *testing.B) {
	catalogueWarm := makeDecision("s3.amazonaws.com", "GetObject")
	_ = catalogueWarm
	names := []string{"GetObject", "RunInstances", "AssumeRole", "UpdateFunctionConfiguration20150331v2", "CreateStage"}
	sources := []string{"s3.amazonaws.com", "ec2.amazonaws.com", "sts.amazonaws.com", "lambda.amazonaws.com", "apigateway.amazonaws.com"}
	i := 0
	for b.Loop() {
		makeDecision(sources[i%len(sources)], names[i%len(names)])
		i++
	}
}
