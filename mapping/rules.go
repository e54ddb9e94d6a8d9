package mapping

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// This file holds the mapping's tables: what AWS's data does not say or gets wrong. Each
// entry has a one-line source and a test in mapping_test.go.

// permissionless lists operations that need no permission in the caller's identity
// policy, by lower-case "prefix:operation", with the rule name shown by --explain.
var permissionless = map[string]string{
	// STS API reference, GetCallerIdentity: "No permissions are required to perform this operation."
	"sts:getcalleridentity": "sts-get-caller-identity",
	// IAM User Guide, "Permissions for GetSessionToken": "No permissions are required for a user to get a session token."
	"sts:getsessiontoken": "sts-get-session-token",
	// iam-dataset map.json sdk_permissionless_actions: DynamoDB.DescribeEndpoints (endpoint discovery).
	"dynamodb:describeendpoints": "dynamodb-describe-endpoints",
	// IAM User Guide, "Comparing AWS STS credentials": the caller has no AWS credentials; the role's trust policy decides.
	"sts:assumerolewithsaml":        "sts-federation",
	"sts:assumerolewithwebidentity": "sts-federation",
	// IAM Identity Center portal API (sso portal): authorized by the user's access token; the service reference lists these without actions.
	"sso:getrolecredentials":         "identity-center-portal",
	"sso:listaccountroles":           "identity-center-portal",
	"sso:listaccounts":               "identity-center-portal",
	"sso:logout":                     "identity-center-portal",
	"sso:federate":                   "identity-center-portal",
	"sso:authenticate":               "identity-center-portal",
	"sso:listprofilesforapplication": "identity-center-portal",
	// IAM Identity Center OIDC API reference: CreateToken, RegisterClient and StartDeviceAuthorization are unauthenticated (no SigV4).
	"sso-oauth:createtoken":              "identity-center-oidc",
	"sso-oauth:registerclient":           "identity-center-oidc",
	"sso-oauth:startdeviceauthorization": "identity-center-oidc",
}

// sourcePermissionless drops whole event sources whose events are not API calls authorized
// by an identity policy.
func sourcePermissionless(source string) (string, bool) {
	switch strings.ToLower(source) {
	case "signin.amazonaws.com":
		// CloudTrail User Guide, "AWS Management Console sign-in events": sign-in, MFA and
		// federation events of the console, authorized by credentials, not by policies.
		// (Operations the service reference lists with authorized actions, such as
		// signin:CreateOAuth2Token, are mapped as usual.)
		return ruleConsoleSignIn, true
	}
	return "", false
}

// renames maps event names that CloudTrail logs under a different name than the API
// operation, by lower-case "prefix:eventName".
var renames = map[string]string{
	// S3 User Guide, "Amazon S3 CloudTrail events": PutPublicAccessBlock/DeletePublicAccessBlock on a bucket are logged as *BucketPublicAccessBlock.
	"s3:deletebucketpublicaccessblock": "DeletePublicAccessBlock",
	"s3:putbucketpublicaccessblock":    "PutPublicAccessBlock",
	"s3:getbucketpublicaccessblock":    "GetPublicAccessBlock",
	// S3 User Guide, "Amazon S3 CloudTrail events": ListObjectsV2 is logged as ListObjects, GetBucketLifecycleConfiguration as GetBucketLifecycle.
	"s3:getbucketlifecycle": "GetBucketLifecycleConfiguration",
	"s3:putbucketlifecycle": "PutBucketLifecycleConfiguration",
	// S3 User Guide, "Amazon S3 CloudTrail events": Get/PutObjectLockConfiguration are logged as *BucketObjectLockConfiguration.
	"s3:getbucketobjectlockconfiguration": "GetObjectLockConfiguration",
	"s3:putbucketobjectlockconfiguration": "PutObjectLockConfiguration",
}

// override is a curated decision for one operation.
type override struct {
	id      string
	actions []string // primary actions, resources from the record
	// dynamic computes permissions that depend on the request; it may use actions too.
	dynamic func(r *cloudtrail.Record, q *request, ps []Permission) []Permission
	// dropExtras lists request-dependent extras of the data not to grant (they are part of
	// the override).
	dropExtras []string
}

// overrides replaces the data's decision for some operations, by lower-case
// "prefix:operation".
var overrides = map[string]override{
	// S3 API reference, CopyObject/UploadPartCopy: s3:GetObject (GetObjectVersion with a versionId) on the source, s3:PutObject on the destination.
	"s3:copyobject":     {id: "s3-copy", dynamic: copyObject, dropExtras: []string{"s3:GetObjectVersion"}},
	"s3:uploadpartcopy": {id: "s3-copy", dynamic: copyObject, dropExtras: []string{"s3:GetObjectVersion"}},
	// S3 API reference, DeleteBucket*: "you must have the s3:Put… permission"; there are no s3:Delete… actions for these.
	"s3:deletebucketcors":                            {id: "s3-delete-is-put", actions: []string{"s3:PutBucketCORS"}},
	"s3:deletebucketencryption":                      {id: "s3-delete-is-put", actions: []string{"s3:PutEncryptionConfiguration"}},
	"s3:deletebucketlifecycle":                       {id: "s3-delete-is-put", actions: []string{"s3:PutLifecycleConfiguration"}},
	"s3:deletebucketreplication":                     {id: "s3-delete-is-put", actions: []string{"s3:PutReplicationConfiguration"}},
	"s3:deletebuckettagging":                         {id: "s3-delete-is-put", actions: []string{"s3:PutBucketTagging"}},
	"s3:deletebucketownershipcontrols":               {id: "s3-delete-is-put", actions: []string{"s3:PutBucketOwnershipControls"}},
	"s3:deletebucketmetricsconfiguration":            {id: "s3-delete-is-put", actions: []string{"s3:PutMetricsConfiguration"}},
	"s3:deletebucketanalyticsconfiguration":          {id: "s3-delete-is-put", actions: []string{"s3:PutAnalyticsConfiguration"}},
	"s3:deletebucketinventoryconfiguration":          {id: "s3-delete-is-put", actions: []string{"s3:PutInventoryConfiguration"}},
	"s3:deletebucketintelligenttieringconfiguration": {id: "s3-delete-is-put", actions: []string{"s3:PutIntelligentTieringConfiguration"}},
	"s3:deletebucketpublicaccessblock":               {id: "s3-delete-is-put", actions: []string{"s3:PutBucketPublicAccessBlock"}},
	// S3 Control API reference, DeletePublicAccessBlock (account): s3:PutAccountPublicAccessBlock; the data merges it with the bucket-level operation.
	"s3:deleteaccountpublicaccessblock": {id: "s3-delete-is-put", actions: []string{"s3:PutAccountPublicAccessBlock"}},
	// KMS API reference, ReEncrypt: kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination key.
	"kms:reencrypt": {id: "kms-reencrypt", dynamic: reEncrypt},
	// DynamoDB Developer Guide, "IAM policies with PartiQL": the action follows the statement's verb.
	"dynamodb:executestatement":      {id: "dynamodb-partiql", dynamic: partiQL},
	"dynamodb:batchexecutestatement": {id: "dynamodb-partiql", dynamic: partiQL},
	"dynamodb:executetransaction":    {id: "dynamodb-partiql", dynamic: partiQL},
	// DynamoDB API reference, TransactWriteItems: each item needs the action of its kind (Put, Update, Delete, ConditionCheck).
	"dynamodb:transactwriteitems": {id: "dynamodb-transact-write", dynamic: transactWrite},
	// SQS Developer Guide, "Amazon SQS API permissions": batch calls are authorized by the single-message action.
	"sqs:sendmessagebatch":             {id: "batch-is-single", actions: []string{"sqs:SendMessage"}},
	"sqs:deletemessagebatch":           {id: "batch-is-single", actions: []string{"sqs:DeleteMessage"}},
	"sqs:changemessagevisibilitybatch": {id: "batch-is-single", actions: []string{"sqs:ChangeMessageVisibility"}},
	// SNS API reference, PublishBatch: "requires the sns:Publish permission".
	"sns:publishbatch": {id: "batch-is-single", actions: []string{"sns:Publish"}},
	// Bedrock User Guide, "Converse API": Converse needs bedrock:InvokeModel, ConverseStream bedrock:InvokeModelWithResponseStream.
	"bedrock:converse":       {id: "bedrock-converse", actions: []string{"bedrock:InvokeModel"}},
	"bedrock:conversestream": {id: "bedrock-converse", actions: []string{"bedrock:InvokeModelWithResponseStream"}},
	// Lambda API reference, Invoke and InvokeWithResponseStream: "lambda:InvokeFunction"; there is no lambda:Invoke action.
	"lambda:invoke":                   {id: "lambda-invoke", actions: []string{"lambda:InvokeFunction"}},
	"lambda:invokewithresponsestream": {id: "lambda-invoke", actions: []string{"lambda:InvokeFunction"}},
	// Secrets Manager API reference, BatchGetSecretValue: needs secretsmanager:GetSecretValue for each secret (and ListSecrets with filters).
	"secretsmanager:batchgetsecretvalue": {id: "secrets-batch-get", actions: []string{"secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue"}},
}

// decision builds the decision of an override for the operation op of prefix. The extras
// that the data gives the operation (a role passed, tags) still apply.
func (o override) decision(prefix, op string) *decision {
	rule := ruleOverridePrefix + o.id
	d := &decision{outcome: Mapped, rule: rule, dynamic: o.dynamic}
	if data := operationDecision(prefix, op, rule); data != nil {
		for _, x := range data.extras {
			if slices.Contains(o.actions, string(x.action)) || slices.Contains(o.dropExtras, string(x.action)) {
				continue
			}
			d.extras = append(d.extras, x)
		}
	}
	for _, a := range o.actions {
		d.primary = append(d.primary, newGrant(a, rule))
	}
	return d
}

// copyObject: s3:GetObject on the copy source, s3:PutObject on the destination.
func copyObject(r *cloudtrail.Record, q *request, ps []Permission) []Permission {
	rule := ruleOverridePrefix + "s3-copy"
	get := Permission{Action: "s3:GetObject", Rule: rule}
	if src := q.strings("x-amz-copy-source", "copysource"); len(src) > 0 {
		s := src[0]
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		s, query, _ := strings.Cut(strings.TrimPrefix(s, "/"), "?")
		if strings.Contains(query, "versionId=") {
			get.Action = "s3:GetObjectVersion"
		}
		if bucket, key, ok := strings.Cut(s, "/"); ok && bucket != "" && key != "" && !strings.HasPrefix(s, "arn:") {
			get.Resources, get.ruled = []string{"arn:aws:s3:::" + bucket + "/" + key}, true
		}
	}
	put := Permission{Action: "s3:PutObject", Rule: rule}
	bucket, key := q.strings("bucketname"), q.strings("key")
	if len(bucket) > 0 && len(key) > 0 && bucket[0] != "" && key[0] != "" {
		put.Resources, put.ruled = []string{"arn:aws:s3:::" + bucket[0] + "/" + key[0]}, true
	}
	return append(ps, get, put)
}

// reEncrypt: kms:ReEncryptFrom on the source key, kms:ReEncryptTo on destinationKeyId.
// When the keys cannot be told apart both actions get all the record's keys.
func reEncrypt(r *cloudtrail.Record, q *request, ps []Permission) []Permission {
	rule := ruleOverridePrefix + "kms-reencrypt"
	var keys []string
	for _, a := range r.ResourceARNs {
		if strings.Contains(a, ":kms:") {
			keys = append(keys, a)
		}
	}
	from := Permission{Action: "kms:ReEncryptFrom", Rule: rule, Resources: sortedCopy(keys)}
	to := Permission{Action: "kms:ReEncryptTo", Rule: rule, Resources: sortedCopy(keys)}
	if dst := q.strings("destinationkeyid"); len(dst) > 0 && dst[0] != "" && len(keys) > 1 {
		var f, t []string
		for _, k := range keys {
			if k == dst[0] || strings.HasSuffix(k, "/"+dst[0]) {
				t = append(t, k)
			} else {
				f = append(f, k)
			}
		}
		if len(f) > 0 && len(t) > 0 {
			from.Resources, to.Resources = sortedCopy(f), sortedCopy(t)
			from.ruled, to.ruled = true, true
		}
	}
	return append(ps, from, to)
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// partiQLVerbs maps a PartiQL statement's first word to its action.
var partiQLVerbs = map[string]string{
	"SELECT": "dynamodb:PartiQLSelect",
	"EXISTS": "dynamodb:PartiQLSelect",
	"INSERT": "dynamodb:PartiQLInsert",
	"UPDATE": "dynamodb:PartiQLUpdate",
	"DELETE": "dynamodb:PartiQLDelete",
}

// partiQL grants the PartiQL action of each statement's verb, on the record's tables;
// all four when no statement can be read.
func partiQL(r *cloudtrail.Record, q *request, ps []Permission) []Permission {
	rule := ruleOverridePrefix + "dynamodb-partiql"
	seen := map[string]bool{}
	for _, s := range q.strings("statement") {
		verb, _, _ := strings.Cut(strings.TrimLeft(s, " \t\r\n("), " ")
		verb, _, _ = strings.Cut(verb, "(")
		if a, ok := partiQLVerbs[strings.ToUpper(verb)]; ok {
			seen[a] = true
		}
	}
	actions := slices.Sorted(func(yield func(string) bool) {
		for a := range seen {
			if !yield(a) {
				return
			}
		}
	})
	if len(actions) == 0 {
		actions = []string{"dynamodb:PartiQLDelete", "dynamodb:PartiQLInsert", "dynamodb:PartiQLSelect", "dynamodb:PartiQLUpdate"}
	}
	for _, a := range actions {
		g := newGrant(a, rule)
		ps = append(ps, g.permission(r, q))
	}
	return ps
}

// transactKinds maps the keys of TransactWriteItems' items to their actions.
var transactKinds = []struct{ key, action string }{
	{"conditioncheck", "dynamodb:ConditionCheckItem"},
	{"delete", "dynamodb:DeleteItem"},
	{"put", "dynamodb:PutItem"},
	{"update", "dynamodb:UpdateItem"},
}

// transactWrite grants the action of each item kind in the transaction, on the record's
// tables; all four when the items cannot be read.
func transactWrite(r *cloudtrail.Record, q *request, ps []Permission) []Permission {
	rule := ruleOverridePrefix + "dynamodb-transact-write"
	var actions []string
	for _, k := range transactKinds {
		if q.has(k.key) {
			actions = append(actions, k.action)
		}
	}
	if len(actions) == 0 {
		for _, k := range transactKinds {
			actions = append(actions, k.action)
		}
	}
	for _, a := range actions {
		g := newGrant(a, rule)
		ps = append(ps, g.permission(r, q))
	}
	return ps
}

// secondary describes actions that an operation's "may authorize" list holds but that are
// needed only when the request uses a feature.
type secondary struct {
	feature string // rule "request:<feature>"
	match   func(action string, authorized []string) bool
	// trigger reports whether the request uses the feature; nil means the data alone
	// never grants the action (it depends on the response or on how the caller signed).
	trigger   func(*request) bool
	resources resourceRule
	versionOf bool // replaces the same action without "Version" (s3:GetObject → GetObjectVersion)
}

func named(names ...string) func(string, []string) bool {
	return func(a string, _ []string) bool {
		for _, n := range names {
			if strings.EqualFold(a, n) {
				return true
			}
		}
		return false
	}
}

func keys(ks ...string) func(*request) bool { return func(q *request) bool { return q.has(ks...) } }

// isTagging matches the actions that tag a resource while creating or changing it.
func isTagging(a string, _ []string) bool {
	_, n, _ := strings.Cut(a, ":")
	return strings.HasPrefix(n, "Tag") || n == "CreateTags" || strings.HasPrefix(n, "AddTags")
}

// isUntagging matches the actions that remove tags.
func isUntagging(a string, _ []string) bool {
	_, n, _ := strings.Cut(a, ":")
	return strings.HasPrefix(n, "Untag") || strings.HasPrefix(n, "RemoveTags")
}

// versionVariant matches X…Version… when X… without "Version" is also authorized.
func versionVariant(a string, authorized []string) bool {
	i := strings.Index(a, "Version")
	if i < 0 {
		return false
	}
	base := a[:i] + a[i+len("Version"):]
	return slices.ContainsFunc(authorized, func(b string) bool { return strings.EqualFold(b, base) })
}

// passesRole reports whether the request passes an IAM role: a role ARN, an instance
// profile, or a key naming a role.
func passesRole(q *request) bool {
	if !q.mentions(":role/") && !q.mentions(`role"`) && !q.mentions(`rolearn"`) && !q.mentions("instanceprofile") {
		return false
	}
	if len(q.stringsWhere(isRoleARN)) > 0 {
		return true
	}
	return q.keyWhere(func(k string) bool {
		return strings.HasSuffix(k, "role") || strings.HasSuffix(k, "rolearn") || strings.Contains(k, "instanceprofile")
	})
}

// tagKeys are request keys that carry tags to apply.
var tagKeys = []string{"tags", "tagspecificationset", "tagspecifications", "tagspecification", "taglist",
	"tagset", "tagslist", "resourcetags", "transitivetagkeys", "principaltags"}

// secondaries is checked in order; the first match decides.
var secondaries = []secondary{
	// IAM User Guide, "Granting a user permissions to pass a role": iam:PassRole when the request passes a role (on that role).
	{feature: "role", match: named("iam:PassRole"), trigger: passesRole, resources: resourcesRoles},
	// IAM User Guide, "Pass session tags in AWS STS" and "Tag on create": tagging actions when the request carries tags.
	{feature: "tags", match: isTagging, trigger: keys(tagKeys...)},
	// S3 API reference, GetObject/DeleteObject/…: with a versionId the …Version action is needed instead.
	{feature: "version-id", match: versionVariant, trigger: keys("versionid", "x-amz-version-id"), versionOf: true},
	// IAM User Guide, "Monitor and control actions taken with assumed roles": sts:SetSourceIdentity when a source identity is set.
	{feature: "source-identity", match: named("sts:SetSourceIdentity"), trigger: keys("sourceidentity")},
	// STS API reference, AssumeRole ProvidedContexts: sts:SetContext.
	{feature: "context", match: named("sts:SetContext"), trigger: keys("providedcontexts")},
	// Lambda Developer Guide, "Layers": lambda:GetLayerVersion on each layer version a function uses.
	{feature: "layers", match: named("lambda:GetLayerVersion"), trigger: keys("layers"), resources: resourcesLayers},
	// Secrets Manager API reference, BatchGetSecretValue: secretsmanager:ListSecrets when Filters are used.
	{feature: "filters", match: named("secretsmanager:ListSecrets"), trigger: keys("filters")},
	// S3 User Guide, "Object Lock": s3:BypassGovernanceRetention with x-amz-bypass-governance-retention.
	{feature: "bypass-governance", match: named("s3:BypassGovernanceRetention"), trigger: keys("x-amz-bypass-governance-retention")},
	// S3 API reference, PutObject: s3:PutObjectAcl with an ACL header, …Tagging with x-amz-tagging, Object Lock headers.
	{feature: "acl", match: named("s3:PutObjectAcl", "s3:PutBucketAcl"), trigger: keys("x-amz-acl", "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control")},
	// S3 API reference, CreateBucket: Object Lock needs s3:PutBucketObjectLockConfiguration and s3:PutBucketVersioning; x-amz-object-ownership needs s3:PutBucketOwnershipControls.
	{feature: "object-lock", match: named("s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning"), trigger: keys("x-amz-bucket-object-lock-enabled")},
	{feature: "object-ownership", match: named("s3:PutBucketOwnershipControls"), trigger: keys("x-amz-object-ownership")},
	{feature: "tagging", match: named("s3:PutObjectTagging"), trigger: keys("x-amz-tagging")},
	{feature: "legal-hold", match: named("s3:PutObjectLegalHold"), trigger: keys("x-amz-object-lock-legal-hold")},
	{feature: "retention", match: named("s3:PutObjectRetention"), trigger: keys("x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date")},
	// S3 API reference, ListObjectsV2: s3:GetObjectAcl only with fetch-owner.
	{feature: "fetch-owner", match: named("s3:GetObjectAcl"), trigger: keys("fetch-owner")},
	// Bedrock User Guide, "Converse API": guardrails and tools need their own actions.
	{feature: "guardrail", match: named("bedrock:ApplyGuardrail"), trigger: keys("guardrailconfig", "guardrailidentifier")},
	{feature: "tools", match: named("bedrock:InvokeTool"), trigger: keys("toolconfig")},
	// SNS API reference, CreateTopic: sns:PutDataProtectionPolicy with a DataProtectionPolicy attribute.
	{feature: "data-protection-policy", match: named("sns:PutDataProtectionPolicy"), trigger: keys("dataprotectionpolicy")},
	// KMS API reference, CreateKey: the Policy parameter sets the key policy (kms:PutKeyPolicy).
	{feature: "key-policy", match: named("kms:PutKeyPolicy"), trigger: keys("policy")},
	// Untagging while updating (for example Service Catalog UpdateProduct RemoveTags).
	{feature: "untag", match: isUntagging, trigger: keys("removetags", "tagstoremove", "tagkeystoremove", "removetagkeys")},
	// Response- or signature-dependent: never granted from the data alone.
	{feature: "bearer-token", match: func(a string, _ []string) bool { return strings.HasSuffix(strings.ToLower(a), ":callwithbearertoken") }},
	{feature: "object-lock-read", match: named("s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectTagging")},
	{feature: "object-lambda", match: func(a string, _ []string) bool { return strings.HasPrefix(a, "s3-object-lambda:") }},
}

func secondaryFor(a string, authorized []string) (secondary, bool) {
	for _, s := range secondaries {
		if s.match(a, authorized) {
			return s, true
		}
	}
	return secondary{}, false
}

// extra returns the request-dependent grant of action a.
func (s secondary) extra(a string, authorized []string) extra {
	x := extra{grant: newGrant(a, ruleRequestPrefix+s.feature), trigger: s.trigger}
	x.resources = s.resources
	if s.versionOf {
		i := strings.Index(a, "Version")
		base := a[:i] + a[i+len("Version"):]
		for _, b := range authorized {
			if strings.EqualFold(b, base) {
				x.replaces = iam.Action(b)
			}
		}
	}
	return x
}

// apiGatewayDecision maps an API Gateway management event to the HTTP verb action on the
// path ARN, as the apigateway:GET/POST/… actions require.
type apiGatewayDecision struct {
	v1, v2 *apiGatewayGrant
}

type apiGatewayGrant struct {
	action   iam.Action
	path     string
	template string // the path with its {placeholders}, for the scoped mode
	rule     string
}

func apiGatewayDecisionFor(prefix, op string) *decision {
	var a apiGatewayDecision
	if b, ok := servicedefs.APIGatewayBinding(servicedefs.APIGatewayV1, op); ok {
		a.v1 = &apiGatewayGrant{action: iam.Action(prefix + ":" + b.Method), path: wildcardPath(b.Path), template: b.Path, rule: ruleAPIGatewayV1}
	}
	if b, ok := servicedefs.APIGatewayBinding(servicedefs.APIGatewayV2, op); ok {
		a.v2 = &apiGatewayGrant{action: iam.Action(prefix + ":" + b.Method), path: wildcardPath(strings.TrimPrefix(b.Path, "/v2")), template: strings.TrimPrefix(b.Path, "/v2"), rule: ruleAPIGatewayV2}
	}
	if a.v1 == nil && a.v2 == nil {
		return nil
	}
	d := &decision{outcome: Mapped, rule: ruleAPIGatewayV1, apigateway: &a}
	if a.v1 == nil {
		d.rule = ruleAPIGatewayV2
	}
	// A role passed (integration credentials, authorizer roles) and such come from the data.
	if o, ok := servicedefs.LookupOperation(prefix, op); ok {
		_, extras := splitAuthorized(prefix, o.Name, o.AuthorizedActions)
		for _, x := range extras {
			if p, _, _ := strings.Cut(string(x.action), ":"); !strings.EqualFold(p, prefix) {
				d.extras = append(d.extras, x)
			}
		}
	}
	return d
}

// filledPath fills each {placeholder} of a path template with the request value of the
// same name (restApiId, stageName, …), "*" when the request has none or it holds a "/".
func filledPath(p string, q *request) (string, string) {
	var b strings.Builder
	key := ""
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(p[:i])
		name := strings.TrimSuffix(p[i+1:i+j], "+")
		v := "*"
		for _, s := range q.strings(strings.ToLower(name)) {
			if s != "" && !strings.ContainsAny(s, "/*") {
				v, key = s, cmp.Or(key, name)
				break
			}
		}
		b.WriteString(v)
		p = p[i+j+1:]
	}
	b.WriteString(p)
	return b.String(), key
}

// wildcardPath replaces each {placeholder} of a path template with *.
func wildcardPath(p string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(p[:i])
		b.WriteByte('*')
		p = p[i+j+1:]
	}
	b.WriteString(p)
	return b.String()
}

// pick tells v1 (REST APIs) from v2 (HTTP and WebSocket APIs) by the request: v1 names
// restApiId or /restapis/ paths, v2 names apiId or /apis/ paths. Without a hint, the only
// version that has the operation, else v1.
func (a *apiGatewayDecision) pick(q *request) (*apiGatewayGrant, bool) {
	switch {
	case a.v1 == nil:
		return a.v2, a.v2 != nil
	case a.v2 == nil:
		return a.v1, true
	case q.mentions(`"restapiid"`) || q.mentions("/restapis/"):
		return a.v1, true
	case q.mentions(`"apiid"`) || q.mentions("/apis/"):
		return a.v2, true
	}
	return a.v1, true
}

// apiGatewayARN is the resource of an API Gateway management call:
// arn:aws:apigateway:<region>::<path>.
func apiGatewayARN(region, path string) string {
	if region == "" {
		region = "*"
	}
	return "arn:aws:apigateway:" + region + "::" + path
}
