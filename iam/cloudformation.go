package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MarshalCloudFormation writes docs as a CloudFormation template in YAML with one
// AWS::IAM::ManagedPolicy resource per document. One document's resource has the logical
// ID name; several are name1, name2, …. The name is made a valid logical ID first
// ([CloudFormationName]).
//
// PolicyDocument is written as YAML with the keys in the order AWS documents them (Version,
// Id, Statement; Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource,
// NotResource, Condition). No intrinsic function is used, so IAM policy variables such as
// ${aws:username} are written as they are and reach IAM unchanged.
func MarshalCloudFormation(name string, docs ...*Policy) ([]byte, error) {
	name = CloudFormationName(name)
	resources := mapping()
	for i, p := range docs {
		if p == nil {
			return nil, errors.New("marshalling a nil policy")
		}
		id := name
		if len(docs) > 1 {
			id = name + strconv.Itoa(i+1)
		}
		doc, err := policyNode(p)
		if err != nil {
			if len(docs) > 1 {
				return nil, fmt.Errorf("document %d: %w", i+1, err)
			}
			return nil, err
		}
		props := mapping()
		add(props, "PolicyDocument", doc)
		res := mapping()
		add(res, "Type", str("AWS::IAM::ManagedPolicy"))
		add(res, "Properties", props)
		add(resources, id, res)
	}
	tmpl := mapping()
	add(tmpl, "AWSTemplateFormatVersion", str("2010-09-09"))
	add(tmpl, "Resources", resources)

	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(tmpl); err != nil {
		return nil, fmt.Errorf("writing YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("writing YAML: %w", err)
	}
	return b.Bytes(), nil
}

// CloudFormationName returns name as a valid CloudFormation logical ID: only its ASCII
// letters and digits, at most 250 characters (room for a number after it). A name with
// none becomes "Policy".
func CloudFormationName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" {
		return "Policy"
	}
	return s[:min(len(s), 250)]
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

// str is a string scalar. The YAML library quotes what YAML 1.2 would read as another type;
// the words YAML 1.1 reads as booleans (y, no, on, …) are quoted too, for parsers of YAML
// 1.1 such as CloudFormation's, and so are strings with control characters, which the
// library would write as block scalars it cannot always read back (a leading tab).
func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off":
		n.Style = yaml.DoubleQuotedStyle
	}
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func add(m *yaml.Node, key string, v *yaml.Node) { m.Content = append(m.Content, str(key), v) }

func strList(ss []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range ss {
		n.Content = append(n.Content, str(s))
	}
	return n
}

func policyNode(p *Policy) (*yaml.Node, error) {
	doc := mapping()
	if p.Version != "" {
		add(doc, "Version", str(p.Version))
	}
	if p.ID != "" {
		add(doc, "Id", str(p.ID))
	}
	stmts := &yaml.Node{Kind: yaml.SequenceNode}
	for i := range p.Statement {
		s, err := statementNode(&p.Statement[i])
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i, err)
		}
		stmts.Content = append(stmts.Content, s)
	}
	add(doc, "Statement", stmts)
	return doc, nil
}

func statementNode(s *Statement) (*yaml.Node, error) {
	m := mapping()
	if s.Sid != "" {
		add(m, "Sid", str(s.Sid))
	}
	add(m, "Effect", str(string(s.Effect)))
	raw := func(key string, r json.RawMessage) error {
		if len(r) == 0 {
			return nil
		}
		v, err := decodeRaw(r)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		add(m, key, valueNode(v))
		return nil
	}
	if err := raw("Principal", s.Principal); err != nil {
		return nil, err
	}
	if err := raw("NotPrincipal", s.NotPrincipal); err != nil {
		return nil, err
	}
	for _, l := range []struct {
		key  string
		list []string
	}{
		{"Action", actionList(s.Action)},
		{"NotAction", actionList(s.NotAction)},
		{"Resource", s.Resource},
		{"NotResource", s.NotResource},
	} {
		if l.list != nil {
			add(m, l.key, strList(l.list))
		}
	}
	if err := raw("Condition", s.Condition); err != nil {
		return nil, err
	}
	return m, nil
}

// actionList is actionStrings that keeps nil as nil.
func actionList(as []Action) []string {
	if as == nil {
		return nil
	}
	return actionStrings(as)
}

// valueNode turns a decoded JSON value into YAML, keys sorted and numbers as written.
func valueNode(v any) *yaml.Node {
	switch v := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	case json.Number:
		tag := "!!float"
		if _, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
			tag = "!!int"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.String()}
	case string:
		return str(v)
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range v {
			n.Content = append(n.Content, valueNode(e))
		}
		return n
	case map[string]any:
		m := mapping()
		for _, k := range sortedKeys(v) {
			add(m, k, valueNode(v[k]))
		}
		return m
	}
	return str(fmt.Sprint(v))
}
