package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseError reports why a policy document could not be read and where.
type ParseError struct {
	// Offset is the byte offset in the input of the value that is wrong.
	Offset int64
	// Path names the element: "policy", "Statement", "Statement[2].Action", ….
	Path string
	// Msg says what is wrong.
	Msg string
	// Err is the underlying error, if any (a *json.SyntaxError for invalid JSON).
	Err error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s at byte offset %d: %s", e.Path, e.Offset, e.Msg)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Bits of singleFields.
const (
	singleAction singleFields = 1 << iota
	singleNotAction
	singleResource
	singleNotResource
)

// Parse reads a policy document. It accepts everything valid IAM JSON allows: Action,
// NotAction, Resource and NotResource as a string or a list, Statement as an object or a
// list; Sid, Condition, Principal, NotPrincipal and Id are kept, and [Marshal] writes each
// field back in the form it was read in.
//
// Version is optional. A statement needs an Effect ("Allow" or "Deny") and exactly one of
// Action and NotAction; Resource may be absent (as in trust policies). Unknown or repeated
// keys, null values, values of the wrong type and Condition, Principal or NotPrincipal
// values nested more than 16 levels deep are errors, as IAM treats them. Every error is a
// *[ParseError] naming the element and its byte offset.
func Parse(data []byte) (*Policy, error) {
	if len(bytes.TrimLeft(data, " \t\r\n")) == 0 {
		return nil, &ParseError{Path: "policy", Msg: "empty input, want a JSON policy document"}
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, &ParseError{Path: "policy", Msg: "input starts with a UTF-8 byte order mark; remove it"}
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return nil, &ParseError{Offset: int64(off), Path: "policy", Msg: "invalid UTF-8"}
	}
	if !json.Valid(data) {
		var raw json.RawMessage
		err := json.Unmarshal(data, &raw) // for the error and its offset
		if err == nil {
			err = errors.New("not valid JSON")
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// Offset counts the bytes read including the bad one; point at that byte.
			off := se.Offset
			if off > 0 && off <= int64(len(data)) && !strings.HasPrefix(se.Error(), "unexpected end") {
				off--
			}
			return nil, &ParseError{Offset: off, Path: "policy", Msg: "invalid JSON: " + se.Error(), Err: err}
		}
		return nil, &ParseError{Path: "policy", Msg: "invalid JSON: " + err.Error(), Err: err}
	}
	d := &decoder{data: data}
	start := d.skipSpace(0)
	return d.policy(start)
}

// decoder walks a document that is known to be valid JSON and builds a Policy, keeping the
// byte offset of every value for error messages.
type decoder struct {
	data []byte
	// opens holds the offsets of the document's '{' and '[' in order, and closes the offset
	// just after the bracket that matches each; built on first use, so that finding the end
	// of an object or list costs a lookup, not a scan (a scan per nesting level made deeply
	// nested input take quadratic time).
	opens, closes []int
}

func (d *decoder) errorf(off int, path, format string, args ...any) error {
	return &ParseError{Offset: int64(off), Path: path, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) skipSpace(i int) int {
	for i < len(d.data) {
		switch d.data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// end returns the offset just after the value starting at i.
func (d *decoder) end(i int) int {
	switch d.data[i] {
	case '"':
		for j := i + 1; j < len(d.data); j++ {
			switch d.data[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(d.data)
	case '{', '[':
		if d.opens == nil {
			d.matchBrackets()
		}
		if n, ok := slices.BinarySearch(d.opens, i); ok && d.closes[n] > 0 {
			return d.closes[n]
		}
		return len(d.data)
	default:
		j := i
		for j < len(d.data) {
			switch d.data[j] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return j
			}
			j++
		}
		return j
	}
}

// matchBrackets fills opens and closes in one pass over the document.
func (d *decoder) matchBrackets() {
	d.opens = make([]int, 0, 16)
	var stack []int // indexes into opens of the brackets not yet closed
	for j := 0; j < len(d.data); j++ {
		switch d.data[j] {
		case '"':
			j = d.end(j) - 1
		case '{', '[':
			stack = append(stack, len(d.opens))
			d.opens = append(d.opens, j)
			d.closes = append(d.closes, 0)
		case '}', ']':
			if n := len(stack); n > 0 {
				d.closes[stack[n-1]] = j + 1
				stack = stack[:n-1]
			}
		}
	}
}

// kind names the JSON type of the value starting at i.
func (d *decoder) kind(i int) string {
	switch d.data[i] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// member is one key/value pair of an object.
type member struct {
	key        string
	keyOff     int
	start, end int // the value
}

// object returns the members of the object starting at i (which must be '{'), rejecting
// repeated keys.
func (d *decoder) object(i int, path string) ([]member, error) {
	var ms []member
	i = d.skipSpace(i + 1)
	if d.data[i] == '}' {
		return ms, nil
	}
	for {
		ke := d.end(i)
		key, err := d.str(i, path)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.key == key {
				return nil, d.errorf(i, path, "repeated key %q", key)
			}
		}
		vs := d.skipSpace(d.skipSpace(ke) + 1) // past ':'
		ve := d.end(vs)
		ms = append(ms, member{key: key, keyOff: i, start: vs, end: ve})
		i = d.skipSpace(ve)
		if d.data[i] == '}' {
			return ms, nil
		}
		i = d.skipSpace(i + 1) // past ','
	}
}

// list returns the start offsets of the elements of the list starting at i.
func (d *decoder) list(i int) []int {
	var els []int
	i = d.skipSpace(i + 1)
	if d.data[i] == ']' {
		return els
	}
	for {
		els = append(els, i)
		i = d.skipSpace(d.end(i))
		if d.data[i] == ']' {
			return els
		}
		i = d.skipSpace(i + 1)
	}
}

func (d *decoder) str(i int, path string) (string, error) {
	if d.data[i] != '"' {
		return "", d.errorf(i, path, "want a string, found %s", d.kind(i))
	}
	e := d.end(i)
	if bytes.IndexByte(d.data[i+1:e-1], '\\') < 0 {
		// Valid JSON without escapes: the bytes are the string.
		return string(d.data[i+1 : e-1]), nil
	}
	var s string
	if err := json.Unmarshal(d.data[i:e], &s); err != nil {
		return "", d.errorf(i, path, "bad string: %v", err)
	}
	return s, nil
}

// strings reads a string or a list of strings; single reports the string form.
func (d *decoder) strings(i int, path string) (out []string, single bool, err error) {
	switch d.data[i] {
	case '"':
		s, err := d.str(i, path)
		return []string{s}, true, err
	case '[':
		els := d.list(i)
		out = make([]string, 0, len(els))
		for n, e := range els {
			if d.data[e] != '"' {
				return nil, false, d.errorf(e, fmt.Sprintf("%s[%d]", path, n), "want a string, found %s", d.kind(e))
			}
			s, err := d.str(e, path)
			if err != nil {
				return nil, false, err
			}
			out = append(out, s)
		}
		return out, false, nil
	default:
		return nil, false, d.errorf(i, path, "want a string or a list of strings, found %s", d.kind(i))
	}
}

func (d *decoder) policy(i int) (*Policy, error) {
	if d.data[i] != '{' {
		return nil, d.errorf(i, "policy", "want a JSON object with a Statement, found %s", d.kind(i))
	}
	ms, err := d.object(i, "policy")
	if err != nil {
		return nil, err
	}
	p := &Policy{}
	seenStatement := false
	for _, m := range ms {
		if d.data[m.start] == 'n' {
			return nil, d.errorf(m.start, m.key, "value is null")
		}
		switch m.key {
		case "Version":
			if p.Version, err = d.str(m.start, "Version"); err != nil {
				return nil, err
			}
		case "Id":
			if p.ID, err = d.str(m.start, "Id"); err != nil {
				return nil, err
			}
		case "Statement":
			seenStatement = true
			switch d.data[m.start] {
			case '{':
				s, err := d.statement(m.start, "Statement")
				if err != nil {
					return nil, err
				}
				p.Statement = []Statement{s}
				p.singleStatement = true
			case '[':
				els := d.list(m.start)
				p.Statement = make([]Statement, 0, len(els))
				for n, e := range els {
					path := fmt.Sprintf("Statement[%d]", n)
					if d.data[e] != '{' {
						return nil, d.errorf(e, path, "want a statement object, found %s", d.kind(e))
					}
					s, err := d.statement(e, path)
					if err != nil {
						return nil, err
					}
					p.Statement = append(p.Statement, s)
				}
			default:
				return nil, d.errorf(m.start, "Statement", "want a statement object or a list of them, found %s", d.kind(m.start))
			}
		default:
			return nil, d.errorf(m.keyOff, "policy", "unknown key %q (want Version, Id, Statement)", m.key)
		}
	}
	if !seenStatement {
		return nil, d.errorf(i, "policy", "missing Statement")
	}
	return p, nil
}

func (d *decoder) statement(i int, path string) (Statement, error) {
	var s Statement
	ms, err := d.object(i, path)
	if err != nil {
		return s, err
	}
	seen := map[string]bool{}
	for _, m := range ms {
		fp := path + "." + m.key
		if d.data[m.start] == 'n' {
			return s, d.errorf(m.start, fp, "value is null")
		}
		seen[m.key] = true
		var single bool
		var list []string
		switch m.key {
		case "Sid":
			s.Sid, err = d.str(m.start, fp)
		case "Effect":
			var e string
			if e, err = d.str(m.start, fp); err == nil {
				if e != string(Allow) && e != string(Deny) {
					err = d.errorf(m.start, fp, "want \"Allow\" or \"Deny\", found %q", e)
				}
				s.Effect = Effect(e)
			}
		case "Action", "NotAction":
			if list, single, err = d.strings(m.start, fp); err == nil {
				acts := make([]Action, len(list))
				for n, a := range list {
					acts[n] = Action(a)
				}
				if m.key == "Action" {
					s.Action = acts
					if single {
						s.single |= singleAction
					}
				} else {
					s.NotAction = acts
					if single {
						s.single |= singleNotAction
					}
				}
			}
		case "Resource":
			if s.Resource, single, err = d.strings(m.start, fp); err == nil && single {
				s.single |= singleResource
			}
		case "NotResource":
			if s.NotResource, single, err = d.strings(m.start, fp); err == nil && single {
				s.single |= singleNotResource
			}
		case "Principal", "NotPrincipal":
			switch d.data[m.start] {
			case '"', '{':
				err = d.checkRaw(m.start, fp)
			default:
				err = d.errorf(m.start, fp, "want \"*\" or an object, found %s", d.kind(m.start))
			}
			if err == nil {
				raw := json.RawMessage(slices.Clone(d.data[m.start:m.end]))
				if m.key == "Principal" {
					s.Principal = raw
				} else {
					s.NotPrincipal = raw
				}
			}
		case "Condition":
			if d.data[m.start] != '{' {
				err = d.errorf(m.start, fp, "want an object of condition operators, found %s", d.kind(m.start))
				break
			}
			var ops []member
			if ops, err = d.object(m.start, fp); err != nil {
				break
			}
			for _, op := range ops {
				if d.data[op.start] != '{' {
					err = d.errorf(op.start, fp+"."+op.key, "want an object of condition keys, found %s", d.kind(op.start))
					break
				}
			}
			if err == nil {
				err = d.checkRaw(m.start, fp)
			}
			if err == nil {
				s.Condition = json.RawMessage(slices.Clone(d.data[m.start:m.end]))
			}
		default:
			err = d.errorf(m.keyOff, path, "unknown key %q", m.key)
		}
		if err != nil {
			return s, err
		}
	}
	switch {
	case !seen["Effect"]:
		return s, d.errorf(i, path, "missing Effect")
	case !seen["Action"] && !seen["NotAction"]:
		return s, d.errorf(i, path, "missing Action (or NotAction)")
	case seen["Action"] && seen["NotAction"]:
		return s, d.errorf(i, path, "has both Action and NotAction")
	case seen["Resource"] && seen["NotResource"]:
		return s, d.errorf(i, path, "has both Resource and NotResource")
	case seen["Principal"] && seen["NotPrincipal"]:
		return s, d.errorf(i, path, "has both Principal and NotPrincipal")
	}
	return s, nil
}

// maxRawDepth is how deeply objects and lists may nest in Condition, Principal and
// NotPrincipal. IAM's grammar needs three levels (operator, key, list of values); deeper
// input is not a policy IAM accepts, and its indented output would grow with the square of
// the depth.
const maxRawDepth = 16

// checkRaw rejects repeated keys anywhere inside the value at i: IAM would read only one
// of them, and dropping the other silently could widen a condition. It also rejects
// values nested more than maxRawDepth levels deep.
func (d *decoder) checkRaw(i int, path string) error {
	return d.checkRawDepth(i, path, 1)
}

func (d *decoder) checkRawDepth(i int, path string, depth int) error {
	switch d.data[i] {
	case '{', '[':
		if depth > maxRawDepth {
			return d.errorf(i, path, "nested more than %d levels deep", maxRawDepth)
		}
	}
	switch d.data[i] {
	case '{':
		ms, err := d.object(i, path)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := d.checkRawDepth(m.start, path+"."+m.key, depth+1); err != nil {
				return err
			}
		}
	case '[':
		for n, e := range d.list(i) {
			if err := d.checkRawDepth(e, fmt.Sprintf("%s[%d]", path, n), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// Marshal writes p as the original trailscraper did (Python's json.dumps with indent=4 and
// sort_keys=True, plus a newline): 4-space indentation, keys sorted at every level, `": "`
// between key and value, no HTML escaping, and a trailing newline. Lists are written as
// lists unless they were read as a single string, and Statement as an object only when it
// was read as one and still holds one statement. Empty Version, Id and Sid and nil fields
// are left out; Effect is always written. Numbers inside Condition and Principal are kept
// as written. Non-ASCII text is written as UTF-8 (the original escaped it).
//
// It fails when p is nil and when Condition, Principal or NotPrincipal holds invalid JSON.
func Marshal(p *Policy) ([]byte, error) {
	if p == nil {
		return nil, errors.New("marshalling a nil policy")
	}
	var b bytes.Buffer
	b.WriteString("{\n")
	if p.ID != "" {
		b.WriteString(`    "Id": `)
		writeString(&b, p.ID)
		b.WriteString(",\n")
	}
	b.WriteString(`    "Statement": `)
	switch {
	case p.singleStatement && len(p.Statement) == 1:
		if err := writeStatement(&b, &p.Statement[0], 1); err != nil {
			return nil, fmt.Errorf("statement: %w", err)
		}
	case len(p.Statement) == 0:
		b.WriteString("[]")
	default:
		b.WriteString("[\n")
		for i := range p.Statement {
			if i > 0 {
				b.WriteString(",\n")
			}
			indent(&b, 2)
			if err := writeStatement(&b, &p.Statement[i], 2); err != nil {
				return nil, fmt.Errorf("statement %d: %w", i, err)
			}
		}
		b.WriteString("\n")
		indent(&b, 1)
		b.WriteString("]")
	}
	if p.Version != "" {
		b.WriteString(",\n    \"Version\": ")
		writeString(&b, p.Version)
	}
	b.WriteString("\n}\n")
	return b.Bytes(), nil
}

// writeStatement writes s as an object whose braces are at level; the opening brace goes
// where the cursor is.
func writeStatement(b *bytes.Buffer, s *Statement, level int) error {
	first := true
	field := func(name string) {
		if first {
			b.WriteString("{\n")
			first = false
		} else {
			b.WriteString(",\n")
		}
		indent(b, level+1)
		writeString(b, name)
		b.WriteString(": ")
	}
	strs := func(name string, list []string, single bool) {
		if list == nil {
			return
		}
		field(name)
		if single && len(list) == 1 {
			writeString(b, list[0])
			return
		}
		writeStringList(b, list, level+1)
	}
	acts := func(name string, list []Action, single bool) {
		if list == nil {
			return
		}
		ss := make([]string, len(list))
		for i, a := range list {
			ss[i] = string(a)
		}
		strs(name, ss, single)
	}
	raw := func(name string, r json.RawMessage) error {
		if len(r) == 0 {
			return nil
		}
		v, err := decodeRaw(r)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		field(name)
		writeValue(b, v, level+1)
		return nil
	}
	acts("Action", s.Action, s.single&singleAction != 0)
	if err := raw("Condition", s.Condition); err != nil {
		return err
	}
	field("Effect")
	writeString(b, string(s.Effect))
	acts("NotAction", s.NotAction, s.single&singleNotAction != 0)
	if err := raw("NotPrincipal", s.NotPrincipal); err != nil {
		return err
	}
	strs("NotResource", s.NotResource, s.single&singleNotResource != 0)
	if err := raw("Principal", s.Principal); err != nil {
		return err
	}
	strs("Resource", s.Resource, s.single&singleResource != 0)
	if s.Sid != "" {
		field("Sid")
		writeString(b, s.Sid)
	}
	b.WriteString("\n")
	indent(b, level)
	b.WriteString("}")
	return nil
}

func decodeRaw(r json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(r))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("invalid JSON: data after the value")
	}
	return v, nil
}

func indent(b *bytes.Buffer, level int) {
	for range level {
		b.WriteString("    ")
	}
}

func writeStringList(b *bytes.Buffer, list []string, level int) {
	if len(list) == 0 {
		b.WriteString("[]")
		return
	}
	b.WriteString("[\n")
	for i, s := range list {
		if i > 0 {
			b.WriteString(",\n")
		}
		indent(b, level+1)
		writeString(b, s)
	}
	b.WriteString("\n")
	indent(b, level)
	b.WriteString("]")
}

// writeValue writes a decoded JSON value whose first line is at level.
func writeValue(b *bytes.Buffer, v any, level int) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		b.WriteString(v.String())
	case string:
		writeString(b, v)
	case []any:
		if len(v) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range v {
			if i > 0 {
				b.WriteString(",\n")
			}
			indent(b, level+1)
			writeValue(b, e, level+1)
		}
		b.WriteString("\n")
		indent(b, level)
		b.WriteString("]")
	case map[string]any:
		if len(v) == 0 {
			b.WriteString("{}")
			return
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteString("{\n")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(",\n")
			}
			indent(b, level+1)
			writeString(b, k)
			b.WriteString(": ")
			writeValue(b, v[k], level+1)
		}
		b.WriteString("\n")
		indent(b, level)
		b.WriteString("}")
	}
}

// writeString writes s as a JSON string the way Python's json module does for ASCII text;
// other text is written as UTF-8, except U+2028 and U+2029, which are escaped.
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
