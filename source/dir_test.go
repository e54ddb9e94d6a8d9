package source

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
	"github.com/trailscraper/trailscraper"
)

func dirGzip(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rec returns a record with an eventID and an eventTime.
func dirRec(id, eventTime string) string {
	if eventTime == "" {
		return fmt.Sprintf(`{"eventID":%q,"eventSource":"s3.amazonaws.com","eventName":"GetObject"}`, id)
	}
	return fmt.Sprintf(`{"eventID":%q,"eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"GetObject","n":1e5}`, id, eventTime)
}

func dirDoc(recs ...string) string { return `{"Records":[` + strings.Join(recs, ",") + `]}` }

func dirLogName(ts string, id string) string {
	return "111111111111_CloudTrail_us-east-1_" + ts + "_" + id + ".json.gz"
}

// writeFiles writes files (path relative to dir → content) below dir.
func dirWriteFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, c, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// collect returns the eventIDs of the records and the errors, with dir removed from paths.
func dirCollect(t *testing.T, dir string, seq func(yield func(trailscraper.Record, error) bool)) (ids []string, errs []string) {
	t.Helper()
	for r, err := range seq {
		if err != nil {
			var re *trailscraper.RecordError
			if !errors.As(err, &re) {
				errs = append(errs, "FATAL "+err.Error())
				continue
			}
			errs = append(errs, filepath.ToSlash(strings.TrimPrefix(err.Error(), dir+string(filepath.Separator))))
			continue
		}
		var v struct{ EventID string }
		if err := json.Unmarshal(r.Raw, &v); err != nil {
			t.Fatalf("record Raw is not JSON: %v", err)
		}
		ids = append(ids, v.EventID)
	}
	return ids, errs
}

// badDir is a directory with good files in an order the file system does not give, and
// bad files of every kind.
func dirBadDir(t *testing.T) string {
	dir := t.TempDir()
	big := dirDoc(dirRec("t1", "2017-12-11T15:00:00Z"), dirRec("t2", "2017-12-11T15:00:01Z"))
	for i := range 4000 {
		big = strings.Replace(big, `]}`, ","+dirRec(fmt.Sprintf("pad%d", i), "2017-12-11T15:00:02Z")+`]}`, 1)
	}
	truncated := dirGzip(t, big)
	truncated = truncated[:len(truncated)*2/3]
	dirWriteFiles(t, dir, map[string][]byte{
		// Newest first in lexical order, so that a file-system order would be wrong.
		"a/" + dirLogName("20171211T1510Z", "late"):                            dirGzip(t, dirDoc(dirRec("c1", "2017-12-11T15:09:00Z"), dirRec("c2", "2017-12-11T15:08:00Z"))),
		"b/" + dirLogName("20171211T1500Z", "early"):                           dirGzip(t, dirDoc(dirRec("a1", "2017-12-11T14:58:00Z"), dirRec("a2", "2017-12-11T14:59:00Z"))),
		"b/" + dirLogName("20171211T1505Z", "mid2"):                            dirGzip(t, dirDoc(dirRec("b3", "2017-12-11T15:04:00Z"))),
		"a/" + dirLogName("20171211T1505Z", "mid1"):                            dirGzip(t, dirDoc(dirRec("b1", "2017-12-11T15:03:00Z"), `"not an object"`, dirRec("b2", "2017-12-11T15:04:30Z"))),
		"bad/" + dirLogName("20171211T1501Z", "empty"):                         {},
		"bad/" + dirLogName("20171211T1502Z", "notgz"):                         []byte(dirDoc(dirRec("x", "2017-12-11T15:00:00Z"))),
		"bad/" + dirLogName("20171211T1503Z", "badjson"):                       dirGzip(t, `{"Records":[{"eventID":"y",}]}`),
		"bad/" + dirLogName("20171211T1504Z", "norecords"):                     dirGzip(t, `{"records":[]}`),
		"bad/" + dirLogName("20171211T1506Z", "trunc"):                         truncated,
		"bad/" + dirLogName("20171211T1507Z", "notime"):                        dirGzip(t, dirDoc(dirRec("nt", ""))),
		"bad/111111111111_CloudTrail_us-east-1_20171311T1500Z_month13.json.gz": dirGzip(t, dirDoc(dirRec("m13", "2017-12-11T15:00:00Z"))),
		"bad/README.txt": []byte("not a log"),
		"bad/111111111111_CloudTrail-Digest_us-east-1_20171211T1500Z.json.gz": dirGzip(t, "{}"),
	})
	return dir
}

func TestDirRecords(t *testing.T) {
	dir := dirBadDir(t)
	from := time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)
	to := time.Date(2017, 12, 12, 0, 0, 0, 0, time.UTC)
	var pad, all []string
	all, errs := dirCollect(t, dir, NewDir(dir, WithParallelism(3)).Records(context.Background(), from, to))
	var ids []string
	for _, id := range all {
		if strings.HasPrefix(id, "pad") {
			pad = append(pad, id)
		} else {
			ids = append(ids, id)
		}
	}
	if i := len(all) - 3; i < 0 || all[i] != pad[len(pad)-1] {
		t.Errorf("the truncated file's records are not between b3 and c1")
	}
	// Before the truncated file (15:06); x is in a file that is not gzipped, read as it is.
	wantIDs := []string{"a1", "a2", "x", "b1", "b2", "b3"}
	if diff := cmp.Diff(wantIDs, ids[:6]); diff != "" {
		t.Errorf("record order (-want +got):\n%s", diff)
	}
	if got := ids[len(ids)-2:]; !cmp.Equal(got, []string{"c1", "c2"}) {
		t.Errorf("last records = %v, want c1 c2 (position in the file, not eventTime)", got)
	}
	if len(pad) == 0 {
		t.Errorf("the records before the damage in the truncated file were not kept")
	}
	wantErrs := []string{
		`bad/111111111111_CloudTrail_us-east-1_20171311T1500Z_month13.json.gz: not a CloudTrail log file name: timestamp "20171311T1500Z" is not YYYYMMDDTHHMMZ`,
		"empty.json.gz: file is empty",
		"badjson.json.gz: byte 27: ",
		"norecords.json.gz: ",
		"mid1.json.gz: record 1",
		"trunc.json.gz: gzip data is truncated (reading input: unexpected EOF); the ",
		"notime.json.gz: record 0: record has no eventTime",
	}
	if len(errs) != len(wantErrs) {
		t.Fatalf("errors:\n%s\nwant %d", strings.Join(errs, "\n"), len(wantErrs))
	}
	for i, w := range wantErrs {
		if !strings.Contains(errs[i], w) {
			t.Errorf("error %d = %q, want it to contain %q", i, errs[i], w)
		}
	}
}

func TestDirRecordsDeterministic(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{}
	var want []string
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 60 {
		ts := base.Add(time.Duration(i/2) * 5 * time.Minute) // two files per timestamp
		var recs []string
		for j := range 7 {
			id := fmt.Sprintf("f%02d-r%d", i, j)
			recs = append(recs, dirRec(id, ts.Add(-time.Duration(j)*time.Second).Format(time.RFC3339)))
			want = append(want, id)
		}
		region := []string{"eu-west-1", "us-east-1"}[i%2]
		name := fmt.Sprintf("111111111111_CloudTrail_%s_%s_f%02d.json.gz", region, ts.Format("20060102T1504Z"), i)
		files[fmt.Sprintf("%s/%d/%s", region, 59-i, name)] = dirGzip(t, dirDoc(recs...))
	}
	dirWriteFiles(t, dir, files)
	// Sort want by (timestamp, path) as the directory orders them.
	var first []string
	for _, p := range []int{1, 2, 8} {
		ids, errs := dirCollect(t, dir, NewDir(dir, WithParallelism(p)).Records(context.Background(), time.Time{}, time.Time{}))
		if len(errs) != 0 {
			t.Fatalf("parallelism %d: errors %v", p, errs)
		}
		if len(ids) != len(want) {
			t.Fatalf("parallelism %d: %d records, want %d", p, len(ids), len(want))
		}
		if first == nil {
			first = ids
			continue
		}
		if diff := cmp.Diff(first, ids); diff != "" {
			t.Errorf("parallelism %d gives another order (-p1 +got):\n%s", p, diff)
		}
	}
	// Files of one timestamp are ordered by path: eu-west-1/… before us-east-1/….
	if !strings.HasPrefix(first[0], "f00") || !strings.HasPrefix(first[7], "f01") {
		t.Errorf("order starts %v, want file f00 then f01", first[:8])
	}
}

func TestDirRecordsWindow(t *testing.T) {
	dir := t.TempDir()
	dirWriteFiles(t, dir, map[string][]byte{
		dirLogName("20171211T1000Z", "a"): dirGzip(t, dirDoc(dirRec("early", "2017-12-11T09:59:00Z"), dirRec("from", "2017-12-11T10:00:00Z"))),
		dirLogName("20171211T1100Z", "b"): dirGzip(t, dirDoc(dirRec("to", "2017-12-11T11:00:00Z"), dirRec("late", "2017-12-11T11:00:01Z"))),
		dirLogName("20171211T1300Z", "c"): dirGzip(t, dirDoc(dirRec("outside", "2017-12-11T11:00:00Z"))), // more than an hour after --to: not read
		dirLogName("20171211T0959Z", "d"): dirGzip(t, dirDoc(dirRec("before", "2017-12-11T10:30:00Z"))),  // named before --from: not read
	})
	from := time.Date(2017, 12, 11, 10, 0, 0, 0, time.UTC)
	to := time.Date(2017, 12, 11, 11, 0, 0, 0, time.UTC)
	ids, errs := dirCollect(t, dir, NewDir(dir).Records(context.Background(), from, to))
	if len(errs) != 0 || !cmp.Equal(ids, []string{"from", "to"}) {
		t.Errorf("Records(%v, %v) = %v, %v; want [from to]", from, to, ids, errs)
	}
}

func TestDirRecordsDirErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	dirWriteFiles(t, dir, map[string][]byte{"file": []byte("x")})
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope"), "no such file or directory"},
		{"not a directory", file, "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := dirCollect(t, dir, NewDir(tt.path).Records(context.Background(), time.Time{}, time.Time{}))
			if len(errs) != 1 || !strings.HasPrefix(errs[0], "FATAL log directory "+tt.path) || !strings.Contains(errs[0], tt.want) {
				t.Errorf("errors = %q, want one fatal error containing %q", errs, tt.want)
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		ids, errs := dirCollect(t, dir, NewDir(t.TempDir()).Records(context.Background(), time.Time{}, time.Time{}))
		if len(ids)+len(errs) != 0 {
			t.Errorf("empty dir gave %v %v", ids, errs)
		}
	})
	t.Run("symlink root", func(t *testing.T) {
		real := dirBadDir(t)
		link := filepath.Join(t.TempDir(), "link")
		if err := os.Symlink(real, link); err != nil {
			t.Skip(err)
		}
		ids, _ := dirCollect(t, dir, NewDir(link).Records(context.Background(), time.Time{}, time.Time{}))
		if len(ids) == 0 {
			t.Errorf("no records through a symbolic link")
		}
	})
	t.Run("unreadable subdirectory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads everything")
		}
		d := t.TempDir()
		dirWriteFiles(t, d, map[string][]byte{"locked/" + dirLogName("20171211T1000Z", "a"): dirGzip(t, dirDoc(dirRec("a", "2017-12-11T10:00:00Z")))})
		os.Chmod(filepath.Join(d, "locked"), 0)
		defer os.Chmod(filepath.Join(d, "locked"), 0o755)
		_, errs := dirCollect(t, d, NewDir(d).Records(context.Background(), time.Time{}, time.Time{}))
		if len(errs) != 1 || !strings.Contains(errs[0], "permission denied") {
			t.Errorf("errors = %q, want one about permission", errs)
		}
	})
}

func TestDirRecordsStopEarly(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{}
	for i := range 50 {
		files[dirLogName(fmt.Sprintf("20171211T10%02dZ", i), "x")] = dirGzip(t, dirDoc(dirRec("a", "2017-12-11T10:00:00Z"), dirRec("b", "2017-12-11T10:00:00Z")))
	}
	dirWriteFiles(t, dir, files)
	before := runtime.NumGoroutine()
	n := 0
	for _, err := range NewDir(dir, WithParallelism(4)).Records(context.Background(), time.Time{}, time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 3 {
			break
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Errorf("%d goroutines after stopping early, %d before", g, before)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n = 0
	var last error
	for _, err := range NewDir(dir, WithParallelism(2)).Records(ctx, time.Time{}, time.Time{}) {
		if err != nil {
			last = err
			continue
		}
		n++
		if n == 3 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) || n >= 100 {
		t.Errorf("after cancel: %d records, last error %v; want fewer than 100 and context.Canceled", n, last)
	}
}

// dirDebugLog is a logger that keeps its messages.
type dirDebugLog struct {
	bytes.Buffer
}

func (d *dirDebugLog) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(&d.Buffer, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestDirLastEventTime(t *testing.T) {
	dir := t.TempDir()
	dirWriteFiles(t, dir, map[string][]byte{
		// The newest file does not hold the latest event: the one before it does.
		"x/" + dirLogName("20171211T1510Z", "newest"): dirGzip(t, dirDoc(dirRec("a", "2017-12-11T15:01:00Z"))),
		"y/" + dirLogName("20171211T1505Z", "second"): dirGzip(t, dirDoc(dirRec("b", "2017-12-11T15:04:51Z"), dirRec("c", "2017-12-11T14:00:00Z"))),
		"y/" + dirLogName("20171211T1400Z", "old"):    dirGzip(t, dirDoc(dirRec("d", "2017-12-11T13:59:00Z"))),
		"z/" + dirLogName("20171211T1000Z", "older"):  dirGzip(t, dirDoc(dirRec("e", "2017-12-11T23:59:00Z"))), // impossible, and never read
		"z/" + dirLogName("20171211T1509Z", "broken"): []byte("this is not gzip at all"),
	})
	var log dirDebugLog
	got, err := NewDir(dir, WithParallelism(1), WithLogger(log.logger())).LastEventTime(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2017, 12, 11, 15, 4, 51, 0, time.UTC); !got.Equal(want) {
		t.Errorf("LastEventTime = %v, want %v", got, want)
	}
	out := log.String()
	if strings.Contains(out, "older") {
		t.Errorf("read a file that cannot hold a later event:\n%s", out)
	}
	if !strings.Contains(out, "broken") || !strings.Contains(out, "neither gzip data nor a JSON log document") {
		t.Errorf("no warning for the broken file:\n%s", out)
	}
}

func TestDirLastEventTimeErrors(t *testing.T) {
	empty := t.TempDir()
	noEvents := t.TempDir()
	dirWriteFiles(t, noEvents, map[string][]byte{
		dirLogName("20171211T1510Z", "a"): dirGzip(t, dirDoc(dirRec("a", ""))),
		dirLogName("20171211T1511Z", "b"): {},
		"other.txt":                       []byte("x"),
	})
	tests := []struct {
		name, path string
		want       error
		wantMsg    string
	}{
		{"missing", filepath.Join(empty, "nope"), fs.ErrNotExist, "no such file or directory"},
		{"empty", empty, ErrNoLogFiles, "no CloudTrail log files below " + empty},
		{"no events", noEvents, ErrNoEvents, "no events with an eventTime in the 2 log files below"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewDir(tt.path).LastEventTime(context.Background())
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("LastEventTime = %v, %v; want an error wrapping %v containing %q", got, err, tt.want, tt.wantMsg)
			}
		})
	}
}
