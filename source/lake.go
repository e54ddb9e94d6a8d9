package source

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctapi "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/internal/awsretry"
)

var (
	_ trailscraper.RecordSource = (*Lake)(nil)
	_ LakeAPI                   = (*ctapi.Client)(nil)
	_ error                     = (*QueryError)(nil)
)

// LakeAPI is the part of the CloudTrail client that [Lake] uses; *ctapi.Client
// implements it.
type LakeAPI interface {
	StartQuery(ctx context.Context, in *ctapi.StartQueryInput, optFns ...func(*ctapi.Options)) (*ctapi.StartQueryOutput, error)
	DescribeQuery(ctx context.Context, in *ctapi.DescribeQueryInput, optFns ...func(*ctapi.Options)) (*ctapi.DescribeQueryOutput, error)
	ctapi.GetQueryResultsAPIClient
	CancelQuery(ctx context.Context, in *ctapi.CancelQueryInput, optFns ...func(*ctapi.Options)) (*ctapi.CancelQueryOutput, error)
}

// Lake reads records from a CloudTrail Lake event data store with one SQL query.
//
// The query selects the window and, of a [WithFilter] filter, the assumed-role,
// principal, event-source and error conditions, so that only matching events leave the
// service; every filter value is a quoted SQL string literal (or LIKE pattern) and can never
// change the query. It selects DISTINCT rows ordered by eventTime and eventID, so records
// come oldest first in a deterministic order, and events that were stored twice come once
// (Lake skips a row with the same eventID as the one before it, too). The filter is also
// applied locally to the rows, so the result is exact.
//
// Lake stores events as columns, not as their original JSON, so each record is rebuilt
// from the columns it needs (see [Lake.Query]): the userIdentity fields, request
// parameters, resources, error code and so on. Its Raw bytes are that rebuilt JSON;
// responseElements and additionalEventData are not included.
//
// Throttled calls are waited out and stalled calls retried as for [CloudTrail]; a row
// without eventtime, or an empty row, is yielded as a *[trailscraper.RecordError].
//
// A query that fails, is cancelled or times out on the server ends the sequence with a
// *[QueryError]. When ctx is cancelled while the query runs, Lake cancels it on the
// server.
type Lake struct {
	client LakeAPI
	store  EventDataStore
	opts   options
}

// EventDataStore names a CloudTrail Lake event data store.
type EventDataStore struct {
	ID        string // the ID, which the SQL query names in FROM
	Region    string // from the ARN; "" when only the ID was given
	AccountID string // from the ARN; "" when only the ID was given
}

var (
	// An ID is runs of letters and digits joined by single hyphens (a UUID, as AWS makes
	// them): nothing that SQL could read as anything but one name, not even "--".
	edsIDPattern  = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$`)
	edsARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):([0-9]{12}):eventdatastore/([^/]+)$`)
)

func validStoreID(s string) bool { return len(s) <= 128 && edsIDPattern.MatchString(s) }

// ErrEventDataStore is reported for an event data store that is neither an ID nor an ARN.
var ErrEventDataStore = errors.New("not an event data store ID or ARN")

// ParseEventDataStore parses an event data store ID
// ("EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE") or ARN
// ("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-…"). The ID is
// interpolated into SQL as a table name, so it must be letters, digits and hyphens.
func ParseEventDataStore(s string) (EventDataStore, error) {
	if m := edsARNPattern.FindStringSubmatch(s); m != nil {
		if !validStoreID(m[3]) {
			return EventDataStore{}, fmt.Errorf("event data store %q: the ID in the ARN may hold only letters, digits and hyphens: %w", s, ErrEventDataStore)
		}
		return EventDataStore{ID: m[3], Region: m[1], AccountID: m[2]}, nil
	}
	if validStoreID(s) {
		return EventDataStore{ID: s}, nil
	}
	return EventDataStore{}, fmt.Errorf("event data store %q: %w", s, ErrEventDataStore)
}

// NewLake returns a source that queries the event data store named by eventDataStore (an
// ID or ARN, see [ParseEventDataStore]) through client.
func NewLake(client LakeAPI, eventDataStore string, opts ...LakeOption) (*Lake, error) {
	eds, err := ParseEventDataStore(eventDataStore)
	if err != nil {
		return nil, err
	}
	return &Lake{client: client, store: eds, opts: newOptions(opts, LakeOption.applyLake)}, nil
}

// QueryError reports a CloudTrail Lake query that did not finish.
type QueryError struct {
	QueryID string
	Status  string // FAILED, CANCELLED or TIMED_OUT
	Message string // the service's error message, if any
}

func (e *QueryError) Error() string {
	s := fmt.Sprintf("CloudTrail Lake query %s %s", e.QueryID, strings.ToLower(strings.ReplaceAll(e.Status, "_", " ")))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Query returns the SQL statement that Records runs for the window [from, to].
func (l *Lake) Query(from, to time.Time) (string, error) {
	return buildLakeSQL(l.store.ID, window(from, to, l.opts.filter))
}

// Records runs the query for the window [from, to] (zero times leave an end open) and
// yields its rows as records.
func (l *Lake) Records(ctx context.Context, from, to time.Time) iter.Seq2[trailscraper.Record, error] {
	return func(yield func(trailscraper.Record, error) bool) {
		sql, err := l.Query(from, to)
		if err != nil {
			yield(trailscraper.Record{}, err)
			return
		}
		id, err := l.run(ctx, sql)
		if err != nil {
			yield(trailscraper.Record{}, err)
			return
		}
		l.results(ctx, id, window(from, to, l.opts.filter), yield)
	}
}

func (l *Lake) report(id, state string, calls, records int) {
	if fn := l.opts.aws.progress; fn != nil {
		fn(Progress{Source: "Lake query " + id, State: state, Calls: calls, Records: records})
	}
}

// run starts the query and waits for it to finish. It returns the query ID.
func (l *Lake) run(ctx context.Context, sql string) (string, error) {
	log := l.opts.logger
	if err := ctx.Err(); err != nil {
		return "", err
	}
	log.Debug("starting a CloudTrail Lake query", "sql", sql)
	out, err := l.client.StartQuery(ctx, &ctapi.StartQueryInput{QueryStatement: aws.String(sql)}, l.opts.aws.callOpts())
	if err != nil {
		return "", fmt.Errorf("starting the CloudTrail Lake query: %w", err)
	}
	id := aws.ToString(out.QueryId)
	if id == "" {
		return "", errors.New("starting the CloudTrail Lake query: the response has no query ID")
	}
	calls := 1
	for {
		d, err := l.client.DescribeQuery(ctx, &ctapi.DescribeQueryInput{QueryId: aws.String(id)}, l.opts.aws.callOpts())
		calls++
		if err != nil {
			if ctx.Err() != nil {
				l.cancel(ctx, id)
				return "", ctx.Err()
			}
			l.cancel(ctx, id)
			return "", fmt.Errorf("CloudTrail Lake query %s: %w", id, err)
		}
		status := d.QueryStatus
		l.report(id, string(status), calls, 0)
		switch status {
		case types.QueryStatusFinished:
			log.Debug("CloudTrail Lake query finished", "query", id)
			return id, nil
		case types.QueryStatusFailed, types.QueryStatusCancelled, types.QueryStatusTimedOut:
			return "", &QueryError{QueryID: id, Status: string(status), Message: aws.ToString(d.ErrorMessage)}
		case types.QueryStatusQueued, types.QueryStatusRunning:
		default:
			log.Debug("CloudTrail Lake query has an unknown status; waiting", "query", id, "status", status)
		}
		if err := sleepUntil(ctx, time.Now().Add(l.opts.aws.poll())); err != nil {
			l.cancel(ctx, id)
			return "", err
		}
	}
}

// cancel asks the service to cancel the query, with a short deadline of its own because
// ctx may be done already.
func (l *Lake) cancel(ctx context.Context, id string) {
	cctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer stop()
	if _, err := l.client.CancelQuery(cctx, &ctapi.CancelQueryInput{QueryId: aws.String(id)}, l.opts.aws.callOpts()); err != nil {
		l.opts.logger.Warn("could not cancel the CloudTrail Lake query", "query", id, "error", err)
		return
	}
	l.opts.logger.Debug("cancelled the CloudTrail Lake query", "query", id)
}

// results pages through the rows of the finished query id.
func (l *Lake) results(ctx context.Context, id string, filter *cloudtrail.Filter, yield func(trailscraper.Record, error) bool) {
	in := &ctapi.GetQueryResultsInput{QueryId: aws.String(id), MaxQueryResults: aws.Int32(1000)}
	calls, rows := 0, 0
	lastID := ""
	var tokens awsretry.Tokens
	for {
		out, err := l.client.GetQueryResults(ctx, in, l.opts.aws.callOpts())
		calls++
		if err != nil {
			if ctx.Err() != nil {
				yield(trailscraper.Record{}, ctx.Err())
				return
			}
			yield(trailscraper.Record{}, fmt.Errorf("reading the results of CloudTrail Lake query %s: %w", id, err))
			return
		}
		if msg := aws.ToString(out.ErrorMessage); msg != "" {
			yield(trailscraper.Record{}, &QueryError{QueryID: id, Status: string(out.QueryStatus), Message: msg})
			return
		}
		for _, row := range out.QueryResultRows {
			index := rows
			rows++
			raw, eventID, err := lakeRowJSON(row)
			if err == nil && eventID != "" && eventID == lastID {
				l.opts.logger.Debug("skipping a duplicate event", "eventID", eventID)
				continue
			}
			lastID = eventID
			var rec trailscraper.Record
			if err == nil {
				rec, err = cloudtrail.ParseRecord(raw)
			}
			if err != nil {
				src := "Lake query " + id
				if eventID != "" {
					src += " event " + eventID
				}
				if !yield(trailscraper.Record{}, &trailscraper.RecordError{Source: src, Index: index, Offset: -1, Err: err}) {
					return
				}
				continue
			}
			if !filter.Match(&rec) {
				continue
			}
			if !yield(rec, nil) {
				return
			}
		}
		l.report(id, "reading results", calls, rows)
		token := aws.ToString(out.NextToken)
		if token == "" {
			l.report(id, "done", calls, rows)
			return
		}
		if err := tokens.Next(token); err != nil {
			yield(trailscraper.Record{}, fmt.Errorf("reading the results of CloudTrail Lake query %s: %w", id, err))
			return
		}
		in.NextToken = aws.String(token)
	}
}

// lakeColumn is one column of the query: the SQL expression and the name of its result.
type lakeColumn struct{ name, expr string }

// lakeColumns are the columns the query selects, enough to rebuild the record.
var lakeColumns = []lakeColumn{
	{"eventversion", "eventversion"},
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
	{"eventtime", "eventtime"},
	{"eventsource", "eventsource"},
	{"eventname", "eventname"},
	{"awsregion", "awsregion"},
	{"sourceipaddress", "sourceipaddress"},
	{"useragent", "useragent"},
	{"errorcode", "errorcode"},
	{"errormessage", "errormessage"},
	{"requestparameters", "json_format(CAST(requestparameters AS JSON))"},
	{"eventid", "eventid"},
	{"readonly", "readonly"},
	{"resources", "json_format(CAST(resources AS JSON))"},
	{"eventtype", "eventtype"},
	{"recipientaccountid", "recipientaccountid"},
}

// buildLakeSQL builds the query for the event data store id and the filter f (window
// included). It fails for a filter value that cannot be a SQL string.
func buildLakeSQL(id string, f *cloudtrail.Filter) (string, error) {
	if !validStoreID(id) {
		return "", fmt.Errorf("event data store %q: %w", id, ErrEventDataStore)
	}
	var b strings.Builder
	b.WriteString("SELECT DISTINCT")
	for i, c := range lakeColumns {
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
	b.WriteString("\nFROM ")
	b.WriteString(id)
	var conds []string
	// The window is widened to whole seconds; the local filter cuts it exactly.
	if from := f.From; !from.IsZero() {
		conds = append(conds, "eventtime >= '"+from.UTC().Truncate(time.Second).Format(time.DateTime)+"'")
	}
	if to := f.To; !to.IsZero() {
		t := to.UTC()
		if t.Truncate(time.Second) != t {
			t = t.Truncate(time.Second).Add(time.Second)
		}
		conds = append(conds, "eventtime <= '"+t.Format(time.DateTime)+"'")
	}
	if len(f.AssumedRoleARNs) > 0 {
		list, err := sqlList(f.AssumedRoleARNs, "assumed-role filter")
		if err != nil {
			return "", err
		}
		conds = append(conds, "useridentity.type = 'AssumedRole'",
			"useridentity.sessioncontext.sessionissuer.arn IN ("+list+")")
	}
	if len(f.Principals) > 0 {
		var alts []string
		for _, p := range f.Principals {
			pat, err := likePattern(p)
			if err != nil {
				return "", fmt.Errorf("principal filter: %w", err)
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
				return "", fmt.Errorf("event source filter: %w", err)
			}
			alts = append(alts, "eventsource LIKE "+pat+` ESCAPE '\'`)
		}
		if len(exact) > 0 {
			list, err := sqlList(exact, "event source filter")
			if err != nil {
				return "", err
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
	if len(conds) > 0 {
		b.WriteString("\nWHERE ")
		b.WriteString(strings.Join(conds, "\n    AND "))
	}
	b.WriteString("\nORDER BY eventtime, eventid")
	return b.String(), nil
}

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

// lakeRowJSON rebuilds the CloudTrail record JSON of one result row and returns it with
// the event ID.
func lakeRowJSON(row []map[string]string) ([]byte, string, error) {
	v := make(map[string]string, len(lakeColumns))
	for _, cell := range row {
		for k, val := range cell {
			v[strings.ToLower(k)] = val
		}
	}
	eventID := v["eventid"]
	if len(v) == 0 {
		return nil, "", errors.New("the row is empty")
	}
	w := &objWriter{}
	w.open()
	w.str("eventVersion", v["eventversion"])
	if v["uitype"] != "" || v["uiarn"] != "" || v["uiprincipalid"] != "" || v["uiusername"] != "" || v["uiinvokedby"] != "" {
		w.key("userIdentity")
		w.open()
		w.str("type", v["uitype"])
		w.str("principalId", v["uiprincipalid"])
		w.str("arn", v["uiarn"])
		w.str("accountId", v["uiaccountid"])
		w.str("accessKeyId", v["uiaccesskeyid"])
		w.str("userName", v["uiusername"])
		if v["sitype"] != "" || v["siarn"] != "" {
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
	t := v["eventtime"]
	if t == "" {
		return nil, eventID, errors.New("the row has no eventtime")
	}
	et, err := parseLakeTime(t)
	if err != nil {
		return nil, eventID, err
	}
	w.str("eventTime", et.Format(time.RFC3339Nano))
	w.str("eventSource", v["eventsource"])
	w.str("eventName", v["eventname"])
	w.str("awsRegion", v["awsregion"])
	w.str("sourceIPAddress", v["sourceipaddress"])
	w.str("userAgent", v["useragent"])
	w.str("errorCode", v["errorcode"])
	w.str("errorMessage", v["errormessage"])
	if p := v["requestparameters"]; p != "" && p != "null" {
		raw, err := lakeMapJSON(p)
		if err != nil {
			return nil, eventID, fmt.Errorf("requestparameters: %w", err)
		}
		w.raw("requestParameters", raw)
	}
	w.str("eventID", eventID)
	switch v["readonly"] {
	case "true", "false":
		w.raw("readOnly", []byte(v["readonly"]))
	}
	if r := v["resources"]; r != "" && r != "null" {
		raw, err := lakeResourcesJSON(r)
		if err != nil {
			return nil, eventID, err
		}
		w.raw("resources", raw)
	}
	w.str("eventType", v["eventtype"])
	w.str("recipientAccountId", v["recipientaccountid"])
	w.close()
	return w.buf.Bytes(), eventID, nil
}

// lakeResourceFields are the fields of the resources column, in the schema's order:
// array<struct<accountid:string,type:string,arn:string,arnprefix:string>>.
var lakeResourceFields = []struct{ column, key string }{
	{"accountid", "accountId"}, {"type", "type"}, {"arn", "ARN"}, {"arnprefix", "ARNPrefix"},
}

// lakeResourcesJSON turns the JSON of the resources column into the record's resources
// array. Trino casts each struct to an object with the column's lower-case field names;
// older engines cast it to an array of the values in schema order. Both are accepted.
func lakeResourcesJSON(s string) ([]byte, error) {
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
		case json.Unmarshal(e, &arr) == nil && len(arr) <= len(lakeResourceFields):
			for j, v := range arr {
				vals[lakeResourceFields[j].column] = v
			}
		default:
			return nil, fmt.Errorf("resources element %d %.60q is not an object of strings", i, e)
		}
		w.open()
		for _, f := range lakeResourceFields {
			if v := vals[f.column]; v != nil {
				w.strAlways(f.key, *v)
			}
		}
		w.close()
	}
	w.buf.WriteByte(']')
	return w.buf.Bytes(), nil
}

// lakeTimeLayouts are the ways a Lake timestamp may come back.
var lakeTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999 MST",
}

// parseLakeTime parses an eventtime value; times without a zone are UTC.
func parseLakeTime(s string) (time.Time, error) {
	for _, layout := range lakeTimeLayouts {
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
