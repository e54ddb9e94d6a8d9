package cloudtrail

import (
	"cmp"
	"strings"
)

// Principal returns the IAM principal a policy for r's call would be attached to: for an
// assumed role the role (the session issuer's ARN, or the role ARN derived from the
// session ARN when the issuer is not logged), for a federated user the user that federated,
// for an IAM user or the root user its ARN, for an AWS service the service
// ("lambda.amazonaws.com"); otherwise the principal ID or account, "" when nothing says.
func (r *Record) Principal() string {
	u := &r.UserIdentity
	switch u.Type {
	case "AssumedRole":
		if u.SessionIssuerARN != "" {
			return u.SessionIssuerARN
		}
		if role, ok := roleOfSession(u.ARN); ok {
			return role
		}
	case "FederatedUser":
		if u.SessionIssuerARN != "" {
			return u.SessionIssuerARN
		}
	case "AWSService":
		if u.InvokedBy != "" {
			return u.InvokedBy
		}
	}
	return cmp.Or(u.ARN, u.SessionIssuerARN, u.InvokedBy, u.PrincipalID, u.AccountID)
}

// roleOfSession turns arn:aws:sts::123456789012:assumed-role/Name/session into
// arn:aws:iam::123456789012:role/Name (a role's path is not in the session ARN).
func roleOfSession(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sts" {
		return "", false
	}
	rest, ok := strings.CutPrefix(parts[5], "assumed-role/")
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, "/")
	if !ok || name == "" {
		return "", false
	}
	return "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + name, true
}
