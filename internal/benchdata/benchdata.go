// Package benchdata makes synthetic CloudTrail documents for the benchmarks of several
// packages.
package benchdata

import (
	"bytes"
	"fmt"
)

// benchRecord is a typical ~1 KB CloudTrail record (an S3 GetObject data event).
const benchRecord = `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEID:session-%d","arn":"arn:aws:sts::111111111111:assumed-role/someRole/session-%d","accountId":"111111111111","accessKeyId":"ASIAEXAMPLEKEY","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEID","arn":"arn:aws:iam::111111111111:role/someRole","accountId":"111111111111","userName":"someRole"},"webIdFederationData":{},"attributes":{"creationDate":"2017-12-11T14:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2017-12-11T15:%02d:%02dZ","eventSource":"%s","eventName":"%s","awsRegion":"eu-central-1","sourceIPAddress":"203.0.113.%d","userAgent":"aws-sdk-go/1.44.157 (go1.19.3; linux; amd64)","requestParameters":{"bucketName":"example-bucket","Host":"example-bucket.s3.eu-central-1.amazonaws.com","key":"logs/2017/12/11/object-%d.json"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"EXAMPLEid2EXAMPLEid2EXAMPLE=","bytesTransferredOut":1024},"requestID":"EXAMPLE%08d","eventID":"00000000-0000-0000-0000-%012d","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::example-bucket/logs/2017/12/11/object-%d.json"},{"accountId":"111111111111","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::example-bucket"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111111111111","eventCategory":"Data"}`

var benchEvents = [][2]string{
	{"s3.amazonaws.com", "GetObject"},
	{"s3.amazonaws.com", "PutObject"},
	{"ec2.amazonaws.com", "DescribeInstances"},
	{"sts.amazonaws.com", "AssumeRole"},
	{"kms.amazonaws.com", "Decrypt"},
	{"lambda.amazonaws.com", "GetFunction20150331v2"},
	{"logs.amazonaws.com", "PutLogEvents"},
}

// Document returns a CloudTrail log document of n records.
func Document(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		ev := benchEvents[i%len(benchEvents)]
		fmt.Fprintf(&b, benchRecord, i, i, (i/60)%60, i%60, ev[0], ev[1], i%250, i%100, i, i, i%100)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}
