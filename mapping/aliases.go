package mapping

import (
	"regexp"
	"strings"
)

// This file holds the curated part of resource scoping: request keys whose names do not
// say which ARN variable they fill, and values that need a transform before they fit.
// Everything else is matched by name (resources.go). Each row has its source.

// alias says that request keys fill an ARN variable of a service's resource type.
type alias struct {
	service  string   // the ARN's service field ("s3")
	typ      string   // the resource type, "" for every type of the service
	variable string   // "ObjectName"
	keys     []string // normalised request keys, in order of preference
	// claim: the keys fill only this variable of the service (not matched by name for
	// other types).
	claim bool
}

var aliases = []alias{
	// S3 API reference, GetObject/PutObject/DeleteObjects: the object key is "key" (Delete.Objects[].Key for DeleteObjects).
	{service: "s3", variable: "ObjectName", keys: []string{"key"}},
	// EC2 API reference, CreateKeyPair/DeleteKeyPair: KeyName names the key pair.
	{service: "ec2", typ: "key-pair", variable: "KeyPairName", keys: []string{"keyname"}},
	// ECR API reference: registryId is the account that owns the registry ("if you do not specify a registry, the default registry is assumed").
	{service: "ecr", variable: "Account", keys: []string{"registryid"}},
	// Bedrock API reference, InvokeModel: modelId is a foundation model's id (an ARN for other model kinds).
	{service: "bedrock", typ: "foundation-model", variable: "ResourceId", keys: []string{"modelid"}, claim: true},
	// WAFV2 API reference: Scope CLOUDFRONT or REGIONAL; the ARN holds "global" or "regional".
	{service: "wafv2", variable: "Scope", keys: []string{"scope"}},
	// SSM API reference, PutParameter/GetParameter(s)/DeleteParameter(s): Name/Names name parameters.
	{service: "ssm", typ: "parameter", variable: "ParameterNameWithoutLeadingSlash", keys: []string{"name", "names", "parametername"}},
	// SSM API reference, GetParametersByPath: the permission is checked on the path (parameter/app/prod).
	{service: "ssm", typ: "parameter", variable: "ParameterNameWithoutLeadingSlash", keys: []string{"path"}},
	// SSM API reference, StartSession: Target is the instance (i-…) or managed node (mi-…).
	{service: "ec2", typ: "instance", variable: "InstanceId", keys: []string{"target"}},
	{service: "ssm", typ: "managed-instance", variable: "InstanceId", keys: []string{"target"}},
	// CloudTrail API reference, StartLogging/StopLogging/GetTrailStatus/DeleteTrail: Name is the trail's name or ARN.
	{service: "cloudtrail", typ: "trail", variable: "TrailName", keys: []string{"name"}},
	// EKS API reference: node group, add-on, Fargate profile and access entry calls name the cluster "name" (the URI's /clusters/{name}).
	{service: "eks", variable: "ClusterName", keys: []string{"clustername", "name"}},
	// SES API reference, SendEmail/SendRawEmail: Source is the sending identity; SESv2 SendEmail: FromEmailAddress.
	{service: "ses", typ: "identity", variable: "IdentityName", keys: []string{"source", "fromemailaddress", "emailidentity", "identity"}},
	// RDS API reference: DBClusterIdentifier names the cluster (cluster:${DbClusterInstanceName}).
	{service: "rds", typ: "cluster", variable: "DbClusterInstanceName", keys: []string{"dbclusteridentifier"}},
	// EMR API reference: JobFlowId (and JobFlowIds) is the cluster id (j-…).
	{service: "elasticmapreduce", typ: "cluster", variable: "ClusterId", keys: []string{"jobflowid", "jobflowids"}},
	// ECS API reference, RunTask/StartTask: taskDefinition is family:revision, family or an ARN.
	{service: "ecs", typ: "task-definition", variable: "TaskDefinitionFamilyName", keys: []string{"taskdefinition"}},
	{service: "ecs", typ: "task-definition", variable: "TaskDefinitionRevisionNumber", keys: []string{"taskdefinition"}},
	// Secrets Manager API reference, CreateSecret: Name names the new secret.
	{service: "secretsmanager", typ: "Secret", variable: "SecretId", keys: []string{"secretid", "name"}},
	// KMS API reference: KeyId is a key id, key ARN, alias name or alias ARN; aliases are also given as AliasName/TargetKeyId.
	{service: "kms", typ: "alias", variable: "Alias", keys: []string{"aliasname", "keyid"}},
	{service: "kms", typ: "key", variable: "KeyId", keys: []string{"keyid", "targetkeyid", "destinationkeyid", "sourcekeyid"}},
	// CloudWatch Logs API reference: logGroupIdentifier is a log group name or ARN.
	{service: "logs", typ: "log-group", variable: "LogGroupName", keys: []string{"loggroupname", "loggroupidentifier"}},
	// STS API reference, AssumeRole: RoleArn; IAM API reference: RoleName, UserName, GroupName.
	{service: "iam", typ: "role", variable: "RoleNameWithPath", keys: []string{"rolename", "rolearn"}},
	{service: "iam", typ: "user", variable: "UserNameWithPath", keys: []string{"username"}},
	{service: "iam", typ: "group", variable: "GroupNameWithPath", keys: []string{"groupname"}},
	{service: "iam", typ: "instance-profile", variable: "InstanceProfileNameWithPath", keys: []string{"instanceprofilename"}},
}

// fill is a value for an ARN variable, with what the value itself says of the ARN.
type fill struct {
	val             string
	account, region string // set when the value names them (a partial ARN, a wafv2 scope)
	assumed         bool   // a bare name where the real ARN may hold more (an IAM path, a secret suffix)
	noAccount       bool   // the resource is AWS's own: the ARN has no account
}

// awsOwnedDocument matches the prefixes of the SSM documents AWS owns.
var awsOwnedDocument = regexp.MustCompile(`^(AWS|Amazon)[A-Za-z0-9]*-`)

// lambdaPartial matches Lambda's partial function ARN "123456789012:function:my-function".
var lambdaPartial = regexp.MustCompile(`^(\d{12}):function:([^:]+)(?::[^:]+)?$`)

// transform adjusts a request value for the variable of a format's service; false drops
// the value.
func transform(service, typ, variable, v string) (fill, bool) {
	f := fill{val: v}
	if strings.Contains(v, "://") {
		return f, false // a URL: queue URLs are read whole (queueURLARN), others name no variable
	}
	if _, isARN := arnValue(v); !isARN && strings.HasPrefix(strings.ToLower(v), "arn") && strings.ContainsAny(v, ":%") {
		return f, false // an ARN that does not parse (a broken URL encoding) names nothing reliably
	}
	if arn, ok := arnValue(v); ok {
		_, svc, region, account, _, _ := arnParts(arn)
		if !strings.EqualFold(svc, service) {
			return f, false // an ARN of another service names another resource
		}
		f.val, f.region, f.account = lastSegment(arn), region, account
		if strings.HasSuffix(variable, "WithPath") {
			// IAM: the path is part of the ARN, keep all of it after the type.
			_, _, _, _, res, _ := arnParts(arn)
			if _, p, ok := strings.Cut(res, "/"); ok {
				f.val = p
			}
		}
		if service == "secretsmanager" {
			return f, true // a secret ARN holds its suffix
		}
	}
	switch {
	case service == "lambda" && variable == "FunctionName":
		// Lambda API reference: FunctionName is a name, name:qualifier, a partial ARN or an ARN.
		if m := lambdaPartial.FindStringSubmatch(v); m != nil {
			f.account, f.val = m[1], m[2]
		} else if n, _, ok := strings.Cut(f.val, ":"); ok {
			f.val = n
		}
	case service == "secretsmanager" && variable == "SecretId":
		// Secrets Manager User Guide, "Permissions to a secret": a secret's ARN ends in a
		// hyphen and six random characters; without them, match any: "-??????".
		f.val += "-??????"
		f.assumed = true
	case service == "route53" && strings.HasPrefix(f.val, "/"):
		// Route 53 API reference: ids are given as "/hostedzone/Z123" or "Z123".
		f.val = f.val[strings.LastIndexByte(f.val, '/')+1:]
	case service == "s3" && variable == "BucketName" && (strings.Contains(f.val, ".s3-accesspoint.") || strings.Contains(f.val, ".amazonaws.")):
		// An access point's host name, not a bucket (the access point ARN names it).
		return f, false
	case service == "ssm" && typ == "document" && awsOwnedDocument.MatchString(f.val):
		// SSM User Guide, "Shared SSM documents": AWS-owned documents have ARNs without an
		// account (arn:aws:ssm:us-east-1::document/AWS-RunShellScript).
		f.noAccount = true
	case service == "ssm" && typ == "managed-instance" && !strings.HasPrefix(f.val, "mi-"):
		// SSM User Guide, "Managed nodes": hybrid managed instances have ids "mi-…"; "i-…" are EC2 instances.
		return f, false
	case service == "ec2" && ec2IDPrefixes[typ] != "" && strings.HasSuffix(variable, "Id"):
		// An EC2 id names its type by its prefix (vol-… a volume, sg-… a security group).
		if ec2TypeOfID(f.val) != typ {
			return f, false
		}
	case service == "ecs" && variable == "TaskDefinitionFamilyName":
		f.val, _, _ = strings.Cut(f.val, ":")
	case service == "ecs" && variable == "TaskDefinitionRevisionNumber":
		_, rev, ok := strings.Cut(f.val, ":")
		if !ok {
			return f, false
		}
		f.val = rev
	case service == "ssm" && variable == "ParameterNameWithoutLeadingSlash":
		// SSM User Guide, "Parameter hierarchies": the ARN of "/a/b" is parameter/a/b.
		f.val = strings.TrimPrefix(f.val, "/")
	case service == "kms" && variable == "KeyId":
		// KMS key ARNs hold the key id; an alias does not say which key it points to.
		if strings.HasPrefix(f.val, "alias/") {
			return f, false
		}
	case service == "kms" && variable == "Alias":
		a, ok := strings.CutPrefix(v, "alias/")
		if !ok {
			if arn, isARN := arnValue(v); isARN {
				_, _, _, _, res, _ := arnParts(arn)
				a, ok = strings.CutPrefix(res, "alias/")
			}
		}
		if !ok {
			return f, false
		}
		f.val = a
	case service == "wafv2" && variable == "Scope":
		// WAFV2 API reference: "CLOUDFRONT" scope lives in us-east-1 and is "global" in ARNs.
		switch strings.ToUpper(v) {
		case "CLOUDFRONT":
			f.val, f.region = "global", "us-east-1"
		case "REGIONAL":
			f.val = "regional"
		default:
			return f, false
		}
	case strings.HasSuffix(variable, "WithPath"):
		// IAM User Guide, "IAM identifiers": a bare name is assumed to have the path "/"
		// unless an ARN seen in the run says otherwise.
		if !strings.Contains(f.val, "/") {
			f.assumed = true
		}
	}
	if f.val == "" || strings.ContainsAny(f.val, "*?") && !f.assumed {
		return f, false
	}
	return f, true
}

// ec2IDPrefixes are the prefixes of EC2 resource ids by resource type (EC2 User Guide,
// "Resource IDs"; EC2 API reference). A value with one of them names that type only; a
// "resourceId" (CreateTags, DeleteTags, …) fills the type its prefix says.
var ec2IDPrefixes = map[string]string{
	"instance": "i-", "volume": "vol-", "snapshot": "snap-", "image": "ami-", "security-group": "sg-",
	"security-group-rule": "sgr-", "network-interface": "eni-", "subnet": "subnet-", "vpc": "vpc-",
	"internet-gateway": "igw-", "egress-only-internet-gateway": "eigw-", "route-table": "rtb-",
	"network-acl": "acl-", "elastic-ip": "eipalloc-", "natgateway": "nat-", "launch-template": "lt-",
	"transit-gateway": "tgw-", "transit-gateway-attachment": "tgw-attach-", "transit-gateway-route-table": "tgw-rtb-",
	"vpc-peering-connection": "pcx-", "dhcp-options": "dopt-", "vpc-endpoint": "vpce-", "vpc-endpoint-service": "vpce-svc-",
	"vpc-flow-log": "fl-", "customer-gateway": "cgw-", "vpn-gateway": "vgw-", "vpn-connection": "vpn-",
	"spot-instances-request": "sir-", "spot-fleet-request": "sfr-", "fleet": "fleet-", "dedicated-host": "h-",
	"capacity-reservation": "cr-", "prefix-list": "pl-", "carrier-gateway": "cagw-", "local-gateway": "lgw-",
	"traffic-mirror-target": "tmt-", "traffic-mirror-filter": "tmf-", "traffic-mirror-filter-rule": "tmfr-",
	"traffic-mirror-session": "tms-", "client-vpn-endpoint": "cvpn-endpoint-", "fpga-image": "afi-",
	"host-reservation": "hr-", "instance-event-window": "iew-", "ipam": "ipam-", "ipam-pool": "ipam-pool-",
	"ipam-scope": "ipam-scope-",
}

// ec2TypeOfID returns the EC2 resource type whose id prefix is the longest that id starts
// with, "" for none.
func ec2TypeOfID(id string) string {
	best, n := "", 0
	for typ, p := range ec2IDPrefixes {
		if len(p) > n && strings.HasPrefix(id, p) {
			best, n = typ, len(p)
		}
	}
	return best
}

// aliasKeys returns the curated keys for a variable of a type, and the keys the service's
// rows claim for themselves (not to be matched by name elsewhere).
func aliasKeys(service, typ, variable string) (keys []string, claimed []string) {
	if service == "ec2" && ec2IDPrefixes[typ] != "" && strings.HasSuffix(variable, "Id") {
		keys = append(keys, "resourceid")
	}
	for _, a := range aliases {
		if a.service != service {
			continue
		}
		if (a.typ == "" || strings.EqualFold(a.typ, typ)) && a.variable == variable {
			keys = append(keys, a.keys...)
		} else if a.claim {
			claimed = append(claimed, a.keys...)
		}
	}
	return keys, claimed
}
