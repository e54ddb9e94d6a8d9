package trailscraper

import "github.com/trailscraper/trailscraper/cloudtrail"

// The record types live in package cloudtrail, which decodes them; they are named here too
// because every source and every policy call hands them out.
type (
	// Record is one CloudTrail event; see [cloudtrail.Record].
	Record = cloudtrail.Record
	// UserIdentity says who made a call; see [cloudtrail.UserIdentity].
	UserIdentity = cloudtrail.UserIdentity
	// RecordError reports one record or file that was skipped while the rest go on; see
	// [cloudtrail.RecordError].
	RecordError = cloudtrail.RecordError
	// LogFile is a CloudTrail log file named as CloudTrail delivers it; see
	// [cloudtrail.LogFile].
	LogFile = cloudtrail.LogFile
)
