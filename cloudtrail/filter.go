package cloudtrail

import (
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"
)

// ErrorMode says what a [Filter] does with calls that failed (records with an errorCode).
type ErrorMode int

// The error modes.
const (
	ErrorsInclude ErrorMode = iota // keep failed calls too (the default)
	ErrorsExclude                  // keep only calls that succeeded
	ErrorsOnly                     // keep only failed calls
)

var errorModeNames = []string{"include", "exclude", "only"}

// String returns the mode's name as the --errors flag takes it.
func (m ErrorMode) String() string {
	if m >= 0 && int(m) < len(errorModeNames) {
		return errorModeNames[m]
	}
	return fmt.Sprintf("ErrorMode(%d)", int(m))
}

// ParseErrorMode parses "include", "exclude" or "only".
func ParseErrorMode(s string) (ErrorMode, error) {
	if i := slices.Index(errorModeNames, strings.ToLower(strings.TrimSpace(s))); i >= 0 {
		return ErrorMode(i), nil
	}
	return 0, fmt.Errorf("unknown error mode %q; use include, exclude or only", s)
}

// Filter selects records. The zero Filter keeps every record. Conditions of different fields
// must all hold; values of one field are alternatives.
type Filter struct {
	From, To time.Time // inclusive; a zero time leaves that end open

	// AssumedRoleARNs keeps AssumedRole records whose session issuer is one of these role
	// ARNs, matched exactly (--filter-assumed-role-arn).
	AssumedRoleARNs []string
	// Principals keeps records whose userIdentity ARN, session issuer ARN or user name
	// matches one of these patterns; "*" matches any run of characters. Matching is
	// case-sensitive, and an empty field matches nothing.
	Principals []string
	// EventSources keeps records of these event sources ("s3.amazonaws.com"); "*" matches
	// any run of characters here too.
	EventSources []string
	Errors       ErrorMode
}

// Match reports whether r passes the filter. A record without an eventTime is outside
// every window that has an end.
func (f *Filter) Match(r *Record) bool {
	if !f.From.IsZero() || !f.To.IsZero() {
		if r.EventTime.IsZero() {
			return false
		}
		if !f.From.IsZero() && r.EventTime.Before(f.From) {
			return false
		}
		if !f.To.IsZero() && r.EventTime.After(f.To) {
			return false
		}
	}
	switch f.Errors {
	case ErrorsExclude:
		if r.ErrorCode != "" {
			return false
		}
	case ErrorsOnly:
		if r.ErrorCode == "" {
			return false
		}
	}
	if len(f.AssumedRoleARNs) > 0 {
		if r.UserIdentity.Type != "AssumedRole" || !slices.Contains(f.AssumedRoleARNs, r.UserIdentity.SessionIssuerARN) {
			return false
		}
	}
	if len(f.EventSources) > 0 && !matchAny(f.EventSources, r.EventSource) {
		return false
	}
	if len(f.Principals) > 0 {
		u := &r.UserIdentity
		if !matchAny(f.Principals, u.ARN) && !matchAny(f.Principals, u.SessionIssuerARN) && !matchAny(f.Principals, u.UserName) {
			return false
		}
	}
	return true
}

// matchAny reports whether s is not empty and matches one of the patterns.
func matchAny(patterns []string, s string) bool {
	if s == "" {
		return false
	}
	for _, p := range patterns {
		if wildcardMatch(p, s) {
			return true
		}
	}
	return false
}

// wildcardMatch reports whether s matches pattern, in which "*" matches any run of
// characters (also none) and every other character matches itself. It runs in
// O(len(pattern)·len(s)) at worst, without recursion.
func wildcardMatch(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// Apply returns the records of recs that f matches, and every error of recs unchanged.
func (f *Filter) Apply(recs iter.Seq2[Record, error]) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for r, err := range recs {
			if err == nil && !f.Match(&r) {
				continue
			}
			if !yield(r, err) {
				return
			}
		}
	}
}
