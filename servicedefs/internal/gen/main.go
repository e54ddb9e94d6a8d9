// Command gen builds the compact catalogue that package servicedefs embeds, from AWS's
// service reference, the CloudTrail event-source table, and the API Gateway v1/v2
// serializers of the AWS SDK for Go v2. It is run by `go generate ./servicedefs/...`,
// from the servicedefs directory, so the default paths are relative to it.
//
// Usage:
//
//	go run ./internal/gen [-servicereference DIR|URL] [-eventsources FILE]
//	    [-apigateway DIR] [-apigatewayv2 DIR] [-o catalogue.tsv.gz]
//
// -servicereference is a directory laid out as <svc>/<svc>.json (the shared snapshot), or
// the AWS endpoint https://servicereference.us-east-1.amazonaws.com/ to refresh from AWS.
// -apigateway and -apigatewayv2 default to the module cache directories of the versions
// pinned in go.mod, which `go mod download` fetches when the cache does not hold them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.serviceReference, "servicereference", "../../shared/data/servicereference",
		"directory of <svc>/<svc>.json files, or the service reference endpoint URL")
	flag.StringVar(&cfg.eventSources, "eventsources", "../../shared/data/cloudtrail_service_mappings.json",
		"CloudTrail eventSource → IAM prefix table (iam-dataset cloudtrail_service_mappings)")
	flag.StringVar(&cfg.apigateway, "apigateway", "", "directory of github.com/aws/aws-sdk-go-v2/service/apigateway (default: from go mod download)")
	flag.StringVar(&cfg.apigatewayv2, "apigatewayv2", "", "directory of github.com/aws/aws-sdk-go-v2/service/apigatewayv2 (default: from go mod download)")
	out := flag.String("o", "catalogue.tsv.gz", "output file")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	data, err := generate(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
