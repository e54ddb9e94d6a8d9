package access

import (
	"strings"
	"sync"

	"github.com/trailscraper/trailscraper/iam"
)

// dataEvents lists, by service prefix, the IAM actions whose API calls CloudTrail records
// only as data events, which trails and event data stores do not log unless configured to.
//
// Source: the AWS CloudTrail User Guide, "Logging data events"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html),
// its table of data event resource types: AWS::S3::Object (object- and bucket-content-level
// calls), AWS::S3ObjectLambda::AccessPoint, AWS::Lambda::Function (Invoke),
// AWS::DynamoDB::Table (item-level calls and PartiQL) and AWS::DynamoDB::Stream,
// AWS::SNS::Topic and AWS::SNS::PlatformEndpoint (Publish), AWS::SQS::Queue (message calls),
// AWS::Kinesis::Stream (record calls) and AWS::EC2::Snapshot (the EBS direct APIs). The
// table holds the actions that authorize those calls; a test checks that each is in the
// service reference. It is curated, not complete: services that added data events later are
// missing until someone adds them.
var dataEvents = map[string][]string{
	"s3": {
		"AbortMultipartUpload", "DeleteObject", "DeleteObjectTagging", "DeleteObjectVersion",
		"DeleteObjectVersionTagging", "GetObject", "GetObjectAcl", "GetObjectAttributes",
		"GetObjectLegalHold", "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent",
		"GetObjectVersion", "GetObjectVersionAcl", "GetObjectVersionAttributes",
		"GetObjectVersionTagging", "GetObjectVersionTorrent", "ListBucket",
		"ListBucketMultipartUploads", "ListBucketVersions", "ListMultipartUploadParts",
		"PutObject", "PutObjectAcl", "PutObjectLegalHold", "PutObjectRetention",
		"PutObjectTagging", "PutObjectVersionAcl", "PutObjectVersionTagging", "RestoreObject",
	},
	"s3-object-lambda": {
		"AbortMultipartUpload", "DeleteObject", "DeleteObjectTagging", "DeleteObjectVersion",
		"DeleteObjectVersionTagging", "GetObject", "GetObjectAcl", "GetObjectLegalHold",
		"GetObjectRetention", "GetObjectTagging", "GetObjectVersion", "GetObjectVersionAcl",
		"GetObjectVersionTagging", "ListBucket", "ListBucketMultipartUploads",
		"ListBucketVersions", "ListMultipartUploadParts", "PutObject", "PutObjectAcl",
		"PutObjectLegalHold", "PutObjectRetention", "PutObjectTagging", "PutObjectVersionAcl",
		"PutObjectVersionTagging", "RestoreObject",
	},
	"lambda": {"InvokeFunction"},
	"dynamodb": {
		"BatchGetItem", "BatchWriteItem", "ConditionCheckItem", "DeleteItem", "GetItem",
		"GetRecords", "GetShardIterator", "PartiQLDelete", "PartiQLInsert", "PartiQLSelect",
		"PartiQLUpdate", "PutItem", "Query", "Scan", "UpdateItem",
	},
	"sns":     {"Publish"},
	"sqs":     {"ChangeMessageVisibility", "DeleteMessage", "ReceiveMessage", "SendMessage"},
	"kinesis": {"GetRecords", "GetShardIterator", "PutRecord", "PutRecords", "SubscribeToShard"},
	"ebs": {
		"CompleteSnapshot", "GetSnapshotBlock", "ListChangedBlocks", "ListSnapshotBlocks",
		"PutSnapshotBlock", "StartSnapshot",
	},
}

var dataEventSet = sync.OnceValue(func() map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(dataEvents))
	for p, names := range dataEvents {
		set := make(map[string]bool, len(names))
		for _, n := range names {
			set[strings.ToLower(n)] = true
		}
		out[p] = set
	}
	return out
})

// DataEvent reports whether CloudTrail records the calls that action ("s3:GetObject",
// case-insensitive) authorizes only as data events, from a curated table of the CloudTrail
// User Guide's data event resource types.
func DataEvent(action iam.Action) bool {
	prefix, name, ok := strings.Cut(strings.ToLower(string(action)), ":")
	return ok && dataEventSet()[prefix][name]
}
