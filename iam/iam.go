// Package iam models the IAM policy language: actions, statements and policies, and reads
// and writes policy documents.
//
// # Reading
//
// [Parse] accepts every form valid IAM JSON allows (a single statement object or a list;
// Action, NotAction, Resource and NotResource as a string or a list; Sid, Condition,
// Principal, NotPrincipal, Id; Version optional) and reports bad input as a *[ParseError]
// that names the element and its byte offset.
//
// # Writing
//
// [Marshal] writes a policy exactly as the original Python trailscraper printed it
// (json.dumps with indent=4 and sort_keys=True, and a newline), and writes each field of a
// parsed policy back in the form it was read in, so a policy can pass through unchanged.
package iam

import (
	"encoding/json"
	"slices"
	"strings"
)

// Version is the current IAM policy language version.
const Version = "2012-10-17"

// KnownVersion reports whether v is a version of the IAM policy language: [Version] or
// the old "2008-10-17". IAM refuses a policy with any other Version; a policy without one
// is read as 2008-10-17.
func KnownVersion(v string) bool { return v == Version || v == "2008-10-17" }

// Action is an IAM action such as "s3:GetObject". It may contain wildcards when read from a
// policy document.
type Action string

// Prefix returns the service prefix of the action ("s3" for "s3:GetObject"), or "" when the
// action has no colon.
func (a Action) Prefix() string {
	p, _, ok := strings.Cut(string(a), ":")
	if !ok {
		return ""
	}
	return p
}

// Name returns the part after the colon ("GetObject" for "s3:GetObject"), or the whole
// action when it has no colon.
func (a Action) Name() string {
	_, n, ok := strings.Cut(string(a), ":")
	if !ok {
		return string(a)
	}
	return n
}

// Effect is a statement's effect: [Allow] or [Deny].
type Effect string

// The two effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Statement is one statement of a policy. Fields that were absent in a parsed document stay
// empty (nil) and are not written; a list field that is empty but not nil is written as
// []. Principal, NotPrincipal and Condition hold the JSON as given; [Marshal] writes them
// with sorted keys and their numbers as written.
type Statement struct {
	Sid          string
	Effect       Effect
	Action       []Action
	NotAction    []Action
	Resource     []string
	NotResource  []string
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Condition    json.RawMessage

	// single records which of the list fields were written as a plain string in the parsed
	// document, so that they are written back the same way.
	single singleFields
}

// singleFields is a bit set of list fields given as a single string.
type singleFields uint8

// Policy is an IAM policy document.
type Policy struct {
	Version   string
	ID        string
	Statement []Statement

	// singleStatement records that Statement was a single object in the parsed document.
	singleStatement bool
}

// Clone returns a copy of s that shares no memory with it, remembering the form each field
// was read in.
func (s Statement) Clone() Statement {
	s.Action = slices.Clone(s.Action)
	s.NotAction = slices.Clone(s.NotAction)
	s.Resource = slices.Clone(s.Resource)
	s.NotResource = slices.Clone(s.NotResource)
	s.Principal = slices.Clone(s.Principal)
	s.NotPrincipal = slices.Clone(s.NotPrincipal)
	s.Condition = slices.Clone(s.Condition)
	return s
}

// Clone returns a deep copy of p.
func (p *Policy) Clone() *Policy {
	if p == nil {
		return nil
	}
	c := *p
	if p.Statement != nil {
		c.Statement = make([]Statement, len(p.Statement))
		for i, s := range p.Statement {
			c.Statement[i] = s.Clone()
		}
	}
	return &c
}
