package source

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trailscraper/trailscraper/cloudtrail"
)

// sqlString quotes s as a SQL string literal. Quotes are doubled; values that are not
// valid UTF-8 or hold control characters are refused (no CloudTrail value has them).
func sqlString(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("value %q is not valid UTF-8", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return "", fmt.Errorf("value %q holds a control character", s)
		}
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
}

func sqlList(vals []string, what string) (string, error) {
	out := make([]string, len(vals))
	for i, v := range vals {
		q, err := sqlString(v)
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		out[i] = q
	}
	return strings.Join(out, ", "), nil
}

// likePattern turns a pattern in which "*" matches any run of characters into a quoted
// LIKE pattern with '\' as its escape character.
func likePattern(p string) (string, error) {
	if _, err := sqlString(p); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, r := range p {
		switch r {
		case '\\', '%', '_':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '*':
			b.WriteByte('%')
		default:
			b.WriteRune(r)
		}
	}
	return sqlString(b.String())
}

// queryTimeLayouts are the ways an eventtime may come back from a query engine.
var queryTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 MST",
}

// parseQueryTime parses an eventtime value; times without a zone are UTC.
func parseQueryTime(s string) (time.Time, error) {
	for _, layout := range queryTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("eventtime %.40q is not a timestamp", s)
}

// lakeMapJSON turns the JSON of a Lake map<string,string> into the JSON object of the
// original record: values that hold a JSON object or array are put back as JSON.
func lakeMapJSON(s string) ([]byte, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%.60q is not a JSON object", s)
	}
	w := &objWriter{}
	w.open()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%.60q is not a JSON object", s)
		}
		k, _ := tok.(string)
		var val any
		if err := dec.Decode(&val); err != nil {
			return nil, fmt.Errorf("%.60q is not a JSON object", s)
		}
		switch val := val.(type) {
		case nil:
			w.raw(k, []byte("null"))
		case string:
			t := strings.TrimSpace(val)
			if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
				var buf bytes.Buffer
				_ = json.Compact(&buf, []byte(t))
				w.raw(k, buf.Bytes())
			} else {
				w.strAlways(k, val)
			}
		default:
			raw, err := json.Marshal(val)
			if err != nil {
				return nil, err
			}
			w.raw(k, raw)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%.60q is not a JSON object", s)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%.60q has data after the JSON object", s)
	}
	w.close()
	return w.buf.Bytes(), nil
}

// objWriter writes JSON objects with keys in the order they are written.
type objWriter struct {
	buf   bytes.Buffer
	first []bool
}

func (w *objWriter) open() {
	w.buf.WriteByte('{')
	w.first = append(w.first, true)
}

func (w *objWriter) close() {
	w.buf.WriteByte('}')
	w.first = w.first[:len(w.first)-1]
}

func (w *objWriter) key(k string) {
	if !w.first[len(w.first)-1] {
		w.buf.WriteByte(',')
	}
	w.first[len(w.first)-1] = false
	writeJSONString(&w.buf, k)
	w.buf.WriteByte(':')
}

// str writes a string member unless v is empty.
func (w *objWriter) str(k, v string) {
	if v != "" {
		w.strAlways(k, v)
	}
}

func (w *objWriter) strAlways(k, v string) {
	w.key(k)
	writeJSONString(&w.buf, v)
}

// writeJSONString writes s as a JSON string without escaping <, > and &.
func writeJSONString(b *bytes.Buffer, s string) {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // the newline Encode adds
}

func (w *objWriter) raw(k string, v []byte) {
	w.key(k)
	w.buf.Write(v)
}

// rowShape says how a query engine's columns hold the parts of a record that are not
// plain strings.
type rowShape struct {
	// params turns the requestparameters (and responseelements) column into the JSON
	// object of the record.
	params func(string) ([]byte, error)
	// resources are the fields of the resources column's structs, in the schema's order.
	resources []resourceField
}

// resourceField is a field of the resources column and its key in the record JSON.
type resourceField struct{ column, key string }

// rowRecordJSON rebuilds the CloudTrail record JSON of a result row whose columns v holds
// by their lower-case names (see the column lists of the queries). Missing and empty
// columns are left out.
func rowRecordJSON(v map[string]string, shape rowShape) ([]byte, error) {
	w := &objWriter{}
	w.open()
	w.str("eventVersion", v["eventversion"])
	if slices.ContainsFunc(identityColumns, func(c sqlColumn) bool { return v[c.name] != "" }) {
		w.key("userIdentity")
		w.open()
		w.str("type", v["uitype"])
		w.str("principalId", v["uiprincipalid"])
		w.str("arn", v["uiarn"])
		w.str("accountId", v["uiaccountid"])
		w.str("accessKeyId", v["uiaccesskeyid"])
		w.str("userName", v["uiusername"])
		if v["sitype"] != "" || v["siarn"] != "" || v["siprincipalid"] != "" || v["siaccountid"] != "" || v["siusername"] != "" {
			w.key("sessionContext")
			w.open()
			w.key("sessionIssuer")
			w.open()
			w.str("type", v["sitype"])
			w.str("principalId", v["siprincipalid"])
			w.str("arn", v["siarn"])
			w.str("accountId", v["siaccountid"])
			w.str("userName", v["siusername"])
			w.close()
			w.close()
		}
		w.str("invokedBy", v["uiinvokedby"])
		w.close()
	}
	if t := v["eventtime"]; t != "" {
		et, err := parseQueryTime(t)
		if err != nil {
			return nil, err
		}
		w.str("eventTime", et.Format(time.RFC3339Nano))
	}
	w.str("eventSource", v["eventsource"])
	w.str("eventName", v["eventname"])
	w.str("awsRegion", v["awsregion"])
	w.str("sourceIPAddress", v["sourceipaddress"])
	w.str("userAgent", v["useragent"])
	w.str("errorCode", v["errorcode"])
	w.str("errorMessage", v["errormessage"])
	for _, c := range []struct{ column, key string }{{"requestparameters", "requestParameters"}, {"responseelements", "responseElements"}} {
		if p := v[c.column]; p != "" && p != "null" {
			raw, err := shape.params(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.column, err)
			}
			w.raw(c.key, raw)
		}
	}
	w.str("eventID", v["eventid"])
	switch v["readonly"] {
	case "true", "false":
		w.raw("readOnly", []byte(v["readonly"]))
	}
	if r := v["resources"]; r != "" && r != "null" {
		raw, err := resourcesJSON(r, shape.resources)
		if err != nil {
			return nil, err
		}
		w.raw("resources", raw)
	}
	w.str("eventType", v["eventtype"])
	w.str("recipientAccountId", v["recipientaccountid"])
	w.close()
	return w.buf.Bytes(), nil
}

// resourcesJSON turns the JSON of a resources column into the record's resources array.
// Trino casts each struct to an object with the column's lower-case field names; older
// engines cast it to an array of the values in schema order (fields). Both are accepted.
func resourcesJSON(s string, fields []resourceField) ([]byte, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal([]byte(s), &elems); err != nil {
		return nil, fmt.Errorf("resources %.60q is not a JSON array", s)
	}
	w := &objWriter{}
	w.buf.WriteByte('[')
	for i, e := range elems {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		vals := map[string]*string{}
		var obj map[string]*string
		var arr []*string
		switch {
		case json.Unmarshal(e, &obj) == nil:
			for k, v := range obj {
				vals[strings.ToLower(k)] = v
			}
		case json.Unmarshal(e, &arr) == nil && len(arr) <= len(fields):
			for j, v := range arr {
				vals[fields[j].column] = v
			}
		default:
			return nil, fmt.Errorf("resources element %d %.60q is not an object of strings", i, e)
		}
		w.open()
		for _, f := range fields {
			if v := vals[f.column]; v != nil {
				w.strAlways(f.key, *v)
			}
		}
		w.close()
	}
	w.buf.WriteByte(']')
	return w.buf.Bytes(), nil
}

// wholeSeconds returns the window of f widened to whole seconds, in UTC; zero times stay
// zero. The engines compare whole seconds; the local filter cuts the window exactly.
func wholeSeconds(f *cloudtrail.Filter) (from, to time.Time) {
	if !f.From.IsZero() {
		from = f.From.UTC().Truncate(time.Second)
	}
	if !f.To.IsZero() {
		to = f.To.UTC()
		if to.Truncate(time.Second) != to {
			to = to.Truncate(time.Second).Add(time.Second)
		}
	}
	return from, to
}

// filterConds returns the SQL conditions of f's assumed-role, principal, event-source and
// error filters over the columns of AWS's CloudTrail schema (useridentity.arn,
// eventsource, …), which Lake and Athena share. Every value is a quoted literal.
func filterConds(f *cloudtrail.Filter) ([]string, error) {
	var conds []string
	if len(f.AssumedRoleARNs) > 0 {
		list, err := sqlList(f.AssumedRoleARNs, "assumed-role filter")
		if err != nil {
			return nil, err
		}
		conds = append(conds, "useridentity.type = 'AssumedRole'",
			"useridentity.sessioncontext.sessionissuer.arn IN ("+list+")")
	}
	if len(f.Principals) > 0 {
		var alts []string
		for _, p := range f.Principals {
			pat, err := likePattern(p)
			if err != nil {
				return nil, fmt.Errorf("principal filter: %w", err)
			}
			for _, col := range []string{"useridentity.arn", "useridentity.sessioncontext.sessionissuer.arn", "useridentity.username"} {
				alts = append(alts, col+" LIKE "+pat+` ESCAPE '\'`)
			}
		}
		conds = append(conds, "("+strings.Join(alts, "\n        OR ")+")")
	}
	if len(f.EventSources) > 0 {
		var exact []string
		var alts []string
		for _, p := range f.EventSources {
			if !strings.Contains(p, "*") {
				exact = append(exact, p)
				continue
			}
			pat, err := likePattern(p)
			if err != nil {
				return nil, fmt.Errorf("event source filter: %w", err)
			}
			alts = append(alts, "eventsource LIKE "+pat+` ESCAPE '\'`)
		}
		if len(exact) > 0 {
			list, err := sqlList(exact, "event source filter")
			if err != nil {
				return nil, err
			}
			alts = append([]string{"eventsource IN (" + list + ")"}, alts...)
		}
		conds = append(conds, "("+strings.Join(alts, " OR ")+")")
	}
	switch f.Errors {
	case cloudtrail.ErrorsExclude:
		conds = append(conds, "(errorcode IS NULL OR errorcode = '')")
	case cloudtrail.ErrorsOnly:
		conds = append(conds, "errorcode IS NOT NULL AND errorcode <> ''")
	}
	return conds, nil
}

// sqlColumn is one column of a query: the SQL expression and the name of its result.
type sqlColumn struct{ name, expr string }

// writeColumns writes the select list of cols.
func writeColumns(b *strings.Builder, cols []sqlColumn) {
	for i, c := range cols {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    ")
		b.WriteString(c.expr)
		if c.expr != c.name {
			b.WriteString(" AS ")
			b.WriteString(c.name)
		}
	}
}

// jsonObjectText checks that s, a column of JSON text, holds a JSON object and returns it
// compacted.
func jsonObjectText(s string) ([]byte, error) {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{") || !json.Valid([]byte(t)) {
		return nil, fmt.Errorf("%.60q is not a JSON object", s)
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, []byte(t)) // valid JSON always compacts
	return buf.Bytes(), nil
}

// identityColumns are the userIdentity columns of AWS's CloudTrail schema, which Lake and
// the Athena table share, named as rowRecordJSON reads them.
var identityColumns = []sqlColumn{
	{"uitype", "useridentity.type"},
	{"uiprincipalid", "useridentity.principalid"},
	{"uiarn", "useridentity.arn"},
	{"uiaccountid", "useridentity.accountid"},
	{"uiaccesskeyid", "useridentity.accesskeyid"},
	{"uiusername", "useridentity.username"},
	{"uiinvokedby", "useridentity.invokedby"},
	{"sitype", "useridentity.sessioncontext.sessionissuer.type"},
	{"siprincipalid", "useridentity.sessioncontext.sessionissuer.principalid"},
	{"siarn", "useridentity.sessioncontext.sessionissuer.arn"},
	{"siaccountid", "useridentity.sessioncontext.sessionissuer.accountid"},
	{"siusername", "useridentity.sessioncontext.sessionissuer.username"},
}

// callColumns are the columns of the call itself that both schemas hold as strings.
var callColumns = []sqlColumn{
	{"eventtime", "eventtime"},
	{"eventsource", "eventsource"},
	{"eventname", "eventname"},
	{"awsregion", "awsregion"},
	{"sourceipaddress", "sourceipaddress"},
	{"useragent", "useragent"},
	{"errorcode", "errorcode"},
	{"errormessage", "errormessage"},
}

// The aggregate columns of the grouping queries.
const (
	colCount     = "eventcount"
	colFirstTime = "firsttime"
	colLastTime  = "lasttime"
)

// querySpec is what the Lake and Athena queries differ in.
type querySpec struct {
	from       string      // the table, as the FROM clause names it
	rows       []sqlColumn // the columns of the rows query
	groups     []sqlColumn // the columns the grouping query groups by; nil for the rows query
	timeExpr   string      // the expression compared with the window; "" for eventtime
	timeLayout string      // how the window's literals are written
	conds      []string    // conditions before the window's (partition predicates)
}

// build returns the query for the filter f (window included): the rows (DISTINCT, ordered
// by eventtime and eventid), or, with groups, one row per group with its size and first
// and last event time. It fails for a filter value that cannot be a SQL string.
func (q querySpec) build(f *cloudtrail.Filter) (string, error) {
	grouped := q.groups != nil
	cols := q.rows
	if grouped {
		cols = q.groups
	}
	var b strings.Builder
	if grouped {
		b.WriteString("SELECT")
	} else {
		b.WriteString("SELECT DISTINCT")
	}
	writeColumns(&b, cols)
	if grouped {
		b.WriteString(",\n    count(*) AS " + colCount +
			",\n    min(eventtime) AS " + colFirstTime +
			",\n    max(eventtime) AS " + colLastTime)
	}
	b.WriteString("\nFROM ")
	b.WriteString(q.from)
	conds := slices.Clone(q.conds)
	start, end := wholeSeconds(f)
	timeExpr := q.timeExpr
	if timeExpr == "" {
		timeExpr = "eventtime"
	}
	if !start.IsZero() {
		conds = append(conds, timeExpr+" >= '"+start.Format(q.timeLayout)+"'")
	}
	if !end.IsZero() {
		conds = append(conds, timeExpr+" <= '"+end.Format(q.timeLayout)+"'")
	}
	fc, err := filterConds(f)
	if err != nil {
		return "", err
	}
	conds = append(conds, fc...)
	if len(conds) > 0 {
		b.WriteString("\nWHERE ")
		b.WriteString(strings.Join(conds, "\n    AND "))
	}
	if !grouped {
		b.WriteString("\nORDER BY eventtime, eventid")
		return b.String(), nil
	}
	exprs := make([]string, len(cols))
	names := make([]string, len(cols))
	for i, c := range cols {
		exprs[i], names[i] = c.expr, c.name
	}
	b.WriteString("\nGROUP BY\n    " + strings.Join(exprs, ",\n    "))
	b.WriteString("\nORDER BY " + colFirstTime + ", " + strings.Join(names, ", "))
	return b.String(), nil
}

// groupRecord turns the row v (columns by lower-case name) of a grouping query into a
// record that stands for the group: its eventTime is the group's first, LastTime its last,
// Count its size.
func groupRecord(v map[string]string, shape rowShape) (cloudtrail.Record, error) {
	n, err := strconv.Atoi(v[colCount])
	if err != nil || n < 1 {
		return cloudtrail.Record{}, fmt.Errorf("%s %.20q is not a positive count", colCount, v[colCount])
	}
	var last time.Time // zero for a group of events without an eventTime
	if s := v[colLastTime]; s != "" {
		if last, err = parseQueryTime(s); err != nil {
			return cloudtrail.Record{}, fmt.Errorf("%s: %w", colLastTime, err)
		}
	}
	v["eventtime"] = v[colFirstTime]
	rec, err := rowRecord(v, shape)
	if err != nil {
		return cloudtrail.Record{}, err
	}
	rec.Count, rec.LastTime = n, last
	return rec, nil
}

// rowRecord rebuilds the record of the row v (see rowRecordJSON) and parses it.
func rowRecord(v map[string]string, shape rowShape) (cloudtrail.Record, error) {
	raw, err := rowRecordJSON(v, shape)
	if err != nil {
		return cloudtrail.Record{}, err
	}
	return cloudtrail.ParseRecord(raw)
}

// groupIdentityColumns are the userIdentity columns the grouping queries group by: what
// the mapping and the filter read of the caller, not what changes from session to session
// (principal ID, access key).
var groupIdentityColumns = []sqlColumn{
	{"uitype", "useridentity.type"},
	{"uiarn", "useridentity.arn"},
	{"uiaccountid", "useridentity.accountid"},
	{"uiusername", "useridentity.username"},
	{"uiinvokedby", "useridentity.invokedby"},
	{"sitype", "useridentity.sessioncontext.sessionissuer.type"},
	{"siarn", "useridentity.sessioncontext.sessionissuer.arn"},
}

// groupCallColumns are the columns of the call that the grouping queries group by.
var groupCallColumns = []sqlColumn{
	{"eventsource", "eventsource"},
	{"eventname", "eventname"},
	{"eventtype", "eventtype"},
	{"awsregion", "awsregion"},
	{"errorcode", "errorcode"},
	{"recipientaccountid", "recipientaccountid"},
}
