package source

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// collect reads a whole sequence: the records' event names and raw bytes, and the errors.
type collected struct {
	names []string
	raws  []string
	errs  []error
}

func collect(seq func(func(trailscraper.Record, error) bool)) collected {
	var c collected
	for r, err := range seq {
		if err != nil {
			c.errs = append(c.errs, err)
			continue
		}
		c.names = append(c.names, r.EventName)
		c.raws = append(c.raws, string(r.Raw))
	}
	return c
}

func TestCloudTrailPagination(t *testing.T) {
	pages := [][]string{{"e3", "e2"}, {"e1"}, {"e0"}}
	f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
		if c.Op != opLookupEvents {
			return awsError("UnsupportedOperationException", c.Op)
		}
		page := 0
		if tok, _ := c.Body["NextToken"].(string); tok != "" {
			fmt.Sscanf(tok, "page-%d", &page)
		}
		var evs []any
		for _, id := range pages[page] {
			i := int(id[1] - '0')
			s := ctEvent(id, t0.Add(time.Duration(i)*time.Minute), "s3.amazonaws.com", "Call"+id)
			evs = append(evs, lookupEvent(id, t0, &s))
		}
		body := map[string]any{"Events": evs}
		if page+1 < len(pages) {
			body["NextToken"] = fmt.Sprintf("page-%d", page+1)
		}
		return ok(body)
	})
	src := NewCloudTrail(f.client(3), WithRequestRate(0))
	from, to := t0.Add(-time.Hour), t0.Add(time.Hour)
	got := collect(src.Records(context.Background(), from, to))
	if len(got.errs) > 0 {
		t.Fatalf("errors: %v", got.errs)
	}
	if diff := cmp.Diff([]string{"Calle3", "Calle2", "Calle1", "Calle0"}, got.names); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if want := ctEvent("e3", t0.Add(3*time.Minute), "s3.amazonaws.com", "Calle3"); got.raws[0] != want {
		t.Errorf("Raw = %s, want the CloudTrailEvent unchanged: %s", got.raws[0], want)
	}
	calls := f.Calls(opLookupEvents)
	if len(calls) != 3 {
		t.Fatalf("%d LookupEvents calls, want 3", len(calls))
	}
	for i, c := range calls {
		if c.Body["StartTime"] != float64(from.Unix()) || c.Body["EndTime"] != float64(to.Unix()) {
			t.Errorf("call %d: StartTime, EndTime = %v, %v, want %d, %d", i, c.Body["StartTime"], c.Body["EndTime"], from.Unix(), to.Unix())
		}
		wantTok := ""
		if i > 0 {
			wantTok = fmt.Sprintf("page-%d", i)
		}
		if tok, _ := c.Body["NextToken"].(string); tok != wantTok {
			t.Errorf("call %d: NextToken = %q, want %q", i, tok, wantTok)
		}
		if _, ok := c.Body["LookupAttributes"]; ok {
			t.Errorf("call %d: LookupAttributes sent without a filter", i)
		}
	}
}

func TestCloudTrailThrottling(t *testing.T) {
	tests := []struct {
		name      string
		attempts  int // of the SDK retryer
		throttled int // calls answered with ThrottlingException first
	}{
		{"retried by the SDK retryer", 5, 3},
		{"retried by the source after the SDK gives up", 1, 3},
		{"both", 2, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
				if n < tt.throttled {
					return awsError("ThrottlingException", "Rate exceeded")
				}
				s := ctEvent("e1", t0, "s3.amazonaws.com", "GetObject")
				return ok(map[string]any{"Events": []any{lookupEvent("e1", t0, &s)}})
			})
			var log strings.Builder
			src := NewCloudTrail(f.client(tt.attempts), WithRequestRate(0), WithLogger(testLogger(&log)))
			got := collect(src.Records(context.Background(), time.Time{}, time.Time{}))
			if len(got.errs) > 0 {
				t.Fatalf("errors: %v", got.errs)
			}
			if diff := cmp.Diff([]string{"GetObject"}, got.names); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if n := len(f.Calls(opLookupEvents)); n != tt.throttled+1 {
				t.Errorf("%d calls, want %d", n, tt.throttled+1)
			}
		})
	}
}

func TestCloudTrailBadEvents(t *testing.T) {
	good := ctEvent("good", t0, "s3.amazonaws.com", "GetObject")
	bad := []struct{ id, event string }{
		{"truncated", `{"eventName": "Get`},
		{"array", `[1, 2]`},
		{"wrong-type", `{"eventName": 5}`},
		{"bad-time", `{"eventName": "X", "eventTime": "yesterday"}`},
	}
	f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
		evs := []any{lookupEvent("missing", t0, nil)}
		for _, b := range bad {
			evs = append(evs, lookupEvent(b.id, t0, &b.event))
		}
		evs = append(evs, lookupEvent("good", t0, &good))
		return ok(map[string]any{"Events": evs})
	})
	src := NewCloudTrail(f.client(1), WithRequestRate(0), WithRegions("eu-west-1"))
	got := collect(src.Records(context.Background(), time.Time{}, time.Time{}))
	// A field of the wrong type is ignored, not the record (cloudtrail.Record.Ignored).
	if diff := cmp.Diff([]string{"", "X", "GetObject"}, got.names); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	wantIDs := []string{"missing", "truncated", "array"}
	if len(got.errs) != len(wantIDs) {
		t.Fatalf("errors = %v, want one for each of %v", got.errs, wantIDs)
	}
	for i, err := range got.errs {
		var re *trailscraper.RecordError
		if !errors.As(err, &re) {
			t.Errorf("error %d = %v (%T), want a *RecordError", i, err, err)
			continue
		}
		if want := "LookupEvents eu-west-1 event " + wantIDs[i]; re.Source != want {
			t.Errorf("error %d: Source = %q, want %q", i, re.Source, want)
		}
	}
}

func TestCloudTrailRegions(t *testing.T) {
	// Each region has its own events; the source merges them newest first.
	events := map[string][]time.Duration{
		"us-east-1":  {50, 30, 10},
		"eu-west-1":  {40, 30, 20},
		"ap-south-1": {},
	}
	f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
		offs, known := events[c.Region]
		if !known {
			return awsError("UnrecognizedClientException", "unknown region "+c.Region)
		}
		page := 0
		if tok, _ := c.Body["NextToken"].(string); tok == "next" {
			page = 1
		}
		var evs []any
		for i, off := range offs {
			if i/2 != page {
				continue
			}
			id := fmt.Sprintf("%s-%d", c.Region, off)
			s := ctEvent(id, t0.Add(off*time.Minute), "s3.amazonaws.com", id)
			evs = append(evs, lookupEvent(id, t0, &s))
		}
		body := map[string]any{"Events": evs}
		if page == 0 && len(offs) > 2 {
			body["NextToken"] = "next"
		}
		return ok(body)
	})
	cases := []struct {
		name    string
		par     int
		regions []string
	}{
		{"parallelism 0", 0, []string{"us-east-1", "eu-west-1", "ap-south-1"}},
		{"parallelism 1", 1, []string{"us-east-1", "eu-west-1", "ap-south-1"}},
		{"a region given twice is queried once", 0, []string{"us-east-1", "eu-west-1", "us-east-1", "ap-south-1", "eu-west-1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var progress atomic.Int64
			src := NewCloudTrail(f.client(1), WithRequestRate(0), WithParallelism(tc.par),
				WithRegions(tc.regions...),
				WithProgress(func(Progress) { progress.Add(1) }))
			got := collect(src.Records(context.Background(), time.Time{}, time.Time{}))
			if len(got.errs) > 0 {
				t.Fatalf("errors: %v", got.errs)
			}
			want := []string{"us-east-1-50", "eu-west-1-40", "us-east-1-30", "eu-west-1-30", "eu-west-1-20", "us-east-1-10"}
			if diff := cmp.Diff(want, got.names); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if progress.Load() == 0 {
				t.Error("no progress reported")
			}
		})
	}
}

func TestCloudTrailFatalError(t *testing.T) {
	f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
		if c.Region == "eu-west-1" {
			return awsError("InvalidTimeRangeException", "Start time must be before end time")
		}
		s := ctEvent("e1", t0, "s3.amazonaws.com", "GetObject")
		return ok(map[string]any{"Events": []any{lookupEvent("e1", t0, &s)}, "NextToken": "more"})
	})
	src := NewCloudTrail(f.client(3), WithRequestRate(0), WithRegions("us-east-1", "eu-west-1"))
	var last error
	n := 0
	for _, err := range src.Records(context.Background(), time.Time{}, time.Time{}) {
		if last != nil {
			t.Fatalf("the sequence went on after the error %v", last)
		}
		if err != nil {
			last = err
		}
		if n++; n > 10000 {
			t.Fatal("the sequence does not end")
		}
	}
	if last == nil || !strings.Contains(last.Error(), "LookupEvents eu-west-1") || !strings.Contains(last.Error(), "InvalidTimeRangeException") {
		t.Errorf("last error = %v, want the eu-west-1 InvalidTimeRangeException", last)
	}
}

func TestCloudTrailCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
		if n == 2 {
			cancel()
		}
		s := ctEvent(fmt.Sprint(n), t0, "s3.amazonaws.com", "GetObject")
		return ok(map[string]any{"Events": []any{lookupEvent(fmt.Sprint(n), t0, &s)}, "NextToken": fmt.Sprint("more-", n)})
	})
	src := NewCloudTrail(f.client(1), WithRequestRate(0))
	got := collect(src.Records(ctx, time.Time{}, time.Time{}))
	if len(got.errs) != 1 || !errors.Is(got.errs[0], context.Canceled) {
		t.Errorf("errors = %v, want context.Canceled", got.errs)
	}
}

func TestCloudTrailStopEarly(t *testing.T) {
	f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
		s := ctEvent(fmt.Sprint(n), t0, "s3.amazonaws.com", "GetObject")
		return ok(map[string]any{"Events": []any{lookupEvent(fmt.Sprint(n), t0, &s)}, "NextToken": fmt.Sprint("more-", n)})
	})
	src := NewCloudTrail(f.client(1), WithRequestRate(0), WithRegions("us-east-1", "eu-west-1"))
	n := 0
	for _, err := range src.Records(context.Background(), time.Time{}, time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 5 {
			break
		}
	}
	// Records waits for its goroutines before it returns: once requests that were in
	// flight have reached the server, no more come.
	time.Sleep(20 * time.Millisecond)
	before := len(f.Calls(""))
	time.Sleep(30 * time.Millisecond)
	if after := len(f.Calls("")); after != before {
		t.Errorf("%d calls after the loop stopped", after-before)
	}
}

func TestCloudTrailRequestRate(t *testing.T) {
	f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
		body := map[string]any{"Events": []any{}}
		if n < 3 {
			body["NextToken"] = fmt.Sprint("more-", n)
		}
		return ok(body)
	})
	src := NewCloudTrail(f.client(1), WithRequestRate(50)) // 20 ms apart
	start := time.Now()
	collect(src.Records(context.Background(), time.Time{}, time.Time{}))
	if el := time.Since(start); el < 55*time.Millisecond {
		t.Errorf("4 calls at 50 a second took %v, want at least 60ms", el)
	}
}

func TestLookupAttribute(t *testing.T) {
	tests := []struct {
		name      string
		f         *cloudtrail.Filter
		key, want string
	}{
		{"no filter", nil, "", ""},
		{"empty filter", &cloudtrail.Filter{}, "", ""},
		{"one event source", &cloudtrail.Filter{EventSources: []string{"s3.amazonaws.com"}}, "EventSource", "s3.amazonaws.com"},
		{"event source wins", &cloudtrail.Filter{EventSources: []string{"s3.amazonaws.com"}, Principals: []string{"alice"}}, "EventSource", "s3.amazonaws.com"},
		{"two event sources", &cloudtrail.Filter{EventSources: []string{"a", "b"}}, "", ""},
		{"wildcard event source", &cloudtrail.Filter{EventSources: []string{"s3*"}}, "", ""},
		{"user name", &cloudtrail.Filter{Principals: []string{"alice"}}, "Username", "alice"},
		{"wildcard principal", &cloudtrail.Filter{Principals: []string{"ali*"}}, "", ""},
		{"ARN principal", &cloudtrail.Filter{Principals: []string{"arn:aws:iam::1:user/alice"}}, "", ""},
		{"two principals", &cloudtrail.Filter{Principals: []string{"alice", "bob"}}, "", ""},
		{"assumed role too", &cloudtrail.Filter{Principals: []string{"alice"}, AssumedRoleARNs: []string{"arn:aws:iam::1:role/r"}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := lookupAttribute(tt.f)
			var key, val string
			if a != nil {
				key, val = string(a.AttributeKey), *a.AttributeValue
			}
			if key != tt.key || val != tt.want {
				t.Errorf("lookupAttribute = %q=%q, want %q=%q", key, val, tt.key, tt.want)
			}
		})
	}
}

func TestCloudTrailPushdown(t *testing.T) {
	f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
		return ok(map[string]any{"Events": []any{}})
	})
	filter := cloudtrail.Filter{EventSources: []string{"iam.amazonaws.com"}}
	src := NewCloudTrail(f.client(1), WithRequestRate(0), WithFilter(filter))
	collect(src.Records(context.Background(), time.Time{}, time.Time{}))
	calls := f.Calls(opLookupEvents)
	if len(calls) != 1 {
		t.Fatalf("%d calls, want 1", len(calls))
	}
	want := []any{map[string]any{"AttributeKey": "EventSource", "AttributeValue": "iam.amazonaws.com"}}
	if diff := cmp.Diff(want, calls[0].Body["LookupAttributes"]); diff != "" {
		t.Errorf("LookupAttributes (-want +got):\n%s", diff)
	}
}

func TestCloudTrailFilterLocally(t *testing.T) {
	events := []string{
		ctEvent("s3", t0, "s3.amazonaws.com", "GetObject"),
		ctEvent("iam", t0, "iam.amazonaws.com", "ListRoles"),
		ctEvent("ec2", t0, "ec2.amazonaws.com", "DescribeInstances"),
		strings.Replace(ctEvent("s3-failed", t0, "s3.amazonaws.com", "PutObject"), `"eventID"`, `"errorCode":"AccessDenied","eventID"`, 1),
		ctEvent("late", t0.Add(2*time.Hour), "s3.amazonaws.com", "DeleteObject"),
	}
	f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
		var evs []any
		for i := range events {
			evs = append(evs, lookupEvent(fmt.Sprint(i), t0, &events[i]))
		}
		return ok(map[string]any{"Events": evs})
	})
	filter := cloudtrail.Filter{
		To:           t0.Add(time.Hour),
		EventSources: []string{"s3.amazonaws.com", "iam.*"},
		Errors:       cloudtrail.ErrorsExclude,
	}
	src := NewCloudTrail(f.client(1), WithRequestRate(0), WithFilter(filter))
	got := collect(src.Records(context.Background(), time.Time{}, time.Time{}))
	if diff := cmp.Diff([]string{"GetObject", "ListRoles"}, got.names); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	calls := f.Calls(opLookupEvents)
	if _, pushed := calls[0].Body["LookupAttributes"]; pushed {
		t.Error("two event sources were pushed down as a lookup attribute")
	}
	if calls[0].Body["EndTime"] != float64(t0.Add(time.Hour).Unix()) {
		t.Errorf("EndTime = %v, want the filter's To", calls[0].Body["EndTime"])
	}
}
