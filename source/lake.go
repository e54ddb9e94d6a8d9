package source

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctapi "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/trailscraper/trailscraper/internal/awsretry"
)

var (
	_ LakeAPI = (*ctapi.Client)(nil)
	_ error   = (*QueryError)(nil)
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
// without eventtime, or an empty row, is yielded as a *[cloudtrail.RecordError].
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

// QueryError reports a CloudTrail Lake or Athena query that did not finish.
type QueryError struct {
	Engine  string // "Athena"; "" for CloudTrail Lake
	QueryID string
	Status  string // FAILED, CANCELLED or TIMED_OUT
	Message string // the service's error message, if any
}

func (e *QueryError) Error() string {
	engine := e.Engine
	if engine == "" {
		engine = "CloudTrail Lake"
	}
	s := fmt.Sprintf("%s query %s %s", engine, e.QueryID, strings.ToLower(strings.ReplaceAll(e.Status, "_", " ")))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Query returns the SQL statement that Records runs for the window [from, to].
func (l *Lake) Query(from, to time.Time) (string, error) {
	return buildLakeSQL(l.store.ID, window(from, to, l.opts.filter), false)
}

// GroupQuery returns the SQL statement that Groups runs for the window [from, to].
func (l *Lake) GroupQuery(from, to time.Time) (string, error) {
	return buildLakeSQL(l.store.ID, window(from, to, l.opts.filter), true)
}

// Records runs the query for the window [from, to] (zero times leave an end open) and
// yields its rows as records.
func (l *Lake) Records(ctx context.Context, from, to time.Time) iter.Seq2[cloudtrail.Record, error] {
	return l.records(ctx, from, to, false)
}

// Groups runs the aggregating query for the window [from, to] and yields one record per
// group of events that policy generation cannot tell apart (the fields of [Athena.Groups]
// but responseElements, which Lake's rows do not carry either), with the group's size as
// its Count, its first event time as EventTime and its last as LastTime.
func (l *Lake) Groups(ctx context.Context, from, to time.Time) iter.Seq2[cloudtrail.Record, error] {
	return l.records(ctx, from, to, true)
}

func (l *Lake) records(ctx context.Context, from, to time.Time, grouped bool) iter.Seq2[cloudtrail.Record, error] {
	return func(yield func(cloudtrail.Record, error) bool) {
		query := l.Query
		if grouped {
			query = l.GroupQuery
		}
		sql, err := query(from, to)
		if err != nil {
			yield(cloudtrail.Record{}, err)
			return
		}
		id, err := l.run(ctx, sql)
		if err != nil {
			yield(cloudtrail.Record{}, err)
			return
		}
		l.results(ctx, id, window(from, to, l.opts.filter), grouped, yield)
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
func (l *Lake) results(ctx context.Context, id string, filter *cloudtrail.Filter, grouped bool, yield func(cloudtrail.Record, error) bool) {
	in := &ctapi.GetQueryResultsInput{QueryId: aws.String(id), MaxQueryResults: aws.Int32(1000)}
	calls, rows := 0, 0
	lastID := ""
	var tokens awsretry.Tokens
	for {
		out, err := l.client.GetQueryResults(ctx, in, l.opts.aws.callOpts())
		calls++
		if err != nil {
			if ctx.Err() != nil {
				yield(cloudtrail.Record{}, ctx.Err())
				return
			}
			yield(cloudtrail.Record{}, fmt.Errorf("reading the results of CloudTrail Lake query %s: %w", id, err))
			return
		}
		if msg := aws.ToString(out.ErrorMessage); msg != "" {
			yield(cloudtrail.Record{}, &QueryError{QueryID: id, Status: string(out.QueryStatus), Message: msg})
			return
		}
		for _, row := range out.QueryResultRows {
			index := rows
			rows++
			v := lakeRowValues(row)
			eventID := v["eventid"]
			var rec cloudtrail.Record
			err := lakeCheckRow(v, grouped)
			switch {
			case err != nil:
			case grouped:
				rec, err = groupRecord(v, lakeShape)
			default:
				if eventID != "" && eventID == lastID {
					l.opts.logger.Debug("skipping a duplicate event", "eventID", eventID)
					continue
				}
				lastID = eventID
				rec, err = rowRecord(v, lakeShape)
			}
			if err != nil {
				src := "Lake query " + id
				if eventID != "" {
					src += " event " + eventID
				}
				if !yield(cloudtrail.Record{}, &cloudtrail.RecordError{Source: src, Index: index, Offset: -1, Err: err}) {
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
			yield(cloudtrail.Record{}, fmt.Errorf("reading the results of CloudTrail Lake query %s: %w", id, err))
			return
		}
		in.NextToken = aws.String(token)
	}
}

// lakeColumns are the columns the query selects, enough to rebuild the record.
var lakeColumns = slices.Concat(
	[]sqlColumn{{"eventversion", "eventversion"}},
	identityColumns,
	callColumns,
	[]sqlColumn{
		{"requestparameters", "json_format(CAST(requestparameters AS JSON))"},
		{"eventid", "eventid"},
		{"readonly", "readonly"},
		{"resources", "json_format(CAST(resources AS JSON))"},
		{"eventtype", "eventtype"},
		{"recipientaccountid", "recipientaccountid"},
	})

// buildLakeSQL builds the query for the event data store id and the filter f (window
// included). It fails for a filter value that cannot be a SQL string.
func buildLakeSQL(id string, f *cloudtrail.Filter, grouped bool) (string, error) {
	if !validStoreID(id) {
		return "", fmt.Errorf("event data store %q: %w", id, ErrEventDataStore)
	}
	q := querySpec{from: id, rows: lakeColumns, timeLayout: time.DateTime}
	if grouped {
		q.groups = lakeGroupColumns
	}
	return q.build(f)
}

// lakeRowJSON rebuilds the CloudTrail record JSON of one result row and returns it with
// the event ID.
func lakeRowJSON(row []map[string]string) ([]byte, string, error) {
	v := lakeRowValues(row)
	if err := lakeCheckRow(v, false); err != nil {
		return nil, v["eventid"], err
	}
	raw, err := rowRecordJSON(v, lakeShape)
	return raw, v["eventid"], err
}

// lakeCheckRow refuses an empty row and one without an event time: Lake gives every event
// one, so a row without it is broken, not a record without a time.
func lakeCheckRow(v map[string]string, grouped bool) error {
	if len(v) == 0 {
		return errors.New("the row is empty")
	}
	col := "eventtime"
	if grouped {
		col = colFirstTime
	}
	if v[col] == "" {
		return fmt.Errorf("the row has no %s", col)
	}
	return nil
}

// lakeRowValues returns the cells of a result row by their lower-case column names.
func lakeRowValues(row []map[string]string) map[string]string {
	v := make(map[string]string, len(lakeColumns))
	for _, cell := range row {
		for k, val := range cell {
			v[strings.ToLower(k)] = val
		}
	}
	for _, c := range []string{"requestparameters", "resources"} { // the grouping query's names
		if j, ok := v[c+"json"]; ok {
			v[c] = j
		}
	}
	return v
}

// lakeGroupColumns are the columns the aggregating query groups by: those of
// athenaGroupColumns that Lake has. The JSON columns have names of their own, so that
// ORDER BY cannot take them for the map and array columns.
var lakeGroupColumns = slices.Concat(
	groupCallColumns,
	groupIdentityColumns,
	[]sqlColumn{
		{"requestparametersjson", "json_format(CAST(requestparameters AS JSON))"},
		{"resourcesjson", "json_format(CAST(resources AS JSON))"},
	})

// lakeShape is how Lake's columns hold what the record JSON needs.
var lakeShape = rowShape{params: lakeMapJSON, resources: lakeResourceFields}

// lakeResourceFields are the fields of the resources column, in the schema's order:
// array<struct<accountid:string,type:string,arn:string,arnprefix:string>>.
var lakeResourceFields = []resourceField{
	{"accountid", "accountId"}, {"type", "type"}, {"arn", "ARN"}, {"arnprefix", "ARNPrefix"},
}

// lakeResourcesJSON turns the JSON of Lake's resources column into the record's resources
// array.
func lakeResourcesJSON(s string) ([]byte, error) { return resourcesJSON(s, lakeResourceFields) }
