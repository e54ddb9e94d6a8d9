package s3download_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/trailscraper/trailscraper/s3download"
)

// BenchmarkDownload downloads 2,000 small log files (one day of one account and region)
// from the in-process fake S3 server into a fresh directory, at several parallelisms, and
// reports files per second. The server shares the CPU with the client. With latency=5ms
// every response is delayed by 5 ms, as a network would: that is where parallelism pays.
func BenchmarkDownload(b *testing.B) {
	const n = 2000
	f := newFakeS3(b)
	dirKey := "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/"
	body := logBody(day1)
	for i := range n {
		f.put(dirKey+logName("111111111111", "us-east-1", day1.Add(time.Duration(i)*time.Second), fmt.Sprintf("u%05d", i)), body)
	}
	for _, c := range []struct {
		latency time.Duration
		p       int
	}{{0, 1}, {0, 10}, {0, 32}, {5 * time.Millisecond, 1}, {5 * time.Millisecond, 10}, {5 * time.Millisecond, 32}} {
		name := fmt.Sprintf("parallelism=%d", c.p)
		if c.latency > 0 {
			name = fmt.Sprintf("latency=%s/%s", c.latency, name)
		}
		p := c.p
		b.Run(name, func(b *testing.B) {
			f.mu.Lock()
			f.latency = c.latency
			f.mu.Unlock()
			client := f.client(p)
			files := 0
			for b.Loop() {
				b.StopTimer()
				dir := b.TempDir()
				b.StartTimer()
				res, err := s3download.New(client, testBucket, dir, s3download.WithParallelism(p)).Download(b.Context(), []string{dirKey})
				if err != nil || res.Downloaded != n {
					b.Fatalf("Download = %+v, %v; want %d files", res, err, n)
				}
				files += res.Downloaded
			}
			b.ReportMetric(float64(files)/b.Elapsed().Seconds(), "files/s")
		})
	}
}
