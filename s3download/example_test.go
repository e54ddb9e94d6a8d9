package s3download_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trailscraper/trailscraper/s3download"
)

func ExampleDownloader() {
	// A fake S3 bucket on loopback, as a stand-in for s3.NewFromConfig(cfg).
	f := newFakeS3(exampleTB{})
	defer f.srv.Close()
	at := time.Date(2017, 1, 1, 20, 0, 0, 0, time.UTC)
	f.put("AWSLogs/111111111111/CloudTrail/eu-west-1/2017/01/01/"+logName("111111111111", "eu-west-1", at, "a"), logBody(at))
	f.put("AWSLogs/111111111111/CloudTrail/eu-west-1/2017/01/01/notes.txt", []byte("not a log file"))

	dir, err := os.MkdirTemp("", "logs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	layout := s3download.Layout{AccountIDs: []string{"111111111111"}, Regions: []string{"eu-west-1"}}
	from := time.Date(2017, 1, 1, 18, 0, 0, 0, time.UTC)
	d := s3download.New(f.client(), testBucket, dir, s3download.WithParallelism(4))
	res, err := d.Download(context.Background(), layout.DayPrefixes(from, from.Add(12*time.Hour)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listed %d, downloaded %d, not log files %d\n", res.Listed, res.Downloaded, res.InvalidName)
	// Output:
	// listed 2, downloaded 1, not log files 1
}

// exampleTB is enough of testing.TB for newFakeS3 outside a test.
type exampleTB struct{ testing.TB }

func (exampleTB) Helper()                      {}
func (exampleTB) Cleanup(func())               {}
func (exampleTB) Fatal(args ...any)            { log.Fatal(args...) }
func (exampleTB) Fatalf(f string, args ...any) { log.Fatalf(f, args...) }

func ExampleLocalPath() {
	for _, key := range []string{
		"AWSLogs/111111111111/CloudTrail/eu-west-1/2017/01/01/f.json.gz",
		"AWSLogs/../../../home/me/.bashrc",
	} {
		p, err := s3download.LocalPath(key)
		fmt.Println(filepath.ToSlash(p), err)
	}
	// Output:
	// AWSLogs/111111111111/CloudTrail/eu-west-1/2017/01/01/f.json.gz <nil>
	//  unsafe S3 key "AWSLogs/../../../home/me/.bashrc": contains a ".." segment
}

func ExampleDownloader_DownloadWindow() {
	// A fake S3 bucket on loopback, as a stand-in for s3.NewFromConfig(cfg).
	f := newFakeS3(exampleTB{})
	defer f.srv.Close()
	at := time.Date(2017, 1, 1, 20, 0, 0, 0, time.UTC)
	f.put("AWSLogs/111111111111/CloudTrail/eu-west-1/2017/01/01/"+logName("111111111111", "eu-west-1", at, "a"), logBody(at))

	dir, err := os.MkdirTemp("", "logs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Every day since CloudTrail began: the day directories are generated as the walk
	// reaches them, and only the years and months that exist are listed.
	layout := s3download.Layout{AccountIDs: []string{"111111111111"}, Regions: []string{"eu-west-1"}}
	d := s3download.New(f.client(), testBucket, dir)
	res, err := d.DownloadWindow(context.Background(), layout, s3download.EarliestLogs, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("downloaded %d after %d listings\n", res.Downloaded, len(f.listed()))
	// Output:
	// downloaded 1 after 4 listings
}

func ExampleCheckWindow() {
	to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fmt.Println(s3download.CheckWindow(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), to))
	fmt.Println(s3download.CheckWindow(time.Time{}, to))
	// Output:
	// <nil>
	// the window starts 0001-01-01, before CloudTrail existed (November 2013): no log file is that old; start it on 2013-11-01 or later
}
