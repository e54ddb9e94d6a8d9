// Package lint checks IAM policies for mistakes: actions and services that do not exist,
// resources that no action of their statement can be granted on, iam:PassRole on every
// role, Sids and Versions IAM rejects, documents over a size limit, and actions listed
// twice.
//
// # Findings
//
// [Check] returns a [Finding] per problem, each with a [Code] and a [Severity]: error for
// what IAM rejects or what cannot work, security for grants that are far wider than
// intended, suggestion for what can be simpler. Knowledge of actions and resource types
// comes from the embedded AWS service reference ([servicedefs]).
package lint

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/servicedefs"
)

// Severity is how serious a finding is.
type Severity string

// The severities, from the most serious.
const (
	Error      Severity = "error"
	Security   Severity = "security"
	Warning    Severity = "warning"
	Suggestion Severity = "suggestion"
)

// Rank orders severities: Error and Security 0, Warning 1, Suggestion 2; unknown 3.
func (s Severity) Rank() int {
	switch s {
	case Error, Security:
		return 0
	case Warning:
		return 1
	case Suggestion:
		return 2
	}
	return 3
}

// Code names the kind of a finding.
type Code string

// The codes of findings.
const (
	UnknownAction    Code = "UNKNOWN_ACTION"      // an action or wildcard matching no action
	UnknownService   Code = "UNKNOWN_SERVICE"     // a service prefix that does not exist
	ResourceMismatch Code = "RESOURCE_MISMATCH"   // a resource no action of its statement applies to
	PassRoleWithStar Code = "PASS_ROLE_WITH_STAR" // iam:PassRole on Resource "*"
	PolicySize       Code = "POLICY_SIZE"         // over the size limit
	InvalidVersion   Code = "INVALID_VERSION"     // Version missing or unknown
	DuplicateSid     Code = "DUPLICATE_SID"       // a Sid used twice
	InvalidSid       Code = "INVALID_SID"         // a Sid that is not alphanumeric
	RedundantAction  Code = "REDUNDANT_ACTION"    // an action listed twice or covered by a wildcard
)

var severities = map[Code]Severity{
	UnknownAction: Error, UnknownService: Error, ResourceMismatch: Error, PassRoleWithStar: Security,
	PolicySize: Error, InvalidVersion: Error, DuplicateSid: Error, InvalidSid: Error, RedundantAction: Suggestion,
}

// Finding is one problem in a policy. Statement is the index of the statement, from 0, or
// -1 for a finding about the whole policy; Action and Resource are set when the finding is
// about one of them. It marshals to JSON as {"code", "severity", "statement", "action",
// "resource", "message"}, leaving out what does not apply.
type Finding struct {
	Code      Code
	Severity  Severity
	Statement int
	Action    string
	Resource  string
	Message   string
}

// MarshalJSON writes f with the keys of its JSON form.
func (f Finding) MarshalJSON() ([]byte, error) {
	type out struct {
		Code      Code     `json:"code"`
		Severity  Severity `json:"severity"`
		Statement *int     `json:"statement,omitempty"`
		Action    string   `json:"action,omitempty"`
		Resource  string   `json:"resource,omitempty"`
		Message   string   `json:"message"`
	}
	o := out{Code: f.Code, Severity: f.Severity, Action: f.Action, Resource: f.Resource, Message: f.Message}
	if f.Statement >= 0 {
		o.Statement = &f.Statement
	}
	return json.Marshal(o)
}

// String returns "statement N: SEVERITY CODE: message" ("policy: …" for the whole policy).
func (f Finding) String() string {
	where := "policy"
	if f.Statement >= 0 {
		where = fmt.Sprintf("statement %d", f.Statement)
	}
	return fmt.Sprintf("%s: %s %s: %s", where, strings.ToUpper(string(f.Severity)), f.Code, f.Message)
}

// Option configures [Check].
type Option func(*config)

type config struct{ maxSize int }

// WithMaxSize reports a policy larger than n characters, counted as [iam.Size] counts.
func WithMaxSize(n int) Option { return func(c *config) { c.maxSize = n } }

// Check returns the findings for p, ordered by statement (policy-wide findings first) and
// then by the order of the elements they are about.
func Check(p *iam.Policy, opts ...Option) []Finding {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	var fs []Finding
	add := func(code Code, stmt int, action, resource, format string, args ...any) {
		fs = append(fs, Finding{Code: code, Severity: severities[code], Statement: stmt,
			Action: action, Resource: resource, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case iam.KnownVersion(p.Version):
	case p.Version == "":
		add(InvalidVersion, -1, "", "", "the policy has no Version; add \"Version\": \"2012-10-17\" (without it policy variables are not expanded)")
	default:
		add(InvalidVersion, -1, "", "", "Version %q is not 2012-10-17 or 2008-10-17", p.Version)
	}
	if cfg.maxSize > 0 {
		if n, err := iam.Size(p); err == nil && n > cfg.maxSize {
			add(PolicySize, -1, "", "", "the policy has %d characters without white space, over the limit of %d", n, cfg.maxSize)
		}
	}
	sids := map[string]int{}
	for i := range p.Statement {
		s := &p.Statement[i]
		if s.Sid != "" {
			if !alphanumeric(s.Sid) {
				add(InvalidSid, i, "", "", "Sid %q has characters other than A-Z, a-z and 0-9", s.Sid)
			}
			if j, ok := sids[s.Sid]; ok {
				add(DuplicateSid, i, "", "", "Sid %q is also the Sid of statement %d", s.Sid, j)
			} else {
				sids[s.Sid] = i
			}
		}
		var known []string // the actions the statement's Action entries match
		for n, list := range [][]iam.Action{s.Action, s.NotAction} {
			for _, a := range list {
				matched, code, msg := expand(string(a))
				if code != "" {
					add(code, i, string(a), "", "%s", msg)
				}
				if n == 0 {
					known = append(known, matched...)
				}
			}
		}
		redundant(s.Action, func(a, by iam.Action) {
			if strings.EqualFold(string(a), string(by)) {
				add(RedundantAction, i, string(a), "", "%s is listed twice", a)
			} else {
				add(RedundantAction, i, string(a), "", "%s is covered by %s in the same statement", a, by)
			}
		})
		if s.Effect == iam.Allow && slices.Contains(s.Resource, "*") && grantsPassRole(s) {
			add(PassRoleWithStar, i, "iam:PassRole", "*", "the statement allows iam:PassRole on every role (Resource \"*\"): any role can be handed to a service; name the roles")
		}
		if len(s.Action) > 0 && !slices.Contains(s.Action, "*") && len(known) > 0 {
			for _, r := range s.Resource {
				if r != "*" && !fitsAny(known, r) {
					add(ResourceMismatch, i, "", r, "%s fits no resource type of the statement's actions (%s)", r, actionList(s.Action))
				}
			}
		}
	}
	slices.SortStableFunc(fs, func(a, b Finding) int { return a.Statement - b.Statement })
	return fs
}

func actionList(as []iam.Action) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = string(a)
	}
	if len(parts) > 5 {
		parts = append(parts[:5], fmt.Sprintf("… %d more", len(as)-5))
	}
	return strings.Join(parts, ", ")
}

func alphanumeric(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// expand returns the actions of the service reference that a (which may hold wildcards)
// matches, or the code and message of why it matches none. "*" matches everything and
// expands to nothing.
func expand(a string) (matched []string, code Code, msg string) {
	if a == "*" {
		return nil, "", ""
	}
	prefix, name, ok := strings.Cut(a, ":")
	if !ok || prefix == "" || name == "" {
		return nil, UnknownAction, fmt.Sprintf("%q is not of the form service:action", a)
	}
	var prefixes []string
	if hasWildcard(prefix) {
		for _, p := range servicedefs.Prefixes() {
			if glob(prefix, p) {
				prefixes = append(prefixes, p)
			}
		}
	} else if servicedefs.KnownPrefix(prefix) {
		prefixes = []string{prefix}
	}
	if len(prefixes) == 0 {
		return nil, UnknownService, fmt.Sprintf("service prefix %q of %s is not in the AWS service reference", prefix, a)
	}
	if !hasWildcard(a) {
		c, ok := servicedefs.Canonical(a)
		if !ok {
			return nil, UnknownAction, fmt.Sprintf("%s is not an action of %s in the AWS service reference", a, prefix)
		}
		return []string{c}, "", ""
	}
	for _, p := range prefixes {
		for _, x := range servicedefs.Actions(p) {
			if glob(a, x) {
				matched = append(matched, x)
			}
		}
	}
	if len(matched) == 0 {
		return nil, UnknownAction, fmt.Sprintf("%s matches no action in the AWS service reference", a)
	}
	return matched, "", ""
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// glob matches s against pattern with IAM's action wildcards ('*' any run, '?' one
// character), case-insensitively.
func glob(pattern, s string) bool {
	pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
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

// redundant calls report for every action of list that an earlier entry repeats or a
// wildcard entry covers.
func redundant(list []iam.Action, report func(a, by iam.Action)) {
	for j, a := range list {
		for k, b := range list {
			if k == j {
				continue
			}
			same := strings.EqualFold(string(a), string(b))
			if same && k < j || !same && hasWildcard(string(b)) && glob(string(b), string(a)) {
				report(a, b)
				break
			}
		}
	}
}

// grantsPassRole reports whether s's actions include iam:PassRole.
func grantsPassRole(s *iam.Statement) bool {
	match := func(list []iam.Action) bool {
		return slices.ContainsFunc(list, func(a iam.Action) bool { return glob(string(a), "iam:PassRole") })
	}
	if s.NotAction != nil {
		return !match(s.NotAction)
	}
	return match(s.Action)
}

// fitsAny reports whether resource fits an ARN format of a resource type of one of actions.
func fitsAny(actions []string, resource string) bool {
	seen := map[string]bool{}
	for _, a := range actions {
		for _, rt := range servicedefs.ResourceTypes(a) {
			for _, f := range rt.ARNFormats {
				if seen[f] {
					continue
				}
				seen[f] = true
				if intersects(formatTokens(f), resourceTokens(resource)) {
					return true
				}
			}
		}
	}
	return false
}
