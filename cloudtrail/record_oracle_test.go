package cloudtrail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// The encoding/json based record decoder that ParseRecord replaced: kept as the oracle of
// the differential tests and fuzz target.

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
	RecipientAccount  *string         `json:"recipientAccountId"`
	RequestParameters json.RawMessage `json:"requestParameters"`
	ResponseElements  json.RawMessage `json:"responseElements"`
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

// parseRecordStd parses one CloudTrail record as ParseRecord does. Missing fields and
// nulls are left empty; the error reports invalid JSON or JSON that is not an object. A
// field of the wrong type is skipped as encoding/json skips it (it decodes the rest and
// reports the first such field), and listed in Ignored with an eventTime that is not a
// time; so Ignored is empty exactly when ParseRecord's is, but may name fewer fields.
// The record keeps raw (not a copy) as its Raw bytes.
func parseRecordStd(raw []byte) (Record, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		if !json.Valid(raw) {
			return Record{}, errors.New("invalid JSON")
		}
		return Record{}, ErrNotObject
	}
	var w wireRecord
	var ignored []FieldError
	if err := json.Unmarshal(raw, &w); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return Record{}, err
		}
		ignored = append(ignored, FieldError{Field: te.Field, Offset: int(te.Offset), Err: fmt.Errorf("is a JSON %s", te.Value)})
	}
	r := Record{
		EventSource:        str(w.EventSource),
		EventName:          str(w.EventName),
		EventType:          str(w.EventType),
		AWSRegion:          str(w.AWSRegion),
		SourceIPAddress:    str(w.SourceIPAddress),
		UserAgent:          str(w.UserAgent),
		ErrorCode:          str(w.ErrorCode),
		RecipientAccountID: str(w.RecipientAccount),
		Raw:                raw,
		Ignored:            ignored,
	}
	if t := str(w.EventTime); t != "" {
		if et, ok := parseEventTime(t); ok {
			r.EventTime = et
		} else {
			r.Ignored = append(r.Ignored, FieldError{Field: "eventTime", Err: fmt.Errorf("%q is not a time", t)})
		}
	}
	if p := w.RequestParameters; len(p) > 0 && !bytes.Equal(p, []byte("null")) {
		r.RequestParameters = p
	}
	if p := w.ResponseElements; len(p) > 0 && !bytes.Equal(p, []byte("null")) {
		r.ResponseElements = p
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
