package guess_test

import (
	"fmt"
	"strings"

	"github.com/trailscraper/trailscraper/guess"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// volumes is a ResourceCatalog that knows which actions act on one EC2 volume (a real one,
// such as the CLI's, asks mapping.FitsFormat).
type volumes struct{}

func (volumes) Canonical(action string) (string, bool) { return servicedefs.Canonical(action) }

func (volumes) Accepts(action, resource string) bool {
	switch action {
	case "ec2:CreateVolume", "ec2:DeleteVolume", "ec2:AttachVolume", "ec2:DetachVolume":
		return strings.Contains(resource, ":volume/")
	}
	return false
}

func ExampleWithKeptResources() {
	p := &iam.Policy{
		Version: iam.Version,
		Statement: []iam.Statement{{
			Effect:   iam.Allow,
			Action:   []iam.Action{"ec2:DetachVolume"},
			Resource: []string{"arn:aws:ec2:eu-west-1:111111111111:volume/vol-1"},
		}},
	}
	g := guess.New(guess.WithCatalog(volumes{}), guess.WithKeptResources())
	for _, s := range g.Extend(p).Statement {
		fmt.Println(s.Action, s.Resource)
	}
	// Output:
	// [ec2:DetachVolume] [arn:aws:ec2:eu-west-1:111111111111:volume/vol-1]
	// [ec2:CreateVolume ec2:DeleteVolume ec2:AttachVolume] [arn:aws:ec2:eu-west-1:111111111111:volume/vol-1]
	// [ec2:DescribeVolumes] [*]
}
