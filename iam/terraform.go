package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MarshalTerraform writes docs as Terraform data sources of type aws_iam_policy_document,
// laid out as `terraform fmt` lays them out. One document is named name; several are
// named name_1, name_2, …. The name is made a valid Terraform identifier first
// ([TerraformName]).
//
// Every element of a statement is carried: sid, effect, actions or not_actions, resources
// or not_resources, principals or not_principals blocks, and one condition block per
// operator and key. IAM policy variables such as ${aws:username} are escaped ($${…}) so
// that Terraform passes them through. Condition values that are numbers or booleans are
// written as strings, which IAM treats alike. What Terraform cannot express is an error: a
// condition value that is an object or null, an empty Condition or Principal object, a
// Principal string other than "*".
func MarshalTerraform(name string, docs ...*Policy) ([]byte, error) {
	name = TerraformName(name)
	var b bytes.Buffer
	for i, p := range docs {
		if p == nil {
			return nil, errors.New("marshalling a nil policy")
		}
		n := name
		if len(docs) > 1 {
			n = name + "_" + strconv.Itoa(i+1)
		}
		if i > 0 {
			b.WriteString("\n")
		}
		if err := writeTerraform(&b, n, p); err != nil {
			if len(docs) > 1 {
				return nil, fmt.Errorf("document %d: %w", i+1, err)
			}
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// TerraformName returns name as a valid Terraform identifier: characters other than
// letters, digits, '_' and '-' become '_', and a name that does not start with a letter or
// '_' gets a leading '_'. An empty name becomes "policy".
func TerraformName(name string) string {
	if name == "" {
		return "policy"
	}
	var b strings.Builder
	for _, r := range name {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if c := s[0]; !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		s = "_" + s
	}
	return s
}

// hclBlock collects the lines of one block body so that consecutive attributes can be
// aligned on '=' as terraform fmt does.
type hclBlock struct {
	b     *bytes.Buffer
	level int
	group []hclAttr // consecutive attributes not yet written
}

type hclAttr struct {
	name  string
	value string   // a single-line value; empty when list is used
	list  []string // a list, written one element per line
}

func (h *hclBlock) indent(level int) {
	for range level {
		h.b.WriteString("  ")
	}
}

func (h *hclBlock) attr(name, value string) {
	h.group = append(h.group, hclAttr{name: name, value: value})
}

// listAttr adds an attribute whose value is a list of strings written one per line. As in
// terraform fmt, a multi-line value is not aligned with the attributes around it.
func (h *hclBlock) listAttr(name string, values []string) {
	if len(values) > 0 {
		h.flush()
	}
	h.group = append(h.group, hclAttr{name: name, list: values})
	if len(values) > 0 {
		h.flush()
	}
}

func (h *hclBlock) flush() {
	width := 0
	for _, a := range h.group {
		width = max(width, len(a.name))
	}
	for _, a := range h.group {
		h.indent(h.level)
		h.b.WriteString(a.name)
		h.b.WriteString(strings.Repeat(" ", width-len(a.name)))
		h.b.WriteString(" = ")
		switch {
		case a.list == nil:
			h.b.WriteString(a.value)
		case len(a.list) == 0:
			h.b.WriteString("[]")
		default:
			h.b.WriteString("[\n")
			for _, v := range a.list {
				h.indent(h.level + 1)
				h.b.WriteString(hclString(v))
				h.b.WriteString(",\n")
			}
			h.indent(h.level)
			h.b.WriteString("]")
		}
		h.b.WriteString("\n")
	}
	h.group = h.group[:0]
}

// open starts a nested block, after a blank line when the body already has content.
func (h *hclBlock) open(header string, blank bool) *hclBlock {
	h.flush()
	if blank {
		h.b.WriteString("\n")
	}
	h.indent(h.level)
	h.b.WriteString(header)
	h.b.WriteString(" {\n")
	return &hclBlock{b: h.b, level: h.level + 1}
}

func (h *hclBlock) close() {
	h.flush()
	h.indent(h.level - 1)
	h.b.WriteString("}\n")
}

func writeTerraform(b *bytes.Buffer, name string, p *Policy) error {
	top := &hclBlock{b: b}
	d := top.open(`data "aws_iam_policy_document" `+hclString(name), false)
	written := false
	if p.ID != "" {
		d.attr("policy_id", hclString(p.ID))
		written = true
	}
	if p.Version != "" {
		d.attr("version", hclString(p.Version))
		written = true
	}
	for i := range p.Statement {
		s := d.open("statement", written || i > 0)
		if err := writeTerraformStatement(s, &p.Statement[i]); err != nil {
			return fmt.Errorf("statement %d: %w", i, err)
		}
		s.close()
	}
	d.close()
	return nil
}

func writeTerraformStatement(h *hclBlock, s *Statement) error {
	if s.Sid != "" {
		h.attr("sid", hclString(s.Sid))
	}
	h.attr("effect", hclString(string(s.Effect)))
	acts := func(name string, as []Action) {
		if as != nil {
			h.listAttr(name, actionStrings(as))
		}
	}
	acts("actions", s.Action)
	acts("not_actions", s.NotAction)
	if s.Resource != nil {
		h.listAttr("resources", s.Resource)
	}
	if s.NotResource != nil {
		h.listAttr("not_resources", s.NotResource)
	}
	blank := true
	for _, pr := range []struct {
		block string
		raw   json.RawMessage
	}{{"principals", s.Principal}, {"not_principals", s.NotPrincipal}} {
		if len(pr.raw) == 0 {
			continue
		}
		ps, err := principalBlocks(pr.raw)
		if err != nil {
			return fmt.Errorf("%s: %w", pr.block, err)
		}
		for _, p := range ps {
			c := h.open(pr.block, blank)
			c.attr("type", hclString(p.typ))
			c.listAttr("identifiers", p.ids)
			c.close()
		}
	}
	if len(s.Condition) > 0 {
		cs, err := conditionBlocks(s.Condition)
		if err != nil {
			return fmt.Errorf("condition: %w", err)
		}
		for _, cd := range cs {
			c := h.open("condition", blank)
			c.attr("test", hclString(cd.test))
			c.attr("variable", hclString(cd.variable))
			c.listAttr("values", cd.values)
			c.close()
		}
	}
	return nil
}

func actionStrings(as []Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}

type principalBlock struct {
	typ string
	ids []string
}

// principalBlocks reads a Principal: "*" becomes type "*" with identifier "*", an object one
// block per key, in sorted order.
func principalBlocks(raw json.RawMessage) ([]principalBlock, error) {
	v, err := decodeRaw(raw)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case string:
		if v != "*" {
			return nil, fmt.Errorf(`want "*" or an object, found %q`, v)
		}
		return []principalBlock{{typ: "*", ids: []string{v}}}, nil
	case map[string]any:
		if len(v) == 0 {
			return nil, errors.New("an empty object has no Terraform form")
		}
		var out []principalBlock
		for _, k := range sortedKeys(v) {
			ids, err := scalarStrings(v[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out = append(out, principalBlock{typ: k, ids: ids})
		}
		return out, nil
	default:
		return nil, errors.New(`want "*" or an object`)
	}
}

type conditionBlock struct {
	test, variable string
	values         []string
}

// conditionBlocks reads a Condition into one block per operator and key, sorted by both.
func conditionBlocks(raw json.RawMessage) ([]conditionBlock, error) {
	v, err := decodeRaw(raw)
	if err != nil {
		return nil, err
	}
	ops, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("want an object of condition operators")
	}
	if len(ops) == 0 {
		return nil, errors.New("an empty object has no Terraform form")
	}
	var out []conditionBlock
	for _, op := range sortedKeys(ops) {
		keys, ok := ops[op].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: want an object of condition keys", op)
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("%s: an empty object has no Terraform form", op)
		}
		for _, k := range sortedKeys(keys) {
			vals, err := scalarStrings(keys[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", op, k, err)
			}
			out = append(out, conditionBlock{test: op, variable: k, values: vals})
		}
	}
	return out, nil
}

// scalarStrings reads a scalar or a list of scalars as strings.
func scalarStrings(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		switch e := e.(type) {
		case string:
			out = append(out, e)
		case json.Number:
			out = append(out, e.String())
		case bool:
			out = append(out, strconv.FormatBool(e))
		case nil:
			return nil, errors.New("value is null")
		default:
			return nil, errors.New("value is a nested list or object")
		}
	}
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// hclString quotes s as an HCL string literal, escaping template sequences ("${" and "%{")
// so that IAM policy variables reach the policy as written.
func hclString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case (r == '$' || r == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteRune(r)
			b.WriteRune(r)
		case r == utf8.RuneError || r < 0x20 || r == 0x7f || !unicode.IsPrint(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		case !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
