package mapping

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// rec builds a record for the mapping tests.
func rec(source, name, params string, arns ...string) *cloudtrail.Record {
	r := &cloudtrail.Record{EventSource: source, EventName: name, AWSRegion: "us-east-1", ResourceARNs: arns,
		UserIdentity: cloudtrail.UserIdentity{Type: "IAMUser"}, EventType: "AwsApiCall"}
	if params != "" {
		r.RequestParameters = json.RawMessage(params)
	}
	return r
}

// perms renders permissions as "action rule [resources]" lines, sorted.
func perms(ps []Permission) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s %s %v", p.Action, p.Rule, p.Resources))
	}
	slices.Sort(out)
	return out
}

func TestMapping(t *testing.T) {
	tests := []struct {
		name    string
		r       *cloudtrail.Record
		outcome Outcome
		rule    string
		want    []string
	}{
		{"plain operation", rec("ec2.amazonaws.com", "DescribeInstances", ""), Mapped, "operation",
			[]string{"ec2:DescribeInstances operation [*]"}},
		{"resources filtered by the action's ARN formats",
			rec("s3.amazonaws.com", "GetObject", `{"bucketName":"b","key":"k"}`, "arn:aws:s3:::b/k", "arn:aws:s3:::b"), Mapped, "operation",
			[]string{"s3:GetObject operation [arn:aws:s3:::b/k]"}},
		{"no resource types means *", rec("ec2.amazonaws.com", "DescribeInstances", "", "arn:aws:ec2:us-east-1:1:instance/i-1"), Mapped, "operation",
			[]string{"ec2:DescribeInstances operation [*]"}},
		{"version suffix stripped (Lambda)", rec("lambda.amazonaws.com", "ListVersionsByFunction20150331", ""), Mapped, "operation",
			[]string{"lambda:ListVersionsByFunction operation [*]"}},
		{"version suffix stripped (Lambda v2)", rec("lambda.amazonaws.com", "GetFunctionConfiguration20150331v2", ""), Mapped, "operation",
			[]string{"lambda:GetFunctionConfiguration operation [*]"}},
		{"version suffix stripped (CloudFront)", rec("cloudfront.amazonaws.com", "UpdateDistribution2016_11_25", ""), Mapped, "operation",
			[]string{"cloudfront:UpdateDistribution operation [*]"}},
		{"digits that belong to the name stay", rec("cloud9.amazonaws.com", "CreateEnvironmentEC2", ""), Mapped, "operation",
			[]string{"cloud9:CreateEnvironmentEC2 operation [*]"}},
		{"V2 that belongs to the name stays", rec("comprehendmedical.amazonaws.com", "DetectEntitiesV2", ""), Mapped, "operation",
			[]string{"comprehendmedical:DetectEntitiesV2 operation [*]"}},
		{"prefix from the event-source table", rec("monitoring.amazonaws.com", "DescribeAlarms", ""), Mapped, "operation",
			[]string{"cloudwatch:DescribeAlarms operation [*]"}},
		{"event name that is an action but no operation", rec("s3.amazonaws.com", "ListBucket", "", "arn:aws:s3:::b"), Mapped, "action-name",
			[]string{"s3:ListBucket action-name [arn:aws:s3:::b]"}},
		{"operation renamed by the data", rec("s3.amazonaws.com", "HeadBucket", "", "arn:aws:s3:::b"), Mapped, "operation",
			[]string{"s3:ListBucket operation [arn:aws:s3:::b]"}},
		{"primary of several: the own service's only action", rec("s3.amazonaws.com", "ListObjects", `{"bucketName":"b"}`, "arn:aws:s3:::b"), Mapped, "operation",
			[]string{"s3:ListBucket operation [arn:aws:s3:::b]"}},
		{"extra only with its feature: fetch-owner", rec("s3.amazonaws.com", "ListObjects", `{"bucketName":"b","fetch-owner":"true"}`, "arn:aws:s3:::b"), Mapped, "operation",
			[]string{"s3:GetObjectAcl request:fetch-owner [*]", "s3:ListBucket operation [arn:aws:s3:::b]"}},
		{"versionId replaces GetObject by GetObjectVersion", rec("s3.amazonaws.com", "GetObject", `{"bucketName":"b","key":"k","versionId":"v1"}`, "arn:aws:s3:::b/k"), Mapped, "operation",
			[]string{"s3:GetObjectVersion request:version-id [arn:aws:s3:::b/k]"}},
		{"empty versionId is no version", rec("s3.amazonaws.com", "GetObject", `{"bucketName":"b","key":"k","versionId":""}`, "arn:aws:s3:::b/k"), Mapped, "operation",
			[]string{"s3:GetObject operation [arn:aws:s3:::b/k]"}},
		{"DeleteObject with a versionId", rec("s3.amazonaws.com", "DeleteObject", `{"bucketName":"b","key":"k","versionId":"v1"}`, "arn:aws:s3:::b/k"), Mapped, "operation",
			[]string{"s3:DeleteObjectVersion request:version-id [arn:aws:s3:::b/k]"}},
		{"PassRole on the role passed", rec("datasync.amazonaws.com", "CreateLocationS3", `{"s3Config":{"bucketAccessRoleArn":"arn:aws:iam::1:role/r"}}`), Mapped, "operation",
			[]string{"datasync:CreateLocationS3 operation [*]", "iam:PassRole request:role [arn:aws:iam::1:role/r]"}},
		{"PassRole for an instance profile", rec("ec2.amazonaws.com", "RunInstances", `{"iamInstanceProfile":{"name":"p"}}`), Mapped, "operation",
			[]string{"ec2:RunInstances operation [*]", "iam:PassRole request:role [*]"}},
		{"no PassRole without a role", rec("lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", `{"functionName":"f","timeout":3}`), Mapped, "operation",
			[]string{"lambda:UpdateFunctionConfiguration operation [*]"}},
		{"tags on create", rec("ec2.amazonaws.com", "CreateVolume", `{"tagSpecificationSet":{"items":[{"resourceType":"volume","tags":[{"key":"a","value":"b"}]}]}}`), Mapped, "operation",
			[]string{"ec2:CreateTags request:tags [*]", "ec2:CreateVolume operation [*]"}},
		{"empty tags are no tags", rec("ec2.amazonaws.com", "CreateVolume", `{"tagSpecificationSet":{}}`), Mapped, "operation",
			[]string{"ec2:CreateVolume operation [*]"}},
		{"session tags and source identity", rec("sts.amazonaws.com", "AssumeRole", `{"roleArn":"arn:aws:iam::1:role/r","tags":[{"key":"k","value":"v"}],"sourceIdentity":"me"}`, "arn:aws:iam::1:role/r"), Mapped, "operation",
			[]string{"sts:AssumeRole operation [arn:aws:iam::1:role/r]", "sts:SetSourceIdentity request:source-identity [arn:aws:iam::1:role/r]", "sts:TagSession request:tags [arn:aws:iam::1:role/r]"}},
		{"layers need GetLayerVersion on the layer", rec("lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", `{"layers":["arn:aws:lambda:us-east-1:1:layer:l:3"]}`), Mapped, "operation",
			[]string{"lambda:GetLayerVersion request:layers [arn:aws:lambda:us-east-1:1:layer:l:3]", "lambda:UpdateFunctionConfiguration operation [*]"}},
		{"action named like the operation that the data omits", rec("s3.amazonaws.com", "GetObjectTorrent", "", "arn:aws:s3:::b/k"), Mapped, "operation",
			[]string{"s3:GetObject operation [arn:aws:s3:::b/k]", "s3:GetObjectTorrent operation [arn:aws:s3:::b/k]"}},
		{"other services' actions in the superset are dropped", rec("cloudfront.amazonaws.com", "UpdateDistribution", `{"id":"E1"}`), Mapped, "operation",
			[]string{"cloudfront:UpdateDistribution operation [*]"}},
		{"primary in another service (opensearch → es)", rec("opensearch.amazonaws.com", "DescribeDomain", ""), Mapped, "operation",
			[]string{"es:DescribeDomain operation [*]"}},
		{"API Gateway v1 by restApiId", rec("apigateway.amazonaws.com", "CreateStage", `{"restApiId":"a"}`), Mapped, "apigateway-v1",
			[]string{"apigateway:POST apigateway-v1 [arn:aws:apigateway:us-east-1::/restapis/*/stages]"}},
		{"API Gateway v2 by apiId", rec("apigateway.amazonaws.com", "CreateStage", `{"apiId":"a"}`), Mapped, "apigateway-v2",
			[]string{"apigateway:POST apigateway-v2 [arn:aws:apigateway:us-east-1::/apis/*/stages]"}},
		{"API Gateway v2 by resource ARN", rec("apigateway.amazonaws.com", "TagResource", `{"resource-arn":"arn:aws:apigateway:us-east-1::/apis/a"}`), Mapped, "apigateway-v2",
			[]string{"apigateway:POST apigateway-v2 [arn:aws:apigateway:us-east-1::/tags/*]"}},
		{"API Gateway v1 without a hint", rec("apigateway.amazonaws.com", "UpdateMethod", ""), Mapped, "apigateway-v1",
			[]string{"apigateway:PATCH apigateway-v1 [arn:aws:apigateway:us-east-1::/restapis/*/resources/*/methods/*]"}},
		{"API Gateway v2-only operation", rec("apigateway.amazonaws.com", "GetApis", ""), Mapped, "apigateway-v2",
			[]string{"apigateway:GET apigateway-v2 [arn:aws:apigateway:us-east-1::/apis]"}},
		{"API Gateway with a role passed", rec("apigateway.amazonaws.com", "CreateIntegration", `{"apiId":"a","createIntegrationInput":{"credentialsArn":"arn:aws:iam::1:role/r"}}`), Mapped, "apigateway-v2",
			[]string{"apigateway:POST apigateway-v2 [arn:aws:apigateway:us-east-1::/apis/*/integrations]", "iam:PassRole request:role [arn:aws:iam::1:role/r]"}},
		{"API Gateway unknown operation", rec("apigateway.amazonaws.com", "NoSuchOperation", ""), Unmapped, "unmapped", nil},
		{"unknown source", rec("nosuch.amazonaws.com", "DoThing", ""), Unmapped, "unknown-event-source", nil},
		{"known service, unknown name", rec("s3.amazonaws.com", "GetStorageLensDashboardDataInternal", ""), Unmapped, "unmapped", nil},
		{"empty record", &cloudtrail.Record{}, Unmapped, "unmapped", nil},
		{"AWS service caller", &cloudtrail.Record{EventSource: "sts.amazonaws.com", EventName: "AssumeRole", UserIdentity: cloudtrail.UserIdentity{Type: "AWSService"}}, Permissionless, "aws-service-caller", nil},
		{"service event", &cloudtrail.Record{EventSource: "kms.amazonaws.com", EventName: "DeleteKey", EventType: "AwsServiceEvent"}, Permissionless, "service-event", nil},
		{"console sign-in event type", &cloudtrail.Record{EventSource: "signin.amazonaws.com", EventName: "ConsoleLogin", EventType: "AwsConsoleSignIn"}, Permissionless, "console-sign-in", nil},
		{"Identity Center portal user", &cloudtrail.Record{EventSource: "sso.amazonaws.com", EventName: "ListApplications", UserIdentity: cloudtrail.UserIdentity{Type: "IdentityCenterUser"}}, Permissionless, "permissionless:identity-center-portal", nil},
		{"Identity Center admin call", rec("sso.amazonaws.com", "ListApplications", ""), Mapped, "operation", []string{"sso:ListApplications operation [*]"}},
		{"sign-in API with authorized actions", rec("signin.amazonaws.com", "GetConsoleAuthorizationConfiguration", ""), Mapped, "operation",
			[]string{"signin:GetConsoleAuthorizationConfiguration operation [*]"}},
		{"sign-in source", rec("signin.amazonaws.com", "RenewRole", ""), Permissionless, "console-sign-in", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := For(tt.r)
			if m.Outcome != tt.outcome || m.Rule != tt.rule {
				t.Errorf("Mapping() = %v %q, want %v %q", m.Outcome, m.Rule, tt.outcome, tt.rule)
			}
			if diff := cmp.Diff(tt.want, perms(m.Permissions), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Mapping().Permissions mismatch (-want +got):\n%s", diff)
			}
			for _, p := range m.Permissions {
				if _, ok := servicedefs.Canonical(string(p.Action)); !ok {
					t.Errorf("action %s is not in the service reference", p.Action)
				}
			}
		})
	}
}

func TestUnverifiedService(t *testing.T) {
	// The embedded table has no prefix missing from the snapshot, so plant the decision
	// that makeDecision takes for one, and follow it through the generator.
	k := pairKey{Source: "newservice.amazonaws.com", Name: "DoThing"}
	storeDecision(k, unverifiedDecision("newservice", "DoThing"))
	defer forgetDecision(k)
	r := rec(k.Source, k.Name, "", "arn:aws:newservice:us-east-1:1:thing/x")
	m := For(r)
	want := []string{"newservice:DoThing unverified-service [arn:aws:newservice:us-east-1:1:thing/x]"}
	if m.Outcome != Unverified || !cmp.Equal(perms(m.Permissions), want) {
		t.Errorf("Mapping() = %v %v, want unverified %v", m.Outcome, perms(m.Permissions), want)
	}
}

// TestPermissionlessTable checks each entry: mapped to no permission with its rule.
func TestPermissionlessTable(t *testing.T) {
	for key, rule := range permissionless {
		t.Run(key, func(t *testing.T) {
			prefix, op, _ := strings.Cut(key, ":")
			source := prefix + ".amazonaws.com"
			if p, ok := servicedefs.PrefixForEventSource(source); !ok || !strings.EqualFold(p, prefix) {
				t.Fatalf("PrefixForEventSource(%s) = %q, %v", source, p, ok)
			}
			m := For(rec(source, op, ""))
			if m.Outcome != Permissionless || m.Rule != "permissionless:"+rule || len(m.Permissions) != 0 {
				t.Errorf("Mapping() = %v %q %v, want permissionless %q", m.Outcome, m.Rule, m.Permissions, rule)
			}
		})
	}
}

// TestRenames checks that each rename leads to an operation of the service reference.
func TestRenames(t *testing.T) {
	for key, to := range renames {
		t.Run(key, func(t *testing.T) {
			prefix, name, _ := strings.Cut(key, ":")
			if _, ok := servicedefs.LookupOperation(prefix, to); !ok {
				t.Errorf("%s → %s: no such operation", key, to)
			}
			m := For(rec(prefix+".amazonaws.com", name, ""))
			if m.Outcome != Mapped {
				t.Errorf("Mapping(%s) = %v %q", key, m.Outcome, m.Rule)
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	// Every fixed action of the table exists.
	for key, o := range overrides {
		for _, a := range append(slices.Clone(o.actions), o.dropExtras...) {
			if _, ok := servicedefs.Canonical(a); !ok {
				t.Errorf("overrides[%s] names %s, not in the service reference", key, a)
			}
		}
		if len(o.actions) == 0 && o.dynamic == nil {
			t.Errorf("overrides[%s] grants nothing", key)
		}
	}
	tests := []struct {
		name string
		r    *cloudtrail.Record
		want []string
	}{
		{"copy: get on the source, put on the destination",
			rec("s3.amazonaws.com", "CopyObject", `{"bucketName":"dst","key":"d/k","x-amz-copy-source":"src/s%2Fk"}`),
			[]string{"s3:GetObject override:s3-copy [arn:aws:s3:::src/s/k]", "s3:PutObject override:s3-copy [arn:aws:s3:::dst/d/k]"}},
		{"copy of a version",
			rec("s3.amazonaws.com", "UploadPartCopy", `{"bucketName":"dst","key":"k","x-amz-copy-source":"/src/k?versionId=3"}`),
			[]string{"s3:GetObjectVersion override:s3-copy [arn:aws:s3:::src/k]", "s3:PutObject override:s3-copy [arn:aws:s3:::dst/k]"}},
		{"copy without parameters",
			rec("s3.amazonaws.com", "CopyObject", ""),
			[]string{"s3:GetObject override:s3-copy [*]", "s3:PutObject override:s3-copy [*]"}},
		{"copy with tags",
			rec("s3.amazonaws.com", "CopyObject", `{"bucketName":"dst","key":"k","x-amz-copy-source":"src/k","x-amz-tagging":"a=b"}`),
			[]string{"s3:GetObject override:s3-copy [arn:aws:s3:::src/k]", "s3:PutObject override:s3-copy [arn:aws:s3:::dst/k]", "s3:PutObjectTagging request:tagging [*]"}},
		{"re-encrypt: from the source key, to the destination key",
			rec("kms.amazonaws.com", "ReEncrypt", `{"destinationKeyId":"k2"}`, "arn:aws:kms:us-east-1:1:key/k1", "arn:aws:kms:us-east-1:1:key/k2"),
			[]string{"kms:ReEncryptFrom override:kms-reencrypt [arn:aws:kms:us-east-1:1:key/k1]", "kms:ReEncryptTo override:kms-reencrypt [arn:aws:kms:us-east-1:1:key/k2]"}},
		{"re-encrypt with an alias as destination",
			rec("kms.amazonaws.com", "ReEncrypt", `{"destinationKeyId":"alias/x"}`, "arn:aws:kms:us-east-1:1:key/k1"),
			[]string{"kms:ReEncryptFrom override:kms-reencrypt [arn:aws:kms:us-east-1:1:key/k1]", "kms:ReEncryptTo override:kms-reencrypt [arn:aws:kms:us-east-1:1:key/k1]"}},
		{"PartiQL select", rec("dynamodb.amazonaws.com", "ExecuteStatement", `{"statement":"  select * from T"}`, "arn:aws:dynamodb:us-east-1:1:table/T"),
			[]string{"dynamodb:PartiQLSelect override:dynamodb-partiql [arn:aws:dynamodb:us-east-1:1:table/T]"}},
		{"PartiQL batch of verbs", rec("dynamodb.amazonaws.com", "BatchExecuteStatement", `{"statements":[{"statement":"INSERT INTO T VALUE {}"},{"statement":"DELETE FROM T WHERE a=1"}]}`),
			[]string{"dynamodb:PartiQLDelete override:dynamodb-partiql [*]", "dynamodb:PartiQLInsert override:dynamodb-partiql [*]"}},
		{"PartiQL transaction with a condition check", rec("dynamodb.amazonaws.com", "ExecuteTransaction", `{"transactStatements":[{"statement":"EXISTS(SELECT * FROM T)"},{"statement":"UPDATE T SET a=1"}]}`),
			[]string{"dynamodb:PartiQLSelect override:dynamodb-partiql [*]", "dynamodb:PartiQLUpdate override:dynamodb-partiql [*]"}},
		{"PartiQL statement unreadable", rec("dynamodb.amazonaws.com", "ExecuteStatement", `{"statement":"***"}`),
			[]string{"dynamodb:PartiQLDelete override:dynamodb-partiql [*]", "dynamodb:PartiQLInsert override:dynamodb-partiql [*]", "dynamodb:PartiQLSelect override:dynamodb-partiql [*]", "dynamodb:PartiQLUpdate override:dynamodb-partiql [*]"}},
		{"DynamoDB transaction by item kind", rec("dynamodb.amazonaws.com", "TransactWriteItems", `{"transactItems":[{"put":{"tableName":"T"}},{"conditionCheck":{"tableName":"T"}}]}`, "arn:aws:dynamodb:us-east-1:1:table/T"),
			[]string{"dynamodb:ConditionCheckItem override:dynamodb-transact-write [arn:aws:dynamodb:us-east-1:1:table/T]", "dynamodb:PutItem override:dynamodb-transact-write [arn:aws:dynamodb:us-east-1:1:table/T]"}},
		{"DynamoDB transaction unreadable", rec("dynamodb.amazonaws.com", "TransactWriteItems", ""),
			[]string{"dynamodb:ConditionCheckItem override:dynamodb-transact-write [*]", "dynamodb:DeleteItem override:dynamodb-transact-write [*]", "dynamodb:PutItem override:dynamodb-transact-write [*]", "dynamodb:UpdateItem override:dynamodb-transact-write [*]"}},
		{"SQS batch", rec("sqs.amazonaws.com", "SendMessageBatch", "", "arn:aws:sqs:us-east-1:1:q"),
			[]string{"sqs:SendMessage override:batch-is-single [arn:aws:sqs:us-east-1:1:q]"}},
		{"SQS delete batch", rec("sqs.amazonaws.com", "DeleteMessageBatch", ""), []string{"sqs:DeleteMessage override:batch-is-single [*]"}},
		{"SQS visibility batch", rec("sqs.amazonaws.com", "ChangeMessageVisibilityBatch", ""), []string{"sqs:ChangeMessageVisibility override:batch-is-single [*]"}},
		{"SNS batch", rec("sns.amazonaws.com", "PublishBatch", ""), []string{"sns:Publish override:batch-is-single [*]"}},
		{"Bedrock Converse", rec("bedrock.amazonaws.com", "Converse", `{"modelId":"m"}`), []string{"bedrock:InvokeModel override:bedrock-converse [*]"}},
		{"Bedrock Converse with a guardrail", rec("bedrock.amazonaws.com", "Converse", `{"modelId":"m","guardrailConfig":{"guardrailIdentifier":"g"}}`),
			[]string{"bedrock:ApplyGuardrail request:guardrail [*]", "bedrock:InvokeModel override:bedrock-converse [*]"}},
		{"Bedrock ConverseStream", rec("bedrock.amazonaws.com", "ConverseStream", ""), []string{"bedrock:InvokeModelWithResponseStream override:bedrock-converse [*]"}},
		{"Lambda Invoke", rec("lambda.amazonaws.com", "Invoke", "", "arn:aws:lambda:us-east-1:1:function:f"),
			[]string{"lambda:InvokeFunction override:lambda-invoke [arn:aws:lambda:us-east-1:1:function:f]"}},
		{"Lambda InvokeWithResponseStream", rec("lambda.amazonaws.com", "InvokeWithResponseStream", ""), []string{"lambda:InvokeFunction override:lambda-invoke [*]"}},
		{"Secrets Manager batch get", rec("secretsmanager.amazonaws.com", "BatchGetSecretValue", `{"secretIdList":["a"]}`),
			[]string{"secretsmanager:BatchGetSecretValue override:secrets-batch-get [*]", "secretsmanager:GetSecretValue override:secrets-batch-get [*]"}},
		{"Secrets Manager batch get with filters", rec("secretsmanager.amazonaws.com", "BatchGetSecretValue", `{"filters":[{"key":"tag-key"}]}`),
			[]string{"secretsmanager:BatchGetSecretValue override:secrets-batch-get [*]", "secretsmanager:GetSecretValue override:secrets-batch-get [*]", "secretsmanager:ListSecrets request:filters [*]"}},
		{"account public access block", rec("s3.amazonaws.com", "DeleteAccountPublicAccessBlock", ""), []string{"s3:PutAccountPublicAccessBlock override:s3-delete-is-put [*]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := perms(Permissions(tt.r))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Permissions() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// The S3 Delete* → Put* entries.
	for key, o := range overrides {
		if o.id != "s3-delete-is-put" {
			continue
		}
		_, name, _ := strings.Cut(key, ":")
		t.Run(key, func(t *testing.T) {
			got := perms(Permissions(rec("s3.amazonaws.com", name, "")))
			want := []string{o.actions[0] + " override:s3-delete-is-put [*]"}
			if !cmp.Equal(got, want) {
				t.Errorf("Permissions(%s) = %v, want %v", name, got, want)
			}
		})
	}
}

// TestSecondaries checks each request-dependent entry against an operation that lists it.
func TestSecondaries(t *testing.T) {
	tests := []struct {
		feature, source, name, params, action string
	}{
		{"role", "ecs.amazonaws.com", "RegisterTaskDefinition", `{"taskRoleArn":"arn:aws:iam::1:role/t"}`, "iam:PassRole"},
		{"tags", "iam.amazonaws.com", "CreateUser", `{"userName":"u","tags":[{"key":"a","value":"b"}]}`, "iam:TagUser"},
		{"version-id", "s3.amazonaws.com", "GetObjectAcl", `{"versionId":"3"}`, "s3:GetObjectVersionAcl"},
		{"source-identity", "sts.amazonaws.com", "AssumeRole", `{"sourceIdentity":"x"}`, "sts:SetSourceIdentity"},
		{"context", "sts.amazonaws.com", "AssumeRole", `{"providedContexts":[{"providerArn":"p"}]}`, "sts:SetContext"},
		{"layers", "lambda.amazonaws.com", "CreateFunction20150331", `{"layers":["arn:aws:lambda:us-east-1:1:layer:l:1"]}`, "lambda:GetLayerVersion"},
		{"filters", "secretsmanager.amazonaws.com", "BatchGetSecretValue", `{"filters":[{"key":"name"}]}`, "secretsmanager:ListSecrets"},
		{"bypass-governance", "s3.amazonaws.com", "DeleteObject", `{"x-amz-bypass-governance-retention":"true"}`, "s3:BypassGovernanceRetention"},
		{"acl", "s3.amazonaws.com", "PutObject", `{"x-amz-acl":"private"}`, "s3:PutObjectAcl"},
		{"tagging", "s3.amazonaws.com", "PutObject", `{"x-amz-tagging":"a=b"}`, "s3:PutObjectTagging"},
		{"object-lock", "s3.amazonaws.com", "CreateBucket", `{"x-amz-bucket-object-lock-enabled":"true"}`, "s3:PutBucketObjectLockConfiguration"},
		{"object-ownership", "s3.amazonaws.com", "CreateBucket", `{"x-amz-object-ownership":"BucketOwnerEnforced"}`, "s3:PutBucketOwnershipControls"},
		{"data-protection-policy", "sns.amazonaws.com", "CreateTopic", `{"attributes":{"DataProtectionPolicy":"{}"}}`, "sns:PutDataProtectionPolicy"},
		{"key-policy", "kms.amazonaws.com", "CreateKey", `{"policy":"{}"}`, "kms:PutKeyPolicy"},
		{"untag", "servicecatalog.amazonaws.com", "UpdateProduct", `{"removeTags":["a"]}`, "servicecatalog:UntagResource"},
		{"legal-hold", "s3.amazonaws.com", "PutObject", `{"x-amz-object-lock-legal-hold":"ON"}`, "s3:PutObjectLegalHold"},
		{"retention", "s3.amazonaws.com", "PutObject", `{"x-amz-object-lock-mode":"GOVERNANCE"}`, "s3:PutObjectRetention"},
		{"fetch-owner", "s3.amazonaws.com", "ListObjectsV2", `{"fetch-owner":"true"}`, "s3:GetObjectAcl"},
		{"guardrail", "bedrock.amazonaws.com", "Converse", `{"guardrailConfig":{"x":1}}`, "bedrock:ApplyGuardrail"},
		{"tools", "bedrock.amazonaws.com", "Converse", `{"toolConfig":{"tools":[1]}}`, "bedrock:InvokeTool"},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.feature, func(t *testing.T) {
			covered[tt.feature] = true
			with := Permissions(rec(tt.source, tt.name, tt.params))
			without := Permissions(rec(tt.source, tt.name, `{"other":"x"}`))
			has := func(ps []Permission) bool {
				return slices.ContainsFunc(ps, func(p Permission) bool {
					return string(p.Action) == tt.action && p.Rule == "request:"+tt.feature
				})
			}
			if !has(with) {
				t.Errorf("with %s: %v, want %s", tt.params, perms(with), tt.action)
			}
			if has(without) {
				t.Errorf("without the feature: %v, want no %s", perms(without), tt.action)
			}
		})
	}
	// Entries that never grant: the data alone cannot show they were needed.
	never := []struct{ feature, source, name, action string }{
		{"bearer-token", "bedrock.amazonaws.com", "InvokeModel", "bedrock:CallWithBearerToken"},
		{"object-lock-read", "s3.amazonaws.com", "HeadObject", "s3:GetObjectLegalHold"},
		{"object-lambda", "s3.amazonaws.com", "GetObject", "s3-object-lambda:GetObject"},
	}
	for _, tt := range never {
		covered[tt.feature] = true
		for _, p := range Permissions(rec(tt.source, tt.name, `{"x-amz-acl":"private","tags":[1]}`)) {
			if string(p.Action) == tt.action {
				t.Errorf("%s %s granted %s", tt.source, tt.name, tt.action)
			}
		}
	}
	for _, s := range secondaries {
		if !covered[s.feature] {
			t.Errorf("secondaries entry %q has no test", s.feature)
		}
	}
}

func TestOperationNames(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"GetFunction20150331v2", []string{"GetFunction20150331v2", "GetFunction"}},
		{"PublishLayerVersion20181031", []string{"PublishLayerVersion20181031", "PublishLayerVersion"}},
		{"UpdateDistribution2014_01_31", []string{"UpdateDistribution2014_01_31", "UpdateDistribution"}},
		{"CreateDistribution_2020_05_31", []string{"CreateDistribution_2020_05_31", "CreateDistribution"}},
		{"CreateEnvironmentEC2", []string{"CreateEnvironmentEC2"}},
		{"GetDev", []string{"GetDev"}},
		{"20150331", []string{"20150331"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := operationNames(tt.name); !cmp.Equal(got, tt.want) {
				t.Errorf("operationNames(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestARNFormatMatch(t *testing.T) {
	tests := []struct {
		name, format, arn string
		want              bool
	}{
		{"object", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b/a/b/c", true},
		{"bucket is not an object", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b", false},
		{"object is not a bucket", "arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::b/k", false},
		{"bucket", "arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::b", true},
		{"role with path", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:role/a/b", true},
		{"user is not a role", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:user/u", false},
		{"literal only", "*", "*", true},
		{"literal only, other", "*", "arn:x", false},
		{"other service", "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}", "arn:aws:s3:::b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := compileARNFormat(tt.format)
			if got := f.match(tt.arn); got != tt.want {
				t.Errorf("match(%q, %q) = %v, want %v", tt.format, tt.arn, got, tt.want)
			}
		})
	}
}

func TestDecisionCacheIsBounded(t *testing.T) {
	for i := range maxHot + 10 {
		decide("s3.amazonaws.com", fmt.Sprintf("NoSuchThing%d", i))
	}
	decisions.mu.Lock()
	hot, cold := cachedLen(decisions.hot.Load()), len(decisions.cold)
	decisions.mu.Unlock()
	if hot > maxHot || hot+cold > maxDecisions || cold == 0 {
		t.Errorf("cache holds %d hot and %d cold decisions, want at most %d hot, %d in all, some cold", hot, cold, maxHot, maxDecisions)
	}
	// A cold decision is found again; a forgotten one is recomputed the same.
	k := pairKey{Source: "s3.amazonaws.com", Name: fmt.Sprintf("NoSuchThing%d", maxHot+5)}
	if d := decide(k.Source, k.Name); d != decisions.cold[k] {
		t.Errorf("cold decision not reused")
	}
	r := rec("s3.amazonaws.com", "GetObject", `{"versionId":"1"}`, "arn:aws:s3:::b/k")
	first := perms(Permissions(r))
	forgetDecision(pairKey{Source: "s3.amazonaws.com", Name: "GetObject"})
	if again := perms(Permissions(r)); !cmp.Equal(first, again) {
		t.Errorf("recomputed %v, first %v", again, first)
	}
}

func ExampleFor() {
	r, _ := cloudtrail.ParseRecord([]byte(`{"eventSource":"s3.amazonaws.com","eventName":"DeleteBucketLifecycle",
		"awsRegion":"us-east-1","requestParameters":{"bucketName":"b"},
		"resources":[{"type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::b"}]}`))
	m := For(&r)
	fmt.Println(m.Outcome, m.Rule)
	for _, p := range m.Permissions {
		fmt.Println(p.Action, p.Resources)
	}
	// Output:
	// mapped override:s3-delete-is-put
	// s3:PutLifecycleConfiguration [arn:aws:s3:::b]
}

// TestEveryOperation maps every operation of the service reference (by the event source
// named after its prefix) and checks that only actions of the reference are written.
func TestEveryOperation(t *testing.T) {
	ops, unmapped := 0, 0
	for _, prefix := range servicedefs.Prefixes() {
		source := prefix + ".amazonaws.com"
		if p, ok := servicedefs.PrefixForEventSource(source); !ok || p != prefix {
			continue
		}
		for _, op := range servicedefs.OperationNames(prefix) {
			ops++
			m := For(rec(source, op, `{"roleArn":"arn:aws:iam::1:role/r","tags":[{"key":"k"}],"versionId":"1"}`))
			if m.Outcome == Unmapped {
				unmapped++
			}
			for _, p := range m.Permissions {
				if _, ok := servicedefs.Canonical(string(p.Action)); !ok {
					t.Errorf("%s %s: %s is not in the service reference", source, op, p.Action)
				}
			}
		}
	}
	t.Logf("%d operations, %d unmapped", ops, unmapped)
	if ops < 10000 || unmapped > ops/10 {
		t.Errorf("%d of %d operations unmapped", unmapped, ops)
	}
}

func ExampleCoverage() {
	cov := NewCoverage()
	for _, line := range []string{
		`{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}`,
		`{"eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity"}`,
		`{"eventSource":"s3.amazonaws.com","eventName":"NoSuchOperation"}`,
	} {
		r, err := cloudtrail.ParseRecord([]byte(line))
		if err != nil {
			fmt.Println(err)
			continue
		}
		cov.Add(&r)
	}
	rep := cov.Report()
	fmt.Println(rep.ByOutcome[Mapped], rep.ByOutcome[Permissionless], rep.ByOutcome[Unmapped])
	for _, p := range rep.UnmappedPairs {
		fmt.Println(p.Event.Source, p.Event.Name, p.Rule)
	}
	// Output:
	// 1 1 1
	// s3.amazonaws.com NoSuchOperation unmapped
}
