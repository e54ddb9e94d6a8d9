package source

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkLakeRowJSON measures rebuilding one record from a Lake result row.
func BenchmarkLakeRowJSON(b *testing.B) {
	row := []map[string]string{
		{"eventversion": "1.08"}, {"uitype": "AssumedRole"}, {"uiarn": "arn:aws:sts::111122223333:assumed-role/deploy/s"},
		{"siarn": "arn:aws:iam::111122223333:role/deploy"}, {"sitype": "Role"}, {"eventtime": "2026-03-01 12:00:00.000"},
		{"eventsource": "s3.amazonaws.com"}, {"eventname": "GetObject"}, {"awsregion": "us-east-1"},
		{"requestparameters": `{"bucketName":"b","key":"k","Host":"b.s3.amazonaws.com"}`}, {"eventid": "ev"},
		{"readonly": "true"}, {"resources": `[{"accountid":null,"type":"AWS::S3::Object","arn":"arn:aws:s3:::b/k","arnprefix":null}]`},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := lakeRowJSON(row); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLakeRecords measures reading a finished query's results through the SDK client
// and a loopback server: 10 pages of 1,000 rows.
func BenchmarkLakeRecords(b *testing.B) {
	page := make([]any, 1000)
	for i := range page {
		page[i] = lakeRow("eventtime", "2026-03-01 12:00:00.000", "eventsource", "s3.amazonaws.com", "eventname", "GetObject",
			"eventid", fmt.Sprint(i), "uitype", "IAMUser", "uiarn", "arn:aws:iam::111122223333:user/alice",
			"requestparameters", `{"bucketName":"b","key":"k"}`, "resources", `[{"accountid":null,"type":"AWS::S3::Object","arn":"arn:aws:s3:::b/k","arnprefix":null}]`)
	}
	pages := make([][]any, 10)
	for i := range pages {
		pages[i] = page
	}
	// A server of its own: cleanups of b run after each round of the benchmark.
	f := &fakeCloudTrail{t: b, handle: lakeHandler([]string{"FINISHED"}, "", pages), opCount: map[string]int{}}
	// Retries: the SDK can lose a connection to a fast loopback server mid-response
	// (aws/aws-sdk-go-v2#2737) and retries it.
	f.srv = httptest.NewServer(f)
	defer f.srv.Close()
	l, _ := NewLake(f.client(5), testStore, WithPollInterval(time.Millisecond))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range l.Records(context.Background(), time.Time{}, time.Time{}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 10000 {
			b.Fatalf("%d records, want 10000", n)
		}
	}
}
