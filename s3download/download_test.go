package s3download_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper/s3download"
)

var day1 = time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)

func TestDownloadLayouts(t *testing.T) {
	f := newFakeS3(t)
	// Files that the window 2017-01-01T18:00Z..2017-01-02T06:00Z wants, in two accounts,
	// two regions, a plain and an organisation trail.
	var want []string
	add := func(dir, account, region string, ts time.Time, u string) string {
		key := dir + ts.Format("2006/01/02") + "/" + logName(account, region, ts, u)
		f.put(key, logBody(ts))
		return key
	}
	for _, account := range []string{"111111111111", "222222222222"} {
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			plain := "AWSLogs/" + account + "/CloudTrail/" + region + "/"
			org := "org/AWSLogs/o-abc123/" + account + "/CloudTrail/" + region + "/"
			for _, dir := range []string{plain, org} {
				// The first day: the original tool misses it.
				want = append(want, add(dir, account, region, day1.Add(20*time.Hour), "a"))
				want = append(want, add(dir, account, region, day1.Add(26*time.Hour), "b"))
				// Outside the window's days.
				add(dir, account, region, day1.Add(-2*time.Hour), "c")
				add(dir, account, region, day1.Add(50*time.Hour), "d")
			}
		}
	}
	// Accounts and regions that were not asked for.
	add("AWSLogs/333333333333/CloudTrail/us-east-1/", "333333333333", "us-east-1", day1.Add(20*time.Hour), "e")
	add("AWSLogs/111111111111/CloudTrail/ap-south-1/", "111111111111", "ap-south-1", day1.Add(20*time.Hour), "f")
	add("org/AWSLogs/o-other/111111111111/CloudTrail/us-east-1/", "111111111111", "us-east-1", day1.Add(20*time.Hour), "g")
	// Not CloudTrail log files, in a wanted day.
	f.put("AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/notes.txt", []byte("hello"))
	f.put("AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/sub/"+logName("111111111111", "us-east-1", day1, "h"), logBody(day1))
	slices.Sort(want)

	from := time.Date(2017, 1, 2, 3, 0, 0, 0, time.FixedZone("+09", 9*3600)) // 18:00Z on the 1st
	to := from.Add(12 * time.Hour)
	layout := s3download.Layout{
		Prefixes:   []string{"", "org/"},
		OrgIDs:     nil,
		AccountIDs: []string{"111111111111", "222222222222"},
		Regions:    []string{"us-east-1", "eu-west-1"},
	}
	orgLayout := layout
	orgLayout.Prefixes = []string{"org"}
	orgLayout.OrgIDs = []string{"o-abc123"}
	prefixes := slices.Concat(layout.DayPrefixes(from, to), orgLayout.DayPrefixes(from, to))

	dir := t.TempDir()
	var evMu sync.Mutex
	events := map[s3download.EventKind]int{}
	d := s3download.New(f.client(), testBucket, dir, s3download.WithParallelism(4),
		s3download.WithProgress(func(e s3download.Event) {
			evMu.Lock()
			events[e.Kind]++
			evMu.Unlock()
		}))
	res, err := d.Download(ctxTimeout(t), prefixes)
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	// The plain trail's day prefixes under "org/" do not exist; they are listed and found empty.
	if diff := cmp.Diff(want, files(t, dir)); diff != "" {
		t.Errorf("downloaded files mismatch (-want +got):\n%s", diff)
	}
	wantRes := &s3download.Result{Listed: len(want) + 1, Downloaded: len(want), InvalidName: 1, Bytes: res.Bytes}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("Result mismatch (-want +got):\n%s", diff)
	}
	if res.Bytes <= 0 {
		t.Errorf("Result.Bytes = %d, want > 0", res.Bytes)
	}
	wantEvents := map[s3download.EventKind]int{s3download.Listed: len(want), s3download.Downloaded: len(want)}
	if diff := cmp.Diff(wantEvents, events); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	for _, b := range []string{"org/AWSLogs/o-other/", "AWSLogs/333333333333/", "AWSLogs/111111111111/CloudTrail/ap-south-1/"} {
		for _, l := range f.listed() {
			if strings.HasPrefix(l, b) {
				t.Errorf("listed %q, below %q which was not asked for", l, b)
			}
		}
	}
}

func TestDownloadPaginationAndSkipExisting(t *testing.T) {
	f := newFakeS3(t)
	// 1,150 objects that are not log files sort before the 60 log files, so the log files
	// are all on the second page of the listing (S3 returns at most 1,000 keys a page).
	const notes, logs = 1150, 60
	dirKey := "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/"
	for i := range notes {
		f.put(fmt.Sprintf("%s0-note-%04d.txt", dirKey, i), []byte("note"))
	}
	var want []string
	for i := range logs {
		ts := day1.Add(time.Duration(i) * time.Minute)
		key := dirKey + logName("111111111111", "us-east-1", ts, fmt.Sprintf("u%04d", i))
		f.put(key, []byte(strconv.Itoa(i)))
		want = append(want, key)
	}
	slices.Sort(want)
	prefixes := s3download.Layout{AccountIDs: []string{"111111111111"}, Regions: []string{"us-east-1"}}.
		DayPrefixes(day1.Add(time.Hour), day1.Add(2*time.Hour))
	dir := t.TempDir()
	d := s3download.New(f.client(), testBucket, dir)

	res, err := d.Download(ctxTimeout(t), prefixes)
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	if diff := cmp.Diff(want, files(t, dir)); diff != "" {
		t.Errorf("downloaded files mismatch (-want +got):\n%s", diff)
	}
	wantRes := &s3download.Result{Listed: notes + logs, Downloaded: logs, InvalidName: notes, Bytes: res.Bytes}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("Result mismatch (-want +got):\n%s", diff)
	}
	pages := 0
	for _, l := range f.listed() {
		if l == dirKey {
			pages++
		}
	}
	if pages < 2 {
		t.Errorf("listed %q %d times, want at least 2 pages", dirKey, pages)
	}

	// A second run downloads nothing; a file of the wrong size (left by another tool) is
	// replaced.
	short := filepath.Join(dir, filepath.FromSlash(want[7]))
	if err := os.WriteFile(short, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = d.Download(ctxTimeout(t), prefixes)
	if err != nil {
		t.Fatalf("second Download: %v", err)
	}
	wantRes = &s3download.Result{Listed: notes + logs, Downloaded: 1, Existing: logs - 1, InvalidName: notes, Bytes: 1}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("second Result mismatch (-want +got):\n%s", diff)
	}
	if b, _ := os.ReadFile(short); string(b) != "7" {
		t.Errorf("replaced file holds %q, want %q", b, "7")
	}
}

// cut answers a GetObject with the headers of the whole object and half its body, then
// breaks the connection.
func cut(w http.ResponseWriter) {
	w.Header().Set("Content-Length", "1000")
	w.WriteHeader(http.StatusOK)
	w.Write(make([]byte, 500))
	w.(http.Flusher).Flush()
	panic(http.ErrAbortHandler)
}

func TestDownloadFailures(t *testing.T) {
	dirKey := "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/"
	key := func(u string) string { return dirKey + logName("111111111111", "us-east-1", day1, u) }
	prefixes := []string{strings.TrimSuffix(dirKey, "/")} // Download adds the slash
	tests := []struct {
		name      string
		intercept func(w http.ResponseWriter, r *http.Request, key string, attempt int) bool
		wantFiles []string
		failed    []string
		wantGets  int // GetObject requests for key("bad")
	}{
		{
			name: "body cut short every time",
			intercept: func(w http.ResponseWriter, r *http.Request, k string, attempt int) bool {
				if k == key("bad") {
					cut(w)
				}
				return false
			},
			wantFiles: []string{key("good1"), key("good2")},
			failed:    []string{key("bad")},
			wantGets:  s3download.DefaultAttempts,
		},
		{
			name: "body cut short once",
			intercept: func(w http.ResponseWriter, r *http.Request, k string, attempt int) bool {
				if k == key("bad") && attempt == 1 {
					cut(w)
				}
				return false
			},
			wantFiles: []string{key("bad"), key("good1"), key("good2")},
			wantGets:  2,
		},
		{
			name: "server error every time",
			intercept: func(w http.ResponseWriter, r *http.Request, k string, attempt int) bool {
				if k == key("bad") {
					http.Error(w, "<Error><Code>InternalError</Code><Message>boom</Message></Error>", http.StatusInternalServerError)
					return true
				}
				return false
			},
			wantFiles: []string{key("good1"), key("good2")},
			failed:    []string{key("bad")},
			wantGets:  3, // the SDK's standard retryer: 3 attempts
		},
		{
			name: "server error once",
			intercept: func(w http.ResponseWriter, r *http.Request, k string, attempt int) bool {
				if k == key("bad") && attempt == 1 {
					http.Error(w, "<Error><Code>SlowDown</Code><Message>slow</Message></Error>", http.StatusServiceUnavailable)
					return true
				}
				return false
			},
			wantFiles: []string{key("bad"), key("good1"), key("good2")},
			wantGets:  2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeS3(t)
			for _, u := range []string{"bad", "good1", "good2"} {
				f.put(key(u), make([]byte, 1000))
			}
			f.intercept = tt.intercept
			dir := t.TempDir()
			res, err := s3download.New(f.client(), testBucket, dir, s3download.WithParallelism(2)).Download(ctxTimeout(t), prefixes)
			if diff := cmp.Diff(tt.wantFiles, files(t, dir)); diff != "" {
				t.Errorf("files mismatch (-want +got):\n%s", diff)
			}
			var failed []string
			for _, fl := range res.Failures {
				failed = append(failed, fl.Key)
			}
			if diff := cmp.Diff(tt.failed, failed); diff != "" {
				t.Errorf("failures mismatch (-want +got):\n%s", diff)
			}
			if len(tt.failed) > 0 {
				if !errors.Is(err, s3download.ErrIncomplete) || !strings.Contains(err.Error(), "1 of 3 files failed") {
					t.Errorf("Download error = %v, want ErrIncomplete: 1 of 3 files failed", err)
				}
				if res.Failed != len(tt.failed) {
					t.Errorf("Result.Failed = %d, want %d", res.Failed, len(tt.failed))
				}
			} else if err != nil {
				t.Errorf("Download error = %v, want nil", err)
			}
			f.mu.Lock()
			gets := f.gets[key("bad")]
			f.mu.Unlock()
			if gets != tt.wantGets {
				t.Errorf("GetObject requests for the bad file = %d, want %d", gets, tt.wantGets)
			}
		})
	}
}

func TestDownloadListingFailure(t *testing.T) {
	f := newFakeS3(t)
	layout := s3download.Layout{AccountIDs: []string{"111111111111"}, Regions: []string{"us-east-1", "eu-west-1"}}
	var want []string
	for _, region := range layout.Regions {
		key := "AWSLogs/111111111111/CloudTrail/" + region + "/2017/01/01/" + logName("111111111111", region, day1, "a")
		f.put(key, []byte("x"))
		want = append(want, key)
	}
	broken := "AWSLogs/111111111111/CloudTrail/eu-west-1/"
	f.interceptList = func(w http.ResponseWriter, r *http.Request, prefix string) bool {
		if strings.HasPrefix(prefix, broken) {
			http.Error(w, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>", http.StatusForbidden)
			return true
		}
		return false
	}
	dir := t.TempDir()
	res, err := s3download.New(f.client(), testBucket, dir).Download(ctxTimeout(t), layout.DayPrefixes(day1, day1.Add(time.Hour)))
	if diff := cmp.Diff(want[:1], files(t, dir)); diff != "" {
		t.Errorf("files mismatch (-want +got):\n%s", diff)
	}
	if !errors.Is(err, s3download.ErrIncomplete) || !strings.Contains(err.Error(), "1 listings failed") {
		t.Errorf("Download error = %v, want ErrIncomplete with 1 listing", err)
	}
	if len(res.Failures) != 1 || !strings.HasPrefix(res.Failures[0].Key, broken) || !strings.Contains(res.Failures[0].Error(), "AccessDenied") {
		t.Errorf("Failures = %v, want the listing below %s with AccessDenied", res.Failures, broken)
	}
}

func TestDownloadCancel(t *testing.T) {
	f := newFakeS3(t)
	dirKey := "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/"
	for i := range 20 {
		f.put(dirKey+logName("111111111111", "us-east-1", day1, fmt.Sprintf("u%02d", i)), make([]byte, 1000))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{}, 20)
	release := make(chan struct{})
	defer close(release)
	f.intercept = func(w http.ResponseWriter, r *http.Request, key string, attempt int) bool {
		// Every transfer stalls halfway until the client gives up.
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		w.Write(make([]byte, 500))
		w.(http.Flusher).Flush()
		started <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return true
	}
	dir := t.TempDir()
	done := make(chan struct{})
	var res *s3download.Result
	var err error
	go func() {
		res, err = s3download.New(f.client(), testBucket, dir, s3download.WithParallelism(4)).Download(ctx, []string{dirKey})
		close(done)
	}()
	for range 4 {
		<-started
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Download did not return within 5 s of cancellation")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Download error = %v, want context.Canceled", err)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("files left after cancellation: %v", got)
	}
	if res.Downloaded != 0 || res.Failed != 0 {
		t.Errorf("Result = %+v, want nothing downloaded or failed", res)
	}
	if !res.Interrupted || res.Unfinished < 4 || res.Unfinished != res.Listed {
		t.Errorf("Result = %+v, want it interrupted with every listed file unfinished", res)
	}
}

func TestDownloadHostileKeys(t *testing.T) {
	f := newFakeS3(t)
	dirKey := "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/"
	name := logName("111111111111", "us-east-1", day1, "x")
	good := dirKey + name
	f.put(good, []byte("ok"))
	// Keys that would leave the directory. A listing of the day prefix with Delimiter "/"
	// returns the ones without a further "/" (the others are common prefixes, which are not
	// descended into); a hostile day prefix brings its keys along.
	evilDay := "x/../../../" + dirKey
	hostile := []string{
		dirKey + "../../../../../../../escaped/" + name,
		dirKey + `..\..\` + name,
		dirKey + "..",
		dirKey + "sub//" + name,
		evilDay + name,
	}
	for _, k := range hostile {
		f.put(k, []byte("evil"))
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "logs")
	res, err := s3download.New(f.client(), testBucket, dir).Download(ctxTimeout(t), []string{dirKey, evilDay})
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	if diff := cmp.Diff([]string{"logs/" + good}, files(t, parent)); diff != "" {
		t.Errorf("files mismatch (-want +got):\n%s", diff)
	}
	wantRes := &s3download.Result{Listed: 4, Downloaded: 1, Unsafe: 3, Bytes: 2}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("Result mismatch (-want +got):\n%s", diff)
	}
}

func TestDownloadNoSuchBucket(t *testing.T) {
	f := newFakeS3(t)
	d := s3download.New(f.client(), "no-such-bucket", t.TempDir())
	_, err := d.Download(ctxTimeout(t), []string{"AWSLogs/1/CloudTrail/us-east-1/2017/01/01/", "AWSLogs/1/CloudTrail/us-east-1/2017/01/02/"})
	if err == nil || !strings.Contains(err.Error(), "no-such-bucket") {
		t.Errorf("Download error = %v, want one naming the bucket", err)
	}
}

// TestDownloadRepeatedToken checks that a store that answers every page with the same
// continuation token ends the listing, as a failed listing, instead of being listed
// forever or ending it silently.
func TestDownloadRepeatedToken(t *testing.T) {
	f := newFakeS3(t)
	dirKey := "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/"
	key := dirKey + logName("111111111111", "us-east-1", day1, "a")
	f.put(key, []byte("abc"))
	f.interceptList = func(w http.ResponseWriter, r *http.Request, prefix string) bool {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>%s</Name><Prefix>%s</Prefix><Delimiter>/</Delimiter><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>same</NextContinuationToken><Contents><Key>%s</Key><Size>3</Size></Contents></ListBucketResult>`,
			testBucket, prefix, key)
		return true
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := s3download.New(f.client(), testBucket, dir).Download(ctx, []string{dirKey})
	if !errors.Is(err, s3download.ErrIncomplete) || len(res.Failures) != 1 || !errors.Is(res.Failures[0], s3download.ErrRepeatedToken) {
		t.Fatalf("Download: %v, failures %v (listed %d times); want a listing failure wrapping ErrRepeatedToken", err, res.Failures, len(f.listed()))
	}
	if diff := cmp.Diff([]string{key}, files(t, dir)); diff != "" {
		t.Errorf("files mismatch (-want +got):\n%s", diff)
	}
	if res.Listed != 1 || res.Downloaded != 1 {
		t.Errorf("Result = %+v, want 1 listed and downloaded", res)
	}
	if n := len(f.listed()); n > 3 {
		t.Errorf("%d listings of one prefix whose token repeats, want at most 3", n)
	}
}
