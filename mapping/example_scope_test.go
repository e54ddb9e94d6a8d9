package mapping_test

import (
	"fmt"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/mapping"
)

func ExampleScope() {
	rec, err := cloudtrail.ParseRecord([]byte(`{"eventSource": "sqs.amazonaws.com", "eventName": "SendMessage",
		"awsRegion": "eu-west-1", "recipientAccountId": "111111111111",
		"requestParameters": {"queueUrl": "https://sqs.eu-west-1.amazonaws.com/111111111111/jobs"}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := mapping.For(&rec)
	mapping.Scope(mapping.NewScoper(mapping.CallOf(&rec)), &m)
	for _, p := range m.Permissions {
		for _, r := range p.Scoped {
			fmt.Println(p.Action, r.ARN, "from", r.Origin())
		}
	}
	// Output:
	// sqs:SendMessage arn:aws:sqs:eu-west-1:111111111111:jobs from request key queueUrl
}
