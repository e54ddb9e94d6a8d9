package source

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/internal/awsretry"
)

var (
	_ AthenaAPI = (*athena.Client)(nil)
)

// AthenaAPI is the part of the Athena client that [Athena] uses; *athena.Client
// implements it.
type AthenaAPI interface {
	StartQueryExecution(ctx context.Context, in *athena.StartQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, in *athena.GetQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
	GetQueryResults(ctx context.Context, in *athena.GetQueryResultsInput, optFns ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error)
	StopQueryExecution(ctx context.Context, in *athena.StopQueryExecutionInput, optFns ...func(*athena.Options)) (*athena.StopQueryExecutionOutput, error)
	GetTableMetadata(ctx context.Context, in *athena.GetTableMetadataInput, optFns ...func(*athena.Options)) (*athena.GetTableMetadataOutput, error)
}

// athenaOptions are the options of Athena alone.
type athenaOptions struct {
	workGroup      string
	outputLocation string
	scheme         *PartitionScheme
}

// WithWorkGroup runs the queries in the Athena workgroup name (by default the "primary"
// workgroup, or whatever the account's default is).
func WithWorkGroup(name string) AthenaOption {
	return athenaOnly(func(o *options) { o.athena.workGroup = name })
}

// WithOutputLocation sets where Athena writes the query results, an s3:// URL. It is needed
// unless the workgroup has a result location of its own.
func WithOutputLocation(s3URL string) AthenaOption {
	return athenaOnly(func(o *options) { o.athena.outputLocation = s3URL })
}

// WithPartitionScheme sets how the table is partitioned by date instead of asking Athena
// for the table's partition keys.
func WithPartitionScheme(p PartitionScheme) AthenaOption {
	return athenaOnly(func(o *options) { o.athena.scheme = &p })
}

// Athena reads records from a table of CloudTrail log files in S3 through Amazon Athena,
// with one SQL query that does the filtering in the engine. The table has the columns AWS
// documents for CloudTrail ("Querying AWS CloudTrail logs" in the Athena User Guide).
//
// The query restricts the table's date partitions to the window (see [PartitionScheme];
// detected from the table's partition keys unless [WithPartitionScheme] says), compares
// eventtime with the window, and evaluates the assumed-role, principal, event-source and
// error conditions of a [WithFilter] filter; every value is a quoted SQL literal. The
// filter is applied locally too, so the result is exact.
//
// [Athena.Records] returns one record per event, rebuilt from the columns: the
// userIdentity fields, request parameters, response elements, resources and so on;
// additionalEventData, serviceEventDetails, the session's attributes, tlsDetails and the
// other columns are not included. [Athena.Groups] returns one record per group of events
// that policy generation cannot tell apart, with a Count.
//
// A query that fails or is cancelled ends the sequence with a *[QueryError] carrying
// Athena's reason. When ctx is cancelled while the query runs, Athena stops it. Throttled
// calls are waited out and stalled calls retried as for [CloudTrail]; results whose page
// token repeats end with an error wrapping [ErrRepeatedToken]. The bytes the query
// scanned are reported through [WithProgress].
type Athena struct {
	client AthenaAPI
	table  Table
	opts   options

	mu     sync.Mutex
	scheme *PartitionScheme // detected or set; nil until known
}

// NewAthena returns a source that queries table ("[CATALOG.]DATABASE.TABLE", see
// [ParseTable]) through client.
func NewAthena(client AthenaAPI, table string, opts ...AthenaOption) (*Athena, error) {
	t, err := ParseTable(table)
	if err != nil {
		return nil, err
	}
	o := newOptions(opts, AthenaOption.applyAthena)
	if l := o.athena.outputLocation; l != "" && !strings.HasPrefix(l, "s3://") {
		return nil, fmt.Errorf("output location %q is not an s3:// URL", l)
	}
	return &Athena{client: client, table: t, opts: o, scheme: o.athena.scheme}, nil
}

// Table returns the table the source queries.
func (a *Athena) Table() Table { return a.table }

// PartitionScheme returns how the table is partitioned: as set with
// [WithPartitionScheme], or else read from the table's partition keys with
// GetTableMetadata (once).
func (a *Athena) PartitionScheme(ctx context.Context) (PartitionScheme, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.scheme != nil {
		return *a.scheme, nil
	}
	if a.client == nil {
		return 0, fmt.Errorf("table %s: no Athena client to read its partition keys with; give the partition scheme (WithPartitionScheme)", a.table)
	}
	out, err := a.client.GetTableMetadata(ctx, &athena.GetTableMetadataInput{
		CatalogName:  aws.String(a.table.Catalog),
		DatabaseName: aws.String(a.table.Database),
		TableName:    aws.String(a.table.Name),
		WorkGroup:    optString(a.opts.athena.workGroup),
	}, a.callOpts())
	if err != nil {
		return 0, fmt.Errorf("reading the partition keys of table %s: %w", a.table, err)
	}
	if out.TableMetadata == nil {
		return 0, fmt.Errorf("reading the partition keys of table %s: the response has no table metadata", a.table)
	}
	s := detectScheme(out.TableMetadata, a.opts.logger.Warn)
	a.opts.logger.Debug("Athena table partitions", "table", a.table.String(), "scheme", s.String())
	a.scheme = &s
	return s, nil
}

// detectScheme decides the partition scheme from a table's partition keys.
func detectScheme(m *types.TableMetadata, warn func(string, ...any)) PartitionScheme {
	keys := map[string]bool{}
	for _, c := range m.PartitionKeys {
		keys[strings.ToLower(aws.ToString(c.Name))] = true
	}
	switch {
	case keys["timestamp"]:
		if f, ok := m.Parameters["projection.timestamp.format"]; ok && f != "yyyy/MM/dd" {
			warn("the table's timestamp partition is not yyyy/MM/dd; the query scans every partition", "format", f)
			return PartitionNone
		}
		return PartitionTimestamp
	case keys["year"] && keys["month"] && keys["day"]:
		return PartitionYearMonthDay
	}
	if len(keys) == 0 {
		warn("the table has no partitions; every query scans all of it")
	} else {
		warn("the table's partition keys are not a known CloudTrail scheme; the query scans every partition (see --athena-partitions)")
	}
	return PartitionNone
}

// Query returns the SQL statement that [Athena.Records] runs for the window [from, to].
// Unless the partition scheme was set, it asks Athena for the table's partition keys.
func (a *Athena) Query(ctx context.Context, from, to time.Time) (string, error) {
	return a.query(ctx, from, to, false)
}

// GroupQuery returns the SQL statement that [Athena.Groups] runs for the window [from, to].
func (a *Athena) GroupQuery(ctx context.Context, from, to time.Time) (string, error) {
	return a.query(ctx, from, to, true)
}

func (a *Athena) query(ctx context.Context, from, to time.Time, grouped bool) (string, error) {
	scheme, err := a.PartitionScheme(ctx)
	if err != nil {
		return "", err
	}
	return buildAthenaSQL(a.table, scheme, window(from, to, a.opts.filter), grouped)
}

// Records runs the query for the window [from, to] (zero times leave an end open) and
// yields one record per event, oldest first, ordered by eventTime and eventID. Events
// stored twice come once.
func (a *Athena) Records(ctx context.Context, from, to time.Time) iter.Seq2[cloudtrail.Record, error] {
	return a.records(ctx, from, to, false)
}

// Groups runs the aggregating query for the window [from, to] and yields one record per
// group of events that have the same values in every field that policy generation and the
// filter read (event source and name, event type, region, error code, recipient account,
// the caller's identity type, ARN, account, user name, invoking service and session
// issuer, request parameters, response elements, resources). Each record's Count is the
// number of events in its group, its EventTime the first of them and its LastTime the
// last; eventID, source IP address, user agent and error message are not included. A
// [github.com/trailscraper/trailscraper.Generator] given these records makes the policy it makes of the events.
func (a *Athena) Groups(ctx context.Context, from, to time.Time) iter.Seq2[cloudtrail.Record, error] {
	return a.records(ctx, from, to, true)
}

func (a *Athena) records(ctx context.Context, from, to time.Time, grouped bool) iter.Seq2[cloudtrail.Record, error] {
	return func(yield func(cloudtrail.Record, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(cloudtrail.Record{}, err)
			return
		}
		sql, err := a.query(ctx, from, to, grouped)
		if err != nil {
			yield(cloudtrail.Record{}, err)
			return
		}
		id, scanned, err := a.run(ctx, sql)
		if err != nil {
			yield(cloudtrail.Record{}, err)
			return
		}
		r := athenaReader{a: a, id: id, scanned: scanned, grouped: grouped, filter: window(from, to, a.opts.filter)}
		r.read(ctx, yield)
	}
}

// ScanCost returns what Athena charges for a query that scanned the given bytes: $5 per
// TB (2^40 bytes), each query billed for at least 10 MB, rounded up to whole megabytes.
func ScanCost(bytes int64) float64 {
	const mb = 1 << 20
	n := max((bytes+mb-1)/mb, 10)
	return float64(n) * mb / (1 << 40) * 5
}

func (a *Athena) report(id, state string, calls, records int, scanned int64) {
	if fn := a.opts.aws.progress; fn != nil {
		fn(Progress{Source: "Athena query " + id, State: state, Calls: calls, Records: records, DataScanned: scanned})
	}
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// maxAthenaPoll is the longest pause between two polls of a running query.
const maxAthenaPoll = 5 * time.Second

// run starts the query and waits for it to succeed. It returns the query execution ID
// and the bytes scanned.
func (a *Athena) run(ctx context.Context, sql string) (string, int64, error) {
	log := a.opts.logger
	in := &athena.StartQueryExecutionInput{
		QueryString:           aws.String(sql),
		QueryExecutionContext: &types.QueryExecutionContext{Catalog: aws.String(a.table.Catalog), Database: aws.String(a.table.Database)},
		WorkGroup:             optString(a.opts.athena.workGroup),
	}
	if l := a.opts.athena.outputLocation; l != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(l)}
	}
	log.Debug("starting an Athena query", "sql", sql)
	out, err := a.client.StartQueryExecution(ctx, in, a.callOpts())
	if err != nil {
		return "", 0, fmt.Errorf("starting the Athena query: %w", err)
	}
	id := aws.ToString(out.QueryExecutionId)
	if id == "" {
		return "", 0, errors.New("starting the Athena query: the response has no query execution ID")
	}
	first := a.opts.aws.poll()
	wait := first
	for calls := 2; ; calls++ {
		if err := sleepUntil(ctx, time.Now().Add(wait)); err != nil {
			a.stop(ctx, id)
			return "", 0, err
		}
		wait = min(2*wait, max(first, maxAthenaPoll))
		d, err := a.client.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)}, a.callOpts())
		if err != nil {
			a.stop(ctx, id)
			if ctx.Err() != nil {
				return "", 0, ctx.Err()
			}
			return "", 0, fmt.Errorf("Athena query %s: %w", id, err)
		}
		var state types.QueryExecutionState
		var scanned int64
		reason := ""
		if q := d.QueryExecution; q != nil {
			if s := q.Status; s != nil {
				state = s.State
				reason = aws.ToString(s.StateChangeReason)
				if reason == "" && s.AthenaError != nil {
					reason = aws.ToString(s.AthenaError.ErrorMessage)
				}
			}
			if st := q.Statistics; st != nil {
				scanned = aws.ToInt64(st.DataScannedInBytes)
			}
		}
		a.report(id, string(state), calls, 0, scanned)
		switch state {
		case types.QueryExecutionStateSucceeded:
			log.Debug("Athena query succeeded", "query", id, "scanned", scanned)
			return id, scanned, nil
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			return "", scanned, &QueryError{Engine: "Athena", QueryID: id, Status: string(state), Message: reason}
		case types.QueryExecutionStateQueued, types.QueryExecutionStateRunning:
		default:
			log.Debug("Athena query has an unknown state; waiting", "query", id, "state", state)
		}
	}
}

// stop asks Athena to stop the query, with a short deadline of its own because ctx may be
// done already.
func (a *Athena) stop(ctx context.Context, id string) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := a.client.StopQueryExecution(sctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}, a.callOpts()); err != nil {
		a.opts.logger.Warn("could not stop the Athena query", "query", id, "error", err)
		return
	}
	a.opts.logger.Debug("stopped the Athena query", "query", id)
}

// athenaReader pages through the results of a finished query.
type athenaReader struct {
	a       *Athena
	id      string
	scanned int64
	grouped bool
	filter  *cloudtrail.Filter

	columns       []string
	calls, rows   int
	lastEventID   string
	tokens        awsretry.Tokens
	headerChecked bool
}

func (r *athenaReader) read(ctx context.Context, yield func(cloudtrail.Record, error) bool) {
	in := &athena.GetQueryResultsInput{QueryExecutionId: aws.String(r.id), MaxResults: aws.Int32(1000)}
	for {
		out, err := r.a.client.GetQueryResults(ctx, in, r.a.callOpts())
		r.calls++
		if err != nil {
			if ctx.Err() != nil {
				yield(cloudtrail.Record{}, ctx.Err())
				return
			}
			yield(cloudtrail.Record{}, fmt.Errorf("reading the results of Athena query %s: %w", r.id, err))
			return
		}
		if !r.page(out, yield) {
			return
		}
		r.a.report(r.id, "reading results", r.calls, r.rows, r.scanned)
		token := aws.ToString(out.NextToken)
		if token == "" {
			r.a.report(r.id, "done", r.calls, r.rows, r.scanned)
			return
		}
		if err := r.tokens.Next(token); err != nil {
			yield(cloudtrail.Record{}, fmt.Errorf("reading the results of Athena query %s: %w", r.id, err))
			return
		}
		in.NextToken = aws.String(token)
	}
}

// page yields the rows of one page; it reports false when the sequence is to end.
func (r *athenaReader) page(out *athena.GetQueryResultsOutput, yield func(cloudtrail.Record, error) bool) bool {
	rs := out.ResultSet
	if rs == nil {
		return true
	}
	if r.columns == nil {
		if rs.ResultSetMetadata == nil || len(rs.ResultSetMetadata.ColumnInfo) == 0 {
			yield(cloudtrail.Record{}, fmt.Errorf("reading the results of Athena query %s: the first page has no column names", r.id))
			return false
		}
		for _, c := range rs.ResultSetMetadata.ColumnInfo {
			r.columns = append(r.columns, strings.ToLower(aws.ToString(c.Name)))
		}
	}
	rows := rs.Rows
	if !r.headerChecked && len(rows) > 0 {
		// The first page starts with a row of the column names.
		r.headerChecked = true
		if r.isHeader(rows[0]) {
			rows = rows[1:]
		}
	}
	for _, row := range rows {
		index := r.rows
		r.rows++
		rec, eventID, err := r.record(row)
		if err == nil && !r.grouped && eventID != "" && eventID == r.lastEventID {
			r.a.opts.logger.Debug("skipping a duplicate event", "eventID", eventID)
			continue
		}
		r.lastEventID = eventID
		if err != nil {
			src := "Athena query " + r.id
			if eventID != "" {
				src += " event " + eventID
			}
			if !yield(cloudtrail.Record{}, &cloudtrail.RecordError{Source: src, Index: index, Offset: -1, Err: err}) {
				return false
			}
			continue
		}
		if !r.filter.Match(&rec) {
			continue
		}
		if !yield(rec, nil) {
			return false
		}
	}
	return true
}

func (r *athenaReader) isHeader(row types.Row) bool {
	if len(row.Data) != len(r.columns) {
		return false
	}
	for i, d := range row.Data {
		if !strings.EqualFold(aws.ToString(d.VarCharValue), r.columns[i]) {
			return false
		}
	}
	return true
}

// athenaShape is how the columns of AWS's CloudTrail table hold the record's parts:
// requestparameters and responseelements are JSON text, resources
// array<struct<arn,accountid,type>>.
var athenaShape = rowShape{params: jsonObjectText, resources: []resourceField{
	{"arn", "ARN"}, {"accountid", "accountId"}, {"type", "type"},
}}

// record rebuilds the record of one result row. NULL cells are empty.
func (r *athenaReader) record(row types.Row) (cloudtrail.Record, string, error) {
	if len(row.Data) != len(r.columns) {
		return cloudtrail.Record{}, "", fmt.Errorf("row has %d cells for %d columns", len(row.Data), len(r.columns))
	}
	v := make(map[string]string, len(r.columns))
	for i, d := range row.Data {
		v[r.columns[i]] = aws.ToString(d.VarCharValue)
	}
	v["resources"] = v["resourcesjson"]
	eventID := v["eventid"]
	var rec cloudtrail.Record
	var err error
	if r.grouped {
		rec, err = groupRecord(v, athenaShape)
	} else {
		rec, err = rowRecord(v, athenaShape)
	}
	return rec, eventID, err
}

// callOpts are the per-call options of every Athena call, as for CloudTrail's: throttling
// is waited out for as long as ctx lasts, and a stalled attempt is abandoned and tried
// again.
func (a *Athena) callOpts() func(*athena.Options) {
	d := a.opts.aws.callTimeout
	if d <= 0 {
		d = DefaultCallTimeout
	}
	return func(co *athena.Options) {
		co.Retryer = awsretry.Wrap(co.Retryer)
		co.APIOptions = append(co.APIOptions, awsretry.AttemptTimeout(d))
	}
}
