package trailscraper_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/iam"
)

func ExampleDecodeRecords() {
	logs := strings.NewReader(`{"Records": [
		{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "eventTime": "2017-12-11T15:04:51Z"},
		42,
		{"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "eventTime": "2017-12-11T15:05:12.5Z"}
	]}`)
	for r, err := range trailscraper.DecodeRecords(logs) {
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

func ExampleGeneratePolicy() {
	logs := strings.NewReader(`{"Records": [
		{"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances"},
		{"eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity"},
		{"eventSource": "kms.amazonaws.com", "eventName": "Decrypt",
		 "resources": [{"ARN": "arn:aws:kms:eu-central-1:111111111111:key/example"}]}
	]}`)
	records := func(yield func(trailscraper.Record) bool) {
		for r, err := range trailscraper.DecodeRecords(logs) {
			if err == nil && !yield(r) {
				return
			}
		}
	}
	p, err := trailscraper.GeneratePolicy(records)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := iam.Marshal(p)
	os.Stdout.Write(out)
	// Output:
	// {
	//     "Statement": [
	//         {
	//             "Action": [
	//                 "ec2:DescribeInstances"
	//             ],
	//             "Effect": "Allow",
	//             "Resource": [
	//                 "*"
	//             ]
	//         },
	//         {
	//             "Action": [
	//                 "kms:Decrypt"
	//             ],
	//             "Effect": "Allow",
	//             "Resource": [
	//                 "arn:aws:kms:eu-central-1:111111111111:key/example"
	//             ]
	//         }
	//     ],
	//     "Version": "2012-10-17"
	// }
}

func ExampleRecord_Permissions() {
	r, _ := trailscraper.ParseRecord([]byte(`{"eventSource": "kms.amazonaws.com", "eventName": "ReEncrypt"}`))
	for _, p := range r.Permissions() {
		fmt.Println(p.Action, p.Resources)
	}
	// Output:
	// kms:ReEncryptFrom [*]
	// kms:ReEncryptTo [*]
}
