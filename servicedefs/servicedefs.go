// Package servicedefs is the embedded AWS knowledge the mapping and guessing stand on:
// services and their IAM prefixes, actions, resource types, API operations and the actions
// they authorize, and API Gateway HTTP bindings. It is generated from AWS's service
// reference by `go generate` and loaded lazily on first use.
package servicedefs

// PrefixForEventSource returns the IAM service prefix for a CloudTrail eventSource such as
// "monitoring.amazonaws.com" ("cloudwatch").
//
// CONTRACT (to be implemented from the generated data).
func PrefixForEventSource(eventSource string) (string, bool) { return "", false }

// Canonical returns the action ("s3:getobject") as AWS spells it ("s3:GetObject"), and
// whether it exists. Matching is case-insensitive, as IAM's is.
//
// CONTRACT (to be implemented from the generated data).
func Canonical(action string) (string, bool) { return "", false }

// Actions returns every action of a service prefix, "prefix:Name", sorted.
//
// CONTRACT (to be implemented from the generated data).
func Actions(prefix string) []string { return nil }
