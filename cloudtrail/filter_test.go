package cloudtrail

import (
	"fmt"
	"path"
	"strings"
	"testing"
	"time"
)

func TestFilterMatch(t *testing.T) {
	t0 := time.Date(2017, 12, 11, 15, 4, 51, 0, time.UTC)
	role := "arn:aws:iam::111111111111:role/someRole"
	assumed := Record{
		EventSource: "s3.amazonaws.com", EventName: "GetObject", EventTime: t0,
		UserIdentity: UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::111111111111:assumed-role/someRole/session", SessionIssuerARN: role},
	}
	user := Record{
		EventSource: "ec2.amazonaws.com", EventName: "RunInstances", EventTime: t0, ErrorCode: "AccessDenied",
		UserIdentity: UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::111111111111:user/alice", UserName: "alice"},
	}
	// A user whose issuer field is set without the AssumedRole type never matches the role filter.
	oddUser := user
	oddUser.UserIdentity.SessionIssuerARN = role
	noTime := assumed
	noTime.EventTime = time.Time{}

	tests := []struct {
		name   string
		filter Filter
		rec    Record
		want   bool
	}{
		{"zero filter keeps all", Filter{}, assumed, true},
		{"zero filter keeps no time", Filter{}, noTime, true},
		{"from inclusive", Filter{From: t0}, assumed, true},
		{"to inclusive", Filter{To: t0}, assumed, true},
		{"before from", Filter{From: t0.Add(time.Second)}, assumed, false},
		{"after to", Filter{To: t0.Add(-time.Nanosecond)}, assumed, false},
		{"window in another zone", Filter{From: t0.In(time.FixedZone("x", 7200)), To: t0.In(time.FixedZone("y", -3600))}, assumed, true},
		{"no time with window", Filter{From: time.Unix(0, 0)}, noTime, false},
		{"role exact", Filter{AssumedRoleARNs: []string{role}}, assumed, true},
		{"role one of several", Filter{AssumedRoleARNs: []string{"arn:aws:iam::1:role/x", role}}, assumed, true},
		{"role not a prefix match", Filter{AssumedRoleARNs: []string{role[:len(role)-1]}}, assumed, false},
		{"role no wildcard", Filter{AssumedRoleARNs: []string{"arn:aws:iam::111111111111:role/*"}}, assumed, false},
		{"role filter drops non-assumed", Filter{AssumedRoleARNs: []string{role}}, oddUser, false},
		{"principal user ARN", Filter{Principals: []string{"arn:aws:iam::111111111111:user/alice"}}, user, true},
		{"principal user name", Filter{Principals: []string{"alice"}}, user, true},
		{"principal issuer wildcard", Filter{Principals: []string{"arn:aws:iam::*:role/some*"}}, assumed, true},
		{"principal session ARN wildcard", Filter{Principals: []string{"*:assumed-role/someRole/*"}}, assumed, true},
		{"principal no match", Filter{Principals: []string{"bob"}}, user, false},
		{"principal case-sensitive", Filter{Principals: []string{"Alice"}}, user, false},
		{"principal star needs a field", Filter{Principals: []string{"*"}}, Record{}, false},
		{"event source", Filter{EventSources: []string{"s3.amazonaws.com"}}, assumed, true},
		{"event source other", Filter{EventSources: []string{"s3.amazonaws.com"}}, user, false},
		{"event source wildcard", Filter{EventSources: []string{"ec2.*"}}, user, true},
		{"errors include", Filter{Errors: ErrorsInclude}, user, true},
		{"errors exclude drops failure", Filter{Errors: ErrorsExclude}, user, false},
		{"errors exclude keeps success", Filter{Errors: ErrorsExclude}, assumed, true},
		{"errors only keeps failure", Filter{Errors: ErrorsOnly}, user, true},
		{"errors only drops success", Filter{Errors: ErrorsOnly}, assumed, false},
		{"all conditions must hold", Filter{EventSources: []string{"s3.amazonaws.com"}, Principals: []string{"alice"}}, user, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.filter.Match(&tt.rec); got != tt.want {
				t.Errorf("Filter%+v.Match(%+v) = %v, want %v", tt.filter, tt.rec, got, tt.want)
			}
		})
	}
}

func TestParseErrorMode(t *testing.T) {
	tests := []struct {
		name, in string
		want     ErrorMode
		wantErr  bool
	}{
		{"include", "include", ErrorsInclude, false},
		{"exclude", "exclude", ErrorsExclude, false},
		{"only upper", " ONLY ", ErrorsOnly, false},
		{"bad", "some", 0, true},
		{"empty", "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseErrorMode(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseErrorMode(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err == nil && got.String() != strings.ToLower(strings.TrimSpace(tt.in)) {
				t.Errorf("%v.String() = %q", got, got.String())
			}
		})
	}
	if s := ErrorMode(7).String(); s != "ErrorMode(7)" {
		t.Errorf("ErrorMode(7).String() = %q", s)
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		name, pattern, s string
		want             bool
	}{
		{"exact", "abc", "abc", true},
		{"exact differs", "abc", "abd", false},
		{"star all", "*", "anything", true},
		{"star empty", "*", "", true},
		{"prefix", "ab*", "abc", true},
		{"suffix", "*bc", "abc", true},
		{"middle", "a*c", "abbbc", true},
		{"middle fails", "a*c", "abbbd", false},
		{"two stars", "a*b*c", "axxbyyc", true},
		{"backtrack", "*ab", "aab", true},
		{"backtrack fail", "a*ab", "ab", false},
		{"question mark is literal", "a?c", "abc", false},
		{"longer pattern", "abc*d", "abc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
				t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
			}
		})
	}
}

func FuzzWildcardMatch(f *testing.F) {
	f.Add("a*b*c", "axxbyyc")
	f.Add("*", "")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		// path.Match agrees with wildcardMatch when neither holds its other metacharacters.
		if strings.ContainsAny(pattern+s, `?[]\/`) {
			return
		}
		want, err := path.Match(pattern, s)
		if err != nil {
			return
		}
		if got := wildcardMatch(pattern, s); got != want {
			t.Errorf("wildcardMatch(%q, %q) = %v, path.Match says %v", pattern, s, got, want)
		}
	})
}

func ExampleFilter() {
	f := Filter{
		Principals: []string{"arn:aws:iam::*:role/deploy-*"},
		Errors:     ErrorsExclude,
	}
	r := Record{
		EventSource: "s3.amazonaws.com",
		EventName:   "PutObject",
		UserIdentity: UserIdentity{
			Type:             "AssumedRole",
			SessionIssuerARN: "arn:aws:iam::111111111111:role/deploy-web",
		},
	}
	fmt.Println(f.Match(&r))
	r.ErrorCode = "AccessDenied"
	fmt.Println(f.Match(&r))
	// Output:
	// true
	// false
}
