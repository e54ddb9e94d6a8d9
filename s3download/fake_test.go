package s3download_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// fakeS3 is an in-memory S3 server on loopback (gofakes3) with hooks to record listings
// and to break downloads.
type fakeS3 struct {
	t       testing.TB
	backend *s3mem.Backend
	srv     *httptest.Server

	mu    sync.Mutex
	lists []string // the Prefix of every ListObjectsV2 request, in order
	gets  map[string]int
	// latency delays every response, as a network would.
	latency time.Duration
	// intercept, when set, may handle a GetObject request for key itself; it returns
	// false to let the fake answer. attempt counts from 1.
	intercept func(w http.ResponseWriter, r *http.Request, key string, attempt int) bool
	// interceptList, when set, may answer a ListObjectsV2 request for prefix itself.
	interceptList func(w http.ResponseWriter, r *http.Request, prefix string) bool
}

const testBucket = "trail-bucket"

func newFakeS3(t testing.TB) *fakeS3 {
	t.Helper()
	f := &fakeS3{t: t, backend: s3mem.New(), gets: map[string]int{}}
	faker := gofakes3.New(f.backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	h := faker.Server()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		latency := f.latency
		f.mu.Unlock()
		time.Sleep(latency)
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		q := r.URL.Query()
		switch {
		case r.Method == http.MethodGet && key == "" && q.Get("list-type") == "2":
			f.mu.Lock()
			f.lists = append(f.lists, q.Get("prefix"))
			interceptList := f.interceptList
			f.mu.Unlock()
			if interceptList != nil && interceptList(w, r, q.Get("prefix")) {
				return
			}
		case r.Method == http.MethodGet && bucket == testBucket && key != "":
			f.mu.Lock()
			f.gets[key]++
			attempt, intercept := f.gets[key], f.intercept
			f.mu.Unlock()
			if intercept != nil && intercept(w, r, key, attempt) {
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	if err := f.backend.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	return f
}

// client returns a real SDK S3 client for the fake: path-style, static credentials,
// us-east-1, a retryer that does not wait long, and, as the CLI sets it, a connection pool
// that keeps at least conns idle connections (the SDK's default is 10).
func (f *fakeS3) client(conns ...int) *s3.Client {
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		for _, n := range conns {
			t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, n)
		}
	})
	return s3.New(s3.Options{
		HTTPClient:   hc,
		Region:       "us-east-1",
		BaseEndpoint: aws.String(f.srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxBackoff = 5 * time.Millisecond
		}),
	})
}

func (f *fakeS3) put(key string, body []byte) {
	f.t.Helper()
	if _, err := f.backend.PutObject(testBucket, key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		f.t.Fatalf("putting %s: %v", key, err)
	}
}

func (f *fakeS3) listed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.lists)
}

// logName returns a valid CloudTrail log file name.
func logName(account, region string, ts time.Time, unique string) string {
	return fmt.Sprintf("%s_CloudTrail_%s_%sZ_%s.json.gz", account, region, ts.UTC().Format("20060102T1504"), unique)
}

// logBody returns a small gzipped CloudTrail log file holding one event at ts.
func logBody(ts time.Time) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	fmt.Fprintf(zw, `{"Records":[{"eventVersion":"1.08","eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/alice"}}]}`,
		ts.UTC().Format(time.RFC3339))
	zw.Close()
	return b.Bytes()
}

// files returns the paths of the regular files below dir, relative and slash-separated,
// sorted.
func files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == dir {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func ctxTimeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
