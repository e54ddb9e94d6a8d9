package iam_test

import (
	"fmt"
	"os"

	"github.com/trailscraper/trailscraper/iam"
)

func ExampleParse() {
	p, err := iam.Parse([]byte(`{
  "Version": "2012-10-17",
  "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := p.Statement[0]
	fmt.Println(s.Effect, s.Action[0].Prefix(), s.Action[0].Name(), s.Resource)

	_, err = iam.Parse([]byte(`{"Statement": [{"Effect": "Allow", "Action": 42}]}`))
	fmt.Println(err)
	// Output:
	// Allow s3 GetObject [arn:aws:s3:::bucket/*]
	// Statement[0].Action at byte offset 45: want a string or a list of strings, found a number
}

func ExampleMarshal() {
	p := &iam.Policy{
		Version: iam.Version,
		Statement: []iam.Statement{{
			Effect:   iam.Allow,
			Action:   []iam.Action{"sqs:SendMessage"},
			Resource: []string{"arn:aws:sqs:eu-central-1:111111111111:queue"},
		}},
	}
	b, err := iam.Marshal(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.Write(b)
	// Output:
	// {
	//     "Statement": [
	//         {
	//             "Action": [
	//                 "sqs:SendMessage"
	//             ],
	//             "Effect": "Allow",
	//             "Resource": [
	//                 "arn:aws:sqs:eu-central-1:111111111111:queue"
	//             ]
	//         }
	//     ],
	//     "Version": "2012-10-17"
	// }
}
