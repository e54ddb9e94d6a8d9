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

func ExampleMarshalTerraform() {
	p, _ := iam.Parse([]byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
	  "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::bucket/${aws:username}/*"]}]}`))
	b, _ := iam.MarshalTerraform("reader", p)
	os.Stdout.Write(b)
	// Output:
	// data "aws_iam_policy_document" "reader" {
	//   version = "2012-10-17"
	//
	//   statement {
	//     effect = "Allow"
	//     actions = [
	//       "s3:GetObject",
	//     ]
	//     resources = [
	//       "arn:aws:s3:::bucket/$${aws:username}/*",
	//     ]
	//   }
	// }
}

func ExampleMarshalCloudFormation() {
	p, _ := iam.Parse([]byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
	  "Action": ["s3:GetObject"], "Resource": ["*"]}]}`))
	b, _ := iam.MarshalCloudFormation("reader", p)
	os.Stdout.Write(b)
	// Output:
	// AWSTemplateFormatVersion: "2010-09-09"
	// Resources:
	//   reader:
	//     Type: AWS::IAM::ManagedPolicy
	//     Properties:
	//       PolicyDocument:
	//         Version: "2012-10-17"
	//         Statement:
	//           - Effect: Allow
	//             Action:
	//               - s3:GetObject
	//             Resource:
	//               - '*'
}

func ExampleSize() {
	p, _ := iam.Parse([]byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`))
	n, _ := iam.Size(p)
	fmt.Println(n)
	// Output: 96
}
