package mapping

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper/cloudtrail"
)

// TestScopeSpecialCases: the permissions whose resources a rule reads itself keep them in
// the scoped mode, and gain ids where the logged mode had "*".
func TestScopeSpecialCases(t *testing.T) {
	tests := []struct {
		name   string
		record string
		want   map[string][]string // action → scoped ARNs
	}{
		{name: "copy: source and destination",
			record: `{"eventSource":"s3.amazonaws.com","eventName":"CopyObject","awsRegion":"us-east-1","requestParameters":{"bucketName":"dst","key":"k2","x-amz-copy-source":"src/k1"}}`,
			want:   map[string][]string{"s3:GetObject": {"arn:aws:s3:::src/k1"}, "s3:PutObject": {"arn:aws:s3:::dst/k2"}}},
		{name: "re-encrypt from request key ids",
			record: `{"eventSource":"kms.amazonaws.com","eventName":"ReEncrypt","awsRegion":"us-west-2","recipientAccountId":"111122223333","requestParameters":{"sourceKeyId":"s1","destinationKeyId":"d1"}}`,
			want: map[string][]string{"kms:ReEncryptFrom": {"arn:aws:kms:us-west-2:111122223333:key/s1"},
				"kms:ReEncryptTo": {"arn:aws:kms:us-west-2:111122223333:key/d1"}}},
		{name: "re-encrypt without a source key id: the other key of resources[]",
			record: `{"eventSource":"kms.amazonaws.com","eventName":"ReEncrypt","awsRegion":"us-west-2","recipientAccountId":"111122223333","requestParameters":{"destinationKeyId":"d1"},"resources":[{"ARN":"arn:aws:kms:us-west-2:111122223333:key/s1"},{"ARN":"arn:aws:kms:us-west-2:111122223333:key/d1"}]}`,
			want: map[string][]string{"kms:ReEncryptFrom": {"arn:aws:kms:us-west-2:111122223333:key/s1"},
				"kms:ReEncryptTo": {"arn:aws:kms:us-west-2:111122223333:key/d1"}}},
		{name: "re-encrypt with neither: the source is any key",
			record: `{"eventSource":"kms.amazonaws.com","eventName":"ReEncrypt","awsRegion":"us-west-2","recipientAccountId":"111122223333","requestParameters":{"destinationKeyId":"d1"}}`,
			want: map[string][]string{"kms:ReEncryptFrom": {"arn:aws:kms:us-west-2:111122223333:key/*"},
				"kms:ReEncryptTo": {"arn:aws:kms:us-west-2:111122223333:key/d1"}}},
		{name: "service-linked role under its service's path",
			record: `{"eventSource":"iam.amazonaws.com","eventName":"CreateServiceLinkedRole","awsRegion":"us-east-1","recipientAccountId":"111111111111","requestParameters":{"aWSServiceName":"elasticloadbalancing.amazonaws.com"}}`,
			want:   map[string][]string{"iam:CreateServiceLinkedRole": {"arn:aws:iam::111111111111:role/aws-service-role/elasticloadbalancing.amazonaws.com/*"}}},
		{name: "pass role by name",
			record: `{"eventSource":"elasticmapreduce.amazonaws.com","eventName":"AddJobFlowSteps","awsRegion":"eu-west-1","recipientAccountId":"111111111111","requestParameters":{"jobFlowId":"j-1","serviceRole":"EMR_DefaultRole"}}`,
			want: map[string][]string{"elasticmapreduce:AddJobFlowSteps": {"arn:aws:elasticmapreduce:eu-west-1:111111111111:cluster/j-1"},
				"iam:PassRole": {"arn:aws:iam::111111111111:role/EMR_DefaultRole"}}},
		{name: "api gateway ids",
			record: `{"eventSource":"apigateway.amazonaws.com","eventName":"CreateDeployment","awsRegion":"eu-west-1","requestParameters":{"restApiId":"abc123","createDeploymentInput":{"stageName":"prod"}}}`,
			want:   map[string][]string{"apigateway:POST": {"arn:aws:apigateway:eu-west-1::/restapis/abc123/deployments"}}},
		{name: "partiql tables",
			record: `{"eventSource":"dynamodb.amazonaws.com","eventName":"ExecuteStatement","awsRegion":"us-west-2","recipientAccountId":"111122223333","requestParameters":{"statement":"SELECT * FROM \"Music\" WHERE Artist = ?"}}`,
			want:   map[string][]string{"dynamodb:PartiQLSelect": {"arn:aws:dynamodb:us-west-2:111122223333:table/Music"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := cloudtrail.ParseRecord([]byte(tc.record))
			if err != nil {
				t.Fatal(err)
			}
			m := For(&r)
			Scope(NewScoper(CallOf(&r)), &m)
			got := map[string][]string{}
			for _, p := range m.Permissions {
				for _, x := range p.Scoped {
					got[string(p.Action)] = append(got[string(p.Action)], x.ARN)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("scoped (-want +got):\n%s", diff)
			}
		})
	}
}
