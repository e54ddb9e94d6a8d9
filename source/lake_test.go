package source

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/trailscraper/trailscraper/internal/testfiles"

	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	testfiles.Golden(t, name, []byte(got))
}

const testStore = "EXAMPLEf852-4e8f-8bd1-bcf6cEXAMPLE"

// lakeRow is a result row as GetQueryResults returns it: one single-entry map per column.
func lakeRow(cols ...string) []any {
	var row []any
	for i := 0; i+1 < len(cols); i += 2 {
		row = append(row, map[string]any{cols[i]: cols[i+1]})
	}
	return row
}

// lakeServer answers StartQuery with query "q-1", DescribeQuery with the statuses in turn
// (the last one repeats), and GetQueryResults with the pages in turn.
func lakeServer(t testing.TB, statuses []string, failMsg string, pages [][]any) *fakeCloudTrail {
	return newFakeCloudTrail(t, lakeHandler(statuses, failMsg, pages))
}

// lakeHandler is the handler of lakeServer.
func lakeHandler(statuses []string, failMsg string, pages [][]any) func(c fakeCall, n int) fakeResponse {
	return func(c fakeCall, n int) fakeResponse {
		switch c.Op {
		case opStartQuery:
			return ok(map[string]any{"QueryId": "q-1"})
		case opDescribeQuery:
			s := statuses[min(n, len(statuses)-1)]
			body := map[string]any{"QueryId": "q-1", "QueryStatus": s}
			if failMsg != "" && (s == "FAILED" || s == "TIMED_OUT" || s == "CANCELLED") {
				body["ErrorMessage"] = failMsg
			}
			return ok(body)
		case opGetResults:
			page := 0
			if tok, _ := c.Body["NextToken"].(string); tok != "" {
				page = int(tok[len(tok)-1] - '0')
			}
			body := map[string]any{"QueryStatus": "FINISHED", "QueryResultRows": pages[page]}
			if page+1 < len(pages) {
				body["NextToken"] = "token-" + string(rune('0'+page+1))
			}
			return ok(body)
		case opCancelQuery:
			return ok(map[string]any{"QueryId": "q-1", "QueryStatus": "CANCELLED"})
		}
		return awsError("UnsupportedOperationException", c.Op)
	}
}

func TestLakeRecords(t *testing.T) {
	rows := [][]any{
		{
			lakeRow("eventversion", "1.08", "uitype", "AssumedRole", "uiprincipalid", "AROA:s", "uiarn", "arn:aws:sts::111122223333:assumed-role/deploy/s",
				"uiaccountid", "111122223333", "sitype", "Role", "siarn", "arn:aws:iam::111122223333:role/deploy", "siusername", "deploy",
				"eventtime", "2026-03-01 12:00:00.000", "eventsource", "iam.amazonaws.com", "eventname", "PassRole&<Check>",
				"awsregion", "us-east-1", "requestparameters", `{"roleName":"r","policy":"{\"Version\":\"2012-10-17\"}","count":"5"}`,
				"eventid", "ev-1", "readonly", "false", "resources", `[{"accountid":"111122223333","type":"AWS::IAM::Role","arn":"arn:aws:iam::111122223333:role/r","arnprefix":null}]`,
				"eventtype", "AwsApiCall", "recipientaccountid", "111122223333"),
			// The same event stored twice.
			lakeRow("eventtime", "2026-03-01 12:00:00.000", "eventsource", "iam.amazonaws.com", "eventname", "Dup", "eventid", "ev-1"),
		},
		{
			lakeRow("eventtime", "not a time", "eventid", "ev-2", "eventname", "Bad"),
			lakeRow("eventtime", "2026-03-01T12:00:01.5Z", "eventsource", "s3.amazonaws.com", "eventname", "GetObject", "errorcode", "AccessDenied",
				"uitype", "IAMUser", "uiusername", "alice", "requestparameters", "null", "resources", "null", "eventid", "ev-3"),
			lakeRow("eventtime", "2026-03-01 12:00:02", "eventid", "ev-4", "eventname", "BadParams", "requestparameters", `["x"]`),
		},
	}
	f := lakeServer(t, []string{"QUEUED", "RUNNING", "FINISHED"}, "", rows)
	var states []string
	l, err := NewLake(f.client(1), "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/"+testStore,
		WithPollInterval(time.Millisecond), WithProgress(func(p Progress) { states = append(states, p.State) }))
	if err != nil {
		t.Fatal(err)
	}
	from, to := t0.Add(-time.Hour), t0.Add(time.Hour)
	got := collect(l.Records(context.Background(), from, to))
	if diff := cmp.Diff([]string{"PassRole&<Check>", "GetObject"}, got.names); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	golden(t, "lake_records.golden", strings.Join(got.raws, "\n")+"\n")
	if len(got.errs) != 2 {
		t.Fatalf("errors = %v, want 2", got.errs)
	}
	for i, want := range []string{"Lake query q-1 event ev-2", "Lake query q-1 event ev-4"} {
		var re *trailscraper.RecordError
		if !errors.As(got.errs[i], &re) || re.Source != want {
			t.Errorf("error %d = %v, want a *RecordError from %q", i, got.errs[i], want)
		}
	}
	sql, err := l.Query(from, to)
	if err != nil {
		t.Fatal(err)
	}
	starts := f.Calls(opStartQuery)
	if len(starts) != 1 || starts[0].Body["QueryStatement"] != sql {
		t.Errorf("StartQuery calls = %v, want one with %q", starts, sql)
	}
	if n := len(f.Calls(opDescribeQuery)); n != 3 {
		t.Errorf("%d DescribeQuery calls, want 3", n)
	}
	gets := f.Calls(opGetResults)
	if len(gets) != 2 || gets[0].Body["QueryId"] != "q-1" || gets[1].Body["NextToken"] != "token-1" {
		t.Errorf("GetQueryResults calls = %v, want two pages of q-1", gets)
	}
	if n := len(f.Calls(opCancelQuery)); n != 0 {
		t.Errorf("%d CancelQuery calls for a query that finished", n)
	}
	if diff := cmp.Diff([]string{"QUEUED", "RUNNING", "FINISHED", "reading results", "reading results", "done"}, states); diff != "" {
		t.Errorf("progress states (-want +got):\n%s", diff)
	}
	// The rebuilt records parse to what the filters and the policy need.
	var first trailscraper.Record
	for r, err := range l.Records(context.Background(), from, to) {
		if err == nil {
			first = r
			break
		}
	}
	want := trailscraper.UserIdentity{Type: "AssumedRole", PrincipalID: "AROA:s", ARN: "arn:aws:sts::111122223333:assumed-role/deploy/s",
		AccountID: "111122223333", SessionIssuerARN: "arn:aws:iam::111122223333:role/deploy"}
	if diff := cmp.Diff(want, first.UserIdentity); diff != "" {
		t.Errorf("UserIdentity (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"arn:aws:iam::111122223333:role/r"}, first.ResourceARNs); diff != "" {
		t.Errorf("ResourceARNs (-want +got):\n%s", diff)
	}
}

func TestLakeQueryEnds(t *testing.T) {
	tests := []struct {
		name     string
		statuses []string
		msg      string
		want     string
	}{
		{"failed", []string{"RUNNING", "FAILED"}, "Query failed: line 1:8: Column 'x' cannot be resolved", "CloudTrail Lake query q-1 failed: Query failed: line 1:8: Column 'x' cannot be resolved"},
		{"timed out", []string{"TIMED_OUT"}, "", "CloudTrail Lake query q-1 timed out"},
		{"cancelled", []string{"QUEUED", "CANCELLED"}, "", "CloudTrail Lake query q-1 cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := lakeServer(t, tt.statuses, tt.msg, nil)
			l, err := NewLake(f.client(1), testStore, WithPollInterval(time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			got := collect(l.Records(context.Background(), t0, t0.Add(time.Hour)))
			if len(got.names) != 0 || len(got.errs) != 1 {
				t.Fatalf("got %v and errors %v, want one error", got.names, got.errs)
			}
			var qe *QueryError
			if !errors.As(got.errs[0], &qe) || got.errs[0].Error() != tt.want {
				t.Errorf("error = %v, want a *QueryError %q", got.errs[0], tt.want)
			}
		})
	}
}

func TestLakeServiceErrors(t *testing.T) {
	tests := []struct {
		name   string
		failOp string
		code   string
		want   string
	}{
		{"start", opStartQuery, "EventDataStoreNotFoundException", "starting the CloudTrail Lake query"},
		{"describe", opDescribeQuery, "QueryIdNotFoundException", "CloudTrail Lake query q-1"},
		{"results", opGetResults, "InvalidParameterException", "reading the results of CloudTrail Lake query q-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := lakeServer(t, []string{"FINISHED"}, "", [][]any{{}})
			f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
				if c.Op == tt.failOp {
					return awsError(tt.code, "no")
				}
				return inner.handle(c, n)
			})
			l, _ := NewLake(f.client(1), testStore, WithPollInterval(time.Millisecond))
			got := collect(l.Records(context.Background(), t0, t0.Add(time.Hour)))
			if len(got.errs) != 1 || !strings.Contains(got.errs[0].Error(), tt.want) || !strings.Contains(got.errs[0].Error(), tt.code) {
				t.Errorf("errors = %v, want one with %q and %q", got.errs, tt.want, tt.code)
			}
		})
	}
}

func TestLakeThrottled(t *testing.T) {
	inner := lakeServer(t, []string{"RUNNING", "FINISHED"}, "", [][]any{{lakeRow("eventtime", "2026-03-01 12:00:00", "eventname", "A", "eventid", "1")}})
	f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
		if n < 2 {
			return awsError("ThrottlingException", "Rate exceeded")
		}
		return inner.handle(c, n-2)
	})
	l, _ := NewLake(f.client(5), testStore, WithPollInterval(time.Millisecond))
	got := collect(l.Records(context.Background(), t0, t0.Add(time.Hour)))
	if len(got.errs) != 0 || len(got.names) != 1 {
		t.Errorf("got %v, errors %v; want one record", got.names, got.errs)
	}
}

func TestLakeCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inner := lakeServer(t, []string{"RUNNING"}, "", nil)
	f := newFakeCloudTrail(t, func(c fakeCall, n int) fakeResponse {
		if c.Op == opDescribeQuery && n == 1 {
			cancel() // Ctrl-C while the query runs
		}
		return inner.handle(c, n)
	})
	l, _ := NewLake(f.client(1), testStore, WithPollInterval(time.Millisecond))
	got := collect(l.Records(ctx, t0, t0.Add(time.Hour)))
	if len(got.errs) != 1 || !errors.Is(got.errs[0], context.Canceled) {
		t.Errorf("errors = %v, want context.Canceled", got.errs)
	}
	cancels := f.Calls(opCancelQuery)
	if len(cancels) != 1 || cancels[0].Body["QueryId"] != "q-1" {
		t.Errorf("CancelQuery calls = %v, want one for q-1", cancels)
	}
}

func TestParseEventDataStore(t *testing.T) {
	tests := []struct {
		name, in string
		want     EventDataStore
		wantErr  bool
	}{
		{"ID", testStore, EventDataStore{ID: testStore}, false},
		{"ARN", "arn:aws:cloudtrail:eu-west-1:111122223333:eventdatastore/" + testStore, EventDataStore{ID: testStore, Region: "eu-west-1", AccountID: "111122223333"}, false},
		{"GovCloud ARN", "arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:eventdatastore/abc", EventDataStore{ID: "abc", Region: "us-gov-west-1", AccountID: "111122223333"}, false},
		{"empty", "", EventDataStore{}, true},
		{"SQL", "x; DROP TABLE y", EventDataStore{}, true},
		{"comment", "abc--", EventDataStore{}, true},
		{"double hyphen", "abc--def", EventDataStore{}, true},
		{"space", "abc def", EventDataStore{}, true},
		{"quote", "abc'", EventDataStore{}, true},
		{"leading hyphen", "-abc", EventDataStore{}, true},
		{"ARN with bad ID", "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/a b", EventDataStore{}, true},
		{"other resource", "arn:aws:cloudtrail:us-east-1:111122223333:trail/abc", EventDataStore{}, true},
		{"too long", strings.Repeat("a", 129), EventDataStore{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEventDataStore(tt.in)
			if tt.wantErr {
				if err == nil || !errors.Is(err, ErrEventDataStore) {
					t.Errorf("ParseEventDataStore(%q) = %v, %v; want ErrEventDataStore", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseEventDataStore(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestLakeFilterLocally(t *testing.T) {
	rows := [][]any{{
		lakeRow("eventtime", "2026-03-01 12:00:00", "eventsource", "s3.amazonaws.com", "eventname", "GetObject", "eventid", "1", "uiarn", "arn:aws:iam::1:user/alice"),
		lakeRow("eventtime", "2026-03-01 12:00:00", "eventsource", "s3.amazonaws.com", "eventname", "Other", "eventid", "2", "uiarn", "arn:aws:iam::1:user/bob"),
		lakeRow("eventtime", "2026-03-01 14:00:00", "eventsource", "s3.amazonaws.com", "eventname", "Late", "eventid", "3", "uiarn", "arn:aws:iam::1:user/alice"),
	}}
	f := lakeServer(t, []string{"FINISHED"}, "", rows)
	filter := cloudtrail.Filter{Principals: []string{"arn:aws:iam::1:user/al*"}}
	l, _ := NewLake(f.client(1), testStore, WithPollInterval(time.Millisecond), WithFilter(filter))
	got := collect(l.Records(context.Background(), t0, t0.Add(time.Hour)))
	if diff := cmp.Diff([]string{"GetObject"}, got.names); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestLakeResourcesJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"Trino objects", `[{"accountid":"1","type":"AWS::S3::Object","arn":"arn:aws:s3:::b/k","arnprefix":null}]`, `[{"accountId":"1","type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k"}]`, false},
		{"prefix", `[{"accountid":null,"type":"AWS::S3::Bucket","arn":null,"arnprefix":"arn:aws:s3:::b/p"}]`, `[{"type":"AWS::S3::Bucket","ARNPrefix":"arn:aws:s3:::b/p"}]`, false},
		{"arrays in schema order", `[["1","AWS::IAM::Role","arn:aws:iam::1:role/r",null]]`, `[{"accountId":"1","type":"AWS::IAM::Role","ARN":"arn:aws:iam::1:role/r"}]`, false},
		{"empty", `[]`, `[]`, false},
		{"two", `[{"arn":"a"},{"ARN":"b"}]`, `[{"ARN":"a"},{"ARN":"b"}]`, false},
		{"not an array", `{"arn":"a"}`, "", true},
		{"numbers", `[{"arn":5}]`, "", true},
		{"too long an array", `[["a","b","c","d","e"]]`, "", true},
		{"not JSON", `[{`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lakeResourcesJSON(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Errorf("lakeResourcesJSON(%s) = %s, want an error", tt.in, got)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("lakeResourcesJSON(%s) = %s, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestLakeGroups(t *testing.T) {
	rows := [][]any{{
		lakeRow("eventsource", "s3.amazonaws.com", "eventname", "GetObject", "uitype", "IAMUser", "uiarn", "arn:aws:iam::1:user/a",
			"requestparametersjson", `{"bucketName":"b","key":"k"}`, "eventcount", "7",
			"firsttime", "2026-03-01 12:00:00.000", "lasttime", "2026-03-01 13:00:00.000"),
		lakeRow("eventsource", "s3.amazonaws.com", "eventname", "GetObject", "eventcount", "x",
			"firsttime", "2026-03-01 12:00:00.000", "lasttime", "2026-03-01 13:00:00.000"),
	}}
	f := lakeServer(t, []string{"FINISHED"}, "", rows)
	l, err := NewLake(f.client(1), testStore, WithPollInterval(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	var got []trailscraper.Record
	var errs []string
	for r, err := range l.Groups(t.Context(), t0, t0.Add(2*time.Hour)) {
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		got = append(got, r)
	}
	if len(got) != 1 || got[0].Count != 7 || !got[0].EventTime.Equal(t0) || !got[0].LastTime.Equal(t0.Add(time.Hour)) ||
		string(got[0].RequestParameters) != `{"bucketName":"b","key":"k"}` {
		t.Errorf("groups %+v", got)
	}
	if want := []string{"Lake query q-1: record 1: eventcount \"x\" is not a positive count"}; !cmp.Equal(want, errs) {
		t.Errorf("errors %q, want %q", errs, want)
	}
	q := f.Calls(opStartQuery)[0].Body["QueryStatement"].(string)
	if !strings.Contains(q, "GROUP BY") || !strings.Contains(q, "count(*) AS eventcount") {
		t.Errorf("query:\n%s", q)
	}
}

func TestLakeGroupQuery(t *testing.T) {
	l, err := NewLake(nil, testStore, WithFilter(cloudtrail.Filter{EventSources: []string{"s3.amazonaws.com"}}))
	if err != nil {
		t.Fatal(err)
	}
	sql, err := l.GroupQuery(t0, t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "lake_group_query.golden", sql+"\n")
	for _, h := range hostile {
		checkLiterals(t, cloudtrail.Filter{Principals: []string{h}, EventSources: []string{h}},
			func(f *cloudtrail.Filter) (string, error) { return buildLakeSQL(testStore, f, true) })
	}
}
