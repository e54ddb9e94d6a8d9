// Package humantime reads the times people type on the command line ("2017-12-11",
// "2 hours ago", "yesterday") for the CLI's --from and --to flags. The library itself only
// takes time.Time values.
package humantime

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/olebedev/when"
	"github.com/olebedev/when/rules/common"
	"github.com/olebedev/when/rules/en"
)

// maxTimeInput bounds the length of a time given to [Parse]; nobody types more.
const maxTimeInput = 200

// absoluteLayouts are the absolute forms Parse accepts, tried in order. Layouts with
// seconds also accept a fraction ("15:04:05.123"), as time.Parse does.
var absoluteLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

// relativeAgo matches "2 hours ago", "one day ago", "an hour ago"; relativeSigned matches
// "-1days", "-2h", "+30 minutes", "in 10 minutes".
var (
	relativeAgo    = regexp.MustCompile(`^(\d+|[a-z]+)\s*([a-z]+)\s+ago$`)
	relativeSigned = regexp.MustCompile(`^(-|\+|in\s+)\s*(\d+)\s*([a-z]+)$`)
	relativeLast   = regexp.MustCompile(`^(?:last|past) (second|minute|hour|day|week|month|year)$`)
)

var numberWords = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

// whenParser parses the remaining English phrases ("tomorrow", "last night", "5pm").
var whenParser = sync.OnceValue(func() *when.Parser {
	p := when.New(nil)
	p.Add(en.All...)
	p.Add(common.All...)
	return p
})

// ParseTime parses a human time as the --from and --to flags take it, relative to now:
//
//   - "now", "today" and "yesterday" (both keep now's time of day, as the original tool did);
//   - "N <unit>s ago" with N in digits or words up to twelve ("2 hours ago", "one day ago",
//     "an hour ago"), units seconds, minutes, hours, days, weeks, months and years
//     (also abbreviated: s, sec, m, min, h, hr, d, w, mo, y);
//   - "-1days", "-2h", "+30m", "in 10 minutes";
//   - dates and date-times, with or without a zone: "2017-01-01", "2017-01-01 10:00",
//     "2017-01-01T10:00:00", "2017-01-01T10:00:00.123Z", "2017-01-01 10:00:00+02:00",
//     "20170101T1000Z" (UTC, as in log file names);
//   - "last week", "past day": one unit ago;
//   - other English phrases that github.com/olebedev/when reads in full ("last week").
//
// Times without a zone are in now's location. Matching is case-insensitive. The error says
// what was wrong with s.
func Parse(s string, now time.Time) (time.Time, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return time.Time{}, fmt.Errorf("empty time; use e.g. %q, %q or %q", "now", "2 hours ago", "2017-01-01")
	}
	if len(in) > maxTimeInput {
		return time.Time{}, fmt.Errorf("time is too long (%d bytes)", len(in))
	}
	// The timestamp of a CloudTrail log file name is UTC; its "Z" is a letter in Go's layout.
	if t, err := time.Parse("20060102T1504Z", in); err == nil {
		return t, nil
	}
	for _, layout := range absoluteLayouts {
		if t, err := time.ParseInLocation(layout, in, now.Location()); err == nil {
			return t, nil
		}
	}
	lower := strings.Join(strings.Fields(strings.ToLower(in)), " ")
	switch lower {
	case "now", "today":
		return now, nil
	case "yesterday":
		return now.AddDate(0, 0, -1), nil
	}
	if m := relativeAgo.FindStringSubmatch(lower); m != nil {
		n, ok := numberWords[m[1]]
		if !ok {
			var err error
			if n, err = strconv.Atoi(m[1]); err != nil {
				return time.Time{}, fmt.Errorf("cannot read %q as a time: %q is not a number", s, m[1])
			}
		}
		return shift(s, now, -n, m[2])
	}
	if m := relativeSigned.FindStringSubmatch(lower); m != nil {
		n, err := strconv.Atoi(m[2])
		if err != nil {
			return time.Time{}, fmt.Errorf("cannot read %q as a time: %q is not a number", s, m[2])
		}
		if m[1] == "-" {
			n = -n
		}
		return shift(s, now, n, m[3])
	}
	if m := relativeLast.FindStringSubmatch(lower); m != nil {
		return shift(s, now, -1, m[1])
	}
	if looksLikeDate(in) {
		// A date that failed the layouts above (month 13, a bad zone): never hand it to
		// when, which reads "2017-13-01" as some time today.
		return time.Time{}, fmt.Errorf("cannot read %q as a date or time; use e.g. 2017-01-01, 2017-01-01T10:00:00Z or 2017-01-01 10:00:00+02:00", s)
	}
	if t, ok := parsePhrase(lower, now); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time; use e.g. now, 2 hours ago, -1days, yesterday, 2017-01-01 or 2017-01-01T10:00:00Z", s)
}

// looksLikeDate reports whether s starts like a numeric date (four digits and a dash).
func looksLikeDate(s string) bool {
	if len(s) < 5 {
		return false
	}
	for _, c := range s[:4] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s[4] == '-' || s[4] == '/' || s[4] == '.'
}

// maxShift bounds relative times to what time.Time arithmetic handles without overflow.
const maxShift = 100000

// shift moves now by n units.
func shift(s string, now time.Time, n int, unit string) (time.Time, error) {
	if n > maxShift || n < -maxShift {
		return time.Time{}, fmt.Errorf("cannot read %q as a time: %d is too far away", s, n)
	}
	switch unit {
	case "s", "sec", "secs", "second", "seconds":
		return now.Add(time.Duration(n) * time.Second), nil
	case "m", "min", "mins", "minute", "minutes":
		return now.Add(time.Duration(n) * time.Minute), nil
	case "h", "hr", "hrs", "hour", "hours":
		return now.Add(time.Duration(n) * time.Hour), nil
	case "d", "day", "days":
		return now.AddDate(0, 0, n), nil
	case "w", "week", "weeks":
		return now.AddDate(0, 0, 7*n), nil
	case "mo", "month", "months":
		return now.AddDate(0, n, 0), nil
	case "y", "year", "years":
		return now.AddDate(n, 0, 0), nil
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time: unknown unit %q (use seconds, minutes, hours, days, weeks, months or years)", s, unit)
}

// parsePhrase hands s to olebedev/when and accepts the result only when the matched text
// is the whole input: when otherwise finds a time inside any text.
func parsePhrase(s string, now time.Time) (t time.Time, ok bool) {
	defer func() {
		// when is third-party code fed untrusted input: never let it crash the CLI.
		if recover() != nil {
			ok = false
		}
	}()
	r, err := whenParser().Parse(s, now)
	if err != nil || r == nil {
		return time.Time{}, false
	}
	if strings.TrimSpace(r.Text) != s {
		return time.Time{}, false
	}
	return r.Time, true
}
