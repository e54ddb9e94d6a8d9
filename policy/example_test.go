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
