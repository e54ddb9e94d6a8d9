package cloudtrail_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"
)

func ExampleParseLogFileName() {
	lf, err := cloudtrail.ParseLogFileName("111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz")
	fmt.Println(lf.Account, lf.Region, lf.Timestamp, err)
	from := time.Date(2017, 12, 11, 14, 0, 0, 0, time.UTC)
	fmt.Println(lf.InTimeframe(from, from.Add(10*time.Minute))) // 15:05 <= 14:10 + 1h
	_, err = cloudtrail.ParseLogFileName("111111111111_CloudTrail_eu-central-1_20171311T1505Z_A6kvhMoVeCsc7v8U.json.gz")
	fmt.Println(err)
	// Output:
	// 111111111111 eu-central-1 2017-12-11 15:05:00 +0000 UTC <nil>
	// true
	// "111111111111_CloudTrail_eu-central-1_20171311T1505Z_A6kvhMoVeCsc7v8U.json.gz": not a CloudTrail log file name: timestamp "20171311T1505Z" is not YYYYMMDDTHHMMZ
}

func ExampleDecodeRecords() {
	logs := strings.NewReader(`{"Records": [
		{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "eventTime": "2017-12-11T15:04:51Z"},
		42,
		{"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "eventTime": "2017-12-11T15:05:12.5Z"}
	]}`)
	for r, err := range cloudtrail.DecodeRecords(logs) {
		if err != nil {
			fmt.Println("skipped:", err)
			continue
		}
		fmt.Println(r.EventTime.Format("15:04:05.0"), r.EventSource, r.EventName)
	}
	// Output:
	// 15:04:51.0 s3.amazonaws.com GetObject
	// skipped: record 1 (byte 118): record is not a JSON object
	// 15:05:12.5 ec2.amazonaws.com DescribeInstances
}
