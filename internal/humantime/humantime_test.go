package humantime

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	now := time.Date(2017, 12, 11, 15, 4, 51, 0, time.UTC)
	nowBerlin := now.In(berlin)
	tests := []struct {
		name string
		in   string
		now  time.Time
		want time.Time
	}{
		{"now", "now", now, now},
		{"now upper case and spaces", "  NOW ", now, now},
		{"today keeps the time of day", "today", now, now},
		{"yesterday keeps the time of day", "yesterday", now, now.AddDate(0, 0, -1)},
		{"digits ago", "2 hours ago", now, now.Add(-2 * time.Hour)},
		{"word ago", "one hour ago", now, now.Add(-time.Hour)},
		{"two days ago", "two days ago", now, now.AddDate(0, 0, -2)},
		{"an hour ago", "an hour ago", now, now.Add(-time.Hour)},
		{"1 week ago", "1 week ago", now, now.AddDate(0, 0, -7)},
		{"twelve minutes ago", "twelve minutes ago", now, now.Add(-12 * time.Minute)},
		{"months ago is calendar arithmetic", "13 months ago", now, time.Date(2016, 11, 11, 15, 4, 51, 0, time.UTC)},
		{"years ago", "2 years ago", now, now.AddDate(-2, 0, 0)},
		{"seconds ago no space", "30seconds ago", now, now.Add(-30 * time.Second)},
		{"-1days", "-1days", now, now.AddDate(0, 0, -1)},
		{"-2h", "-2h", now, now.Add(-2 * time.Hour)},
		{"- 3 weeks", "- 3 weeks", now, now.AddDate(0, 0, -21)},
		{"+30m", "+30m", now, now.Add(30 * time.Minute)},
		{"in 10 minutes", "in 10 minutes", now, now.Add(10 * time.Minute)},
		{"date is local midnight", "2017-01-01", now, time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"date in now's zone", "2017-01-01", nowBerlin, time.Date(2017, 1, 1, 0, 0, 0, 0, berlin)},
		{"date-time without zone is local", "2017-01-01T10:00:00", nowBerlin, time.Date(2017, 1, 1, 10, 0, 0, 0, berlin)},
		{"date-time with space", "2017-01-01 10:00", nowBerlin, time.Date(2017, 1, 1, 10, 0, 0, 0, berlin)},
		{"date-time minutes T", "2017-01-01T10:00", now, time.Date(2017, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"RFC 3339 Z", "2017-01-01T10:00:00Z", nowBerlin, time.Date(2017, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"RFC 3339 fraction", "2017-12-11T15:04:51.123Z", now, time.Date(2017, 12, 11, 15, 4, 51, 123000000, time.UTC)},
		{"RFC 3339 offset", "2017-01-01T10:00:00+02:00", now, time.Date(2017, 1, 1, 8, 0, 0, 0, time.UTC)},
		{"offset without colon", "2017-01-01T10:00:00+0200", now, time.Date(2017, 1, 1, 8, 0, 0, 0, time.UTC)},
		{"last-event-timestamp output", "2017-12-11 15:04:51+00:00", nowBerlin, now},
		{"local fraction", "2017-12-11 15:04:51.5", now, time.Date(2017, 12, 11, 15, 4, 51, 500000000, time.UTC)},
		{"file name timestamp", "20171211T1505Z", nowBerlin, time.Date(2017, 12, 11, 15, 5, 0, 0, time.UTC)},
		{"last week via when", "last week", now, now.AddDate(0, 0, -7)},
		{"tomorrow via when", "tomorrow", now, now.AddDate(0, 0, 1)},
		{"last night via when", "last night", now, time.Date(2017, 12, 10, 23, 4, 51, 0, time.UTC)},
		{"past year", "past year", now, now.AddDate(-1, 0, 0)},
		{"5pm via when", "5pm", now, time.Date(2017, 12, 11, 17, 0, 0, 0, time.UTC)},
		// Dates as the original's parser (Python dateparser) took them: midnight.
		{"Mon D YYYY", "Dec 11 2017", now, time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)},
		{"D Mon YYYY", "11 Dec 2017", now, time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)},
		{"Month D, YYYY", "December 11, 2017", now, time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)},
		{"month name any case", "DECEMBER 11 2017", now, time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)},
		{"D Month YYYY local", "1 March 2017", nowBerlin, time.Date(2017, 3, 1, 0, 0, 0, 0, berlin)},
		{"weekday and date", "Mon Dec 11 2017", now, time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)},
		{"month name with time", "Dec 11 2017 10:30", now, time.Date(2017, 12, 11, 10, 30, 0, 0, time.UTC)},
		{"YYYY/MM/DD", "2017/12/11", now, time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)},
		{"YYYY/M/D", "2017/1/2", now, time.Date(2017, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"YYYY.MM.DD", "2017.12.11", now, time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)},
		{"MM/DD/YYYY is month first", "12/11/2017", now, time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)},
		{"MM/DD/YYYY other way round", "11/12/2017", now, time.Date(2017, 11, 12, 0, 0, 0, 0, time.UTC)},
		{"MM/DD/YYYY with seconds", "12/11/2017 10:00:05", now, time.Date(2017, 12, 11, 10, 0, 5, 0, time.UTC)},
		{"month and day is now's year", "Dec 1", now, time.Date(2017, 12, 1, 0, 0, 0, 0, time.UTC)},
		{"day and month is now's year", "1 march", nowBerlin, time.Date(2017, 3, 1, 0, 0, 0, 0, berlin)},
		{"midnight", "midnight", now, time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)},
		{"midnight local", "Midnight", nowBerlin, time.Date(2017, 12, 11, 0, 0, 0, 0, berlin)},
		{"noon", "noon", now, time.Date(2017, 12, 11, 12, 0, 0, 0, time.UTC)},
		{"next week", "next week", now, now.AddDate(0, 0, 7)},
		{"next day", "next day", now, now.AddDate(0, 0, 1)},
		{"epoch seconds", "1512950400", now, time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)},
		{"epoch seconds local", "1512950400", nowBerlin, time.Date(2017, 12, 11, 1, 0, 0, 0, berlin)},
		{"epoch milliseconds", "1512950400123", now, time.Date(2017, 12, 11, 0, 0, 0, 123000000, time.UTC)},
		{"epoch microseconds", "1512950400123456", now, time.Date(2017, 12, 11, 0, 0, 0, 123456000, time.UTC)},
		{"weekday via when is midnight", "last monday", now, time.Date(2017, 12, 4, 0, 0, 0, 0, time.UTC)},
		{"weekday with a time keeps it", "last monday 10am", now, time.Date(2017, 12, 4, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, tt.now)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if got.Location().String() != tt.want.Location().String() && tt.in != "2017-01-01T10:00:00Z" &&
				!strings.ContainsAny(tt.in[min(len(tt.in), 10):], "Z+") {
				t.Errorf("Parse(%q) location = %v, want %v", tt.in, got.Location(), tt.want.Location())
			}
		})
	}
}

func TestParseTimeErrors(t *testing.T) {
	now := time.Date(2017, 12, 11, 15, 4, 51, 0, time.UTC)
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty time"},
		{"blank", "   ", "empty time"},
		{"garbage", "banana", `cannot read "banana"`},
		{"month 13 is not today", "2017-13-01", "as a date or time"},
		{"day 32", "2017-01-32", "as a date or time"},
		{"date with text", "2017-01-01 foo", "as a date or time"},
		{"partial phrase", "now and then", `cannot read "now and then"`},
		{"phrase inside text", "meet me tomorrow please", "cannot read"},
		{"unknown unit", "3 fortnights ago", `unknown unit "fortnights"`},
		{"last unknown unit", "last fortnight", `cannot read "last fortnight"`},
		{"bare number", "2017", `cannot read "2017"`},
		{"unknown number word", "many days ago", `"many" is not a number`},
		{"too far", "9999999999 days ago", "too far away"},
		{"huge digits", "99999999999999999999999 days ago", "not a number"},
		{"too long", strings.Repeat("a", 300), "too long"},
		{"day first with dots", "11.12.2017", "write it year first"},
		{"dashes, year last", "11-12-2017", "write it year first"},
		{"two-digit year", "12/11/17", "write it year first"},
		{"month 13 month first", "13/11/2017", "write it year first"},
		{"slash month 13", "2017/13/01", "as a date or time"},
		{"nine digits are no epoch", "151295040", "cannot read"},
		{"next unknown unit", "next blue moon", "cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, now)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error containing %q", tt.in, got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Parse(%q) error has several lines: %q", tt.in, err)
			}
		})
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"now", "2 hours ago", "one day ago", "-1days", "-2h", "yesterday", "today",
		"2017-01-01", "2017-01-01T10:00:00Z", "2017-12-11 15:04:51+00:00", "2017-12-11T15:04:51.123Z",
		"last week", "in 10 minutes", "5pm", "2017-13-01", "tomorrow at 10:00",
		"Dec 11 2017", "11 Dec 2017", "December 11, 2017", "2017/12/11", "12/11/2017", "midnight",
		"next week", "1512950400", "1512950400123456", "Dec 11", "11.12.2017", "last monday"} {
		f.Add(s)
	}
	now := time.Date(2017, 12, 11, 15, 4, 51, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s, now)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Parse(%q) error has several lines: %q", s, err)
			}
			return
		}
		if got.IsZero() {
			t.Errorf("Parse(%q) = zero time without an error", s)
		}
	})
}
