package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The policy types work with encoding/json as they do with [Parse] and [Marshal], so a
// policy inside a caller's own JSON document is written as valid IAM JSON (no empty Id, no
// null NotAction) and read back with the same checks.

var (
	_ json.Marshaler   = Policy{}
	_ json.Unmarshaler = (*Policy)(nil)
	_ json.Marshaler   = Statement{}
	_ json.Unmarshaler = (*Statement)(nil)
)

// MarshalJSON writes p as [Marshal] does.
func (p Policy) MarshalJSON() ([]byte, error) { return Marshal(&p) }

// UnmarshalJSON reads a policy document as [Parse] does.
func (p *Policy) UnmarshalJSON(data []byte) error {
	parsed, err := Parse(data)
	if err != nil {
		return err
	}
	*p = *parsed
	return nil
}

// MarshalJSON writes s as [Marshal] writes a statement of a policy.
func (s Statement) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := writeStatement(&b, &s, 0); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// UnmarshalJSON reads one statement object with the checks of [Parse].
func (s *Statement) UnmarshalJSON(data []byte) error {
	doc := make([]byte, 0, len(data)+16)
	doc = append(doc, `{"Statement":`...)
	doc = append(doc, data...)
	doc = append(doc, '}')
	p, err := Parse(doc)
	if err != nil {
		return err
	}
	if len(p.Statement) != 1 {
		return fmt.Errorf("iam: expected one statement object, got %d statements", len(p.Statement))
	}
	*s = p.Statement[0]
	return nil
}
