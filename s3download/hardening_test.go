package s3download_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper/s3download"
)

// slowDown answers as S3 does when a prefix gets more requests than it takes.
func slowDown(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>r</RequestId></Error>`)
}

// TestDownloadThrottled answers a fifth of the files, and the first listings, with SlowDown
// five times in a row, more than the client's retryer allows attempts: nothing fails.
func TestDownloadThrottled(t *testing.T) {
	f := newFakeS3(t)
	dirKey := "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/"
	var want []string
	for i := range 50 {
		key := dirKey + logName("111111111111", "us-east-1", day1, fmt.Sprintf("u%02d", i))
		f.put(key, logBody(day1))
		want = append(want, key)
	}
	f.intercept = func(w http.ResponseWriter, r *http.Request, key string, attempt int) bool {
		if strings.HasSuffix(key, "0.json.gz") || strings.HasSuffix(key, "5.json.gz") {
			if attempt <= 5 {
				slowDown(w)
				return true
			}
		}
		return false
	}
	lists := 0
	f.interceptList = func(w http.ResponseWriter, r *http.Request, prefix string) bool {
		lists++ // listings of one prefix run one at a time
		if lists <= 5 {
			slowDown(w)
			return true
		}
		return false
	}
	dir := t.TempDir()
	res, err := s3download.New(f.client(), testBucket, dir).Download(ctxTimeout(t), []string{dirKey})
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	if diff := cmp.Diff(want, files(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if res.Downloaded != 50 || res.Failed != 0 {
		t.Errorf("Result = %+v, want 50 downloaded", res)
	}
}

// TestDownloadStalled has the store stop sending, before the headers, mid-body or in a
// listing, on the first attempt: the attempt is abandoned after the stall timeout and
// the file is downloaded on the next.
func TestDownloadStalled(t *testing.T) {
	tests := []struct {
		name      string
		getStall  func(w http.ResponseWriter) // nil: GETs do not stall
		listStall bool
	}{
		{"mid-body", func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(http.StatusOK)
			w.Write(make([]byte, 500))
			w.(http.Flusher).Flush()
		}, false},
		{"before the headers", func(http.ResponseWriter) {}, false},
		{"listing", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeS3(t)
			dirKey := "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/"
			key := dirKey + logName("111111111111", "us-east-1", day1, "a")
			body := logBody(day1)
			f.put(key, body)
			stall := func(r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
			}
			f.intercept = func(w http.ResponseWriter, r *http.Request, key string, attempt int) bool {
				if tt.getStall == nil || attempt > 1 {
					return false
				}
				tt.getStall(w)
				stall(r)
				return true
			}
			lists := 0
			f.interceptList = func(w http.ResponseWriter, r *http.Request, prefix string) bool {
				lists++
				if !tt.listStall || lists > 1 {
					return false
				}
				stall(r)
				return true
			}
			dir := t.TempDir()
			start := time.Now()
			res, err := s3download.New(f.client(), testBucket, dir, s3download.WithStallTimeout(200*time.Millisecond)).Download(ctxTimeout(t), []string{dirKey})
			if err != nil {
				t.Fatalf("Download: %v (%+v)", err, res)
			}
			got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
			if err != nil || !bytes.Equal(got, body) {
				t.Errorf("file: %v, %d bytes; want the object", err, len(got))
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// TestDownloadStaleTemporaryFiles: a download killed mid-transfer leaves its temporary
// file; the next download into the same day directory removes it at once when the process
// named in it is gone, else once it is older than the stall timeout, and leaves younger
// ones (a concurrent run's, this process's) and other files alone.
func TestDownloadStaleTemporaryFiles(t *testing.T) {
	f := newFakeS3(t)
	dirKey := "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/"
	name := logName("111111111111", "us-east-1", day1, "a")
	f.put(dirKey+name, logBody(day1))
	dir := t.TempDir()
	day := filepath.Join(dir, filepath.FromSlash(dirKey))
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := []string{"." + name + ".0123456789ab.part", "." + logName("111111111111", "us-east-1", day1, "b") + ".a1b2c3d4e5f6.part"}
	young := "." + name + ".ffffffffffff.part"
	// Fresh, but of a process that is gone (no process has this ID), and of this one.
	dead := "." + name + ".2147483632-aaaaaaaaaaaa.part"
	mine := fmt.Sprintf(".%s.%d-bbbbbbbbbbbb.part", name, os.Getpid())
	others := []string{".notes.0123456789ab.part", "." + name + ".xyz.part", "README"}
	old := time.Now().Add(-2 * time.Hour)
	for _, n := range append(append(stale, young, dead, mine), others...) {
		p := filepath.Join(day, n)
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
		if n != young && n != dead && n != mine {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, err := s3download.New(f.client(), testBucket, dir, s3download.WithStallTimeout(time.Hour)).Download(ctxTimeout(t), []string{dirKey})
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	var want []string
	keep, removed := append([]string{name, young, mine}, others...), 3
	if runtime.GOOS == "windows" { // processes cannot be asked about: age alone counts
		keep, removed = append(keep, dead), 2
	}
	for _, n := range keep {
		want = append(want, dirKey+n)
	}
	if diff := cmp.Diff(sorted(want), files(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if res.StaleTemporary != removed {
		t.Errorf("StaleTemporary = %d, want %d", res.StaleTemporary, removed)
	}
}

// TestDownloadFolderMarker: the empty object that the S3 console creates for a "folder" is
// not a log file and not an unsafe key, and is not warned about.
func TestDownloadFolderMarker(t *testing.T) {
	f := newFakeS3(t)
	dirKey := "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/"
	key := dirKey + logName("111111111111", "us-east-1", day1, "a")
	f.put(dirKey, nil)
	f.put(key, logBody(day1))
	var log bytes.Buffer
	res, err := s3download.New(f.client(), testBucket, t.TempDir(), s3download.WithLogger(testWarnLogger(&log))).Download(ctxTimeout(t), []string{dirKey})
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	if res.Unsafe != 0 || res.InvalidName != 1 || res.Downloaded != 1 {
		t.Errorf("Result = %+v, want the marker counted as not a log file", res)
	}
	if log.Len() > 0 {
		t.Errorf("warnings:\n%s", log.String())
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// testWarnLogger logs warnings and errors to w.
func testWarnLogger(w *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// TestDownloadRefusedCredentials: credentials that S3 refuses as expired end the download
// at the first refusal, instead of failing every listing and file one by one.
func TestDownloadRefusedCredentials(t *testing.T) {
	f := newFakeS3(t)
	var keys []string
	for _, d := range []string{"01", "02", "03"} {
		dirKey := "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/" + d + "/"
		f.put(dirKey+logName("111111111111", "us-east-1", day1, "a"), logBody(day1))
		keys = append(keys, dirKey)
	}
	f.interceptList = func(w http.ResponseWriter, r *http.Request, prefix string) bool {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>`)
		return true
	}
	res, err := s3download.New(f.client(), testBucket, t.TempDir(), s3download.WithParallelism(1)).Download(ctxTimeout(t), keys)
	if err == nil || errors.Is(err, s3download.ErrIncomplete) || !strings.Contains(err.Error(), "ExpiredToken") {
		t.Fatalf("Download error = %v, want the ExpiredToken as the error", err)
	}
	if n := len(f.listed()); n != 1 {
		t.Errorf("%d listings, want 1", n)
	}
	if res.Interrupted {
		t.Errorf("Result = %+v, want it not marked interrupted", res)
	}
}
