package policy_test

import (
	"fmt"

	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/policy"
)

func ExampleBuild() {
	p := policy.Build([]iam.Statement{
		{Effect: iam.Allow, Action: []iam.Action{"sqs:SendMessage"}, Resource: []string{"arn:aws:sqs:eu-west-1:111111111111:q1"}},
		{Effect: iam.Allow, Action: []iam.Action{"sqs:DeleteMessage"}, Resource: []string{"arn:aws:sqs:eu-west-1:111111111111:q1"}},
		{Effect: iam.Allow, Action: []iam.Action{"ec2:DescribeInstances"}, Resource: []string{"*"}},
		{Effect: iam.Allow, Action: []iam.Action{"ec2:DescribeInstances"}, Resource: []string{"*"}},
		{Effect: iam.Allow, Action: []iam.Action{"sqs:SendMessage"}, Resource: []string{"arn:aws:sqs:eu-west-1:111111111111:q2"}},
	})
	for _, s := range p.Statement {
		fmt.Println(s.Effect, s.Action, s.Resource)
	}
	// Output:
	// Allow [ec2:DescribeInstances] [*]
	// Allow [sqs:DeleteMessage sqs:SendMessage] [arn:aws:sqs:eu-west-1:111111111111:q1]
	// Allow [sqs:SendMessage] [arn:aws:sqs:eu-west-1:111111111111:q2]
}

func ExampleSplit() {
	p := &iam.Policy{Version: iam.Version, Statement: []iam.Statement{{
		Effect:   iam.Allow,
		Action:   []iam.Action{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
		Resource: []string{"arn:aws:s3:::my-bucket/*"},
	}}}
	docs, err := policy.Split(p, 150)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range docs {
		n, _ := iam.Size(d)
		fmt.Println(n, d.Statement[0].Action)
	}
	// Output:
	// 138 [s3:GetObject s3:PutObject]
	// 126 [s3:DeleteObject]
}
