package source

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/cloudtrail"
)

const testTable = "cloudtrail_db.cloudtrail_logs"

// columnNames are the result names of cols.
func columnNames(cols []sqlColumn) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.name
	}
	return out
}

// rowOf returns a result row of the rows query with the given columns set; the others are
// NULL.
func rowOf(cols []string, kv ...string) []*string {
	row := make([]*string, len(cols))
	for i := 0; i+1 < len(kv); i += 2 {
		found := false
		for j, c := range cols {
			if c == kv[i] {
				v := kv[i+1]
				row[j] = &v
				found = true
			}
		}
		if !found {
			panic("no column " + kv[i])
		}
	}
	return row
}

func TestAthenaRecords(t *testing.T) {
	cols := columnNames(athenaRowColumns)
	fa := &fakeAthena{
		states:   []string{"QUEUED", "RUNNING", "QUEUED", "RUNNING", "SUCCEEDED"},
		scanned:  3 << 30,
		columns:  cols,
		pageSize: 2,
		rows: [][]*string{
			rowOf(cols, "eventversion", "1.08", "uitype", "AssumedRole", "uiarn", "arn:aws:sts::111122223333:assumed-role/deploy/s",
				"uiaccountid", "111122223333", "sitype", "Role", "siarn", "arn:aws:iam::111122223333:role/deploy",
				"eventtime", "2026-03-01T12:00:00Z", "eventsource", "iam.amazonaws.com", "eventname", "PassRole",
				"awsregion", "us-east-1", "requestparameters", `{"roleName":"r", "policy":"{\"V\":1}"}`,
				"responseelements", `{"role":{"arn":"arn:aws:iam::111122223333:role/r"}}`,
				"eventid", "ev-1", "readonly", "false",
				"resourcesjson", `[{"arn":"arn:aws:iam::111122223333:role/r","accountid":"111122223333","type":"AWS::IAM::Role"}]`,
				"eventtype", "AwsApiCall", "recipientaccountid", "111122223333"),
			// The same event stored twice comes once.
			rowOf(cols, "eventtime", "2026-03-01T12:00:00Z", "eventid", "ev-1", "eventsource", "iam.amazonaws.com", "eventname", "PassRole"),
			// Every other column NULL.
			rowOf(cols, "eventtime", "2026-03-01T12:00:01Z", "eventsource", "s3.amazonaws.com", "eventname", "ListBuckets", "eventid", "ev-2"),
			rowOf(cols, "eventtime", "not a time", "eventid", "ev-3"),
			rowOf(cols, "eventtime", "2026-03-01T12:00:02Z", "eventsource", "sts.amazonaws.com", "eventname", "GetCallerIdentity", "eventid", "ev-4",
				"requestparameters", "null"),
		},
	}
	f, client := fa.serve(t)
	var progress []Progress
	src, err := NewAthena(client, "MyCatalog.CloudTrail_DB.Logs",
		WithWorkGroup("wg"), WithOutputLocation("s3://results/x/"),
		WithPollInterval(time.Millisecond), WithPartitionScheme(PartitionTimestamp),
		WithProgress(func(p Progress) { progress = append(progress, p) }))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var errs []string
	for r, err := range src.Records(t.Context(), t0, t0.Add(time.Hour)) {
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		got = append(got, string(r.Raw))
	}
	want := []string{
		`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/deploy/s","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/deploy"}}},"eventTime":"2026-03-01T12:00:00Z","eventSource":"iam.amazonaws.com","eventName":"PassRole","awsRegion":"us-east-1","requestParameters":{"roleName":"r","policy":"{\"V\":1}"},"responseElements":{"role":{"arn":"arn:aws:iam::111122223333:role/r"}},"eventID":"ev-1","readOnly":false,"resources":[{"ARN":"arn:aws:iam::111122223333:role/r","accountId":"111122223333","type":"AWS::IAM::Role"}],"eventType":"AwsApiCall","recipientAccountId":"111122223333"}`,
		`{"eventTime":"2026-03-01T12:00:01Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventID":"ev-2"}`,
		`{"eventTime":"2026-03-01T12:00:02Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","eventID":"ev-4"}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`Athena query qe-1 event ev-3: record 3: eventtime "not a time" is not a timestamp`}, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	start := f.Calls(opStartExecution)
	if len(start) != 1 {
		t.Fatalf("%d StartQueryExecution calls, want 1", len(start))
	}
	in := start[0].Body
	if diff := cmp.Diff(map[string]any{"Catalog": "MyCatalog", "Database": "cloudtrail_db"}, in["QueryExecutionContext"]); diff != "" {
		t.Errorf("execution context (-want +got):\n%s", diff)
	}
	if in["WorkGroup"] != "wg" || fmt.Sprint(in["ResultConfiguration"]) != "map[OutputLocation:s3://results/x/]" {
		t.Errorf("work group %v, result configuration %v", in["WorkGroup"], in["ResultConfiguration"])
	}
	if q := in["QueryString"].(string); !strings.Contains(q, `FROM "cloudtrail_db"."logs"`) || !strings.Contains(q, `"timestamp" <= '2026/03/02'`) {
		t.Errorf("query:\n%s", q)
	}
	if n := len(f.Calls(opGetExecution)); n != 5 {
		t.Errorf("%d GetQueryExecution calls, want 5", n)
	}
	if n := len(f.Calls(opGetAthenaResult)); n != 3 {
		t.Errorf("%d GetQueryResults calls, want 3 (2 rows a page)", n)
	}
	if n := len(f.Calls(opTableMetadata)); n != 0 {
		t.Errorf("%d GetTableMetadata calls with the scheme set, want 0", n)
	}
	last := progress[len(progress)-1]
	if last.State != "done" || last.DataScanned != 3<<30 || last.Records != 5 || last.Source != "Athena query qe-1" {
		t.Errorf("last progress %+v", last)
	}
}

func TestAthenaGroups(t *testing.T) {
	cols := append(columnNames(athenaGroupColumns), colCount, colFirstTime, colLastTime)
	fa := &fakeAthena{
		states:  []string{"SUCCEEDED"},
		columns: cols,
		rows: [][]*string{
			rowOf(cols, "eventsource", "s3.amazonaws.com", "eventname", "GetObject", "uitype", "IAMUser", "uiarn", "arn:aws:iam::1:user/a",
				"requestparameters", `{"bucketName":"b","key":"k"}`, "eventcount", "42",
				"firsttime", "2026-03-01T12:00:00Z", "lasttime", "2026-03-01T12:30:00Z"),
			rowOf(cols, "eventsource", "s3.amazonaws.com", "eventname", "GetObject", "eventcount", "0", "firsttime", "2026-03-01T12:00:00Z", "lasttime", "2026-03-01T12:00:00Z"),
			rowOf(cols, "eventsource", "s3.amazonaws.com", "eventname", "GetObject", "eventcount", "1", "firsttime", "2026-03-01T12:00:00Z", "lasttime", "x"),
			rowOf(cols, "eventsource", "s3.amazonaws.com", "eventname", "ListBuckets", "uiarn", "arn:aws:iam::1:user/b", "eventcount", "1", "firsttime", "2026-03-01T12:00:00Z", "lasttime", "2026-03-01T12:00:00Z"),
		},
	}
	_, client := fa.serve(t)
	src, err := NewAthena(client, testTable, WithPollInterval(time.Millisecond), WithPartitionScheme(PartitionNone),
		WithFilter(cloudtrail.Filter{Principals: []string{"*user/a"}}))
	if err != nil {
		t.Fatal(err)
	}
	var got []trailscraper.Record
	var errs []string
	for r, err := range src.Groups(t.Context(), time.Time{}, time.Time{}) {
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		got = append(got, r)
	}
	if len(got) != 1 || got[0].Count != 42 || !got[0].EventTime.Equal(t0) || !got[0].LastTime.Equal(t0.Add(30*time.Minute)) ||
		got[0].EventName != "GetObject" || string(got[0].RequestParameters) != `{"bucketName":"b","key":"k"}` {
		t.Errorf("groups %+v", got)
	}
	wantErrs := []string{
		`Athena query qe-1: record 1: eventcount "0" is not a positive count`,
		`Athena query qe-1: record 2: lasttime: eventtime "x" is not a timestamp`,
	}
	if diff := cmp.Diff(wantErrs, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestAthenaQueryEnds(t *testing.T) {
	tests := []struct {
		name, state, reason, want string
	}{
		{"failed", "FAILED", "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved", "Athena query qe-1 failed: SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved"},
		{"cancelled", "CANCELLED", "", "Athena query qe-1 cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := &fakeAthena{states: []string{"QUEUED", "RUNNING", tt.state}, reason: tt.reason}
			f, client := fa.serve(t)
			src, err := NewAthena(client, testTable, WithPollInterval(time.Millisecond), WithPartitionScheme(PartitionNone))
			if err != nil {
				t.Fatal(err)
			}
			var errs []error
			for _, err := range src.Records(t.Context(), time.Time{}, time.Time{}) {
				errs = append(errs, err)
			}
			var qe *QueryError
			if len(errs) != 1 || !errors.As(errs[0], &qe) || qe.Error() != tt.want {
				t.Fatalf("errors %v, want one *QueryError %q", errs, tt.want)
			}
			if n := len(f.Calls(opGetAthenaResult)); n != 0 {
				t.Errorf("%d GetQueryResults calls after %s", n, tt.state)
			}
		})
	}
}

func TestAthenaCancel(t *testing.T) {
	fa := &fakeAthena{states: []string{"QUEUED", "RUNNING"}}
	f, client := fa.serve(t)
	ctx, cancel := context.WithCancel(t.Context())
	src, err := NewAthena(client, testTable, WithPollInterval(time.Millisecond), WithPartitionScheme(PartitionNone),
		WithProgress(func(p Progress) {
			if p.Calls >= 3 {
				cancel()
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	for _, err := range src.Records(ctx, time.Time{}, time.Time{}) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Fatalf("errors %v, want context.Canceled", errs)
	}
	if n := len(f.Calls(opStopExecution)); n != 1 {
		t.Errorf("%d StopQueryExecution calls, want 1", n)
	}
}

func TestAthenaThrottled(t *testing.T) {
	cols := columnNames(athenaRowColumns)
	fa := &fakeAthena{
		states:        []string{"RUNNING", "SUCCEEDED"},
		columns:       cols,
		rows:          [][]*string{rowOf(cols, "eventtime", "2026-03-01T12:00:00Z", "eventid", "e", "eventsource", "s3.amazonaws.com", "eventname", "ListBuckets")},
		partitionKeys: []string{"region", "year", "month", "day"},
		throttle:      map[string]int{opTableMetadata: 2, opStartExecution: 3, opGetExecution: 2, opGetAthenaResult: 4},
	}
	f, client := fa.serve(t)
	src, err := NewAthena(client, testTable, WithPollInterval(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range src.Records(t.Context(), t0, t0) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d records, want 1", n)
	}
	if got := len(f.Calls(opStartExecution)); got != 4 {
		t.Errorf("%d StartQueryExecution calls, want 4", got)
	}
	if q := f.Calls(opStartExecution)[3].Body["QueryString"].(string); !strings.Contains(q, `"year" >= '2026'`) {
		t.Errorf("query without year-month-day partition predicates:\n%s", q)
	}
	if got := len(f.Calls(opGetAthenaResult)); got != 5 {
		t.Errorf("%d GetQueryResults calls, want 5", got)
	}
}

func TestAthenaRepeatedToken(t *testing.T) {
	cols := columnNames(athenaRowColumns)
	var rows [][]*string
	for i := range 5 {
		rows = append(rows, rowOf(cols, "eventtime", "2026-03-01T12:00:00Z", "eventid", fmt.Sprint(i), "eventsource", "s3.amazonaws.com", "eventname", "ListBuckets"))
	}
	fa := &fakeAthena{states: []string{"SUCCEEDED"}, columns: cols, rows: rows, pageSize: 1, repeatToken: true}
	f, client := fa.serve(t)
	src, err := NewAthena(client, testTable, WithPollInterval(time.Millisecond), WithPartitionScheme(PartitionNone))
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	n := 0
	for _, err := range src.Records(t.Context(), time.Time{}, time.Time{}) {
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		n++
	}
	if want := []string{`reading the results of Athena query qe-1: after 2 pages: ` + ErrRepeatedToken.Error()}; !cmp.Equal(want, errs) {
		t.Errorf("errors %q, want %q", errs, want)
	}
	if calls := len(f.Calls(opGetAthenaResult)); calls != 2 || n != 2 {
		t.Errorf("%d GetQueryResults calls and %d records, want 2 and 2", calls, n)
	}
}

func TestAthenaPartitionDetection(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string
		params map[string]string
		want   PartitionScheme
	}{
		{"classic", []string{"region", "year", "month", "day"}, nil, PartitionYearMonthDay},
		{"projection", []string{"timestamp"}, map[string]string{"projection.enabled": "true", "projection.timestamp.format": "yyyy/MM/dd"}, PartitionTimestamp},
		{"organisation projection", []string{"account", "region", "timestamp"}, nil, PartitionTimestamp},
		{"organisation classic", []string{"account", "region", "year", "month", "day"}, nil, PartitionYearMonthDay},
		{"hourly projection", []string{"timestamp"}, map[string]string{"projection.timestamp.format": "yyyy/MM/dd/HH"}, PartitionNone},
		{"unpartitioned", nil, nil, PartitionNone},
		{"other", []string{"dt"}, nil, PartitionNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa := &fakeAthena{partitionKeys: tt.keys, parameters: tt.params}
			f, client := fa.serve(t)
			src, err := NewAthena(client, "c.d.t", WithWorkGroup("wg"))
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				got, err := src.PartitionScheme(t.Context())
				if err != nil || got != tt.want {
					t.Fatalf("PartitionScheme = %v, %v; want %v", got, err, tt.want)
				}
			}
			calls := f.Calls(opTableMetadata)
			if len(calls) != 1 {
				t.Fatalf("%d GetTableMetadata calls, want 1", len(calls))
			}
			want := map[string]any{"CatalogName": "c", "DatabaseName": "d", "TableName": "t", "WorkGroup": "wg"}
			if diff := cmp.Diff(want, calls[0].Body); diff != "" {
				t.Errorf("GetTableMetadata input (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAthenaMetadataError(t *testing.T) {
	f := newFakeAWS(t, athenaPrefix, func(c fakeCall, n int) fakeResponse {
		return awsError("MetadataException", "table not found")
	})
	src, err := NewAthena((&fakeAthena{}).client(f), testTable)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range src.Records(t.Context(), time.Time{}, time.Time{}) {
		if err == nil || !strings.Contains(err.Error(), "reading the partition keys of table AwsDataCatalog.cloudtrail_db.cloudtrail_logs") || !strings.Contains(err.Error(), "table not found") {
			t.Errorf("error %v", err)
		}
	}
}

func TestAthenaWithoutClient(t *testing.T) {
	src, err := NewAthena(nil, testTable)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Query(t.Context(), time.Time{}, time.Time{}); err == nil || !strings.Contains(err.Error(), "WithPartitionScheme") {
		t.Errorf("Query without a client or a partition scheme: %v", err)
	}
}

func TestParseTable(t *testing.T) {
	tests := []struct {
		in      string
		want    Table
		wantErr bool
	}{
		{in: "db.t", want: Table{DefaultCatalog, "db", "t"}},
		{in: "Cat-1.DB.Logs_2", want: Table{"Cat-1", "db", "logs_2"}},
		{in: "t", wantErr: true},
		{in: "a.b.c.d", wantErr: true},
		{in: "db.", wantErr: true},
		{in: `db.t"x`, wantErr: true},
		{in: "db.t x", wantErr: true},
		{in: "db.t-x", wantErr: true},
		{in: "c'.db.t", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTable(tt.in)
			if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
				t.Fatalf("ParseTable(%q) = %+v, %v", tt.in, got, err)
			}
			if err != nil && !errors.Is(err, ErrTable) {
				t.Errorf("error %v is not ErrTable", err)
			}
		})
	}
}

func TestScanCost(t *testing.T) {
	for _, tt := range []struct {
		bytes int64
		want  float64
	}{
		{0, 10.0 / (1 << 20) * 5},
		{1 << 40, 5},
		{3 << 40, 15},
	} {
		if got := ScanCost(tt.bytes); got != tt.want {
			t.Errorf("ScanCost(%d) = %v, want %v", tt.bytes, got, tt.want)
		}
	}
}

func TestAthenaSQL(t *testing.T) {
	year := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		scheme   PartitionScheme
		grouped  bool
		from, to time.Time
		f        *cloudtrail.Filter
	}{
		{"no window, unpartitioned", PartitionNone, false, time.Time{}, time.Time{}, nil},
		{"rows, projection, window", PartitionTimestamp, false, t0.Add(500 * time.Millisecond), t0.Add(time.Hour + time.Nanosecond), nil},
		{"groups, classic, everything", PartitionYearMonthDay, true, t0, t0.Add(24 * time.Hour), &cloudtrail.Filter{
			AssumedRoleARNs: []string{"arn:aws:iam::111122223333:role/deploy", "arn:aws:iam::111122223333:role/o'brien"},
			Principals:      []string{"arn:aws:iam::111122223333:user/*", "alice_1"},
			EventSources:    []string{"s3.amazonaws.com", "ec2.*"},
			Errors:          cloudtrail.ErrorsExclude,
		}},
		{"groups, organisation projection, one year", PartitionTimestamp, true, year, year.AddDate(1, 0, 0).Add(-time.Second), nil},
		{"groups, organisation classic, one year", PartitionYearMonthDay, true, year, year.AddDate(1, 0, 0).Add(-time.Second), nil},
		{"open end", PartitionYearMonthDay, false, t0, time.Time{}, &cloudtrail.Filter{Errors: cloudtrail.ErrorsOnly}},
	}
	var out strings.Builder
	for _, tt := range tests {
		opts := []AthenaOption{WithPartitionScheme(tt.scheme)}
		if tt.f != nil {
			opts = append(opts, WithFilter(*tt.f))
		}
		src, err := NewAthena(nil, testTable, opts...)
		if err != nil {
			t.Fatal(err)
		}
		q := src.Query
		if tt.grouped {
			q = src.GroupQuery
		}
		sql, err := q(t.Context(), tt.from, tt.to)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		fmt.Fprintf(&out, "-- %s\n%s\n\n", tt.name, sql)
	}
	golden(t, "athena_query.golden", out.String())
}

func TestAthenaSQLEscaping(t *testing.T) {
	for _, h := range hostile {
		for _, grouped := range []bool{false, true} {
			checkLiterals(t, cloudtrail.Filter{AssumedRoleARNs: []string{h}, Principals: []string{h, "x*"}, EventSources: []string{h, h + "*"}},
				func(f *cloudtrail.Filter) (string, error) {
					return buildAthenaSQL(Table{DefaultCatalog, "db", "t"}, PartitionYearMonthDay, f, grouped)
				})
		}
	}
}

func FuzzAthenaSQL(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, h, h, uint8(1), true)
	}
	f.Add("arn:aws:iam::1:role/r", "alice*", "s3.amazonaws.com", uint8(0), false)
	f.Fuzz(func(t *testing.T, role, principal, source string, mode uint8, grouped bool) {
		checkLiterals(t, cloudtrail.Filter{
			AssumedRoleARNs: []string{role},
			Principals:      []string{principal, "x"},
			EventSources:    []string{source},
			Errors:          cloudtrail.ErrorMode(mode % 3),
		}, func(f *cloudtrail.Filter) (string, error) {
			return buildAthenaSQL(Table{DefaultCatalog, "db", "t"}, PartitionScheme(mode%3), f, grouped)
		})
	})
}

func FuzzParseTable(f *testing.F) {
	f.Add(testTable)
	f.Add(`c.d.t"; DROP TABLE x; --`)
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		tb, err := ParseTable(s)
		if err != nil {
			if !errors.Is(err, ErrTable) {
				t.Fatalf("ParseTable(%q) = %v, want ErrTable", s, err)
			}
			return
		}
		sql, err := buildAthenaSQL(tb, PartitionNone, &cloudtrail.Filter{}, false)
		if err != nil {
			t.Fatalf("accepted %q but cannot build a query: %v", s, err)
		}
		skel, lits, err := splitSQL(sql)
		if err != nil || !strings.Contains(skel, "\nFROM \""+tb.Database+"\".\""+tb.Name+"\"\nORDER BY") || len(lits) != 0 {
			t.Fatalf("the table %q changed the query (%v):\n%s", s, err, sql)
		}
	})
}

func FuzzAthenaRow(f *testing.F) {
	f.Add("2026-03-01T12:00:00Z", `{"a":"{\"b\":1}"}`, `{"x":[1]}`, `[{"arn":"x"}]`, "3")
	f.Add("x", `{`, `[`, `[`, "-1")
	f.Add("2026-03-01T12:00:00Z", `null`, `"s"`, `null`, "")
	cols := append(columnNames(athenaGroupColumns), colCount, colFirstTime, colLastTime)
	f.Fuzz(func(t *testing.T, eventTime, params, response, resources, count string) {
		r := athenaReader{columns: cols, grouped: true}
		var row types.Row
		for _, c := range rowOf(cols, "firsttime", eventTime, "lasttime", eventTime, "requestparameters", params,
			"responseelements", response, "resourcesjson", resources, "eventcount", count, "eventname", "X") {
			row.Data = append(row.Data, types.Datum{VarCharValue: c})
		}
		rec, _, err := r.record(row)
		if err != nil {
			return
		}
		if rec.Count < 1 {
			t.Fatalf("count %d", rec.Count)
		}
		if _, err := cloudtrail.ParseRecord(rec.Raw); err != nil {
			t.Fatalf("rebuilt record %s does not parse: %v", rec.Raw, err)
		}
	})
}
