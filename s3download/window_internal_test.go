package s3download

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// expand returns the day prefixes that targets stand for, generated level by level as the
// walk does.
func expand(targets []target) []string {
	var out []string
	for _, t := range targets {
		if t.level == levelDay {
			out = append(out, t.fixed)
			continue
		}
		var kids []target
		for c := range t.children {
			kids = append(kids, c)
		}
		out = append(out, expand(kids)...)
	}
	return out
}

// TestTargetChildren checks that the lazily generated day directories are exactly the
// day prefixes of DayPrefixes, across month, year and leap-day boundaries.
func TestTargetChildren(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	layout := Layout{Prefixes: []string{"", "p"}, OrgIDs: []string{"o-1"}, AccountIDs: []string{"111111111111", "222222222222"}, Regions: []string{"us-east-1", "eu-west-1"}}
	tests := []struct {
		name     string
		from, to string
	}{
		{"one day", "2017-01-01T10:00:00Z", "2017-01-01T11:00:00Z"},
		{"across midnight in a zone", "2017-01-02T03:00:00+09:00", "2017-01-02T15:00:00+09:00"},
		{"across a month", "2017-01-30T00:00:00Z", "2017-02-02T00:00:00Z"},
		{"across a year", "2016-12-30T00:00:00Z", "2017-01-02T00:00:00Z"},
		{"a leap February", "2016-02-27T00:00:00Z", "2016-03-01T23:59:59Z"},
		{"several years", "2013-11-01T00:00:00Z", "2016-03-05T00:00:00Z"},
		{"to before from", "2017-01-02T00:00:00Z", "2017-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := at(tt.from), at(tt.to)
			var targets []target
			if !to.Before(from) {
				for dir := range layout.dirs {
					targets = append(targets, target{fixed: dir, level: levelYears, first: midnight(from), last: midnight(to)})
				}
			}
			got := expand(targets)
			slices.Sort(got)
			if diff := cmp.Diff(layout.DayPrefixes(from, to), got); diff != "" {
				t.Errorf("day prefixes (-DayPrefixes +lazy):\n%s", diff)
			}
		})
	}
}
