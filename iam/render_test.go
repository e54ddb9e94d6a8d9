package iam_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/internal/testfiles"
	"github.com/zclconf/go-cty/cty"
	"go.yaml.in/yaml/v3"
)

// renderCases are the policies the renderers are tested on; each is a list of documents.
var renderCases = []struct {
	name string
	docs []string
}{
	{"generated", []string{`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ec2:DescribeInstances","s3:ListAllMyBuckets"],"Resource":["*"]},
		{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::bucket/${aws:username}/*","arn:aws:s3:::other/*"]}]}`}},
	{"every-element", []string{`{"Version":"2012-10-17","Id":"policy-1","Statement":[
		{"Sid":"Deny1","Effect":"Deny","NotAction":"iam:*","NotResource":["arn:aws:iam::123456789012:role/x"],
		 "Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10,"aws:MultiFactorAuthAge":"3600"},
		   "StringEquals":{"aws:PrincipalTag/team":["a","b"],"s3:prefix":"home/${aws:username}/"}}},
		{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},
		{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","arn:aws:iam::210987654321:root"],"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole"]},
		{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/a"},"Action":["s3:*"],"Resource":"*"},
		{"Sid":"Odd","Effect":"Allow","Action":[],"Resource":["arn:aws:s3:::a\"b\\c\td\n","arn:aws:s3:::$${x}%{y}%%{z}$","arn:aws:s3:::é€😀"]}]}`}},
	{"empty", []string{`{"Version":"2012-10-17","Statement":[]}`}},
	{"yaml-lookalikes", []string{`{"Version":"2012-10-17","Statement":[{"Sid":"1","Effect":"Allow","Action":["*"],
		"Resource":["~","null","y","no","<<","0x10","1e3","0o7",".inf","- a",": b","#c","'","@x","` + "`" + `y","!tag","&a","*a","%x"," lead","trail ",""],
		"Condition":{"StringEquals":{"<<":["x"],"~":"y","true":true,"2":2.50}}}]}`}},
	{"several", []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":["*"]}]}`,
	}},
}

func parseDocs(t *testing.T, docs []string) []*iam.Policy {
	t.Helper()
	var out []*iam.Policy
	for _, d := range docs {
		p, err := iam.Parse([]byte(d))
		if err != nil {
			t.Fatalf("Parse(%s): %v", d, err)
		}
		out = append(out, p)
	}
	return out
}

func TestMarshalTerraform(t *testing.T) {
	for _, tc := range renderCases {
		t.Run(tc.name, func(t *testing.T) {
			docs := parseDocs(t, tc.docs)
			got, err := iam.MarshalTerraform("my policy", docs...)
			if err != nil {
				t.Fatalf("MarshalTerraform: %v", err)
			}
			testfiles.Golden(t, "render-"+tc.name+".tf", got)
			if f := hclwrite.Format(got); string(f) != string(got) {
				t.Errorf("not laid out as terraform fmt does:\n%s", cmp.Diff(string(f), string(got)))
			}
			back := terraformPolicies(t, got)
			if diff := cmp.Diff(canonAll(t, docs), canonAll(t, back)); diff != "" {
				t.Errorf("round trip through HCL differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarshalCloudFormation(t *testing.T) {
	for _, tc := range renderCases {
		t.Run(tc.name, func(t *testing.T) {
			docs := parseDocs(t, tc.docs)
			got, err := iam.MarshalCloudFormation("my policy", docs...)
			if err != nil {
				t.Fatalf("MarshalCloudFormation: %v", err)
			}
			testfiles.Golden(t, "render-"+tc.name+".yaml", got)
			back := cloudFormationPolicies(t, got)
			if diff := cmp.Diff(canonAll(t, docs), canonAll(t, back)); diff != "" {
				t.Errorf("round trip through YAML differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	bad, err := iam.Parse([]byte(`{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":{"Null":{"a":{"b":1}}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iam.MarshalTerraform("x", bad); err == nil || !strings.Contains(err.Error(), "statement 0: condition: Null: a:") {
		t.Errorf("MarshalTerraform(nested condition) error = %v", err)
	}
	if _, err := iam.MarshalTerraform("x", nil); err == nil {
		t.Error("MarshalTerraform(nil) succeeded")
	}
	if _, err := iam.MarshalCloudFormation("x", nil); err == nil {
		t.Error("MarshalCloudFormation(nil) succeeded")
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ name, tf, cfn string }{
		{"trailscraper", "trailscraper", "trailscraper"},
		{"my policy", "my_policy", "mypolicy"},
		{"1st-role.x", "_1st-role_x", "1strolex"},
		{"", "policy", "Policy"},
		{"ünï", "_n_", "n"},
		{"---", "_---", "Policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := iam.TerraformName(tc.name); got != tc.tf {
				t.Errorf("TerraformName(%q) = %q, want %q", tc.name, got, tc.tf)
			}
			if got := iam.CloudFormationName(tc.name); got != tc.cfn {
				t.Errorf("CloudFormationName(%q) = %q, want %q", tc.name, got, tc.cfn)
			}
		})
	}
}

// terraformPolicies parses HCL with HashiCorp's parser and rebuilds the JSON policy of
// every aws_iam_policy_document as the AWS provider does.
func terraformPolicies(t *testing.T, src []byte) []*iam.Policy {
	t.Helper()
	f, diags := hclsyntax.ParseConfig(src, "policy.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("HCL does not parse: %v\n%s", diags, src)
	}
	var out []*iam.Policy
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type != "data" || len(b.Labels) != 2 || b.Labels[0] != "aws_iam_policy_document" {
			t.Fatalf("unexpected block %s %v", b.Type, b.Labels)
		}
		doc := map[string]any{}
		attrs := hclAttrs(t, b.Body)
		if v, ok := attrs["version"]; ok {
			doc["Version"] = v
		}
		if v, ok := attrs["policy_id"]; ok {
			doc["Id"] = v
		}
		stmts := []any{}
		for _, sb := range b.Body.Blocks {
			if sb.Type != "statement" {
				t.Fatalf("unexpected block %s", sb.Type)
			}
			s := map[string]any{}
			for k, v := range hclAttrs(t, sb.Body) {
				key := map[string]string{"sid": "Sid", "effect": "Effect", "actions": "Action", "not_actions": "NotAction",
					"resources": "Resource", "not_resources": "NotResource"}[k]
				if key == "" {
					t.Fatalf("unexpected attribute %s", k)
				}
				s[key] = v
			}
			for _, nb := range sb.Body.Blocks {
				a := hclAttrs(t, nb.Body)
				switch nb.Type {
				case "principals", "not_principals":
					key := map[string]string{"principals": "Principal", "not_principals": "NotPrincipal"}[nb.Type]
					if a["type"] == "*" {
						s[key] = "*"
						continue
					}
					m, _ := s[key].(map[string]any)
					if m == nil {
						m = map[string]any{}
						s[key] = m
					}
					m[a["type"].(string)] = a["identifiers"]
				case "condition":
					c, _ := s["Condition"].(map[string]any)
					if c == nil {
						c = map[string]any{}
						s["Condition"] = c
					}
					op, _ := c[a["test"].(string)].(map[string]any)
					if op == nil {
						op = map[string]any{}
						c[a["test"].(string)] = op
					}
					op[a["variable"].(string)] = a["values"]
				default:
					t.Fatalf("unexpected block %s", nb.Type)
				}
			}
			stmts = append(stmts, s)
		}
		doc["Statement"] = stmts
		out = append(out, reparse(t, doc))
	}
	return out
}

// hclAttrs evaluates the attributes of a body without variables: strings and lists of
// strings.
func hclAttrs(t *testing.T, body *hclsyntax.Body) map[string]any {
	t.Helper()
	out := map[string]any{}
	for name, a := range body.Attributes {
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("attribute %s: %v", name, diags)
		}
		switch {
		case v.Type() == cty.String:
			out[name] = v.AsString()
		case v.Type().IsTupleType() || v.Type().IsListType():
			list := []any{}
			for _, e := range v.AsValueSlice() {
				list = append(list, e.AsString())
			}
			out[name] = list
		default:
			t.Fatalf("attribute %s has type %s", name, v.Type().FriendlyName())
		}
	}
	return out
}

func cloudFormationPolicies(t *testing.T, src []byte) []*iam.Policy {
	t.Helper()
	var tmpl struct {
		Version   string    `yaml:"AWSTemplateFormatVersion"`
		Resources yaml.Node `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(src, &tmpl); err != nil {
		t.Fatalf("YAML does not parse: %v\n%s", err, src)
	}
	if tmpl.Version != "2010-09-09" {
		t.Errorf("AWSTemplateFormatVersion = %q", tmpl.Version)
	}
	var out []*iam.Policy
	for i := 0; i+1 < len(tmpl.Resources.Content); i += 2 {
		var res struct {
			Type       string `yaml:"Type"`
			Properties struct {
				PolicyDocument map[string]any `yaml:"PolicyDocument"`
			} `yaml:"Properties"`
		}
		if err := tmpl.Resources.Content[i+1].Decode(&res); err != nil {
			t.Fatal(err)
		}
		if res.Type != "AWS::IAM::ManagedPolicy" {
			t.Errorf("Type = %q", res.Type)
		}
		out = append(out, reparse(t, res.Properties.PolicyDocument))
	}
	return out
}

func reparse(t *testing.T, doc any) *iam.Policy {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	p, err := iam.Parse(b)
	if err != nil {
		t.Fatalf("rebuilt policy does not parse: %v\n%s", err, b)
	}
	return p
}

// canonStatement is a statement with every list as a list and every condition value and
// principal as a list of strings: the meaning, not the form.
type canonStatement struct {
	Sid, Effect                                string
	Action, NotAction, Resource, NotResource   []string
	Principal, NotPrincipal                    map[string][]string
	Condition                                  map[string]map[string][]string
	HasAction, HasResource, HasNotResource     bool
	HasPrincipal, HasNotPrincipal, HasNotActon bool
}

type canonPolicy struct {
	Version, ID string
	Statements  []canonStatement
}

func canonAll(t *testing.T, ps []*iam.Policy) []canonPolicy {
	t.Helper()
	var out []canonPolicy
	for _, p := range ps {
		c := canonPolicy{Version: p.Version, ID: p.ID}
		for _, s := range p.Statement {
			cs := canonStatement{
				Sid: s.Sid, Effect: string(s.Effect),
				Action: strs(s.Action), NotAction: strs(s.NotAction), Resource: s.Resource, NotResource: s.NotResource,
				HasAction: s.Action != nil, HasNotActon: s.NotAction != nil, HasResource: s.Resource != nil, HasNotResource: s.NotResource != nil,
				HasPrincipal: s.Principal != nil, HasNotPrincipal: s.NotPrincipal != nil,
				Principal: canonPrincipal(t, s.Principal), NotPrincipal: canonPrincipal(t, s.NotPrincipal),
			}
			if len(s.Condition) > 0 {
				var m map[string]map[string]any
				if err := json.Unmarshal(s.Condition, &m); err != nil {
					t.Fatal(err)
				}
				cs.Condition = map[string]map[string][]string{}
				for op, keys := range m {
					cs.Condition[op] = map[string][]string{}
					for k, v := range keys {
						cs.Condition[op][k] = anyStrings(v)
					}
				}
			}
			c.Statements = append(c.Statements, cs)
		}
		out = append(out, c)
	}
	return out
}

func canonPrincipal(t *testing.T, raw json.RawMessage) map[string][]string {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if s, ok := v.(string); ok {
		return map[string][]string{"*": {s}}
	}
	out := map[string][]string{}
	for k, e := range v.(map[string]any) {
		out[k] = anyStrings(e)
	}
	return out
}

func anyStrings(v any) []string {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var out []string
	for _, e := range list {
		switch e := e.(type) {
		case string:
			// Terraform writes numbers as strings, as IAM reads them alike.
			if f, err := strconv.ParseFloat(e, 64); err == nil && strings.TrimSpace(e) == e {
				e = strconv.FormatFloat(f, 'g', -1, 64)
			}
			out = append(out, e)
		case float64:
			out = append(out, strconv.FormatFloat(e, 'g', -1, 64))
		default:
			out = append(out, fmt.Sprint(e))
		}
	}
	slices.Sort(out)
	return out
}

func strs(as []iam.Action) []string {
	if as == nil {
		return nil
	}
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}
