package source

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper"
)

// awsTestTimeout bounds a test whose bug would be a source that never ends.
const awsTestTimeout = 20 * time.Second

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), awsTestTimeout)
	t.Cleanup(cancel)
	return ctx
}

// lookupPage answers a LookupEvents call with one event named name and the next token.
func lookupPage(name, next string) fakeResponse {
	s := ctEvent(name, t0, "s3.amazonaws.com", name)
	body := map[string]any{"Events": []any{lookupEvent(name, t0, &s)}}
	if next != "" {
		body["NextToken"] = next
	}
	return ok(body)
}

func TestRepeatedPageToken(t *testing.T) {
	tests := []struct {
		name   string
		handle func(c fakeCall, n int) fakeResponse
		lake   bool
	}{
		{"LookupEvents repeats its token", func(c fakeCall, n int) fakeResponse {
			return lookupPage(fmt.Sprintf("E%d", n), "same")
		}, false},
		{"LookupEvents cycles", func(c fakeCall, n int) fakeResponse {
			return lookupPage(fmt.Sprintf("E%d", n), []string{"a", "b", "c"}[n%3])
		}, false},
		{"Lake repeats its token", func(c fakeCall, n int) fakeResponse {
			if c.Op == opGetResults {
				return ok(map[string]any{"QueryStatus": "FINISHED", "NextToken": "same",
					"QueryResultRows": []any{lakeRow("eventtime", "2026-03-01 12:00:00", "eventname", "A", "eventid", fmt.Sprint(n))}})
			}
			return lakeHandler([]string{"FINISHED"}, "", nil)(c, n)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCloudTrail(t, tt.handle)
			var got collected
			if tt.lake {
				l, _ := NewLake(f.client(1), testStore, WithPollInterval(time.Millisecond))
				got = collect(l.Records(testCtx(t), t0, t0.Add(time.Hour)))
			} else {
				got = collect(NewCloudTrail(f.client(1), WithRequestRate(0)).Records(testCtx(t), time.Time{}, time.Time{}))
			}
			if len(got.errs) != 1 || !errors.Is(got.errs[0], ErrRepeatedToken) {
				t.Fatalf("errors = %v, want one wrapping ErrRepeatedToken", got.errs)
			}
			if n := len(f.Calls("")); n > 10 {
				t.Errorf("%d calls before giving up, want a few", n)
			}
		})
	}
}

// TestThrottlingNeverFails throttles most calls, many times in a row, against a client
// whose retryer allows 2 attempts: every call still succeeds in the end.
func TestThrottlingNeverFails(t *testing.T) {
	throttled := func(n int) bool { return n%5 != 4 } // 4 of every 5 calls
	t.Run("LookupEvents", func(t *testing.T) {
		f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
			if throttled(n) {
				return awsError("ThrottlingException", "Rate exceeded")
			}
			page := n / 5
			next := ""
			if page < 3 {
				next = fmt.Sprintf("page-%d", page+1)
			}
			return lookupPage(fmt.Sprintf("E%d", page), next)
		})
		got := collect(NewCloudTrail(f.client(2), WithRequestRate(0)).Records(testCtx(t), time.Time{}, time.Time{}))
		if len(got.errs) > 0 {
			t.Fatalf("errors: %v", got.errs)
		}
		if diff := cmp.Diff([]string{"E0", "E1", "E2", "E3"}, got.names); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
	})
	t.Run("Lake", func(t *testing.T) {
		pages := [][]any{}
		for i := range 3 {
			pages = append(pages, []any{lakeRow("eventtime", "2026-03-01 12:00:00", "eventname", fmt.Sprint("A", i), "eventid", fmt.Sprint(i))})
		}
		inner := lakeHandler([]string{"RUNNING", "FINISHED"}, "", pages)
		count := map[string]int{}
		f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
			if throttled(n) {
				return awsError("ThrottlingException", "Rate exceeded")
			}
			count[c.Op]++ // the fake serialises nothing; only one call runs at a time here
			return inner(c, count[c.Op]-1)
		})
		l, _ := NewLake(f.client(2), testStore, WithPollInterval(time.Millisecond))
		got := collect(l.Records(testCtx(t), t0, t0.Add(time.Hour)))
		if len(got.errs) > 0 {
			t.Fatalf("errors: %v", got.errs)
		}
		if diff := cmp.Diff([]string{"A0", "A1", "A2"}, got.names); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
	})
}

// TestStalledResponse has the server hang mid-body on the first attempt of a call: the
// attempt is abandoned after the call timeout and tried again.
func TestStalledResponse(t *testing.T) {
	t.Run("LookupEvents", func(t *testing.T) {
		f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
			resp := lookupPage("E0", "")
			resp.Stall = n == 0
			return resp
		})
		start := time.Now()
		got := collect(NewCloudTrail(f.client(3), WithRequestRate(0), WithCallTimeout(200*time.Millisecond)).Records(testCtx(t), time.Time{}, time.Time{}))
		if len(got.errs) > 0 || len(got.names) != 1 {
			t.Fatalf("got %v, errors %v; want one record", got.names, got.errs)
		}
		if n := len(f.Calls(opLookupEvents)); n != 2 {
			t.Errorf("%d calls, want 2", n)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %s", d)
		}
	})
	t.Run("Lake results", func(t *testing.T) {
		inner := lakeHandler([]string{"FINISHED"}, "", [][]any{{lakeRow("eventtime", "2026-03-01 12:00:00", "eventname", "A", "eventid", "1")}})
		f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
			resp := inner(c, n)
			resp.Stall = c.Op == opGetResults && n == 0
			return resp
		})
		l, _ := NewLake(f.client(3), testStore, WithPollInterval(time.Millisecond), WithCallTimeout(200*time.Millisecond))
		got := collect(l.Records(testCtx(t), t0, t0.Add(time.Hour)))
		if len(got.errs) > 0 || len(got.names) != 1 {
			t.Fatalf("got %v, errors %v; want one record", got.names, got.errs)
		}
	})
	t.Run("always stalls: an error after the retryer's attempts", func(t *testing.T) {
		f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
			resp := lookupPage("E0", "")
			resp.Stall = true
			return resp
		})
		got := collect(NewCloudTrail(f.client(2), WithRequestRate(0), WithCallTimeout(100*time.Millisecond)).Records(testCtx(t), time.Time{}, time.Time{}))
		if len(got.errs) != 1 || errors.Is(got.errs[0], context.DeadlineExceeded) {
			t.Fatalf("errors = %v, want one that is not the test's deadline", got.errs)
		}
		if n := len(f.Calls(opLookupEvents)); n != 2 {
			t.Errorf("%d calls, want 2", n)
		}
		t.Log(got.errs[0])
	})
}

// TestLakeRowsWithoutTime: a row without eventtime, and an empty row, are reported as
// record errors, not dropped.
func TestLakeRowsWithoutTime(t *testing.T) {
	rows := []any{
		lakeRow("eventtime", "2026-03-01 12:00:00", "eventname", "A", "eventid", "1"),
		lakeRow("eventname", "B", "eventid", "2"),
		[]any{},
		lakeRow("eventtime", "2026-03-01 12:00:01", "eventname", "C", "eventid", "4"),
	}
	f := lakeServer(t, []string{"FINISHED"}, "", [][]any{rows})
	l, _ := NewLake(f.client(1), testStore)
	got := collect(l.Records(testCtx(t), t0, t0.Add(time.Hour)))
	if diff := cmp.Diff([]string{"A", "C"}, got.names); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	var msgs []string
	for _, err := range got.errs {
		var re *trailscraper.RecordError
		if !errors.As(err, &re) {
			t.Errorf("error %v is not a *RecordError", err)
			continue
		}
		msgs = append(msgs, err.Error())
	}
	want := []string{"event 2", "has no eventtime", "record 3", "is empty"}
	if len(msgs) != 2 || !strings.Contains(msgs[0], want[0]) || !strings.Contains(msgs[0], want[1]) || !strings.Contains(msgs[1], want[3]) {
		t.Errorf("errors = %q, want two: the row without eventtime and the empty row", msgs)
	}
}

func TestParallelismCap(t *testing.T) {
	for _, n := range []int{-1, 0, 1, MaxParallelism, MaxParallelism + 1, 1_000_000} {
		got := newOptions([]DirOption{WithParallelism(n)}, DirOption.applyDir).parallelism
		if got > MaxParallelism || (n <= MaxParallelism && got != n) {
			t.Errorf("WithParallelism(%d) = %d, want at most %d", n, got, MaxParallelism)
		}
	}
}
