package source

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/internal/testfiles"

	"github.com/trailscraper/trailscraper"
)

// benchLogDir returns a log directory for the benchmarks: $TRAILSCRAPER_BENCH_LOGDIR when
// set (for example a corpus from `go run ./internal/gencorpus`), else 40 files of 200 real
// records from ../shared/corpus/dev.jsonl.
func benchLogDir(b *testing.B) (dir string, records int) {
	b.Helper()
	if d := os.Getenv("TRAILSCRAPER_BENCH_LOGDIR"); d != "" {
		return d, 0
	}
	f, err := os.Open(testfiles.Path(b, "corpus/dev.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var recs [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		recs = append(recs, bytes.Clone(sc.Bytes()))
	}
	dir = b.TempDir()
	files := map[string][]byte{}
	base := time.Date(2023, 7, 10, 0, 0, 0, 0, time.UTC)
	k := 0
	for i := range 40 {
		var doc bytes.Buffer
		doc.WriteString(`{"Records":[`)
		for j := range 200 {
			if j > 0 {
				doc.WriteByte(',')
			}
			doc.Write(recs[k%len(recs)])
			k++
		}
		doc.WriteString("]}")
		name := fmt.Sprintf("111111111111_CloudTrail_us-east-1_%s_f%d.json.gz", base.Add(time.Duration(i)*5*time.Minute).Format("20060102T1504Z"), i)
		files[name] = dirGzip(b, doc.String())
	}
	dirWriteFiles(b, dir, files)
	return dir, k
}

// BenchmarkDirRecords reads a log directory with every field decoded, and with only the
// eventTime (as select without filters does).
func BenchmarkDirRecords(b *testing.B) {
	dir, _ := benchLogDir(b)
	for _, fields := range []cloudtrail.Fields{cloudtrail.AllFields, cloudtrail.FieldEventTime} {
		for _, p := range []int{1, 0} {
			name := fmt.Sprintf("parallelism=%d", p)
			if fields != cloudtrail.AllFields {
				name += ",eventTime_only"
			}
			b.Run(name, func(b *testing.B) { benchDir(b, dir, WithParallelism(p), WithFields(fields)) })
		}
	}
}

func benchDir(b *testing.B, dir string, opts ...DirOption) {
	var bytesRead int64
	for b.Loop() {
		bytesRead = 0
		for r, err := range NewDir(dir, opts...).Records(context.Background(), time.Time{}, time.Time{}) {
			if err != nil {
				if _, ok := err.(*trailscraper.RecordError); !ok {
					b.Fatal(err)
				}
				continue // dev.jsonl holds a few odd records on purpose
			}
			bytesRead += int64(len(r.Raw))
		}
	}
	b.SetBytes(bytesRead)
}

func BenchmarkDirLastEventTime(b *testing.B) {
	dir, _ := benchLogDir(b)
	for b.Loop() {
		if _, err := NewDir(dir).LastEventTime(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
