// Package iamfake is an in-memory IAM for tests: an http.Handler that speaks IAM's Query
// protocol (form-encoded POST requests with Action=…, XML responses in the
// https://iam.amazonaws.com/doc/2010-05-08/ namespace), so that the real aws-sdk-go-v2 IAM
// client can be pointed at it. It answers the read calls that fetch a principal's
// policies, pages every list by PageSize items with IsTruncated and Marker, and answers
// NoSuchEntity for unknown names and AccessDenied for the actions in Denied.
package iamfake

import (
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Namespace is the XML namespace of IAM's responses.
const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// Principal is a role, user or group: the ARNs of its attached managed policies and its
// inline policies by name.
type Principal struct {
	Attached []string
	Inline   map[string]string
	// Groups are, for a user, the groups it is in.
	Groups []string
}

// Policy is a managed policy: its versions' documents by version ID and the default one.
type Policy struct {
	DefaultVersion string
	Versions       map[string]string
}

// IAM is the fake's account. Set its fields before serving; Calls is safe to read while
// it serves.
type IAM struct {
	Roles, Users, Groups map[string]Principal
	Policies             map[string]Policy // by ARN
	// PageSize is how many items a list response holds at most; 0 means 100.
	PageSize int
	// Denied are actions ("GetRolePolicy") answered with AccessDenied.
	Denied map[string]bool

	mu    sync.Mutex
	calls []string
}

// Calls returns the actions of the requests so far, in order, with their Marker when they
// had one ("ListRolePolicies Marker=2").
func (f *IAM) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *IAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		writeError(w, http.StatusBadRequest, "Sender", "MalformedQueryString", "want a form-encoded POST")
		return
	}
	w.Header().Set("X-Amzn-Requestid", "req-1")
	action := r.PostForm.Get("Action")
	call := action
	if m := r.PostForm.Get("Marker"); m != "" {
		call += " Marker=" + m
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
	if r.PostForm.Get("Version") != "2010-05-08" {
		writeError(w, http.StatusBadRequest, "Sender", "InvalidParameterValue", "want Version=2010-05-08")
		return
	}
	if f.Denied[action] {
		writeError(w, http.StatusForbidden, "Sender", "AccessDenied",
			fmt.Sprintf("User: arn:aws:iam::111122223333:user/tester is not authorized to perform: iam:%s", action))
		return
	}
	body, err := f.answer(action, r.PostForm)
	if err != nil {
		writeError(w, err.status, "Sender", err.code, err.msg)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></%sResponse>`,
		action, Namespace, action, body, action, action)
}

type apiError struct {
	status    int
	code, msg string
}

func noSuch(kind, name string) *apiError {
	return &apiError{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("The %s with name %s cannot be found.", kind, name)}
}

func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
		Namespace, typ, code, esc(msg))
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// encode URL-encodes a policy document as IAM returns it.
func encode(doc string) string { return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20") }

func (f *IAM) answer(action string, form url.Values) (string, *apiError) {
	principal := func(kind string, m map[string]Principal, key string) (Principal, *apiError) {
		name := form.Get(key)
		p, ok := m[name]
		if !ok {
			return p, noSuch(kind, name)
		}
		return p, nil
	}
	var (
		p    Principal
		aerr *apiError
	)
	switch action {
	case "ListAttachedRolePolicies", "ListRolePolicies", "GetRolePolicy":
		p, aerr = principal("role", f.Roles, "RoleName")
	case "ListAttachedUserPolicies", "ListUserPolicies", "GetUserPolicy", "ListGroupsForUser":
		p, aerr = principal("user", f.Users, "UserName")
	case "ListAttachedGroupPolicies", "ListGroupPolicies", "GetGroupPolicy":
		p, aerr = principal("group", f.Groups, "GroupName")
	}
	if aerr != nil {
		return "", aerr
	}
	switch action {
	case "ListAttachedRolePolicies", "ListAttachedUserPolicies", "ListAttachedGroupPolicies":
		return f.page(form, "AttachedPolicies", p.Attached, func(arn string) string {
			return fmt.Sprintf("<PolicyName>%s</PolicyName><PolicyArn>%s</PolicyArn>", esc(arn[strings.LastIndexByte(arn, '/')+1:]), esc(arn))
		})
	case "ListRolePolicies", "ListUserPolicies", "ListGroupPolicies":
		names := slices.Sorted(maps.Keys(p.Inline))
		return f.page(form, "PolicyNames", names, esc)
	case "ListGroupsForUser":
		return f.page(form, "Groups", p.Groups, func(g string) string {
			return fmt.Sprintf("<GroupName>%s</GroupName><GroupId>AGPA%s</GroupId><Arn>arn:aws:iam::111122223333:group/%s</Arn><Path>/</Path><CreateDate>2026-01-01T00:00:00Z</CreateDate>", esc(g), esc(strings.ToUpper(g)), esc(g))
		})
	case "GetRolePolicy", "GetUserPolicy", "GetGroupPolicy":
		name := form.Get("PolicyName")
		doc, ok := p.Inline[name]
		if !ok {
			return "", noSuch("policy", name)
		}
		owner := map[string]string{"GetRolePolicy": "RoleName", "GetUserPolicy": "UserName", "GetGroupPolicy": "GroupName"}[action]
		return fmt.Sprintf("<%s>%s</%s><PolicyName>%s</PolicyName><PolicyDocument>%s</PolicyDocument>",
			owner, esc(form.Get(owner)), owner, esc(name), esc(encode(doc))), nil
	case "GetPolicy":
		arn := form.Get("PolicyArn")
		mp, ok := f.Policies[arn]
		if !ok {
			return "", &apiError{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("Policy %s does not exist or is not attachable.", arn)}
		}
		return fmt.Sprintf("<Policy><PolicyName>%s</PolicyName><Arn>%s</Arn><DefaultVersionId>%s</DefaultVersionId><IsAttachable>true</IsAttachable></Policy>",
			esc(arn[strings.LastIndexByte(arn, '/')+1:]), esc(arn), esc(mp.DefaultVersion)), nil
	case "GetPolicyVersion":
		arn, v := form.Get("PolicyArn"), form.Get("VersionId")
		doc, ok := f.Policies[arn].Versions[v]
		if !ok {
			return "", &apiError{http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("Policy %s version %s does not exist or is not attachable.", arn, v)}
		}
		return fmt.Sprintf("<PolicyVersion><Document>%s</Document><VersionId>%s</VersionId><IsDefaultVersion>%t</IsDefaultVersion></PolicyVersion>",
			esc(encode(doc)), esc(v), v == f.Policies[arn].DefaultVersion), nil
	}
	return "", &apiError{http.StatusBadRequest, "InvalidAction", "The action " + action + " is not valid for this web service."}
}

// page writes one page of items as <list><member>…</member></list> with IsTruncated and
// Marker; the marker is the index of the page's first item.
func (f *IAM) page(form url.Values, list string, items []string, member func(string) string) (string, *apiError) {
	size := f.PageSize
	if size <= 0 {
		size = 100
	}
	if m, err := strconv.Atoi(form.Get("MaxItems")); err == nil && m > 0 && m < size {
		size = m
	}
	start := 0
	if m := form.Get("Marker"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > len(items) {
			return "", &apiError{http.StatusBadRequest, "InvalidInput", "bad Marker " + m}
		}
		start = n
	}
	end := min(start+size, len(items))
	var b strings.Builder
	fmt.Fprintf(&b, "<%s>", list)
	for _, it := range items[start:end] {
		fmt.Fprintf(&b, "<member>%s</member>", member(it))
	}
	fmt.Fprintf(&b, "</%s><IsTruncated>%t</IsTruncated>", list, end < len(items))
	if end < len(items) {
		fmt.Fprintf(&b, "<Marker>%d</Marker>", end)
	}
	return b.String(), nil
}
