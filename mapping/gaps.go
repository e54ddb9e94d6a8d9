package mapping

import (
	"net/url"
	"strings"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/iam"
)

// This file holds what the service reference does not say about the permissions a call
// needs besides its own action: a role handed to a service, actions the service performs
// with the caller's credentials, and calls that IAM does not authorize at all. Each entry
// has its source and a test in gaps_test.go.

// Rules of this file.
const (
	rulePassRole       = ruleRequestPrefix + "role-passed"
	ruleAlwaysPassRole = ruleOverridePrefix + "passes-role"
	ruleDependent      = ruleOverridePrefix + "dependent-action"
)

// alwaysPassesRole lists calls that pass a role to the service even when CloudTrail does
// not log the parameter that names it, by lower-case "prefix:operation".
var alwaysPassesRole = map[string]bool{
	// S3 User Guide, "Setting up permissions for live replication": "the user … must have iam:PassRole" for the replication role.
	"s3:putbucketreplication": true,
	// CodeBuild User Guide, "Permissions required to use the CodeBuild console / CreateProject": iam:PassRole for the project's service role.
	"codebuild:createproject": true,
	// EMR Management Guide, "IAM service roles used by Amazon EMR": RunJobFlow passes the service role and the EC2 instance profile role (iam:PassRole).
	"elasticmapreduce:runjobflow": true,
	// Greengrass V1 API reference, AssociateServiceRoleToAccount: "requires iam:PassRole" on the service role.
	"greengrass:associateserviceroletoaccount": true,
}

// dependent is an action the service performs with the caller's credentials, so the
// caller's policy must allow it too.
type dependent struct {
	action    iam.Action
	when      func(*request) bool     // nil: always
	resources func(*request) []string // nil: "*" (Scope builds them)
}

// dependents lists such actions by lower-case "prefix:operation".
var dependents = map[string][]dependent{
	// Textract Developer Guide, "Calling Amazon Textract synchronous/asynchronous operations": the caller needs s3:GetObject on the input document in S3.
	"textract:analyzedocument":            {{action: "s3:GetObject", when: textractS3, resources: textractObject}},
	"textract:detectdocumenttext":         {{action: "s3:GetObject", when: textractS3, resources: textractObject}},
	"textract:analyzeexpense":             {{action: "s3:GetObject", when: textractS3, resources: textractObject}},
	"textract:analyzeid":                  {{action: "s3:GetObject", when: textractS3, resources: textractObject}},
	"textract:startdocumentanalysis":      {{action: "s3:GetObject", when: textractS3, resources: textractObject}},
	"textract:startdocumenttextdetection": {{action: "s3:GetObject", when: textractS3, resources: textractObject}},
	"textract:startexpenseanalysis":       {{action: "s3:GetObject", when: textractS3, resources: textractObject}},
	"textract:startlendinganalysis":       {{action: "s3:GetObject", when: textractS3, resources: textractObject}},
	// Transcribe Developer Guide, "Identity-based policy examples / permissions for S3": the caller needs s3:GetObject on the media file (MediaFileUri).
	"transcribe:starttranscriptionjob":        {{action: "s3:GetObject", when: keys("mediafileuri"), resources: mediaObject}},
	"transcribe:startmedicaltranscriptionjob": {{action: "s3:GetObject", when: keys("mediafileuri"), resources: mediaObject}},
	"transcribe:startcallanalyticsjob":        {{action: "s3:GetObject", when: keys("mediafileuri"), resources: mediaObject}},
	// KMS API reference, CreateCustomKeyStore, "Required permissions": cloudhsm:DescribeClusters for an AWS CloudHSM key store.
	"kms:createcustomkeystore": {{action: "cloudhsm:DescribeClusters", when: cloudHSMKeyStore}},
}

// bearerTokenOperations are Cognito user-pool operations authorized by the user's access
// token when the request carries one (Cognito Developer Guide, "Authorization models for
// API operations": token-authorized operations), by lower-case "prefix:operation".
var bearerTokenOperations = map[string]bool{
	"cognito-idp:changepassword": true, "cognito-idp:getuser": true, "cognito-idp:deleteuser": true,
	"cognito-idp:updateuserattributes": true, "cognito-idp:deleteuserattributes": true,
	"cognito-idp:verifyuserattribute": true, "cognito-idp:getuserattributeverificationcode": true,
	"cognito-idp:globalsignout": true, "cognito-idp:setusermfapreference": true, "cognito-idp:setusersettings": true,
	"cognito-idp:associatesoftwaretoken": true, "cognito-idp:verifysoftwaretoken": true,
	"cognito-idp:confirmdevice": true, "cognito-idp:forgetdevice": true, "cognito-idp:getdevice": true,
	"cognito-idp:listdevices": true, "cognito-idp:updatedevicestatus": true,
}

// unauthenticated lists operations callers make without AWS credentials, by lower-case
// "prefix:operation", with the rule name.
var unauthenticated = map[string]string{
	// Cognito Developer Guide, "Authorization models for API operations": unauthenticated user-pool operations.
	"cognito-idp:initiateauth":           "cognito-unauthenticated",
	"cognito-idp:respondtoauthchallenge": "cognito-unauthenticated",
	"cognito-idp:signup":                 "cognito-unauthenticated",
	"cognito-idp:confirmsignup":          "cognito-unauthenticated",
	"cognito-idp:forgotpassword":         "cognito-unauthenticated",
	"cognito-idp:confirmforgotpassword":  "cognito-unauthenticated",
	"cognito-idp:resendconfirmationcode": "cognito-unauthenticated",
	"cognito-idp:revoketoken":            "cognito-unauthenticated",
	// IAM Identity Center OIDC API reference, CreateToken: called with the client's secret and a device code, not SigV4 (logged under sso.amazonaws.com too).
	"sso:createtoken": "identity-center-oidc",
}

// addGaps adds what the gap tables say the call needed besides the data's actions.
func addGaps(d *decision, r *cloudtrail.Record, q *request, ps []Permission) []Permission {
	if d.key == "" {
		return ps
	}
	hasPassRole := false
	for i := range ps {
		if strings.EqualFold(string(ps[i].Action), "iam:PassRole") {
			hasPassRole = true
		}
	}
	prefix, _, _ := strings.Cut(d.key, ":")
	if !hasPassRole && prefix != "iam" && prefix != "sts" {
		if roles, ok := handsRole(q); ok {
			ps = append(ps, Permission{Action: "iam:PassRole", Rule: rulePassRole, Resources: roles, ruled: len(roles) > 0})
			hasPassRole = true
		}
	}
	if !hasPassRole && alwaysPassesRole[d.key] {
		roles := q.stringsWhere(isRoleARN)
		ps = append(ps, Permission{Action: "iam:PassRole", Rule: ruleAlwaysPassRole, Resources: roles, ruled: len(roles) > 0})
	}
	for _, dep := range dependents[d.key] {
		if dep.when != nil && !dep.when(q) {
			continue
		}
		p := Permission{Action: dep.action, Rule: ruleDependent}
		if dep.resources != nil {
			p.Resources = dep.resources(q)
			p.ruled = len(p.Resources) > 0
		}
		ps = append(ps, p)
	}
	return ps
}

// handsRole reports whether the request hands an IAM role to the service: a role ARN
// under a key that names a role ("roleArn", "executionRole", "serviceRoleArn"), or a role
// name under such a key. It returns the role ARNs (names give none: their path is unknown).
func handsRole(q *request) ([]string, bool) {
	if !q.mentions("role") {
		return nil, false
	}
	var arns []string
	found := false
	walk(q.value(), func(k string, v any) bool {
		s, ok := v.(string)
		if !ok || k == "" {
			return true
		}
		nk := normKey(k)
		if isRoleARN(s) && strings.Contains(nk, "role") {
			arns = append(arns, s)
			found = true
		} else if !strings.HasPrefix(s, "arn:") && roleNameKey(nk, s) {
			found = true
		}
		return true
	})
	return sortedCopy(arns), found
}

// textractS3 reports whether a Textract request reads its document from S3.
func textractS3(q *request) bool { return q.mentionsKey("s3object") }

// textractObject returns the S3 object of Document.S3Object / DocumentLocation.S3Object.
func textractObject(q *request) []string {
	var out []string
	walk(q.value(), func(k string, v any) bool {
		if o, ok := v.(map[string]any); ok && strings.EqualFold(k, "s3Object") {
			b, _ := o["bucket"].(string)
			n, _ := o["name"].(string)
			if b == "" {
				b, _ = o["Bucket"].(string)
			}
			if n == "" {
				n, _ = o["Name"].(string)
			}
			if b != "" && n != "" {
				out = append(out, "arn:aws:s3:::"+b+"/"+n)
			}
		}
		return true
	})
	return sortedCopy(out)
}

// mediaObject returns the S3 object of Media.MediaFileUri (s3://bucket/key or an
// https://s3… URL).
func mediaObject(q *request) []string {
	var out []string
	for _, s := range q.strings("mediafileuri") {
		u, err := url.Parse(s)
		if err != nil {
			continue
		}
		var bucket, key string
		switch {
		case u.Scheme == "s3":
			bucket, key = u.Host, strings.TrimPrefix(u.Path, "/")
		case u.Scheme == "https" && strings.HasPrefix(u.Host, "s3"):
			bucket, key, _ = strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		case u.Scheme == "https" && strings.Contains(u.Host, ".s3"):
			bucket, _, _ = strings.Cut(u.Host, ".s3")
			key = strings.TrimPrefix(u.Path, "/")
		}
		if bucket != "" && key != "" {
			out = append(out, "arn:aws:s3:::"+bucket+"/"+key)
		}
	}
	return sortedCopy(out)
}

// cloudHSMKeyStore reports whether CreateCustomKeyStore creates an AWS CloudHSM key store
// (the default type, or a CloudHSM cluster named).
func cloudHSMKeyStore(q *request) bool {
	if q.has("cloudhsmclusterid") {
		return true
	}
	for _, t := range q.strings("customkeystoretype") {
		return t == "AWS_CLOUDHSM"
	}
	return !q.has("xksproxyuriendpoint")
}
