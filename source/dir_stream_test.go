package source

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// manyRecords is a log document of n small records.
func manyRecords(n int, rec string) string {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(rec)
	}
	b.WriteString("]}")
	return b.String()
}

// TestDirStreamsFiles checks that memory stays flat whatever one file holds: the reader
// streams each file instead of holding its records (a 638 KB file of 2M records took
// 2.9 GB). It samples the heap while consuming a file of 300,000 records.
func TestDirStreamsFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large file")
	}
	const n = 300_000
	dir := t.TempDir()
	rec := `{"eventTime":"2017-12-11T15:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`
	dirWriteFiles(t, dir, map[string][]byte{
		dirLogName("20171211T1500Z", "big"):   dirGzip(t, manyRecords(n, rec)),
		dirLogName("20171211T1501Z", "after"): dirGzip(t, manyRecords(3, rec)),
	})
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	got := 0
	for _, err := range NewDir(dir, WithParallelism(2)).Records(context.Background(), time.Time{}, time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		if got++; got%20_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if got != n+3 {
		t.Fatalf("read %d records, want %d", got, n+3)
	}
	// Holding the file's records took over 100 MB; streaming, a few MB.
	if grew := int64(peak) - int64(base); grew > 32<<20 {
		t.Errorf("heap grew by %d MB while reading one file of %d records, want it flat (< 32 MB)", grew>>20, n)
	}
}

// TestDirBoundsWarnings checks that a file of bad records gives a few warnings, then one
// that counts the rest (a 230 KB file printed 1.79 GB of warnings).
func TestDirBoundsWarnings(t *testing.T) {
	dir := t.TempDir()
	dirWriteFiles(t, dir, map[string][]byte{
		dirLogName("20171211T1500Z", "bad"): dirGzip(t, manyRecords(1000, `1`)),
		dirLogName("20171211T1501Z", "ok"):  dirGzip(t, dirDoc(dirRec("ok", "2017-12-11T15:00:00Z"))),
	})
	ids, errs := dirCollect(t, dir, NewDir(dir).Records(context.Background(), time.Time{}, time.Time{}))
	if diff := cmp.Diff([]string{"ok"}, ids); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if len(errs) != maxFileWarnings+1 {
		t.Fatalf("%d errors, want %d:\n%s", len(errs), maxFileWarnings+1, strings.Join(errs, "\n"))
	}
	if want := "_bad.json.gz: 995 more problems in this source, not reported one by one"; !strings.HasSuffix(errs[maxFileWarnings], want) {
		t.Errorf("last error = %q, want it to end in %q", errs[maxFileWarnings], want)
	}
}

// TestDirPlainAndOtherFiles checks that gunzipped .json log files are read, that files
// whose names are not log file names are counted in one warning, and that a named pipe
// with a log file's name is skipped with a warning instead of blocking for ever.
func TestDirPlainAndOtherFiles(t *testing.T) {
	dir := t.TempDir()
	dirWriteFiles(t, dir, map[string][]byte{
		strings.TrimSuffix(dirLogName("20171211T1500Z", "plain"), ".gz"): []byte(dirDoc(dirRec("plain", "2017-12-11T15:00:00Z"))),
		dirLogName("20171211T1501Z", "gz"):                               dirGzip(t, dirDoc(dirRec("gz", "2017-12-11T15:01:00Z"))),
		"notes.txt":                                                      []byte("hello"),
		"sub/index.html":                                                 []byte("<html>"),
		"111111111111_CloudTrail-Digest_us-east-1_20171211T1500Z.json.gz": dirGzip(t, "{}"),
	})
	fifo := filepath.Join(dir, dirLogName("20171211T1502Z", "fifo"))
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	var log bytes.Buffer
	d := NewDir(dir, WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	done := make(chan struct{})
	var ids, errs []string
	go func() {
		defer close(done)
		ids, errs = dirCollect(t, dir, d.Records(context.Background(), time.Time{}, time.Time{}))
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		os.WriteFile(fifo, nil, 0) // unblock the reader before failing
		t.Fatal("reading the directory blocked on a named pipe")
	}
	if diff := cmp.Diff([]string{"plain", "gz"}, ids); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{dirLogName("20171211T1502Z", "fifo") + ": not a regular file (a named pipe)"}, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if got := strings.Count(log.String(), "level=WARN"); got != 1 || !strings.Contains(log.String(), "count=2") {
		t.Errorf("want one warning counting the 2 files that are not log files, got:\n%s", log.String())
	}
	if _, err := d.LastEventTime(context.Background()); err != nil {
		t.Errorf("LastEventTime: %v", err)
	}
}
