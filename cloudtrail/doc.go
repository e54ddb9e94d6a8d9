// Package cloudtrail reads and writes CloudTrail records.
//
// # Records
//
// A [Record] is one CloudTrail event with the fields that policy generation and filtering
// need, plus its original JSON bytes. [DecodeRecords] streams the records of a CloudTrail
// log document ({"Records": [...]}) without reading it into memory whole, on several cores
// if asked; [ParseRecord] parses a single event. The parser is hand-written for CloudTrail:
// it reads the dozen fields a Record needs in one pass and validates the rest without
// building anything.
//
// A record that cannot be used is reported as a *[RecordError] while the records around it
// go on; a document that cannot be read at all is a *[DocumentError].
//
// # Log files
//
// A [LogFile] is a file named as CloudTrail delivers it
// (ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_ID.json.gz); [LogFile.InTimeframe] says whether
// it may hold events of a window, allowing for [DeliveryLag].
//
// # Selecting and writing
//
// A [Filter] keeps the records of a window, a principal, an event source or an error mode;
// [Filter.Apply] filters a record sequence. An [Encoder] writes records back as one log
// document, each as it was logged.
package cloudtrail
