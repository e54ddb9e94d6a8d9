package mapping

import "testing"

// FuzzScoper feeds arbitrary request and response JSON to the scoper: it must not panic,
// and every ARN it builds must fit a format of the action.
func FuzzScoper(f *testing.F) {
	f.Add("s3:GetObject", `{"bucketName":"b","key":"k"}`, `null`, "eu-west-1")
	f.Add("lambda:GetFunction", `{"functionName":"123456789012:function:f:1"}`, `{}`, "us-east-1")
	f.Add("sqs:SendMessage", `{"queueUrl":"https://sqs.x.y.z/123456789012/q"}`, ``, "")
	f.Add("ec2:RunInstances", `{"imageId":"ami-1","instancesSet":{"items":[{"imageId":"ami-2"}]}}`, `{"instancesSet":{"items":[{"instanceId":"i-1"}]}}`, "cn-north-1")
	f.Add("wafv2:GetWebACL", `{"scope":"CLOUDFRONT","name":"n","id":"i"}`, `null`, "eu-west-1")
	f.Fuzz(func(t *testing.T, action, req, resp, region string) {
		c := &Call{Region: region, Account: "111111111111", Request: []byte(req), Response: []byte(resp)}
		for _, r := range NewScoper(c).Resources(action) {
			if !FitsFormat(action, r.ARN) {
				t.Errorf("%s: %s fits no format (request %s)", action, r.ARN, req)
			}
		}
	})
}
