package trailscraper_test

import (
	"fmt"
	"time"

	"github.com/trailscraper/trailscraper"
)

func ExampleParseTime() {
	now := time.Date(2017, 12, 11, 15, 4, 51, 0, time.UTC)
	for _, s := range []string{"now", "2 hours ago", "one day ago", "-1days", "2017-01-01", "2017-12-11T15:04:51.5+01:00"} {
		t, err := trailscraper.ParseTime(s, now)
		fmt.Println(t.UTC().Format(time.RFC3339Nano), err)
	}
	_, err := trailscraper.ParseTime("2017-13-01", now)
	fmt.Println(err)
	// Output:
	// 2017-12-11T15:04:51Z <nil>
	// 2017-12-11T13:04:51Z <nil>
	// 2017-12-10T15:04:51Z <nil>
	// 2017-12-10T15:04:51Z <nil>
	// 2017-01-01T00:00:00Z <nil>
	// 2017-12-11T14:04:51.5Z <nil>
	// cannot read "2017-13-01" as a date or time; use e.g. 2017-01-01, 2017-01-01T10:00:00Z or 2017-01-01 10:00:00+02:00
}

func ExampleParseLogFileName() {
	lf, err := trailscraper.ParseLogFileName("111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz")
	fmt.Println(lf.Account, lf.Region, lf.Timestamp, err)
	from := time.Date(2017, 12, 11, 14, 0, 0, 0, time.UTC)
	fmt.Println(lf.InTimeframe(from, from.Add(10*time.Minute))) // 15:05 <= 14:10 + 1h
	_, err = trailscraper.ParseLogFileName("111111111111_CloudTrail_eu-central-1_20171311T1505Z_A6kvhMoVeCsc7v8U.json.gz")
	fmt.Println(err)
	// Output:
	// 111111111111 eu-central-1 2017-12-11 15:05:00 +0000 UTC <nil>
	// true
	// "111111111111_CloudTrail_eu-central-1_20171311T1505Z_A6kvhMoVeCsc7v8U.json.gz": not a CloudTrail log file name: timestamp "20171311T1505Z" is not YYYYMMDDTHHMMZ
}
