package s3download_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper/s3download"
)

func TestCheckWindow(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name     string
		from, to time.Time
		want     string // part of the error; "" for none
	}{
		{"a day", day(2024, 1, 1), day(2024, 1, 2), ""},
		{"CloudTrail's first day", day(2013, 11, 1), day(2026, 1, 1), ""},
		{"before CloudTrail", day(2013, 10, 31), day(2014, 1, 1), "before CloudTrail existed"},
		{"year 0", time.Time{}, day(2026, 1, 1), "starts 0001-01-01, before CloudTrail existed (November 2013)"},
		{"too long", day(2014, 1, 1), day(2100, 1, 1), "longer than 30 years"},
		{"to before from", day(2024, 1, 2), day(2024, 1, 1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s3download.CheckWindow(tt.from, tt.to)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckWindow: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n")):
				t.Errorf("CheckWindow = %v, want one line with %q", err, tt.want)
			}
		})
	}
}

// TestDownloadWindow checks that DownloadWindow downloads the same files with the same
// listings as Download of the day prefixes, and that a window of years costs a few
// listings when the bucket holds a few days.
func TestDownloadWindow(t *testing.T) {
	layout := s3download.Layout{
		Prefixes:   []string{"", "org/"},
		AccountIDs: []string{"111111111111", "222222222222", "333333333333"},
		Regions:    []string{"us-east-1", "eu-west-1", "us-west-2", "ap-south-1", "sa-east-1"},
	}
	fill := func(f *fakeS3) {
		for _, account := range layout.AccountIDs[:2] {
			for _, ts := range []time.Time{day1.Add(20 * time.Hour), day1.Add(26 * time.Hour), day1.Add(-2 * time.Hour), day1.AddDate(1, 0, 0)} {
				key := "AWSLogs/" + account + "/CloudTrail/us-east-1/" + ts.Format("2006/01/02") + "/" + logName(account, "us-east-1", ts, "a")
				f.put(key, logBody(ts))
			}
		}
	}
	windows := []struct {
		name     string
		from, to time.Time
	}{
		{"two days", day1.Add(18 * time.Hour), day1.Add(30 * time.Hour)},
		{"across a year", day1.Add(-48 * time.Hour), day1.Add(48 * time.Hour)},
	}
	for _, w := range windows {
		t.Run(w.name, func(t *testing.T) {
			var files1, files2, lists1, lists2 []string
			for i, run := range []func(d *s3download.Downloader) (*s3download.Result, error){
				func(d *s3download.Downloader) (*s3download.Result, error) {
					return d.Download(ctxTimeout(t), layout.DayPrefixes(w.from, w.to))
				},
				func(d *s3download.Downloader) (*s3download.Result, error) {
					return d.DownloadWindow(ctxTimeout(t), layout, w.from, w.to)
				},
			} {
				f := newFakeS3(t)
				fill(f)
				dir := t.TempDir()
				if _, err := run(s3download.New(f.client(), testBucket, dir)); err != nil {
					t.Fatal(err)
				}
				l := f.listed()
				slices.Sort(l)
				if i == 0 {
					files1, lists1 = files(t, dir), l
				} else {
					files2, lists2 = files(t, dir), l
				}
			}
			if diff := cmp.Diff(files1, files2); diff != "" {
				t.Errorf("files (-Download +DownloadWindow):\n%s", diff)
			}
			if diff := cmp.Diff(lists1, lists2); diff != "" {
				t.Errorf("listings (-Download +DownloadWindow):\n%s", diff)
			}
		})
	}
	t.Run("CloudTrail's whole life", func(t *testing.T) {
		f := newFakeS3(t)
		fill(f)
		dir := t.TempDir()
		res, err := s3download.New(f.client(), testBucket, dir).DownloadWindow(ctxTimeout(t), layout, s3download.EarliestLogs, day1.AddDate(9, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if res.Downloaded != 8 {
			t.Errorf("Result = %+v, want 8 downloaded", res)
		}
		if n := len(f.listed()); n > 30 {
			t.Errorf("%d listings for 8 files in 5 days of 3 years, want no more than the directories that exist:\n%s", n, strings.Join(f.listed(), "\n"))
		}
	})
	t.Run("year 0 is refused at once", func(t *testing.T) {
		f := newFakeS3(t)
		res, err := s3download.New(f.client(), testBucket, t.TempDir()).DownloadWindow(ctxTimeout(t), layout, time.Time{}, time.Now())
		if err == nil || res == nil || len(f.listed()) != 0 {
			t.Errorf("DownloadWindow = %+v, %v after %d listings; want an error and none", res, err, len(f.listed()))
		}
	})
}
