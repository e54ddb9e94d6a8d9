package trailscraper

import "time"

// ErrorMode says what a [Filter] does with calls that failed (records with an errorCode).
type ErrorMode int

// The error modes.
const (
	ErrorsInclude ErrorMode = iota // keep failed calls too (the default)
	ErrorsExclude                  // keep only calls that succeeded
	ErrorsOnly                     // keep only failed calls
)

// Filter selects records. The zero Filter keeps every record. Conditions of different fields
// must all hold; values of one field are alternatives.
type Filter struct {
	From, To time.Time // inclusive; a zero time leaves that end open

	// AssumedRoleARNs keeps AssumedRole records whose session issuer is one of these role
	// ARNs, matched exactly (--filter-assumed-role-arn).
	AssumedRoleARNs []string
	// Principals keeps records whose userIdentity ARN, session issuer ARN or user name
	// matches one of these patterns; "*" matches any run of characters.
	Principals []string
	// EventSources keeps records of these event sources ("s3.amazonaws.com").
	EventSources []string
	Errors       ErrorMode
}

// Match reports whether r passes the filter.
//
// CONTRACT (to be implemented).
func (f *Filter) Match(r *Record) bool { return true }
