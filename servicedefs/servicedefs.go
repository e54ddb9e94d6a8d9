// Package servicedefs is the embedded AWS knowledge the mapping and guessing stand on:
// services and their IAM prefixes, actions, resource types, API operations and the actions
// they authorize, and API Gateway HTTP bindings. It is generated from AWS's service
// reference by `go generate` and loaded lazily on first use.
//
// # Data
//
// The catalogue (catalogue.tsv.gz) is built by the program in internal/gen from
//   - AWS's service reference, one JSON file per service (actions, resource types and their
//     ARN formats, and Operations[].AuthorizedActions);
//   - iam-dataset's table of CloudTrail event sources and IAM prefixes;
//   - the HTTP bindings in the serializers of the AWS SDK for Go v2 apigateway and
//     apigatewayv2 modules.
//
// Matching of action names is case-insensitive, as IAM's is; results use AWS's spelling.
package servicedefs

//go:generate go run ./internal/gen -o catalogue.tsv.gz

import (
	"slices"
	"strings"
)

// PrefixForEventSource returns the IAM service prefix for a CloudTrail eventSource such as
// "monitoring.amazonaws.com" ("cloudwatch"). Sources that are not in the table fall back to
// their first label ("lambda.amazonaws.com" → "lambda") only when that is a known prefix.
func PrefixForEventSource(eventSource string) (string, bool) {
	c := catalogue()
	src := strings.ToLower(strings.TrimSpace(eventSource))
	if p, ok := c.sources[src]; ok {
		return p, true
	}
	if p, ok := extraEventSources[src]; ok {
		return p, true
	}
	label, _, _ := strings.Cut(src, ".")
	if s := c.services[label]; s != nil {
		return s.prefix, true
	}
	return "", false
}

// KnownPrefix reports whether prefix ("s3") is a service in the service reference.
func KnownPrefix(prefix string) bool {
	return catalogue().services[strings.ToLower(prefix)] != nil
}

// Canonical returns the action ("s3:getobject") as AWS spells it ("s3:GetObject"), and
// whether it exists. Matching is case-insensitive, as IAM's is.
func Canonical(action string) (string, bool) {
	s, name, ok := lookupService(action)
	if !ok {
		return "", false
	}
	a := s.actions[strings.ToLower(name)]
	if a == nil {
		return "", false
	}
	return s.prefix + ":" + a.name, true
}

// Actions returns every action of a service prefix, "prefix:Name", sorted.
func Actions(prefix string) []string {
	s := catalogue().service(strings.ToLower(prefix))
	if s == nil {
		return nil
	}
	out := make([]string, len(s.order))
	for i, n := range s.order {
		out[i] = s.prefix + ":" + n
	}
	return out
}

// Prefixes returns every service prefix in the service reference, sorted.
func Prefixes() []string {
	c := catalogue()
	out := make([]string, 0, len(c.services))
	for _, s := range c.services {
		out = append(out, s.prefix)
	}
	slices.Sort(out)
	return out
}

// ResourceType is a kind of resource an action can be granted on, with the ARN formats
// AWS documents for it ("arn:${Partition}:s3:::${BucketName}/${ObjectName}").
type ResourceType struct {
	Name       string
	ARNFormats []string
}

// ResourceTypes returns the resource types the action can be granted on, sorted by name;
// none for an action that only supports "*" or does not exist.
func ResourceTypes(action string) []ResourceType {
	s, name, ok := lookupService(action)
	if !ok {
		return nil
	}
	a := s.actions[strings.ToLower(name)]
	if a == nil {
		return nil
	}
	out := make([]ResourceType, 0, len(a.resources))
	for _, r := range a.resources {
		out = append(out, ResourceType{Name: r, ARNFormats: slices.Clone(s.resources[r])})
	}
	return out
}

// Operation is an API operation of a service and the IAM actions it may authorize.
type Operation struct {
	Name string
	// AuthorizedActions are the actions ("s3:GetObject") AWS lists for the operation: a
	// "may authorize" superset that holds the primary action and those needed only when a
	// feature is used. They are sorted; nil when AWS lists the operation without them.
	AuthorizedActions []string
	// Documented is false when AWS lists the operation without any authorized actions.
	Documented bool
}

// LookupOperation returns the operation name ("CopyObject", case-insensitive) of the
// service prefix ("s3").
func LookupOperation(prefix, name string) (Operation, bool) {
	s := catalogue().service(strings.ToLower(prefix))
	if s == nil {
		return Operation{}, false
	}
	o := s.ops[strings.ToLower(name)]
	if o == nil {
		return Operation{}, false
	}
	return Operation{Name: o.name, AuthorizedActions: slices.Clone(o.authorized), Documented: o.documented}, true
}

// OperationNames returns the names of the API operations of a service prefix, sorted.
func OperationNames(prefix string) []string {
	s := catalogue().service(strings.ToLower(prefix))
	if s == nil {
		return nil
	}
	out := make([]string, 0, len(s.ops))
	for _, o := range s.ops {
		out = append(out, o.name)
	}
	slices.Sort(out)
	return out
}

// APIGatewayVersion tells the two API Gateway management APIs apart: v1 for REST APIs and
// v2 for HTTP and WebSocket APIs. Both log events as apigateway.amazonaws.com and are
// authorized by the HTTP verb actions apigateway:GET, POST, ….
type APIGatewayVersion int

// The API Gateway management APIs.
const (
	APIGatewayV1 APIGatewayVersion = 1
	APIGatewayV2 APIGatewayVersion = 2
)

// HTTPBinding is the HTTP method and path template of an API Gateway operation, such as
// POST /restapis/{restApiId}/stages.
type HTTPBinding struct {
	Method string
	Path   string
}

// APIGatewayBinding returns the HTTP binding of an operation ("CreateStage",
// case-insensitive) of API Gateway version v.
func APIGatewayBinding(v APIGatewayVersion, op string) (HTTPBinding, bool) {
	if v != APIGatewayV1 && v != APIGatewayV2 {
		return HTTPBinding{}, false
	}
	b, ok := catalogue().apigateway[v-1][strings.ToLower(op)]
	return b, ok
}

// Snapshot describes where the embedded data came from: the service reference snapshot
// and the SDK module versions the API Gateway bindings were read from.
func Snapshot() string { return catalogue().provenance }

func lookupService(action string) (*service, string, bool) {
	prefix, name, ok := strings.Cut(action, ":")
	if !ok || name == "" {
		return nil, "", false
	}
	s := catalogue().service(strings.ToLower(prefix))
	return s, name, s != nil
}
