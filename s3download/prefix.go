package s3download

import (
	"slices"
	"strings"
	"time"
)

// Layout says where CloudTrail trails deliver their log files in a bucket. A trail writes
// to {prefix}AWSLogs/{account}/CloudTrail/{region}/YYYY/MM/DD/, an organisation trail to
// {prefix}AWSLogs/{org-id}/{account}/CloudTrail/{region}/YYYY/MM/DD/.
type Layout struct {
	// Prefixes are the trails' S3 key prefixes. A prefix that does not end in "/" gets one,
	// as CloudTrail adds it. No prefixes, or "", means the logs start at AWSLogs/.
	Prefixes []string
	// OrgIDs are the organisation IDs (o-…) of organisation trails. With none, the layout is
	// that of a trail of a single account.
	OrgIDs []string
	// AccountIDs and Regions are the accounts and regions to download.
	AccountIDs []string
	Regions    []string
}

// DayPrefixes returns the key prefix of every prefix × org ID × account × region × UTC day
// that overlaps the window [from, to], sorted and without duplicates. The zones of from and
// to do not matter: CloudTrail names its directories by UTC day, so a window from 18:00 to
// 06:00 the next morning covers two days. It returns nil when to is before from.
//
// It builds them all at once: for long windows use [Downloader.DownloadWindow], which
// generates them as it goes.
func (l Layout) DayPrefixes(from, to time.Time) []string {
	days := Days(from, to)
	if len(days) == 0 {
		return nil
	}
	var out []string
	for dir := range l.dirs {
		for _, d := range days {
			out = append(out, dir+d.Format("2006/01/02")+"/")
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// dirs yields the directory of every prefix × org ID × account × region, which holds
// YYYY/MM/DD/ day directories, without duplicates.
func (l Layout) dirs(yield func(string) bool) {
	prefixes := l.Prefixes
	if len(prefixes) == 0 {
		prefixes = []string{""}
	}
	orgs := l.OrgIDs
	if len(orgs) == 0 {
		orgs = []string{""}
	}
	seen := map[string]bool{}
	for _, p := range prefixes {
		if p != "" && !strings.HasSuffix(p, "/") {
			p += "/"
		}
		for _, org := range orgs {
			base := p + "AWSLogs/"
			if org != "" {
				base += org + "/"
			}
			for _, account := range l.AccountIDs {
				for _, region := range l.Regions {
					dir := base + account + "/CloudTrail/" + region + "/"
					if seen[dir] {
						continue
					}
					seen[dir] = true
					if !yield(dir) {
						return
					}
				}
			}
		}
	}
}

// Days returns midnight UTC of every UTC day that overlaps [from, to], in order; nil when
// to is before from.
func Days(from, to time.Time) []time.Time {
	if to.Before(from) {
		return nil
	}
	from, to = from.UTC(), to.UTC()
	var days []time.Time
	for d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC); !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	return days
}
