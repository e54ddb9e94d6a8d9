package s3download

import (
	"cmp"
	"context"
	"fmt"
	"time"
)

// EarliestLogs is the first day of CloudTrail (it was launched in November 2013): no log
// file is older.
var EarliestLogs = time.Date(2013, 11, 1, 0, 0, 0, 0, time.UTC)

// MaxWindow is the longest window that [CheckWindow] accepts.
const MaxWindow = 30 * 365 * 24 * time.Hour

// CheckWindow reports whether [from, to] is a window worth downloading: it must not start
// before [EarliestLogs] nor be longer than [MaxWindow]. The error says which and is one
// line.
func CheckWindow(from, to time.Time) error {
	switch {
	case from.Before(EarliestLogs):
		return fmt.Errorf("the window starts %s, before CloudTrail existed (%s): no log file is that old; start it on %s or later",
			from.UTC().Format(time.DateOnly), EarliestLogs.Format("January 2006"), EarliestLogs.Format(time.DateOnly))
	case to.Sub(from) > MaxWindow:
		return fmt.Errorf("the window %s to %s is longer than %d years", from.UTC().Format(time.DateOnly), to.UTC().Format(time.DateOnly), MaxWindow/(365*24*time.Hour))
	}
	return nil
}

// DownloadWindow downloads the CloudTrail log files of every UTC day that overlaps [from,
// to] in the directories of layout, as Download does with layout.DayPrefixes(from, to), but
// without computing the day prefixes up front: the walk through the bucket generates each
// level (years, months, days) as it reaches it and lists only the years and months that
// exist. The window must pass [CheckWindow]. Nothing is downloaded when to is before from.
func (d *Downloader) DownloadWindow(ctx context.Context, layout Layout, from, to time.Time) (*Result, error) {
	if err := CheckWindow(from, to); err != nil {
		return &Result{}, err
	}
	if to.Before(from) {
		return &Result{}, nil
	}
	first, last := midnight(from), midnight(to)
	var wanted []target
	for dir := range layout.dirs {
		wanted = append(wanted, target{fixed: dir, level: levelYears, first: first, last: last})
	}
	return d.download(ctx, wanted)
}

// midnight returns midnight UTC of t's UTC day.
func midnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// The levels of a target: what lies below its fixed prefix.
const (
	levelDay    = iota // nothing: fixed is a day prefix
	levelYears         // YYYY/MM/DD/ of the days first..last
	levelMonths        // MM/DD/ of the days first..last, all in one year
	levelDays          // DD/ of the days first..last, all in one month
)

// target is a set of wanted day prefixes: fixed, a prefix ending in "/", itself (level
// levelDay), or the day directories below it of the UTC days first..last (midnights).
type target struct {
	fixed       string
	level       int
	first, last time.Time
}

func (t target) compare(u target) int {
	return cmp.Or(cmp.Compare(t.fixed, u.fixed), cmp.Compare(t.level, u.level), t.first.Compare(u.first), t.last.Compare(u.last))
}

// children yields the targets one level below t, in order: a year, month or day
// directory each, with the days of t that fall in it.
func (t target) children(yield func(target) bool) {
	lo := t.first
	for !lo.After(t.last) {
		var next time.Time
		var name string
		switch t.level {
		case levelYears:
			next = time.Date(lo.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
			name = fmt.Sprintf("%04d/", lo.Year())
		case levelMonths:
			next = time.Date(lo.Year(), lo.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			name = fmt.Sprintf("%02d/", int(lo.Month()))
		case levelDays:
			next = lo.AddDate(0, 0, 1)
			name = fmt.Sprintf("%02d/", lo.Day())
		default:
			return
		}
		hi := next.AddDate(0, 0, -1)
		if hi.After(t.last) {
			hi = t.last
		}
		child := target{fixed: t.fixed + name, level: t.level + 1, first: lo, last: hi}
		if t.level == levelDays {
			child = target{fixed: child.fixed, level: levelDay}
		}
		if !yield(child) {
			return
		}
		lo = next
	}
}
