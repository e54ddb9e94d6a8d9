package mapping

import (
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/trailscraper/trailscraper/cloudtrail"
)

// CallOf returns what resource scoping reads of r: the region, the account whose resources
// the call acted on (recipientAccountId, else the caller's), the caller, resources[], the
// request and the response.
func CallOf(r *cloudtrail.Record) *Call {
	return &Call{
		Region:       r.AWSRegion,
		Account:      cmp.Or(r.RecipientAccountID, r.UserIdentity.AccountID),
		CallerARN:    r.UserIdentity.ARN,
		CallerType:   r.UserIdentity.Type,
		ResourceARNs: r.ResourceARNs,
		Request:      r.RequestParameters,
		Response:     r.ResponseElements,
	}
}

// Scope fills the Scoped resources of each of m's permissions from the call in s: the
// resources a rule read from the request itself (a role passed, a copy's source and
// destination, API Gateway's path) as they are, the others built by s from the action's
// ARN formats. It is the "scoped" resource mode; [For] alone does not read the request
// for resources.
func Scope(s *Scoper, m *Mapping) {
	for i := range m.Permissions {
		p := &m.Permissions[i]
		switch {
		case len(p.fromRequest) > 0:
			p.Scoped = p.fromRequest
		case p.ruled:
			p.Scoped = make([]Resource, 0, len(p.Resources))
			for _, a := range p.Resources {
				r := Resource{ARN: a, Source: SourceRequest, Key: s.keyOf(a)}
				if slices.Contains(s.c.ResourceARNs, a) {
					r.Source, r.Key = SourceResources, ""
				}
				p.Scoped = append(p.Scoped, r)
			}
		case p.Action == "kms:ReEncryptFrom" || p.Action == "kms:ReEncryptTo":
			// KMS API reference, ReEncrypt: ReEncryptFrom on SourceKeyId (or the key the
			// ciphertext names, in resources[]), ReEncryptTo on DestinationKeyId.
			key := "sourcekeyid"
			if p.Action == "kms:ReEncryptTo" {
				key = "destinationkeyid"
			}
			p.Scoped = s.keyParam(string(p.Action), key)
			if len(p.Scoped) == 0 && p.Action == "kms:ReEncryptTo" {
				p.Scoped = s.Resources(string(p.Action))
			}
			if len(p.Scoped) == 0 {
				// No SourceKeyId: the keys of resources[] that are not the destination.
				for _, r := range s.Resources(string(p.Action)) {
					if r.Source == SourceResources && !s.isParam("destinationkeyid", r.ARN) {
						p.Scoped = append(p.Scoped, r)
					}
				}
			}
			if len(p.Scoped) == 0 {
				p.Scoped = []Resource{s.unnamed(&typesOf(string(p.Action))[0].formats[0])}
			}
		case p.Action == "iam:CreateServiceLinkedRole":
			// IAM User Guide, "Using service-linked roles": they live under the path
			// /aws-service-role/<service principal>/, with a name the service chooses.
			p.Scoped = s.serviceLinkedRole()
			if len(p.Scoped) == 0 {
				p.Scoped = s.Resources(string(p.Action))
			}
		case strings.HasPrefix(string(p.Action), "dynamodb:PartiQL"):
			p.Scoped = s.partiQLTables()
			if len(p.Scoped) == 0 {
				p.Scoped = s.Resources(string(p.Action))
			}
		case strings.EqualFold(string(p.Action), "iam:PassRole"):
			p.Scoped = s.passedRoles()
			if len(p.Scoped) == 0 {
				p.Scoped = s.Resources(string(p.Action))
			}
		default:
			p.Scoped = s.Resources(string(p.Action))
		}
	}
}

// passedRoles returns the roles the request hands to a service: role ARNs under keys that
// name a role, and role names (assumed to have the path "/").
func (s *Scoper) passedRoles() []Resource {
	s.parse()
	var out []Resource
	for _, p := range s.req {
		if a, ok := arnValue(p.val); ok {
			if isRoleARN(a) && strings.Contains(p.norm, "role") {
				out = append(out, Resource{ARN: a, Source: SourceRequest, Key: p.key})
			}
			continue
		}
		if roleNameKey(p.norm, p.val) {
			out = append(out, Resource{ARN: "arn:" + s.context("Partition", fill{}) + ":iam::" + s.context("Account", fill{}) + ":role/" + p.val,
				Source: SourceRequest, Key: p.key, Assumed: true})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return dedupe(out)
}

// roleNameKey reports whether a request value under the normalised key names an IAM role
// by name: a key ending in "rolename", or in "role" with a value that is not an upper-case
// enumeration ("READER", "OWNER" are roles of other kinds).
func roleNameKey(norm, val string) bool {
	if val == "" || strings.ContainsAny(val, " :*") {
		return false
	}
	switch {
	case strings.HasSuffix(norm, "rolename") && norm != "rolesessionname":
		return true
	case strings.HasSuffix(norm, "role"):
		return strings.ToUpper(val) != val
	}
	return false
}

// partiQLTable finds the table of a PartiQL statement: SELECT … FROM t, INSERT INTO t,
// UPDATE t, DELETE FROM t (DynamoDB Developer Guide, "PartiQL statements"); a name may be
// quoted and carry an index ("t"."index").
var partiQLTable = regexp.MustCompile(`(?i)\b(?:from|into|update)\s+"?([A-Za-z0-9_.-]{3,255})"?`)

// partiQLTables returns the tables the request's PartiQL statements name.
func (s *Scoper) partiQLTables() []Resource {
	s.parse()
	var out []Resource
	for _, p := range s.req {
		if p.norm != "statement" {
			continue
		}
		for _, m := range partiQLTable.FindAllStringSubmatch(p.val, maxCombos) {
			out = append(out, Resource{ARN: "arn:" + s.context("Partition", fill{}) + ":dynamodb:" + s.context("Region", fill{}) + ":" +
				s.context("Account", fill{}) + ":table/" + m[1], Source: SourceRequest, Key: p.key})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return dedupe(out)
}

// keyParam scopes action with only the request parameter key (lower case, normalised) as
// its request: ReEncrypt's source and destination keys are both key ids.
func (s *Scoper) keyParam(action, key string) []Resource {
	s.parse()
	for _, p := range s.req {
		if p.norm != key {
			continue
		}
		one, err := json.Marshal(map[string]string{"keyId": p.val})
		if err != nil {
			return nil
		}
		c := *s.c
		c.Request, c.Response, c.ResourceARNs = one, nil, nil
		rs := NewScoper(&c).Resources(action)
		for i := range rs {
			if rs[i].Source == SourceRequest {
				rs[i].Key = p.key
			}
		}
		if len(rs) == 1 && rs[0].Source != SourceNone {
			return rs
		}
	}
	return nil
}

// isParam reports whether the request's parameter key (normalised) names arn: the ARN
// itself, or its last part (a key id).
func (s *Scoper) isParam(key, arn string) bool {
	s.parse()
	for _, p := range s.req {
		if p.norm == key && (p.val == arn || p.val == lastSegment(arn)) {
			return true
		}
	}
	return false
}

// serviceLinkedRole returns the roles CreateServiceLinkedRole may create: any name under the
// service's path.
func (s *Scoper) serviceLinkedRole() []Resource {
	s.parse()
	for _, p := range s.req {
		if p.norm == "awsservicename" && plainService(p.val) {
			return []Resource{{ARN: "arn:" + s.context("Partition", fill{}) + ":iam::" + s.context("Account", fill{}) +
				":role/aws-service-role/" + p.val + "/*", Source: SourceRequest, Key: p.key}}
		}
	}
	return nil
}

// plainService reports whether s looks like a service principal ("elasticloadbalancing.amazonaws.com").
func plainService(s string) bool {
	return s != "" && !strings.ContainsAny(s, "/:*? ") && strings.Contains(s, ".")
}

// keyOf returns the request key whose value is v, "" when none is.
func (s *Scoper) keyOf(v string) string {
	s.parse()
	for _, p := range s.req {
		if p.val == v {
			return p.key
		}
	}
	return ""
}
