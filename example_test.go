package trailscraper_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/mapping"
	"github.com/trailscraper/trailscraper/source"
)

func ExampleGeneratePolicy() {
	logs := strings.NewReader(`{"Records": [
		{"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances"},
		{"eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity"},
		{"eventSource": "kms.amazonaws.com", "eventName": "Decrypt",
		 "resources": [{"ARN": "arn:aws:kms:eu-central-1:111111111111:key/example"}]}
	]}`)
	p, err := trailscraper.GeneratePolicy(cloudtrail.DecodeRecords(logs))
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

func ExampleGenerator_Explain() {
	g := trailscraper.NewGenerator()
	r, _ := cloudtrail.ParseRecord([]byte(`{"eventSource": "kms.amazonaws.com", "eventName": "ReEncrypt",
		"eventTime": "2017-12-11T15:04:51Z"}`))
	g.Add(&r)
	for _, e := range g.Explain() {
		fmt.Println(e.Action, e.Count, e.LastSeen.Format(time.RFC3339), e.Rules)
	}
	// Output:
	// kms:ReEncryptFrom 1 2017-12-11T15:04:51Z map[override:kms-reencrypt:1]
	// kms:ReEncryptTo 1 2017-12-11T15:04:51Z map[override:kms-reencrypt:1]
}

func Example_permissions() {
	r, _ := cloudtrail.ParseRecord([]byte(`{"eventSource": "kms.amazonaws.com", "eventName": "ReEncrypt"}`))
	for _, p := range mapping.Permissions(&r) {
		fmt.Println(p.Action, p.Resources)
	}
	// Output:
	// kms:ReEncryptFrom [*]
	// kms:ReEncryptTo [*]
}

// A source's records go straight into GeneratePolicy: records it could not read are skipped
// (and logged, with WithLogger), other errors are returned.
func Example_logDirectory() {
	src := source.NewDir("examples/logs")
	from := time.Date(2017, 12, 11, 0, 0, 0, 0, time.UTC)
	p, err := trailscraper.GeneratePolicy(src.Records(context.Background(), from, time.Time{}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(p.Statement) > 0, p.Version)
	// Output:
	// true 2012-10-17
}
