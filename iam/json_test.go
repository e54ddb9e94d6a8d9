package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailscraper/trailscraper/internal/testfiles"

	"github.com/google/go-cmp/cmp"
)

var cmpStatement = cmp.AllowUnexported(Statement{}, Policy{})

func fixtures(t testing.TB) string {
	t.Helper()
	dir := testfiles.Path(t, "reference/fixtures")
	return dir
}

// TestMarshalMatchesOriginal checks that the original tool's outputs survive a parse and a
// marshal byte for byte: Marshal writes what Python's json.dumps(indent=4, sort_keys=True)
// wrote, and Parse remembers the string form of Resource in the guess fixture.
func TestMarshalMatchesOriginal(t *testing.T) {
	dir := fixtures(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.original-output.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(want)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := Marshal(p)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Marshal(Parse(%s)) differs (-want +got):\n%s", filepath.Base(f), diff)
			}
		})
	}
}

// TestMarshal ports the original's policy_document_test.py and covers the formatting rules.
func TestMarshal(t *testing.T) {
	tests := []struct {
		name string
		p    *Policy
		want string
	}{
		{
			name: "original policy_document_renders_to_json",
			p: &Policy{Version: Version, Statement: []Statement{
				{Effect: Allow, Action: []Action{"autoscaling:DescribeLaunchConfigurations"}, Resource: []string{"*"}},
				{Effect: Allow, Action: []Action{"sts:AssumeRole"}, Resource: []string{"arn:aws:iam::111111111111:role/someRole"}},
			}},
			want: `{
    "Statement": [
        {
            "Action": [
                "autoscaling:DescribeLaunchConfigurations"
            ],
            "Effect": "Allow",
            "Resource": [
                "*"
            ]
        },
        {
            "Action": [
                "sts:AssumeRole"
            ],
            "Effect": "Allow",
            "Resource": [
                "arn:aws:iam::111111111111:role/someRole"
            ]
        }
    ],
    "Version": "2012-10-17"
}
`,
		},
		{
			name: "empty policy",
			p:    &Policy{Version: Version},
			want: "{\n    \"Statement\": [],\n    \"Version\": \"2012-10-17\"\n}\n",
		},
		{
			name: "no version",
			p:    &Policy{},
			want: "{\n    \"Statement\": []\n}\n",
		},
		{
			name: "empty lists and every field",
			p: &Policy{ID: "id-1", Version: Version, Statement: []Statement{{
				Sid:          "S1",
				Effect:       Deny,
				NotAction:    []Action{},
				NotResource:  []string{"a"},
				NotPrincipal: json.RawMessage(`{"AWS":["b","a"],"Service":{}}`),
				Condition:    json.RawMessage(`{"NumericLessThan":{"s3:max-keys":1e5, "a": [1.50, true, null, []]}}`),
			}}},
			want: `{
    "Id": "id-1",
    "Statement": [
        {
            "Condition": {
                "NumericLessThan": {
                    "a": [
                        1.50,
                        true,
                        null,
                        []
                    ],
                    "s3:max-keys": 1e5
                }
            },
            "Effect": "Deny",
            "NotAction": [],
            "NotPrincipal": {
                "AWS": [
                    "b",
                    "a"
                ],
                "Service": {}
            },
            "NotResource": [
                "a"
            ],
            "Sid": "S1"
        }
    ],
    "Version": "2012-10-17"
}
`,
		},
		{
			name: "escaping like Python, no HTML escaping",
			p: &Policy{Statement: []Statement{{
				Effect:   Allow,
				Action:   []Action{"s3:GetObject"},
				Resource: []string{"arn:aws:s3:::b/<&>\"\\\n\t\x01\x7f/é\u2028"},
			}}},
			want: `{
    "Statement": [
        {
            "Action": [
                "s3:GetObject"
            ],
            "Effect": "Allow",
            "Resource": [
                "arn:aws:s3:::b/<&>\"\\\n\t\u0001` + "\x7f/é" + `\u2028"
            ]
        }
    ]
}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.p)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("Marshal() differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarshalInvalidRaw(t *testing.T) {
	p := &Policy{Statement: []Statement{{Effect: Allow, Action: []Action{"a:b"}, Condition: json.RawMessage(`{"x":`)}}}
	if _, err := Marshal(p); err == nil || !strings.Contains(err.Error(), "Condition") {
		t.Errorf("Marshal(bad Condition) error = %v, want one naming Condition", err)
	}
}

// TestParseDeep checks nesting in Condition: up to maxRawDepth levels are read in full (and
// a key repeated at the bottom is found with its path); deeper input, which IAM's grammar
// never needs, is an error naming where, also at the depth encoding/json allows.
func TestParseDeep(t *testing.T) {
	data := deepCondition(maxRawDepth-1, 10)
	p, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(Condition nested %d deep): %v", maxRawDepth, err)
	}
	want := data[bytes.Index(data, []byte(`"Condition":`))+len(`"Condition":`) : len(data)-len("}]}")]
	if got := p.Statement[0].Condition; !bytes.Equal(got, want) {
		t.Errorf("Condition = %s, want %s", got, want)
	}
	bad := bytes.Replace(data, []byte(`{"a":"xxxxxxxxxx"}`), []byte(`{"a":"x","a":"y"}`), 1)
	_, err = Parse(bad)
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.HasSuffix(pe.Path, ".a.a") || pe.Msg != `repeated key "a"` {
		t.Errorf("Parse(deep repeated key) = %v, want a *ParseError for a key repeated at the bottom", err)
	}

	for _, depth := range []int{maxRawDepth, 9000} {
		data := deepCondition(depth, 10)
		_, err := Parse(data)
		wantOff := int64(bytes.Index(data, []byte(`"StringEquals":`)) + len(`"StringEquals":`) + (maxRawDepth-1)*len(`{"a":`))
		if !errors.As(err, &pe) || pe.Msg != fmt.Sprintf("nested more than %d levels deep", maxRawDepth) || pe.Offset != wantOff {
			t.Errorf("Parse(Condition nested %d deep) = %v, want a *ParseError at byte offset %d for the nesting", depth+1, err, wantOff)
		}
	}
}

func TestMarshalNil(t *testing.T) {
	if b, err := Marshal(nil); err == nil {
		t.Errorf("Marshal(nil) = %q, nil; want an error", b)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Policy
	}{
		{
			name: "lists",
			in:   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::b/*"]}]}`,
			want: &Policy{Version: Version, Statement: []Statement{{Effect: Allow, Action: []Action{"s3:GetObject", "s3:PutObject"}, Resource: []string{"arn:aws:s3:::b/*"}}}},
		},
		{
			name: "strings and a single statement object",
			in:   `{"Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":"*","Sid":"x"}}`,
			want: &Policy{singleStatement: true, Statement: []Statement{{
				Sid: "x", Effect: Deny, NotAction: []Action{"iam:*"}, NotResource: []string{"*"},
				single: singleNotAction | singleNotResource,
			}}},
		},
		{
			name: "trust policy without Resource",
			in:   `{"Version":"2012-10-17","Id":"trust","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`,
			want: &Policy{Version: Version, ID: "trust", Statement: []Statement{{
				Effect:    Allow,
				Principal: json.RawMessage(`{"Service":"ec2.amazonaws.com"}`),
				Action:    []Action{"sts:AssumeRole"},
				Condition: json.RawMessage(`{"Bool":{"aws:SecureTransport":"true"}}`),
				single:    singleAction,
			}}},
		},
		{
			name: "empty statement list",
			in:   " \n{\"Statement\": []}\n",
			want: &Policy{Statement: []Statement{}},
		},
		{
			name: "escaped strings",
			in:   `{"Statement":[{"Effect":"Allow","Action":["s3:Get\u004fbject"],"Resource":"a\"b"}]}`,
			want: &Policy{Statement: []Statement{{Effect: Allow, Action: []Action{"s3:GetObject"}, Resource: []string{`a"b`}, single: singleResource}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, cmpStatement); diff != "" {
				t.Errorf("Parse(%s) differs (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		offset int64
		want   string // substring of the error
	}{
		{name: "empty", in: "", want: "empty input"},
		{name: "only whitespace", in: " \n\t", want: "empty input"},
		{name: "BOM", in: "\xef\xbb\xbf{\"Statement\":[]}", want: "byte order mark"},
		{name: "invalid UTF-8", in: `{"Statement":[],"Id":"a` + "\xff" + `"}`, offset: 23, want: "invalid UTF-8"},
		{name: "invalid JSON", in: `{"Statement": [}`, offset: 15, want: "invalid JSON"},
		{name: "truncated", in: `{"Statement": [`, offset: 15, want: "invalid JSON"},
		{name: "trailing data", in: `{"Statement": []} x`, offset: 18, want: "invalid JSON"},
		{name: "top-level array", in: ` [{"Effect":"Allow"}]`, offset: 1, want: "policy at byte offset 1: want a JSON object with a Statement, found a list"},
		{name: "top-level string", in: `"x"`, want: "found a string"},
		{name: "no Statement", in: `{"Version":"2012-10-17"}`, want: "missing Statement"},
		{name: "unknown key", in: `{"Statement":[],"Extra":1}`, offset: 16, want: `unknown key "Extra"`},
		{name: "repeated key", in: `{"Statement":[],"Statement":[]}`, offset: 16, want: `repeated key "Statement"`},
		{name: "Version a number", in: `{"Version":2012,"Statement":[]}`, offset: 11, want: "Version at byte offset 11: want a string, found a number"},
		{name: "Statement a string", in: `{"Statement":"x"}`, offset: 13, want: "want a statement object or a list of them, found a string"},
		{name: "Statement null", in: `{"Statement":null}`, offset: 13, want: "Statement at byte offset 13: value is null"},
		{name: "statement not an object", in: `{"Statement":[{"Effect":"Allow","Action":"a:b"}, 3]}`, offset: 49, want: "Statement[1] at byte offset 49: want a statement object, found a number"},
		{name: "missing Effect", in: `{"Statement":[{"Action":"a:b"}]}`, offset: 14, want: "Statement[0] at byte offset 14: missing Effect"},
		{name: "bad Effect", in: `{"Statement":[{"Effect":"allow","Action":"a:b"}]}`, offset: 24, want: `want "Allow" or "Deny", found "allow"`},
		{name: "missing Action", in: `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, want: "missing Action (or NotAction)"},
		{name: "Action and NotAction", in: `{"Statement":[{"Effect":"Allow","Action":"a:b","NotAction":"c:d"}]}`, want: "both Action and NotAction"},
		{name: "Resource and NotResource", in: `{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*","NotResource":"*"}]}`, want: "both Resource and NotResource"},
		{name: "Principal and NotPrincipal", in: `{"Statement":[{"Effect":"Allow","Action":"a:b","Principal":"*","NotPrincipal":"*"}]}`, want: "both Principal and NotPrincipal"},
		{name: "Action a number", in: `{"Statement":[{"Effect":"Allow","Action":5}]}`, offset: 41, want: "Statement[0].Action at byte offset 41: want a string or a list of strings, found a number"},
		{name: "Action element an object", in: `{"Statement":[{"Effect":"Allow","Action":["a:b",{}]}]}`, offset: 48, want: "Statement[0].Action[1] at byte offset 48: want a string, found an object"},
		{name: "Action null", in: `{"Statement":[{"Effect":"Allow","Action":null}]}`, want: "Statement[0].Action at byte offset 41: value is null"},
		{name: "Resource a bool", in: `{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":true}]}`, want: "Statement[0].Resource at byte offset 58: want a string or a list of strings, found a boolean"},
		{name: "unknown statement key", in: `{"Statement":[{"Effect":"Allow","action":"a:b"}]}`, want: `Statement[0] at byte offset 32: unknown key "action"`},
		{name: "Condition a list", in: `{"Statement":[{"Effect":"Allow","Action":"a:b","Condition":[]}]}`, want: "want an object of condition operators, found a list"},
		{name: "Condition operator a string", in: `{"Statement":[{"Effect":"Allow","Action":"a:b","Condition":{"Bool":"x"}}]}`, want: "Statement[0].Condition.Bool at byte offset 67: want an object of condition keys"},
		{name: "Condition repeated key", in: `{"Statement":[{"Effect":"Allow","Action":"a:b","Condition":{"Bool":{"k":"1","k":"2"}}}]}`, want: `Statement[0].Condition.Bool at byte offset 76: repeated key "k"`},
		{name: "Principal a list", in: `{"Statement":[{"Effect":"Allow","Action":"a:b","Principal":["*"]}]}`, want: `want "*" or an object, found a list`},
		{name: "single statement error path", in: `{"Statement":{"Effect":"Allow"}}`, want: "Statement at byte offset 13: missing Action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.in, p)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.in, err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Parse(%q) error %q is more than one line", tt.in, err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %T is not a *ParseError", tt.in, err)
			}
			if tt.offset != 0 && pe.Offset != tt.offset {
				t.Errorf("Parse(%q) error offset = %d, want %d", tt.in, pe.Offset, tt.offset)
			}
		})
	}
}

// TestRoundTrip checks that a parsed policy is written back in the form it was read in.
func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{
			name: "single statement, string forms",
			in: `{
    "Id": "x",
    "Statement": {
        "Action": "s3:GetObject",
        "Condition": {
            "StringLike": {
                "s3:prefix": [
                    "home/*"
                ]
            }
        },
        "Effect": "Allow",
        "NotResource": "arn:aws:s3:::b",
        "Principal": "*",
        "Sid": "One"
    },
    "Version": "2008-10-17"
}
`,
		},
		{
			name: "NotAction list, Resource string",
			in: `{
    "Statement": [
        {
            "Effect": "Deny",
            "NotAction": [
                "iam:*",
                "sts:*"
            ],
            "NotPrincipal": {
                "AWS": "arn:aws:iam::111111111111:root"
            },
            "Resource": "*"
        }
    ],
    "Version": "2012-10-17"
}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := Marshal(p)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if diff := cmp.Diff(tt.in, string(got)); diff != "" {
				t.Errorf("Marshal(Parse()) differs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSingleStatementGrows checks that a policy read with a single statement object is
// written as a list once it holds more statements.
func TestSingleStatementGrows(t *testing.T) {
	p, err := Parse([]byte(`{"Statement":{"Effect":"Allow","Action":"a:b"}}`))
	if err != nil {
		t.Fatal(err)
	}
	p.Statement = append(p.Statement, Statement{Effect: Allow, Action: []Action{"c:d"}, Resource: []string{"*"}})
	got, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
    "Statement": [
        {
            "Action": "a:b",
            "Effect": "Allow"
        },
        {
            "Action": [
                "c:d"
            ],
            "Effect": "Allow",
            "Resource": [
                "*"
            ]
        }
    ]
}
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Marshal() differs (-want +got):\n%s", diff)
	}
}

func TestActionParts(t *testing.T) {
	tests := []struct {
		name         string
		a            Action
		prefix, base string
	}{
		{name: "plain", a: "s3:GetObject", prefix: "s3", base: "GetObject"},
		{name: "no colon", a: "GetObject", prefix: "", base: "GetObject"},
		{name: "wildcard", a: "*", prefix: "", base: "*"},
		{name: "two colons", a: "a:b:c", prefix: "a", base: "b:c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Prefix(); got != tt.prefix {
				t.Errorf("Action(%q).Prefix() = %q, want %q", tt.a, got, tt.prefix)
			}
			if got := tt.a.Name(); got != tt.base {
				t.Errorf("Action(%q).Name() = %q, want %q", tt.a, got, tt.base)
			}
		})
	}
}

func TestClone(t *testing.T) {
	p, err := Parse([]byte(`{"Id":"i","Statement":{"Effect":"Allow","Action":"a:b","Resource":["r"],"Condition":{"Bool":{"k":"v"}},"Principal":"*"}}`))
	if err != nil {
		t.Fatal(err)
	}
	c := p.Clone()
	if diff := cmp.Diff(p, c, cmpStatement); diff != "" {
		t.Fatalf("Clone differs (-orig +clone):\n%s", diff)
	}
	c.Statement[0].Action[0] = "x:y"
	c.Statement[0].Resource[0] = "x"
	c.Statement[0].Condition[2] = 'X'
	c.Statement[0].Principal[1] = 'X'
	s := p.Statement[0]
	if s.Action[0] != "a:b" || s.Resource[0] != "r" || s.Condition[2] != 'B' || s.Principal[1] != '*' {
		t.Errorf("changing the clone changed the original: %+v", s)
	}
	if (*Policy)(nil).Clone() != nil {
		t.Error("nil.Clone() != nil")
	}
}
