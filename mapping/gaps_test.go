package mapping

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper/cloudtrail"
)

func TestGaps(t *testing.T) {
	tests := []struct {
		name    string
		record  string
		outcome Outcome
		rule    string   // rule of the permission checked; "" for none
		action  string   // the permission checked
		want    []string // its resources
		absent  string   // an action that must not be granted
	}{
		{name: "role ARN handed to a service the data gives no PassRole",
			record: `{"eventSource":"iotevents.amazonaws.com","eventName":"CreateDetectorModel","requestParameters":{"detectorModelName":"m","roleArn":"arn:aws:iam::1:role/dax"}}`,
			action: "iam:PassRole", rule: rulePassRole, want: []string{"arn:aws:iam::1:role/dax"}},
		{name: "role name handed to a service",
			record: `{"eventSource":"elasticmapreduce.amazonaws.com","eventName":"AddJobFlowSteps","requestParameters":{"jobFlowId":"j-1","serviceRole":"EMR_DefaultRole"}}`,
			action: "iam:PassRole", rule: rulePassRole, want: []string{"*"}},
		{name: "an enumeration called role is not a role",
			record: `{"eventSource":"quicksight.amazonaws.com","eventName":"RegisterUser","requestParameters":{"userRole":"READER","email":"a@b"}}`,
			absent: "iam:PassRole"},
		{name: "IAM's own role calls pass nothing",
			record: `{"eventSource":"iam.amazonaws.com","eventName":"AttachRolePolicy","requestParameters":{"roleName":"r","policyArn":"arn:aws:iam::aws:policy/x"}}`,
			absent: "iam:PassRole"},
		{name: "replication always passes a role",
			record: `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketReplication","requestParameters":{"bucketName":"b"}}`,
			action: "iam:PassRole", rule: ruleAlwaysPassRole, want: []string{"*"}},
		{name: "textract reads the document with the caller's credentials",
			record: `{"eventSource":"textract.amazonaws.com","eventName":"AnalyzeDocument","requestParameters":{"document":{"s3Object":{"bucket":"in","name":"doc.pdf"}}}}`,
			action: "s3:GetObject", rule: ruleDependent, want: []string{"arn:aws:s3:::in/doc.pdf"}},
		{name: "textract with bytes reads nothing from S3",
			record: `{"eventSource":"textract.amazonaws.com","eventName":"AnalyzeDocument","requestParameters":{"document":{},"featureTypes":["TABLES"]}}`,
			absent: "s3:GetObject"},
		{name: "transcribe reads the media file",
			record: `{"eventSource":"transcribe.amazonaws.com","eventName":"StartTranscriptionJob","requestParameters":{"media":{"mediaFileUri":"s3://in/a.flac"}}}`,
			action: "s3:GetObject", rule: ruleDependent, want: []string{"arn:aws:s3:::in/a.flac"}},
		{name: "CloudHSM key store needs DescribeClusters",
			record: `{"eventSource":"kms.amazonaws.com","eventName":"CreateCustomKeyStore","requestParameters":{"customKeyStoreName":"s","cloudHsmClusterId":"cluster-1"}}`,
			action: "cloudhsm:DescribeClusters", rule: ruleDependent, want: []string{"*"}},
		{name: "external key store does not",
			record: `{"eventSource":"kms.amazonaws.com","eventName":"CreateCustomKeyStore","requestParameters":{"customKeyStoreName":"s","customKeyStoreType":"EXTERNAL_KEY_STORE","xksProxyUriEndpoint":"https://x"}}`,
			absent: "cloudhsm:DescribeClusters"},
		{name: "cognito access token call is permissionless", outcome: Permissionless,
			record: `{"eventSource":"cognito-idp.amazonaws.com","eventName":"ChangePassword","requestParameters":{"accessToken":"HIDDEN_DUE_TO_SECURITY_REASONS"}}`},
		{name: "cognito unauthenticated call is permissionless", outcome: Permissionless,
			record: `{"eventSource":"cognito-idp.amazonaws.com","eventName":"InitiateAuth","requestParameters":{"authFlow":"USER_PASSWORD_AUTH"}}`},
		{name: "sso CreateToken is permissionless", outcome: Permissionless,
			record: `{"eventSource":"sso.amazonaws.com","eventName":"CreateToken","requestParameters":{"clientId":"c"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := cloudtrail.ParseRecord([]byte(tc.record))
			if err != nil {
				t.Fatal(err)
			}
			m := For(&r)
			if m.Outcome != tc.outcome {
				t.Fatalf("outcome %v (rule %s), want %v", m.Outcome, m.Rule, tc.outcome)
			}
			i := slices.IndexFunc(m.Permissions, func(p Permission) bool { return string(p.Action) == tc.action })
			switch {
			case tc.absent != "":
				if slices.ContainsFunc(m.Permissions, func(p Permission) bool { return string(p.Action) == tc.absent }) {
					t.Errorf("%s granted: %+v", tc.absent, m.Permissions)
				}
			case tc.action == "":
			case i < 0:
				t.Errorf("%s not granted: %+v", tc.action, m.Permissions)
			default:
				p := m.Permissions[i]
				if p.Rule != tc.rule {
					t.Errorf("rule %s, want %s", p.Rule, tc.rule)
				}
				if diff := cmp.Diff(tc.want, p.Resources); diff != "" {
					t.Errorf("resources (-want +got):\n%s", diff)
				}
			}
		})
	}
}
