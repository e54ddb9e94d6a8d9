package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Record is one CloudTrail event, with the fields policy generation and filtering need, and
// its original JSON bytes so that it can be printed unchanged.
type Record struct {
	EventSource     string    // "s3.amazonaws.com"
	EventName       string    // "GetObject"
	EventTime       time.Time // zero when the record has none
	EventType       string    // "AwsApiCall", "AwsServiceEvent", "AwsConsoleSignIn", …
	AWSRegion       string
	SourceIPAddress string
	UserAgent       string
	ErrorCode       string // "" for a call that succeeded
	// RecipientAccountID is the account that received the call: the owner of the
	// resources it acted on, unless the request names another account's resource.
	RecipientAccountID string
	ResourceARNs       []string
	UserIdentity       UserIdentity

	// RequestParameters is the record's requestParameters object as it was logged, or nil.
	RequestParameters json.RawMessage
	// ResponseElements is the record's responseElements object as it was logged, or nil.
	ResponseElements json.RawMessage

	// Count is how many identical calls this record stands for, for sources that aggregate
	// in the query engine (a group of calls with the same permission-relevant fields).
	// Zero means one.
	Count int
	// LastTime is the time of the latest call of an aggregated record (EventTime is the
	// earliest); zero for a single call.
	LastTime time.Time
	// Raw is the record's original JSON.
	Raw json.RawMessage

	// Ignored lists the fields of Raw that were ignored because their values could not be
	// used (a field of the wrong type, an eventTime that is not a time): the record is
	// read without them. Callers may warn about them; nil for a clean record.
	Ignored []FieldError
}

// FieldError reports one field of a record that was ignored because its value could not
// be used. The record is not lost for it: see [Record.Ignored].
type FieldError struct {
	Field  string // the field's path in the record: "eventTime", "userIdentity.arn", "resources[2]"
	Offset int    // the byte offset of the value in the record's Raw
	Err    error  // what is wrong with the value
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s %v (ignored)", e.Field, e.Err) }
func (e *FieldError) Unwrap() error { return e.Err }

// UserIdentity is the part of a record's userIdentity that says who made the call.
type UserIdentity struct {
	Type             string // "IAMUser", "AssumedRole", "Root", "AWSService", …
	PrincipalID      string
	ARN              string
	AccountID        string
	AccessKeyID      string
	UserName         string
	InvokedBy        string // set when an AWS service made the call on the principal's behalf
	SessionIssuerARN string // userIdentity.sessionContext.sessionIssuer.arn
}

// ErrNotObject is reported for a record that is not a JSON object.
var ErrNotObject = errors.New("record is not a JSON object")

// RecordError reports one record that could not be used. The records around it are not
// affected: sources and decoders yield it and go on.
type RecordError struct {
	Source string // the file, stream or API the record came from; may be empty
	Index  int    // the record's position in Source, from 0; -1 when unknown
	Line   int    // the record's line in Source, from 1, when records are lines; else 0
	Offset int64  // the byte offset of the record in Source; -1 when unknown
	Err    error
}

func (e *RecordError) Error() string {
	var b bytes.Buffer
	if e.Source != "" {
		fmt.Fprintf(&b, "%s: ", e.Source)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	} else if e.Index >= 0 {
		fmt.Fprintf(&b, "record %d", e.Index)
		if e.Offset >= 0 {
			fmt.Fprintf(&b, " (byte %d)", e.Offset)
		}
		b.WriteString(": ")
	} else if e.Offset >= 0 {
		fmt.Fprintf(&b, "byte %d: ", e.Offset)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *RecordError) Unwrap() error { return e.Err }

// ParseRecord parses one CloudTrail record. Missing fields and nulls are left empty. The
// error reports invalid JSON, or JSON that is not an object. A field of the wrong type, or
// an eventTime that is not a time (RFC 3339 as CloudTrail writes it, or
// "2006-01-02 15:04:05" with or without fraction and zone, in UTC, as exports write it),
// does not lose the record: the field is left empty and listed in [Record.Ignored]. The
// record keeps raw (not a copy) as its Raw bytes.
func ParseRecord(raw []byte) (Record, error) {
	return parseRecord(bytes.Trim(raw, " \t\r\n"), nil, AllFields) // JSON white space only
}

// Event names a kind of call: a CloudTrail event source and event name
// ("s3.amazonaws.com", "GetObject").
type Event struct {
	Source, Name string
}

func (e Event) String() string { return e.Source + " " + e.Name }

// Event returns the record's event source and name.
func (r *Record) Event() Event { return Event{r.EventSource, r.EventName} }

// EventID returns the record's eventID, read from its original bytes, or "" when it has
// none. It is meant for messages: it decodes Raw each time.
func (r *Record) EventID() string {
	var v struct {
		EventID string `json:"eventID"`
	}
	if json.Unmarshal(r.Raw, &v) != nil {
		return ""
	}
	return v.EventID
}

// SuppressedError stands for the problems of one source that were not reported one by one,
// so that a file of a million bad records does not flood the log: Count problems (records
// skipped, mostly). It is wrapped in a *[RecordError] naming the source.
type SuppressedError struct {
	Count int
}

func (e *SuppressedError) Error() string {
	if e.Count == 1 {
		return "1 more problem in this source, not reported one by one"
	}
	return fmt.Sprintf("%d more problems in this source, not reported one by one", e.Count)
}

// Problems returns how many problems err stands for: the Count of a *[SuppressedError] in
// its chain, else 1.
func Problems(err error) int {
	var se *SuppressedError
	if errors.As(err, &se) {
		return se.Count
	}
	return 1
}
