package servicedefs

// extraEventSources adds CloudTrail event sources that the generated table (iam-dataset's
// cloudtrail_service_mappings) lacks. Each entry has its source; a test checks that every
// prefix is in the service reference.
var extraEventSources = map[string]string{
	// Original trailscraper's special cases (cloudtrail.py _source_to_iam_prefix).
	"appstream2.amazonaws.com":       "appstream",
	"models.lex.amazonaws.com":       "lex",
	"runtime.lex.amazonaws.com":      "lex",
	"mturk-requester.amazonaws.com":  "mechanicalturk",
	"streams.dynamodb.amazonaws.com": "dynamodb",
	// AWS Marketplace Metering Service API reference: MeterUsage, BatchMeterUsage and RegisterUsage are aws-marketplace: actions.
	"metering-marketplace.amazonaws.com": "aws-marketplace",
	// AWS Marketplace Catalog API reference: its actions (DescribeEntity, StartChangeSet, …) are aws-marketplace:.
	"catalog.marketplace.amazonaws.com": "aws-marketplace",
	// AppConfig data plane (StartConfigurationSession, GetLatestConfiguration): appconfig: actions, per the AppConfig API reference.
	"appconfigdata.amazonaws.com": "appconfig",
	// Amazon SES API v1 endpoint email.<region>.amazonaws.com; its actions are ses:.
	"email.amazonaws.com": "ses",
}
