package guess_test

import (
	"fmt"

	"github.com/trailscraper/trailscraper/guess"
	"github.com/trailscraper/trailscraper/iam"
)

func ExampleExtend() {
	p := &iam.Policy{
		Version: iam.Version,
		Statement: []iam.Statement{{
			Effect:   iam.Allow,
			Action:   []iam.Action{"ec2:DetachVolume"},
			Resource: []string{"arn:aws:ec2:eu-west-1:111111111111:volume/vol-1"},
		}},
	}
	for _, s := range guess.Extend(p).Statement {
		fmt.Println(s.Effect, s.Action, s.Resource)
	}
	fmt.Println(guess.Extend(p, "attach").Statement[1].Action)
	// Output:
	// Allow [ec2:DetachVolume] [arn:aws:ec2:eu-west-1:111111111111:volume/vol-1]
	// Allow [ec2:CreateVolume ec2:DeleteVolume ec2:AttachVolume ec2:DescribeVolumes] [*]
	// [ec2:AttachVolume]
}
