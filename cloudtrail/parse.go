package cloudtrail

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// This file is a small validating JSON parser specialised for CloudTrail records: it reads
// the dozen fields a Record needs and skips (while validating) the rest without building
// anything. It is several times faster than encoding/json on records, which matters when
// an organisation's logs run to gigabytes.

// parseError is a problem at a byte offset inside one record.
type parseError struct {
	off int
	msg string
	// local is set for syntax errors that leave the bounds of the value certain (a
	// control character in a string, nesting too deep), so that a decoder can skip the
	// one record and read on.
	local bool
}

func (e *parseError) Error() string { return fmt.Sprintf("%s at byte %d of the record", e.msg, e.off) }

// errSyntax marks errors that mean the record is not valid JSON (as opposed to valid JSON
// of the wrong shape).
var errSyntax = errors.New("invalid JSON")

type syntaxError struct{ *parseError }

func (e syntaxError) Unwrap() error { return errSyntax }

type recParser struct {
	b    []byte
	pos  int
	strs interner // nil: no interning
	// eob is set when the parser looked past the end of b: with more input the same
	// bytes might have parsed. The single-pass decoder then reads on and tries again.
	eob bool
	// reqStart and reqEnd locate requestParameters in b (both 0 when absent); respStart and
	// respEnd locate responseElements.
	reqStart, reqEnd   int
	respStart, respEnd int
	// ignored lists the fields whose values were ignored.
	ignored []FieldError
	// fields are the fields to read; the others are skipped.
	fields Fields
}

// interner shares the string values that repeat from record to record (event sources and
// names, regions, account IDs, role ARNs), which saves most of a record's allocations. It
// stops growing at maxInterned entries.
type interner map[string]string

const maxInterned = 8192

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in) < maxInterned {
		in[s] = s
	}
	return s
}

func (p *recParser) syntax(format string, args ...any) error {
	return syntaxError{&parseError{off: p.pos, msg: "invalid JSON: " + fmt.Sprintf(format, args...)}}
}

// localSyntax is syntax for an error that leaves the bounds of the value certain.
func (p *recParser) localSyntax(format string, args ...any) error {
	err := p.syntax(format, args...).(syntaxError)
	err.local = true
	return err
}

func (p *recParser) ws() {
	for p.pos < len(p.b) {
		switch c := p.b[p.pos]; {
		case c > ' ': // the common case: no white space at all
			return
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (p *recParser) peek() byte {
	p.ws()
	if p.pos >= len(p.b) {
		p.eob = true
		return 0
	}
	return p.b[p.pos]
}

// atEnd skips white space and reports whether nothing follows.
func (p *recParser) atEnd() bool {
	p.ws()
	return p.pos >= len(p.b)
}

func (p *recParser) describe() string {
	if p.pos >= len(p.b) {
		return "end of record"
	}
	return quoteByte(p.b[p.pos])
}

// stringBytes consumes a string and returns its content between the quotes, and whether
// it contains escapes.
func (p *recParser) stringBytes() ([]byte, bool, error) {
	if p.peek() != '"' {
		return nil, false, p.syntax("expected a string, found %s", p.describe())
	}
	return p.stringAt()
}

// stringAt is stringBytes for a string whose opening quote is at p.pos.
func (p *recParser) stringAt() ([]byte, bool, error) {
	p.pos++
	start := p.pos
	escaped := false
	b := p.b
	for i := p.pos; i < len(b); i++ {
		// Eight bytes at a time while none of them is special, then byte by byte.
		for i+8 <= len(b) && !hasStringSpecial(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		for i < len(b) && !strSpecial[b[i]] {
			i++
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return b[start:i], escaped, nil
		case c == '\\':
			escaped = true
			i++
			if i >= len(b) {
				p.pos = i
				p.eob = true
				return nil, false, p.syntax("unterminated string")
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					p.eob = true
				}
				if i+4 >= len(b) || !isHex(b[i+1]) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) {
					p.pos = i
					return nil, false, p.syntax(`invalid \u escape`)
				}
				i += 4
			default:
				p.pos = i
				return nil, false, p.syntax("invalid escape %s", quoteByte(b[i]))
			}
		case c < 0x20:
			p.pos = i
			return nil, false, p.localSyntax("control character %s in a string", quoteByte(c))
		}
	}
	p.pos = len(b)
	p.eob = true
	return nil, false, p.syntax("unterminated string")
}

// strSpecial marks the bytes that end a run of plain string content: the quote, the
// backslash, and control characters (invalid in JSON strings).
var strSpecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasStringSpecial reports whether any of the eight bytes in x is a quote, a backslash or
// a control character (SWAR: the "has a zero byte" and "has a byte less than n" tricks).
func hasStringSpecial(x uint64) bool {
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	return ((quote-ones)&^quote|(backslash-ones)&^backslash|(x-ones*0x20)&^x)&highs != 0
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// str consumes a string or null and stores its value in dst ("" for null). A value of
// another type is ignored (see [FieldError]) and leaves dst as it was, as encoding/json
// does.
func (p *recParser) str(dst *string, field string) error { return p.strValue(dst, field, false) }

// common is str for a field whose values repeat from record to record (event source and
// name, region, account, role): those are interned when the parser has an interner.
// Interning values that rarely repeat (session names, IP addresses) would only cost.
func (p *recParser) common(dst *string, field string) error { return p.strValue(dst, field, true) }

func (p *recParser) strValue(dst *string, field string, intern bool) error {
	switch c := p.peek(); c {
	case '"':
		raw, escaped, err := p.stringBytes()
		if err != nil {
			return err
		}
		if !escaped {
			if intern && p.strs != nil {
				*dst = p.strs.get(raw)
			} else {
				*dst = string(raw)
			}
			return nil
		}
		// raw is valid (checked above), so the quoted form always unmarshals.
		if err := json.Unmarshal(p.b[p.pos-len(raw)-2:p.pos], dst); err != nil {
			return p.syntax("%v", err)
		}
		return nil
	case 'n':
		*dst = ""
		return p.literal("null")
	default:
		return p.wrongKind(field, c, "a string")
	}
}

// wrongKind skips a value of kind c where want was expected and ignores the field.
func (p *recParser) wrongKind(field string, c byte, want string) error {
	off := p.pos
	if err := p.skip(0); err != nil {
		return err
	}
	p.ignore(field, off, "is %s, expected %s", kindOf(c), want)
	return nil
}

// ignore records that the value of field at off is ignored, and why.
func (p *recParser) ignore(field string, off int, format string, args ...any) {
	p.ignored = append(p.ignored, FieldError{Field: field, Offset: off, Err: fmt.Errorf(format, args...)})
}

func kindOf(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '"':
		return "a string"
	default:
		return "a number"
	}
}

func (p *recParser) literal(lit string) error {
	if len(p.b)-p.pos < len(lit) {
		p.eob = true
	}
	if len(p.b)-p.pos < len(lit) || string(p.b[p.pos:p.pos+len(lit)]) != lit {
		return p.syntax("invalid literal")
	}
	p.pos += len(lit)
	return nil
}

const maxDepth = 10000

// skip consumes and validates any value.
func (p *recParser) skip(depth int) error {
	if depth > maxDepth {
		return p.localSyntax("nested more than %d deep", maxDepth)
	}
	switch c := p.peek(); c {
	case '"':
		_, _, err := p.stringAt()
		return err
	case '{':
		p.pos++
		if p.peek() == '}' {
			p.pos++
			return nil
		}
		for {
			if _, _, err := p.stringBytes(); err != nil {
				return err
			}
			if p.peek() != ':' {
				return p.syntax("expected ':' after an object key, found %s", p.describe())
			}
			p.pos++
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			if done, err := p.commaOr('}'); done || err != nil {
				return err
			}
		}
	case '[':
		p.pos++
		if p.peek() == ']' {
			p.pos++
			return nil
		}
		for {
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			if done, err := p.commaOr(']'); done || err != nil {
				return err
			}
		}
	case 't':
		return p.literal("true")
	case 'f':
		return p.literal("false")
	case 'n':
		return p.literal("null")
	default:
		return p.number()
	}
}

func (p *recParser) number() error {
	b := p.b
	i := p.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return p.syntax("expected a value, found %s", p.describe())
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			p.pos = i
			return p.syntax("invalid number")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			p.pos = i
			return p.syntax("invalid number")
		}
	}
	p.pos = i
	return nil
}

// object calls field for each key of an object, or reset for null; field must consume the
// value. A value of another type is ignored (see [FieldError]) under the name what.
func (p *recParser) object(what string, reset func(), field func(key []byte) error) error {
	switch c := p.peek(); c {
	case 'n':
		reset()
		return p.literal("null")
	case '{':
	default:
		return p.wrongKind(what, c, "an object")
	}
	p.pos++
	if p.peek() == '}' {
		p.pos++
		return nil
	}
	for {
		key, escaped, err := p.stringBytes()
		if err != nil {
			return err
		}
		if escaped {
			key = nil // no field we read has an escaped name
		}
		if p.peek() != ':' {
			return p.syntax("expected ':' after an object key, found %s", p.describe())
		}
		p.pos++
		p.ws()
		if err := field(key); err != nil {
			return err
		}
		if done, err := p.commaOr('}'); done || err != nil {
			return err
		}
	}
}

// commaOr consumes the ',' after a member of an object or array, or its closing byte
// ('}' or ']'); done reports the closing byte.
func (p *recParser) commaOr(closing byte) (done bool, err error) {
	switch p.peek() {
	case ',':
		p.pos++
		return false, nil
	case closing:
		p.pos++
		return true, nil
	}
	in := "an object"
	if closing == ']' {
		in = "an array"
	}
	return false, p.syntax("expected ',' or '%c' in %s, found %s", closing, in, p.describe())
}

// lowerKey returns key in lower case, using buf when it has to change. Field names are
// matched case-insensitively, as encoding/json does: CloudTrail writes camelCase, but
// exports through Athena or a SIEM often lower-case nested names ("principalid").
func lowerKey(key []byte, buf *[32]byte) []byte {
	for i, c := range key {
		if c >= 'A' && c <= 'Z' {
			if len(key) > len(buf) {
				return key // longer than any field we read
			}
			n := copy(buf[:], key)
			for j := i; j < n; j++ {
				if c := buf[j]; c >= 'A' && c <= 'Z' {
					buf[j] = c + 'a' - 'A'
				}
			}
			return buf[:n]
		}
	}
	return key
}

// keyIs reports whether key is name (lower case) in any case.
func keyIs(key []byte, name string) bool {
	var lb [32]byte
	return string(lowerKey(key, &lb)) == name
}

// rawValue consumes a value and returns its bytes, or nil for null.
func (p *recParser) rawValue() ([]byte, error) {
	p.ws()
	start := p.pos
	if err := p.skip(0); err != nil {
		return nil, err
	}
	v := p.b[start:p.pos]
	if string(v) == "null" {
		return nil, nil
	}
	return v, nil
}

// rawField reads a value into dst (nil for null), and its bounds in p.b into start, end.
func (p *recParser) rawField(dst *json.RawMessage, start, end *int) error {
	var err error
	*start = p.pos
	*dst, err = p.rawValue()
	*end = *start + len(*dst)
	return err
}

// attach points rec's byte fields into raw, a copy of the bytes p parsed.
func (p *recParser) attach(rec *Record, raw []byte) {
	if p.reqEnd > p.reqStart {
		rec.RequestParameters = raw[p.reqStart:p.reqEnd]
	}
	if p.respEnd > p.respStart {
		rec.ResponseElements = raw[p.respStart:p.respEnd]
	}
	rec.Raw = raw
}

// parseRecord reads the fields of a record from raw, which is kept as its Raw bytes. strs
// may be nil.
func parseRecord(raw []byte, strs interner, fields Fields) (Record, error) {
	p := &recParser{b: raw, strs: strs, fields: fields}
	r, err := p.record()
	if err != nil {
		return Record{}, err
	}
	r.Raw = raw
	return r, nil
}

// record reads a whole record from p.b; nothing but white space may follow it.
func (p *recParser) record() (Record, error) {
	if c := p.peek(); c != '{' {
		if p.atEnd() {
			return Record{}, p.syntax("empty record")
		}
		if err := p.skip(0); err != nil {
			return Record{}, err
		}
		if !p.atEnd() {
			return Record{}, p.syntax("unexpected %s after the value", p.describe())
		}
		return Record{}, ErrNotObject
	}
	r, err := p.object1()
	if err != nil {
		return Record{}, err
	}
	if !p.atEnd() {
		return Record{}, p.syntax("unexpected %s after the record", p.describe())
	}
	return r, nil
}

func nothing() {}

// fieldKeyLengths are the lengths of the names of the fields of each of Fields.
var fieldKeyLengths = map[Fields][]int{
	FieldEventTime: {len("eventTime")}, FieldEvent: {len("eventSource"), len("eventName")},
	FieldEventType: {len("eventType")}, FieldAWSRegion: {len("awsRegion")},
	FieldSourceIPAddress: {len("sourceIPAddress")}, FieldUserAgent: {len("userAgent")},
	FieldErrorCode: {len("errorCode")}, FieldRecipientAccountID: {len("recipientAccountId")},
	FieldResources: {len("resources")}, FieldUserIdentity: {len("userIdentity")},
	FieldRequestParameters: {len("requestParameters")}, FieldResponseElements: {len("responseElements")},
}

// keyLengthSets has, for each set of Fields, a bit for each length of their names, so that
// the parser skips the other keys without looking at them.
var keyLengthSets = func() (t [AllFields + 1]uint32) {
	for fs := range t {
		for f, ls := range fieldKeyLengths {
			if Fields(fs)&f != 0 {
				for _, l := range ls {
					t[fs] |= 1 << l
				}
			}
		}
	}
	return t
}()

func keyLengths(f Fields) uint32 { return keyLengthSets[f&AllFields] }

// object1 reads one record object from p.pos, leaving p.pos after it. Record.Raw is not
// set. The only errors are syntax errors: a field of the wrong type, or an eventTime that
// is not a time, is ignored and listed in Record.Ignored.
func (p *recParser) object1() (Record, error) {
	var r Record
	var eventTime string
	var eventTimeOff int
	lengths := keyLengths(p.fields)
	err := p.object("record", nothing, func(key []byte) error {
		if len(key) >= 32 || lengths&(1<<len(key)) == 0 {
			return p.skip(0) // no field to read has a name of this length
		}
		var lb [32]byte
		f := p.fields
		switch string(lowerKey(key, &lb)) {
		case "eventsource":
			if f&FieldEvent != 0 {
				return p.common(&r.EventSource, "eventSource")
			}
		case "eventname":
			if f&FieldEvent != 0 {
				return p.common(&r.EventName, "eventName")
			}
		case "eventtime":
			if f&FieldEventTime != 0 {
				eventTimeOff = p.pos
				return p.str(&eventTime, "eventTime")
			}
		case "eventtype":
			if f&FieldEventType != 0 {
				return p.common(&r.EventType, "eventType")
			}
		case "awsregion":
			if f&FieldAWSRegion != 0 {
				return p.common(&r.AWSRegion, "awsRegion")
			}
		case "sourceipaddress":
			if f&FieldSourceIPAddress != 0 {
				return p.str(&r.SourceIPAddress, "sourceIPAddress")
			}
		case "useragent":
			if f&FieldUserAgent != 0 {
				return p.common(&r.UserAgent, "userAgent")
			}
		case "errorcode":
			if f&FieldErrorCode != 0 {
				return p.common(&r.ErrorCode, "errorCode")
			}
		case "recipientaccountid":
			if f&FieldRecipientAccountID != 0 {
				return p.common(&r.RecipientAccountID, "recipientAccountId")
			}
		case "requestparameters":
			if f&FieldRequestParameters != 0 {
				return p.rawField(&r.RequestParameters, &p.reqStart, &p.reqEnd)
			}
		case "responseelements":
			if f&FieldResponseElements != 0 {
				return p.rawField(&r.ResponseElements, &p.respStart, &p.respEnd)
			}
		case "resources":
			if f&FieldResources != 0 {
				return p.resources(&r.ResourceARNs)
			}
		case "useridentity":
			if f&FieldUserIdentity != 0 {
				return p.userIdentity(&r.UserIdentity)
			}
		}
		return p.skip(0)
	})
	if err != nil {
		return Record{}, err
	}
	if eventTime != "" {
		if t, ok := parseEventTime(eventTime); ok {
			r.EventTime = t
		} else {
			p.ignore("eventTime", eventTimeOff, "%q is not a time", eventTime)
		}
	}
	r.Ignored = p.ignored
	return r, nil
}

// eventTimeLayouts are the forms eventTime takes: CloudTrail writes RFC 3339 in UTC;
// exports from Athena, CloudTrail Lake and SIEMs write a space instead of the T and often
// no zone, which is UTC there too.
var eventTimeLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// parseEventTime parses an eventTime, in UTC.
func parseEventTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range eventTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// validate checks that b is one valid JSON value.
func validate(b []byte) error {
	p := &recParser{b: b}
	if err := p.skip(0); err != nil {
		return err
	}
	if !p.atEnd() {
		return p.syntax("unexpected %s after the value", p.describe())
	}
	return nil
}

// resources reads the ARNs of resources into arns. An entry that is not an object, or
// whose ARN is not a string, is ignored; so is resources itself when it is not an array.
func (p *recParser) resources(arns *[]string) error {
	switch c := p.peek(); c {
	case 'n':
		*arns = nil
		return p.literal("null")
	case '[':
	default:
		return p.wrongKind("resources", c, "an array")
	}
	p.pos++
	*arns = nil
	if p.peek() == ']' {
		p.pos++
		return nil
	}
	for i := 0; ; i++ {
		var arn string
		if c := p.peek(); c != '{' && c != 'n' {
			if err := p.wrongKind(fmt.Sprintf("resources[%d]", i), c, "an object"); err != nil {
				return err
			}
		} else if err := p.object("resources[]", nothing, func(key []byte) error {
			if keyIs(key, "arn") {
				return p.str(&arn, "resources[].ARN")
			}
			return p.skip(0)
		}); err != nil {
			return err
		}
		if arn != "" {
			*arns = append(*arns, arn)
		}
		done, err := p.commaOr(']')
		if done || err != nil {
			return err
		}
	}
}

func (p *recParser) userIdentity(u *UserIdentity) error {
	return p.object("userIdentity", func() { *u = UserIdentity{} }, func(key []byte) error {
		var lb [32]byte
		switch string(lowerKey(key, &lb)) {
		case "type":
			return p.common(&u.Type, "userIdentity.type")
		case "principalid":
			return p.str(&u.PrincipalID, "userIdentity.principalId")
		case "arn":
			return p.str(&u.ARN, "userIdentity.arn")
		case "accountid":
			return p.common(&u.AccountID, "userIdentity.accountId")
		case "accesskeyid":
			return p.str(&u.AccessKeyID, "userIdentity.accessKeyId")
		case "username":
			return p.str(&u.UserName, "userIdentity.userName")
		case "invokedby":
			return p.common(&u.InvokedBy, "userIdentity.invokedBy")
		case "sessioncontext":
			noIssuer := func() { u.SessionIssuerARN = "" }
			return p.object("userIdentity.sessionContext", noIssuer, func(key []byte) error {
				if !keyIs(key, "sessionissuer") {
					return p.skip(0)
				}
				return p.object("userIdentity.sessionContext.sessionIssuer", noIssuer, func(key []byte) error {
					if !keyIs(key, "arn") {
						return p.skip(0)
					}
					return p.common(&u.SessionIssuerARN, "userIdentity.sessionContext.sessionIssuer.arn")
				})
			})
		default:
			return p.skip(0)
		}
	})
}
