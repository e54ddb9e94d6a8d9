package trailscraper

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
	ResourceARNs    []string
	UserIdentity    UserIdentity

	// RequestParameters is the record's requestParameters object as it was logged, or nil.
	RequestParameters json.RawMessage
	// Raw is the record's original JSON.
	Raw json.RawMessage
}

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
	Offset int64  // the byte offset of the record in Source; -1 when unknown
	Err    error
}

func (e *RecordError) Error() string {
	var b bytes.Buffer
	if e.Source != "" {
		fmt.Fprintf(&b, "%s: ", e.Source)
	}
	if e.Index >= 0 {
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

// wireRecord is the part of a CloudTrail record that ParseRecord reads.
type wireRecord struct {
	EventSource       *string         `json:"eventSource"`
	EventName         *string         `json:"eventName"`
	EventTime         *string         `json:"eventTime"`
	EventType         *string         `json:"eventType"`
	AWSRegion         *string         `json:"awsRegion"`
	SourceIPAddress   *string         `json:"sourceIPAddress"`
	UserAgent         *string         `json:"userAgent"`
	ErrorCode         *string         `json:"errorCode"`
	RequestParameters json.RawMessage `json:"requestParameters"`
	Resources         []struct {
		ARN *string `json:"ARN"`
	} `json:"resources"`
	UserIdentity *struct {
		Type           *string `json:"type"`
		PrincipalID    *string `json:"principalId"`
		ARN            *string `json:"arn"`
		AccountID      *string `json:"accountId"`
		AccessKeyID    *string `json:"accessKeyId"`
		UserName       *string `json:"userName"`
		InvokedBy      *string `json:"invokedBy"`
		SessionContext *struct {
			SessionIssuer *struct {
				ARN *string `json:"arn"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ParseRecord parses one CloudTrail record. Missing fields and nulls are left empty; the
// error reports JSON that is not an object or a field of the wrong type. The record keeps
// raw (not a copy) as its Raw bytes.
func ParseRecord(raw []byte) (Record, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		if !json.Valid(raw) {
			return Record{}, errors.New("invalid JSON")
		}
		return Record{}, ErrNotObject
	}
	var w wireRecord
	if err := json.Unmarshal(raw, &w); err != nil {
		return Record{}, describeJSONError(err)
	}
	r := Record{
		EventSource:     str(w.EventSource),
		EventName:       str(w.EventName),
		EventType:       str(w.EventType),
		AWSRegion:       str(w.AWSRegion),
		SourceIPAddress: str(w.SourceIPAddress),
		UserAgent:       str(w.UserAgent),
		ErrorCode:       str(w.ErrorCode),
		Raw:             raw,
	}
	if t := str(w.EventTime); t != "" {
		et, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return Record{}, fmt.Errorf("eventTime %q is not an RFC 3339 time", t)
		}
		r.EventTime = et.UTC()
	}
	if p := w.RequestParameters; len(p) > 0 && !bytes.Equal(p, []byte("null")) {
		r.RequestParameters = p
	}
	for _, res := range w.Resources {
		if a := str(res.ARN); a != "" {
			r.ResourceARNs = append(r.ResourceARNs, a)
		}
	}
	if u := w.UserIdentity; u != nil {
		r.UserIdentity = UserIdentity{
			Type:        str(u.Type),
			PrincipalID: str(u.PrincipalID),
			ARN:         str(u.ARN),
			AccountID:   str(u.AccountID),
			AccessKeyID: str(u.AccessKeyID),
			UserName:    str(u.UserName),
			InvokedBy:   str(u.InvokedBy),
		}
		if sc := u.SessionContext; sc != nil && sc.SessionIssuer != nil {
			r.UserIdentity.SessionIssuerARN = str(sc.SessionIssuer.ARN)
		}
	}
	return r, nil
}

// describeJSONError turns an encoding/json error into a short message without Go type names.
func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %s has a JSON %s where a different type is expected", te.Field, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON: %s", se.Error())
	}
	return err
}
