package mapping

import (
	"testing"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/trailscraper/trailscraper/servicedefs"
)

// FuzzMapping feeds arbitrary records to the mapping: it must not panic, and a mapped
// record only names actions of the service reference, each with resources.
func FuzzMapping(f *testing.F) {
	for _, s := range []string{
		`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"versionId":"1"},"resources":[{"ARN":"arn:aws:s3:::b/k"}]}`,
		`{"eventSource":"s3.amazonaws.com","eventName":"CopyObject","requestParameters":{"bucketName":"b","key":"k","x-amz-copy-source":"%zz/?versionId="}}`,
		`{"eventSource":"apigateway.amazonaws.com","eventName":"TagResource","awsRegion":"us-east-1","requestParameters":{"resource-arn":"arn:aws:apigateway:us-east-1::/apis/a"}}`,
		`{"eventSource":"dynamodb.amazonaws.com","eventName":"ExecuteStatement","requestParameters":{"statement":"("}}`,
		`{"eventSource":"kms.amazonaws.com","eventName":"ReEncrypt","requestParameters":{"destinationKeyId":""},"resources":[{"ARN":"arn:aws:kms:x:1:key/a"}]}`,
		`{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","requestParameters":{"iamInstanceProfile":{"arn":"arn:aws:iam::1:instance-profile/p"},"tagSpecificationSet":{"items":[{}]}}}`,
		`{"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionConfiguration20150331v2","requestParameters":{"layers":[1,"arn:aws:lambda:r:1:layer:l:1"]}}`,
		`{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","userIdentity":{"type":"AWSService"}}`,
		`{"eventSource":"x","eventName":"20150331"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := cloudtrail.ParseRecord(data)
		if err != nil {
			return
		}
		m := For(&r)
		if m.Rule == "" {
			t.Fatalf("no rule for %s", data)
		}
		if (m.Outcome == Mapped || m.Outcome == Unverified) != (len(m.Permissions) > 0) {
			t.Fatalf("outcome %v with %d permissions", m.Outcome, len(m.Permissions))
		}
		for _, p := range m.Permissions {
			if len(p.Resources) == 0 || p.Rule == "" {
				t.Fatalf("permission %+v without resources or rule", p)
			}
			if m.Outcome == Mapped {
				if _, ok := servicedefs.Canonical(string(p.Action)); !ok {
					t.Fatalf("mapped record names %s, not in the service reference", p.Action)
				}
			}
		}
	})
}
