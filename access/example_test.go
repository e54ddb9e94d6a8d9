package access_test

import (
	"fmt"

	"github.com/trailscraper/trailscraper/access"
	"github.com/trailscraper/trailscraper/iam"
)

func ExampleCompare() {
	granted, err := iam.Parse([]byte(`{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "sqs:*Message"], "Resource": "*"},
		{"Effect": "Deny", "Action": "sqs:DeleteMessage", "Resource": "*"}]}`))
	if err != nil {
		panic(err)
	}
	used := []access.Use{
		{Action: "s3:GetObject", Count: 12},
		{Action: "sqs:SendMessage", Count: 3},
		{Action: "ec2:DescribeInstances", Count: 1},
	}
	r := access.Compare([]access.Document{{Name: "app.json", Policy: granted}}, used)
	fmt.Println("granted:", r.Granted)
	for _, u := range r.Used {
		fmt.Println("used:", u.Action, u.Count)
	}
	for _, u := range r.Unused {
		fmt.Println("unused:", u.Action, "data event:", u.DataEvent)
	}
	for _, n := range r.NotGranted {
		fmt.Println("not granted:", n.Action, n.Count)
	}

	trimmed, _ := iam.Marshal(access.Suggest([]access.Document{{Name: "app.json", Policy: granted}}, used))
	fmt.Print(string(trimmed))
	// Output:
	// granted: 4
	// used: s3:GetObject 12
	// used: sqs:SendMessage 3
	// unused: s3:PutObject data event: true
	// unused: sqs:ReceiveMessage data event: true
	// not granted: ec2:DescribeInstances 1
	// {
	//     "Statement": [
	//         {
	//             "Action": [
	//                 "s3:GetObject",
	//                 "sqs:SendMessage"
	//             ],
	//             "Effect": "Allow",
	//             "Resource": "*"
	//         },
	//         {
	//             "Action": "sqs:DeleteMessage",
	//             "Effect": "Deny",
	//             "Resource": "*"
	//         }
	//     ],
	//     "Version": "2012-10-17"
	// }
}
