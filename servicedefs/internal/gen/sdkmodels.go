//go:build tools

package main

// The generator reads the API Gateway operations' HTTP bindings from these modules'
// serializers.go in the module cache. Importing them here (never built: the tools tag)
// keeps them, at the versions go.mod pins, in the module graph that `go list -m` and
// `go mod download` see.
import (
	_ "github.com/aws/aws-sdk-go-v2/service/apigateway"
	_ "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
)
