package s3download_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper/s3download"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestDayPrefixes(t *testing.T) {
	one := s3download.Layout{AccountIDs: []string{"111111111111"}, Regions: []string{"us-east-1"}}
	p := func(day string) string { return "AWSLogs/111111111111/CloudTrail/us-east-1/" + day + "/" }
	tests := []struct {
		name     string
		layout   s3download.Layout
		from, to string
		want     []string
	}{
		{
			name:   "window across midnight UTC starting late in the day",
			layout: one, from: "2017-01-01T18:00:00Z", to: "2017-01-02T06:00:00Z",
			want: []string{p("2017/01/01"), p("2017/01/02")},
		},
		{
			name:   "within one day",
			layout: one, from: "2017-01-01T01:00:00Z", to: "2017-01-01T02:00:00Z",
			want: []string{p("2017/01/01")},
		},
		{
			name:   "from equals to",
			layout: one, from: "2017-01-01T23:59:59Z", to: "2017-01-01T23:59:59Z",
			want: []string{p("2017/01/01")},
		},
		{
			name:   "to exactly at midnight includes that day",
			layout: one, from: "2017-01-01T12:00:00Z", to: "2017-01-02T00:00:00Z",
			want: []string{p("2017/01/01"), p("2017/01/02")},
		},
		{
			name:   "from exactly at midnight",
			layout: one, from: "2017-01-02T00:00:00Z", to: "2017-01-02T10:00:00Z",
			want: []string{p("2017/01/02")},
		},
		{
			name: "zone east of UTC: local morning is the previous UTC day",
			// 2017-01-02 08:00 in +10:00 is 2017-01-01 22:00 UTC.
			layout: one, from: "2017-01-02T08:00:00+10:00", to: "2017-01-02T12:00:00+10:00",
			want: []string{p("2017/01/01"), p("2017/01/02")},
		},
		{
			name: "zone west of UTC: local evening is the next UTC day",
			// 2017-01-01 20:00 in -05:00 is 2017-01-02 01:00 UTC.
			layout: one, from: "2017-01-01T20:00:00-05:00", to: "2017-01-01T21:00:00-05:00",
			want: []string{p("2017/01/02")},
		},
		{
			name:   "from and to in different zones",
			layout: one, from: "2017-01-01T23:30:00-01:00", to: "2017-01-03T00:30:00+01:00",
			want: []string{p("2017/01/02")},
		},
		{
			name:   "across a month and a year",
			layout: one, from: "2016-12-30T12:00:00Z", to: "2017-01-01T01:00:00Z",
			want: []string{p("2016/12/30"), p("2016/12/31"), p("2017/01/01")},
		},
		{
			name:   "leap day",
			layout: one, from: "2016-02-28T12:00:00Z", to: "2016-03-01T01:00:00Z",
			want: []string{p("2016/02/28"), p("2016/02/29"), p("2016/03/01")},
		},
		{
			name:   "to before from",
			layout: one, from: "2017-01-02T00:00:00Z", to: "2017-01-01T00:00:00Z",
			want: nil,
		},
		{
			name: "organisation trail, two accounts, two regions, prefix without slash",
			layout: s3download.Layout{
				Prefixes:   []string{"org-trail"},
				OrgIDs:     []string{"o-abc123"},
				AccountIDs: []string{"222222222222", "111111111111"},
				Regions:    []string{"us-east-1", "eu-west-1"},
			},
			from: "2017-01-01T10:00:00Z", to: "2017-01-01T11:00:00Z",
			want: []string{
				"org-trail/AWSLogs/o-abc123/111111111111/CloudTrail/eu-west-1/2017/01/01/",
				"org-trail/AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2017/01/01/",
				"org-trail/AWSLogs/o-abc123/222222222222/CloudTrail/eu-west-1/2017/01/01/",
				"org-trail/AWSLogs/o-abc123/222222222222/CloudTrail/us-east-1/2017/01/01/",
			},
		},
		{
			name: "several prefixes, duplicates removed",
			layout: s3download.Layout{
				Prefixes:   []string{"a/", "b/trail/", "a"},
				AccountIDs: []string{"111111111111", "111111111111"},
				Regions:    []string{"us-east-1"},
			},
			from: "2017-01-01T10:00:00Z", to: "2017-01-01T11:00:00Z",
			want: []string{
				"a/AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/",
				"b/trail/AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/",
			},
		},
		{
			name:   "no accounts",
			layout: s3download.Layout{Regions: []string{"us-east-1"}},
			from:   "2017-01-01T10:00:00Z", to: "2017-01-01T11:00:00Z",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := mustTime(t, tt.from), mustTime(t, tt.to)
			got := tt.layout.DayPrefixes(from, to)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DayPrefixes(%s, %s) mismatch (-want +got):\n%s", tt.from, tt.to, diff)
			}
		})
	}
}

func TestDaysInLocation(t *testing.T) {
	// The same instants in any zone give the same UTC days.
	from := time.Date(2017, 1, 1, 18, 0, 0, 0, time.UTC)
	to := from.Add(12 * time.Hour)
	want := s3download.Days(from, to)
	for _, name := range []string{"America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Skipf("no zone data: %v", err)
		}
		got := s3download.Days(from.In(loc), to.In(loc))
		if !cmp.Equal(want, got) {
			t.Errorf("Days in %s = %v, want %v", name, got, want)
		}
	}
	if len(want) != 2 {
		t.Errorf("Days(%v, %v) = %v, want two days", from, to, want)
	}
}

func ExampleLayout_DayPrefixes() {
	l := s3download.Layout{AccountIDs: []string{"111111111111"}, Regions: []string{"eu-west-1"}}
	// From 18:00 UTC to 06:00 UTC the next morning: two UTC days.
	from := time.Date(2017, 1, 1, 18, 0, 0, 0, time.UTC)
	for _, p := range l.DayPrefixes(from, from.Add(12*time.Hour)) {
		fmt.Println(p)
	}
	// Output:
	// AWSLogs/111111111111/CloudTrail/eu-west-1/2017/01/01/
	// AWSLogs/111111111111/CloudTrail/eu-west-1/2017/01/02/
}
