package source

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ctapi "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// The X-Amz-Target values of the CloudTrail operations, as the SDK's serializers write them.
const (
	targetPrefix    = "CloudTrail_20131101."
	opLookupEvents  = "LookupEvents"
	opStartQuery    = "StartQuery"
	opDescribeQuery = "DescribeQuery"
	opGetResults    = "GetQueryResults"
	opCancelQuery   = "CancelQuery"
)

// fakeCall is one request the fake CloudTrail received.
type fakeCall struct {
	Op     string
	Region string
	Body   map[string]any
}

// fakeResponse is what a handler answers: a status and a JSON body.
type fakeResponse struct {
	Status int
	Body   any
	// Stall sends the headers and half of the body, then nothing until the client gives
	// up (or 10 s pass), as a server that hangs mid-response.
	Stall bool
}

func ok(body any) fakeResponse { return fakeResponse{Status: http.StatusOK, Body: body} }

// awsError is an AWS JSON 1.1 error response.
func awsError(code, msg string) fakeResponse {
	return fakeResponse{Status: http.StatusBadRequest, Body: map[string]any{"__type": code, "message": msg}}
}

// fakeCloudTrail is a loopback server that speaks the AWS JSON 1.1 protocol of CloudTrail:
// it routes on X-Amz-Target and answers with what the test's handler returns.
type fakeCloudTrail struct {
	t       testing.TB
	prefix  string                               // the X-Amz-Target prefix of the service
	handle  func(c fakeCall, n int) fakeResponse // n: how many calls of c.Op came before
	mu      sync.Mutex
	calls   []fakeCall
	opCount map[string]int
	srv     *httptest.Server
}

var credentialRegion = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([^/]+)/[a-z]+/aws4_request`)

func newFakeCloudTrail(t testing.TB, handle func(c fakeCall, n int) fakeResponse) *fakeCloudTrail {
	return newFakeAWS(t, targetPrefix, handle)
}

// newFakeAWS returns a fake of the AWS JSON 1.1 service whose X-Amz-Target values start
// with prefix.
func newFakeAWS(t testing.TB, prefix string, handle func(c fakeCall, n int) fakeResponse) *fakeCloudTrail {
	f := &fakeCloudTrail{t: t, prefix: prefix, handle: handle, opCount: map[string]int{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeCloudTrail) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || !strings.HasPrefix(target, f.prefix) {
		http.Error(w, "unexpected request "+r.Method+" "+target, http.StatusBadRequest)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		http.Error(w, "unexpected content type "+ct, http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(r.Body)
	c := fakeCall{Op: strings.TrimPrefix(target, f.prefix), Body: map[string]any{}}
	if err := json.Unmarshal(body, &c.Body); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if m := credentialRegion.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		c.Region = m[1]
	}
	f.mu.Lock()
	n := f.opCount[c.Op]
	f.opCount[c.Op]++
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	resp := f.handle(c, n)
	out, err := json.Marshal(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// As AWS answers: a Content-Length and exactly the JSON document.
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.Header().Set("X-Amzn-RequestId", fmt.Sprintf("req-%d", n))
	w.WriteHeader(resp.Status)
	if resp.Stall {
		_, _ = w.Write(out[:len(out)/2])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		return
	}
	_, _ = w.Write(out)
}

// Calls returns the calls of op received so far (all calls when op is "").
func (f *fakeCloudTrail) Calls(op string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if op == "" || c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

// client returns a real SDK CloudTrail client for the fake server, with a retryer that
// makes up to attempts attempts and waits only a millisecond between them.
func (f *fakeCloudTrail) client(attempts int) *ctapi.Client {
	return ctapi.New(ctapi.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(f.srv.URL),
		Credentials:  testCredentials,
		HTTPClient:   f.srv.Client(),
		Retryer:      fastRetryer(attempts),
	})
}

var testCredentials = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")

// fastRetryer makes up to attempts attempts and waits only a millisecond between them.
func fastRetryer(attempts int) aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = attempts
		o.RateLimiter = ratelimit.None
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
	})
}

// ctEvent returns the CloudTrailEvent JSON of a test event.
func ctEvent(id string, t time.Time, source, name string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice"},"eventTime":%q,"eventSource":%q,"eventName":%q,"awsRegion":"us-east-1","eventID":%q,"size":1e5}`,
		t.UTC().Format(time.RFC3339), source, name, id)
}

// lookupEvent is one element of a LookupEvents response.
func lookupEvent(id string, t time.Time, cloudTrailEvent *string) map[string]any {
	ev := map[string]any{"EventId": id, "EventName": "X", "EventTime": float64(t.Unix())}
	if cloudTrailEvent != nil {
		ev["CloudTrailEvent"] = *cloudTrailEvent
	}
	return ev
}

// lockedWriter makes a writer safe for the source's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func testLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(&lockedWriter{w: w}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
