package athenatest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/trailscraper/trailscraper/source"
)

var _ source.AthenaAPI = (*duckAthena)(nil)

// duckAthena implements the Athena API calls of the source on a DuckDB database: a query
// runs when it is started, its result is kept as strings (NULL as a missing value, as
// Athena returns it), and pages of it are served 1,000 rows at a time with the header row
// first on the first page.
type duckAthena struct {
	db            *sql.DB
	partitionKeys []string // what GetTableMetadata returns

	mu      sync.Mutex
	queries []*duckQuery
}

type duckQuery struct {
	sql     string
	err     error
	columns []string
	rows    [][]*string
}

func (d *duckAthena) StartQueryExecution(ctx context.Context, in *athena.StartQueryExecutionInput, _ ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error) {
	q := &duckQuery{sql: aws.ToString(in.QueryString)}
	q.columns, q.rows, q.err = d.run(ctx, q.sql)
	d.mu.Lock()
	d.queries = append(d.queries, q)
	id := strconv.Itoa(len(d.queries) - 1)
	d.mu.Unlock()
	return &athena.StartQueryExecutionOutput{QueryExecutionId: aws.String(id)}, nil
}

func (d *duckAthena) run(ctx context.Context, query string) ([]string, [][]*string, error) {
	rows, err := d.db.QueryContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out [][]*string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		row := make([]*string, len(cols))
		for i, v := range vals {
			if v.Valid {
				row[i] = aws.String(v.String)
			}
		}
		out = append(out, row)
	}
	return cols, out, rows.Err()
}

func (d *duckAthena) query(id *string) (*duckQuery, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	i, err := strconv.Atoi(aws.ToString(id))
	if err != nil || i < 0 || i >= len(d.queries) {
		return nil, &types.InvalidRequestException{Message: aws.String("unknown query execution")}
	}
	return d.queries[i], nil
}

func (d *duckAthena) GetQueryExecution(_ context.Context, in *athena.GetQueryExecutionInput, _ ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error) {
	q, err := d.query(in.QueryExecutionId)
	if err != nil {
		return nil, err
	}
	status := &types.QueryExecutionStatus{State: types.QueryExecutionStateSucceeded}
	if q.err != nil {
		status = &types.QueryExecutionStatus{State: types.QueryExecutionStateFailed, StateChangeReason: aws.String(q.err.Error())}
	}
	return &athena.GetQueryExecutionOutput{QueryExecution: &types.QueryExecution{
		QueryExecutionId: in.QueryExecutionId,
		Status:           status,
		Statistics:       &types.QueryExecutionStatistics{DataScannedInBytes: aws.Int64(0)},
	}}, nil
}

const pageSize = 1000

func (d *duckAthena) GetQueryResults(_ context.Context, in *athena.GetQueryResultsInput, _ ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error) {
	q, err := d.query(in.QueryExecutionId)
	if err != nil {
		return nil, err
	}
	if q.err != nil {
		return nil, &types.InvalidRequestException{Message: aws.String("query failed")}
	}
	start := 0
	if tok := aws.ToString(in.NextToken); tok != "" {
		if start, err = strconv.Atoi(tok); err != nil {
			return nil, &types.InvalidRequestException{Message: aws.String("bad token")}
		}
	}
	var rows []types.Row
	if start == 0 {
		var header types.Row
		for _, c := range q.columns {
			header.Data = append(header.Data, types.Datum{VarCharValue: aws.String(c)})
		}
		rows = append(rows, header)
	}
	end := min(start+pageSize-len(rows), len(q.rows))
	for _, r := range q.rows[start:end] {
		var row types.Row
		for _, c := range r {
			row.Data = append(row.Data, types.Datum{VarCharValue: c})
		}
		rows = append(rows, row)
	}
	info := make([]types.ColumnInfo, len(q.columns))
	for i, c := range q.columns {
		info[i] = types.ColumnInfo{Name: aws.String(c), Type: aws.String("varchar")}
	}
	out := &athena.GetQueryResultsOutput{ResultSet: &types.ResultSet{Rows: rows, ResultSetMetadata: &types.ResultSetMetadata{ColumnInfo: info}}}
	if end < len(q.rows) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (d *duckAthena) StopQueryExecution(context.Context, *athena.StopQueryExecutionInput, ...func(*athena.Options)) (*athena.StopQueryExecutionOutput, error) {
	return &athena.StopQueryExecutionOutput{}, nil
}

func (d *duckAthena) GetTableMetadata(_ context.Context, in *athena.GetTableMetadataInput, _ ...func(*athena.Options)) (*athena.GetTableMetadataOutput, error) {
	var keys []types.Column
	for _, k := range d.partitionKeys {
		keys = append(keys, types.Column{Name: aws.String(k), Type: aws.String("string")})
	}
	return &athena.GetTableMetadataOutput{TableMetadata: &types.TableMetadata{Name: in.TableName, PartitionKeys: keys}}, nil
}

// lastSQL returns the statement of the last query started.
func (d *duckAthena) lastSQL() (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.queries) == 0 {
		return "", errors.New("no query started")
	}
	q := d.queries[len(d.queries)-1]
	if q.err != nil {
		return q.sql, fmt.Errorf("DuckDB: %w", q.err)
	}
	return q.sql, nil
}

// compact makes a statement one line, for messages.
func compact(s string) string { return strings.Join(strings.Fields(s), " ") }
