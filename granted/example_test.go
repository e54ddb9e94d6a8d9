package granted_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamapi "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/trailscraper/trailscraper/access"
	"github.com/trailscraper/trailscraper/granted"
	"github.com/trailscraper/trailscraper/internal/iamfake"
)

func ExampleRole() {
	// A loopback IAM with one role; with real AWS, use iamapi.NewFromConfig(cfg).
	srv := httptest.NewServer(&iamfake.IAM{Roles: map[string]iamfake.Principal{
		"app": {Inline: map[string]string{"app": `{"Statement": {"Effect": "Allow", "Action": "sqs:*Message", "Resource": "*"}}`}},
	}})
	defer srv.Close()
	client := iamapi.New(iamapi.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})

	docs, err := granted.Role(context.Background(), client, "app")
	if err != nil {
		fmt.Println(err)
		return
	}
	r := access.Compare(docs, []access.Use{{Action: "sqs:SendMessage", Count: 4}})
	fmt.Println(docs[0].Name)
	fmt.Println("granted", r.Granted, "used", len(r.Used), "unused", len(r.Unused))
	// Output:
	// role/app inline policy app
	// granted 3 used 1 unused 2
}
