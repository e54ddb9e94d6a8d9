package trailscraper_test

import (
	"fmt"
	"strings"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/cloudtrail"
)

func ExampleWithResources() {
	logs := strings.NewReader(`{"Records": [
		{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "eu-west-1",
		 "recipientAccountId": "111111111111", "requestParameters": {"bucketName": "reports", "key": "2024/q1.csv"}},
		{"eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue", "awsRegion": "eu-west-1",
		 "recipientAccountId": "111111111111", "requestParameters": {"secretId": "db/password"}}
	]}`)
	p, err := trailscraper.GeneratePolicy(cloudtrail.DecodeRecords(logs), trailscraper.WithResources(trailscraper.ResourcesScoped))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Statement {
		fmt.Println(s.Action, s.Resource)
	}
	// Output:
	// [s3:GetObject] [arn:aws:s3:::reports/2024/q1.csv]
	// [secretsmanager:GetSecretValue] [arn:aws:secretsmanager:eu-west-1:111111111111:secret:db/password-??????]
}
