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

// dateLayouts are the other dates Parse accepts, as Python's dateparser (the original
// tool's parser) read them: month names in any case, "/" dates year first or month first
// (12/11/2017 is December 11, as dateparser read it by default). Each may be followed by
// a time of day, "15:04" or "15:04:05"; without one it means midnight.
var dateLayouts = []string{
	"Jan 2 2006", "Jan 2, 2006", "January 2 2006", "January 2, 2006",
	"2 Jan 2006", "2 January 2006", "Mon Jan 2 2006", "Monday, January 2, 2006",
	"2006/1/2", "2006.1.2", "1/2/2006",
}

// yearlessLayouts are month-day dates without a year: the year is now's.
var yearlessLayouts = []string{"Jan 2", "January 2", "2 Jan", "2 January"}

// withTimes returns each layout alone and followed by a time of day.
func withTimes(layouts []string) []string {
	var out []string
	for _, l := range layouts {
		out = append(out, l, l+" 15:04", l+" 15:04:05")
	}
	return out
}

var (
	dateTimeLayouts     = withTimes(dateLayouts)
	yearlessTimeLayouts = withTimes(yearlessLayouts)
)

// relativeAgo matches "2 hours ago", "one day ago", "an hour ago"; relativeSigned matches
// "-1days", "-2h", "+30 minutes", "in 10 minutes".
var (
	relativeAgo    = regexp.MustCompile(`^(\d+|[a-z]+)\s*([a-z]+)\s+ago$`)
	relativeSigned = regexp.MustCompile(`^(-|\+|in\s+)\s*(\d+)\s*([a-z]+)$`)
	relativeLast   = regexp.MustCompile(`^(last|past|next) (second|minute|hour|day|week|month|year)$`)
	// epoch is Unix time in seconds, milliseconds or microseconds, as dateparser took it.
	epoch = regexp.MustCompile(`^\d{10}(\d{3})?(\d{3})?$`)
	// numericDate is a date of numbers that no layout read: ambiguous or impossible.
	numericDate = regexp.MustCompile(`^\d{1,4}[-/.]\d{1,4}[-/.]\d`)
	// dayName and timeOfDay tell a phrase that names a day ("monday", "dec 11") from one
	// that also names a time of day ("monday 10am"): the first means the day's midnight.
	dayName   = regexp.MustCompile(`\b(mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)`)
	timeOfDay = regexp.MustCompile(`\d\s*(am|pm|a\.m\.|p\.m\.)|\d:\d|\b(at|noon|midnight|morning|afternoon|evening|night|tonight)\b`)
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
//   - dates as people write them, as the original's parser (Python's dateparser) took
//     them: "Dec 11 2017", "11 Dec 2017", "December 11, 2017", "2017/12/11", "2017.12.11",
//     "12/11/2017" (month first, as dateparser read it: December 11), each optionally
//     followed by "15:04" or "15:04:05"; "Dec 11" and "11 December" are in now's year;
//     other numeric dates (11.12.2017, 12/11/17) are refused: write them year first;
//   - Unix time: 10 digits of seconds, 13 of milliseconds, 16 of microseconds;
//   - "midnight" and "noon" of today;
//   - "last week", "past day": one unit ago; "next week": one unit ahead;
//   - other English phrases that github.com/olebedev/when reads in full ("tomorrow",
//     "last monday", "5pm").
//
// A date without a time of day means its midnight, never now's time of day; only
// "today", "yesterday", "tomorrow" and relative times keep now's time of day.
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
	for _, layout := range dateTimeLayouts {
		if t, err := time.ParseInLocation(layout, lower, now.Location()); err == nil {
			return t, nil
		}
	}
	for _, layout := range yearlessTimeLayouts {
		if t, err := time.ParseInLocation(layout, lower, now.Location()); err == nil {
			return t.AddDate(now.Year()-t.Year(), 0, 0), nil
		}
	}
	if m := epoch.FindStringSubmatch(lower); m != nil {
		n, err := strconv.ParseInt(lower, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("cannot read %q as a time: %v", s, err)
		}
		switch {
		case m[2] != "":
			return time.UnixMicro(n).In(now.Location()), nil
		case m[1] != "":
			return time.UnixMilli(n).In(now.Location()), nil
		}
		return time.Unix(n, 0).In(now.Location()), nil
	}
	switch lower {
	case "now", "today":
		return now, nil
	case "yesterday":
		return now.AddDate(0, 0, -1), nil
	case "midnight", "today midnight", "midnight today":
		return midnight(now), nil
	case "noon", "today noon", "noon today":
		return midnight(now).Add(12 * time.Hour), nil
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
		n := -1
		if m[1] == "next" {
			n = 1
		}
		return shift(s, now, n, m[2])
	}
	if looksLikeDate(in) {
		// A date that failed the layouts above (month 13, a bad zone): never hand it to
		// when, which reads "2017-13-01" as some time today.
		return time.Time{}, fmt.Errorf("cannot read %q as a date or time; use e.g. 2017-01-01, 2017-01-01T10:00:00Z or 2017-01-01 10:00:00+02:00", s)
	}
	if numericDate.MatchString(lower) {
		// 11.12.2017, 11-12-2017, 12/11/17, 13/11/2017: which number is the month is
		// anyone's guess; when would read some of them day first.
		return time.Time{}, fmt.Errorf("cannot read %q as a date: write it year first, as 2017-12-11 (only month/day/year with slashes is read, month first: 12/11/2017 is December 11)", s)
	}
	if t, ok := parsePhrase(lower, now); ok {
		if dayName.MatchString(lower) && !timeOfDay.MatchString(lower) {
			t = midnight(t) // "monday", "dec 11": a day without a time of day starts at midnight
		}
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

// midnight returns the start of t's day in t's location.
func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
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
