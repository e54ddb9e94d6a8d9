package mapping

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScoperResources(t *testing.T) {
	var many strings.Builder
	many.WriteString(`{"instancesSet":{"items":[`)
	for i := range maxValues + 1 {
		if i > 0 {
			many.WriteByte(',')
		}
		fmt.Fprintf(&many, `{"instanceId":"i-%d"}`, i)
	}
	many.WriteString(`]}}`)
	tests := []struct {
		name   string
		action string
		call   Call
		want   []Resource // nil: "*"
	}{
		{name: "s3 object from bucket and key", action: "s3:GetObject",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(`{"bucketName":"b","key":"dir/k.txt"}`)},
			want: []Resource{{ARN: "arn:aws:s3:::b/dir/k.txt", Source: SourceRequest, Key: "bucketName"}}},
		{name: "resources[] wins and is used whole", action: "s3:GetObject",
			call: Call{Region: "eu-west-1", ResourceARNs: []string{"arn:aws:s3:::b/k"}, Request: []byte(`{"bucketName":"b","key":"k"}`)},
			want: []Resource{{ARN: "arn:aws:s3:::b/k", Source: SourceResources}}},
		{name: "china partition from region", action: "dynamodb:GetItem",
			call: Call{Region: "cn-north-1", Account: "111111111111", Request: []byte(`{"tableName":"T"}`)},
			want: []Resource{{ARN: "arn:aws-cn:dynamodb:cn-north-1:111111111111:table/T", Source: SourceRequest, Key: "tableName"}}},
		{name: "no resource types is star", action: "ec2:DescribeInstances",
			call: Call{Region: "eu-west-1", Request: []byte(`{"instanceId":"i-1"}`)}},
		{name: "failed call with null request: only type, parts star", action: "lambda:GetFunction",
			call: Call{Region: "us-east-1", Account: "111111111111"},
			want: []Resource{{ARN: "arn:aws:lambda:us-east-1:111111111111:function:*", Source: SourceNone}}},
		{name: "sqs queue url", action: "sqs:SendMessage",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(`{"queueUrl":"https://sqs.us-east-2.amazonaws.com/222222222222/Q"}`)},
			want: []Resource{{ARN: "arn:aws:sqs:us-east-2:222222222222:Q", Source: SourceRequest, Key: "queueUrl"}}},
		{name: "lambda partial ARN names the account", action: "lambda:GetFunction",
			call: Call{Region: "us-east-1", Account: "111111111111", Request: []byte(`{"functionName":"222222222222:function:f"}`)},
			want: []Resource{{ARN: "arn:aws:lambda:us-east-1:222222222222:function:f", Source: SourceRequest, Key: "functionName"}}},
		{name: "lambda qualified name", action: "lambda:GetFunction",
			call: Call{Region: "us-east-1", Account: "111111111111", Request: []byte(`{"functionName":"f:PROD"}`)},
			want: []Resource{{ARN: "arn:aws:lambda:us-east-1:111111111111:function:f", Source: SourceRequest, Key: "functionName"}}},
		{name: "secret name gets the suffix pattern", action: "secretsmanager:GetSecretValue",
			call: Call{Region: "us-east-1", Account: "111111111111", Request: []byte(`{"secretId":"db/pw"}`)},
			want: []Resource{{ARN: "arn:aws:secretsmanager:us-east-1:111111111111:secret:db/pw-??????", Source: SourceRequest, Key: "secretId", Assumed: true}}},
		{name: "ssm parameter leading slash", action: "ssm:GetParameter",
			call: Call{Region: "us-east-1", Account: "111111111111", Request: []byte(`{"name":"/a/b"}`)},
			want: []Resource{{ARN: "arn:aws:ssm:us-east-1:111111111111:parameter/a/b", Source: SourceRequest, Key: "name"}}},
		{name: "kms alias does not name the key", action: "kms:Encrypt",
			call: Call{Region: "us-east-1", Account: "111111111111", Request: []byte(`{"keyId":"alias/x"}`)},
			want: []Resource{{ARN: "arn:aws:kms:us-east-1:111111111111:key/*", Source: SourceNone}}},
		{name: "iam user is the caller", action: "iam:ListAccessKeys",
			call: Call{Region: "us-east-1", Account: "111111111111", CallerType: "IAMUser", CallerARN: "arn:aws:iam::111111111111:user/ops/bob"},
			want: []Resource{{ARN: "arn:aws:iam::111111111111:user/ops/bob", Source: SourceCaller}}},
		{name: "iam user by name assumes no path", action: "iam:ListAccessKeys",
			call: Call{Region: "us-east-1", Account: "111111111111", CallerType: "IAMUser", CallerARN: "arn:aws:iam::111111111111:user/bob", Request: []byte(`{"userName":"alice"}`)},
			want: []Resource{{ARN: "arn:aws:iam::111111111111:user/alice", Source: SourceRequest, Key: "userName", Assumed: true}}},
		{name: "created id from the response is star", action: "ec2:CreateVolume",
			call: Call{Region: "us-east-1", Account: "111111111111", Request: []byte(`{"size":8}`), Response: []byte(`{"volumeId":"vol-123"}`)},
			want: []Resource{{ARN: "arn:aws:ec2:us-east-1:111111111111:volume/*", Source: SourceResponse}}},
		{name: "wafv2 cloudfront scope is global in us-east-1", action: "wafv2:GetWebACL",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(`{"name":"acl","scope":"CLOUDFRONT","id":"abc"}`)},
			want: []Resource{{ARN: "arn:aws:wafv2:us-east-1:111111111111:global/webacl/acl/abc", Source: SourceRequest, Key: "scope"}}},
		{name: "tag keys never name the object", action: "s3:PutObjectTagging",
			call: Call{Region: "eu-west-1", Request: []byte(`{"bucketName":"b","key":"k","Tagging":{"TagSet":{"Tag":[{"Key":"owner","Value":"x"}]}}}`)},
			want: []Resource{{ARN: "arn:aws:s3:::b/k", Source: SourceRequest, Key: "bucketName"}}},
		{name: "an ARN given whole is not joined by a bare name", action: "states:StartExecution",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(`{"stateMachineArn":"arn:aws:states:eu-west-1:111111111111:stateMachine:sm","name":"run1"}`)},
			want: []Resource{{ARN: "arn:aws:states:eu-west-1:111111111111:stateMachine:sm", Source: SourceRequest, Key: "stateMachineArn"}}},
		{name: "ecs task definition family:revision", action: "ecs:RunTask",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(`{"cluster":"prod","taskDefinition":"web:3"}`)},
			want: []Resource{{ARN: "arn:aws:ecs:eu-west-1:111111111111:task-definition/web:3", Source: SourceRequest, Key: "taskDefinition"}}},
		{name: "ssm session target", action: "ssm:StartSession",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(`{"target":"i-0abc"}`)},
			want: []Resource{{ARN: "arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc", Source: SourceRequest, Key: "target"}}},
		{name: "ssm parameters by path", action: "ssm:GetParametersByPath",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(`{"path":"/app/prod","recursive":true}`)},
			want: []Resource{{ARN: "arn:aws:ssm:eu-west-1:111111111111:parameter/app/prod", Source: SourceRequest, Key: "path"}}},
		{name: "copy target", action: "rds:CopyDBSnapshot",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(`{"sourceDBSnapshotIdentifier":"arn:aws:rds:us-east-1:111111111111:snapshot:a","targetDBSnapshotIdentifier":"b"}`)},
			want: []Resource{
				{ARN: "arn:aws:rds:eu-west-1:111111111111:snapshot:b", Source: SourceRequest, Key: "targetDBSnapshotIdentifier"},
				{ARN: "arn:aws:rds:us-east-1:111111111111:snapshot:a", Source: SourceRequest, Key: "sourceDBSnapshotIdentifier"},
			}},
		{name: "ec2 ids name their type by prefix", action: "ec2:CreateTags",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(`{"resourcesSet":{"items":[{"resourceId":"i-1"},{"resourceId":"vol-2"}]},"tagSet":{"items":[{"key":"k","value":"v"}]}}`)},
			want: []Resource{
				{ARN: "arn:aws:ec2:eu-west-1:111111111111:instance/i-1", Source: SourceRequest, Key: "resourceId"},
				{ARN: "arn:aws:ec2:eu-west-1:111111111111:volume/vol-2", Source: SourceRequest, Key: "resourceId"},
			}},
		{name: "the last part named by its own key names the type", action: "organizations:DescribeAccount",
			call: Call{Region: "us-east-1", Account: "111111111111", Request: []byte(`{"accountId":"222222222222"}`)},
			want: []Resource{{ARN: "arn:aws:organizations::111111111111:account/o-*/222222222222", Source: SourceRequest, Key: "accountId"}}},
		{name: "too many values to list become star", action: "ec2:StopInstances",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(many.String())},
			want: []Resource{{ARN: "arn:aws:ec2:eu-west-1:111111111111:instance/*", Source: SourceRequest, Key: "instanceId"}}},
		{name: "a * in the format's text is a wildcard", action: "dms:RebootReplicationInstance",
			call: Call{Region: "us-east-1", Account: "123456789012", Request: []byte(`{"replicationInstanceArn":"arn:aws:dms:us-east-1:123456789012:rep:EX4M"}`)},
			want: []Resource{{ARN: "arn:aws:dms:us-east-1:123456789012:rep:EX4M", Source: SourceRequest, Key: "replicationInstanceArn"}}},
		{name: "ec2 tag/content list members", action: "ec2:DeleteFlowLogs",
			call: Call{Region: "us-east-1", Account: "123456789012", Request: []byte(`{"DeleteFlowLogsRequest":{"FlowLogId":{"tag":1,"content":"fl-0e1"}}}`)},
			want: []Resource{{ARN: "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/fl-0e1", Source: SourceRequest, Key: "FlowLogId"}}},
		{name: "a bare identifier", action: "rbin:DeleteRule",
			call: Call{Region: "us-west-2", Account: "123456789012", Request: []byte(`{"identifier":"jkrn"}`)},
			want: []Resource{{ARN: "arn:aws:rbin:us-west-2:123456789012:rule/jkrn", Source: SourceRequest, Key: "identifier"}}},
		{name: "a name inside the resource's own object", action: "config:PutConfigurationRecorder",
			call: Call{Region: "us-west-2", Account: "222222222222", Request: []byte(`{"configurationRecorder":{"name":"default","roleARN":"arn:aws:iam::222222222222:role/c"}}`)},
			want: []Resource{{ARN: "arn:aws:config:us-west-2:222222222222:configuration-recorder/default/*", Source: SourceRequest, Key: "name"}}},
		{name: "a broken ARN names nothing", action: "mediaconnect:DescribeFlow",
			call: Call{Region: "us-west-2", Account: "111122223333", Request: []byte(`{"flowArn":"arn%3Aaws%3Amediaconnect%3Aus-west-2%111122223333%3Aflow%3A1-23%3AShow"}`)},
			want: []Resource{{ARN: "arn:aws:mediaconnect:us-west-2:111122223333:flow:*:*"}}},
		{name: "a bare name names only the type the action is named after", action: "athena:CreateNamedQuery",
			call: Call{Region: "us-west-2", Account: "123456789012", Request: []byte(`{"name":"q","queryString":"select 1","database":"default"}`)},
			want: []Resource{{ARN: "arn:aws:athena:us-west-2:123456789012:workgroup/*"}}},
		{name: "a key that says less does not fill a longer variable", action: "rds:AddTagsToResource",
			call: Call{Region: "us-east-1", Account: "123456789012", Request: []byte(`{"dBInstanceIdentifier":"db1","tags":[{"key":"k","value":"v"}]}`)},
			want: []Resource{{ARN: "arn:aws:rds:us-east-1:123456789012:db:db1", Source: SourceRequest, Key: "dBInstanceIdentifier"}}},
		{name: "a variable named like its type names the type", action: "eks:DescribeNodegroup",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(`{"name":"prod","nodegroupName":"ng1"}`)},
			want: []Resource{{ARN: "arn:aws:eks:eu-west-1:111111111111:nodegroup/prod/ng1/*", Source: SourceRequest, Key: "name"}}},
		{name: "route53 ids with their prefix", action: "route53:GetHostedZone",
			call: Call{Region: "us-east-1", Account: "111111111111", Request: []byte(`{"id":"/hostedzone/Z123"}`)},
			want: []Resource{{ARN: "arn:aws:route53:::hostedzone/Z123", Source: SourceRequest, Key: "id"}}},
		{name: "an access point host is not a bucket", action: "s3:GetObject",
			call: Call{Region: "eu-west-1", Account: "111111111111", Request: []byte(`{"bucketName":"ap-111111111111.s3-accesspoint.eu-west-1.amazonaws.com","key":"k","accessPointArn":"arn:aws:s3:eu-west-1:111111111111:accesspoint/ap"}`)},
			want: []Resource{{ARN: "arn:aws:s3:eu-west-1:111111111111:accesspoint/ap/object/k", Source: SourceRequest, Key: "accessPointArn"}}},
		{name: "a partial secret ARN gets the suffix pattern", action: "secretsmanager:GetSecretValue",
			call: Call{Region: "us-east-1", Account: "111111111111", Request: []byte(`{"secretId":"arn:aws:secretsmanager:us-east-1:111111111111:secret:db"}`)},
			want: []Resource{{ARN: "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-??????", Source: SourceRequest, Key: "secretId", Assumed: true}}},
		{name: "glue table in its database and catalog", action: "glue:GetTable",
			call: Call{Region: "us-east-1", Account: "111111111111", Request: []byte(`{"databaseName":"db","name":"t"}`)},
			want: []Resource{
				{ARN: "arn:aws:glue:us-east-1:111111111111:catalog"},
				{ARN: "arn:aws:glue:us-east-1:111111111111:database/db", Source: SourceRequest, Key: "databaseName"},
				{ARN: "arn:aws:glue:us-east-1:111111111111:table/db/t", Source: SourceRequest, Key: "databaseName"},
			}},
		{name: "iam policy with a path", action: "iam:CreatePolicy",
			call: Call{Region: "us-east-1", Account: "111111111111", Request: []byte(`{"policyName":"p","path":"/team/"}`)},
			want: []Resource{{ARN: "arn:aws:iam::111111111111:policy/team/p", Source: SourceRequest, Key: "policyName"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NewScoper(&tc.call).Resources(tc.action)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Resources(%s) (-want +got):\n%s", tc.action, diff)
			}
			for _, r := range got {
				if !FitsFormat(tc.action, r.ARN) {
					t.Errorf("%s does not fit a format of %s", r.ARN, tc.action)
				}
			}
		})
	}
}

func TestWiden(t *testing.T) {
	tests := []struct{ name, action, arn, want string }{
		{"object key", "s3:GetObject", "arn:aws:s3:::b/dir/k", "arn:aws:s3:::b/*"},
		{"then the bucket", "s3:GetObject", "arn:aws:s3:::b/*", "arn:aws:s3:::*/*"},
		{"then star", "s3:GetObject", "arn:aws:s3:::*/*", "*"},
		{"no format fits", "s3:GetObject", "arn:aws:sqs:us-east-1:1:q", "*"},
		{"table", "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111111111111:table/T", "arn:aws:dynamodb:us-east-1:111111111111:table/*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Widen(tc.action, tc.arn); got != tc.want {
				t.Errorf("Widen(%s, %s) = %s, want %s", tc.action, tc.arn, got, tc.want)
			}
		})
	}
}

func TestIndex(t *testing.T) {
	x := NewIndex(10)
	x.Add("arn:aws:iam::111111111111:user/ops/bob")
	x.Add("arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf")
	x.Add("arn:aws:iam::111111111111:role/a/r")
	x.Add("arn:aws:iam::111111111111:role/b/r") // two roles named r: ambiguous
	tests := []struct {
		name, assumed, want string
		ok                  bool
	}{
		{"user path", "arn:aws:iam::111111111111:user/bob", "arn:aws:iam::111111111111:user/ops/bob", true},
		{"secret suffix", "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-??????", "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf", true},
		{"ambiguous", "arn:aws:iam::111111111111:role/r", "", false},
		{"other account", "arn:aws:iam::222222222222:user/bob", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := x.Resolve(tc.assumed)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Resolve(%s) = %s, %v; want %s, %v", tc.assumed, got, ok, tc.want, tc.ok)
			}
		})
	}
}
