package source

import (
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
)

// The X-Amz-Target values of the Athena operations, as the SDK's serializers write them.
const (
	athenaPrefix      = "AmazonAthena."
	opStartExecution  = "StartQueryExecution"
	opGetExecution    = "GetQueryExecution"
	opGetAthenaResult = "GetQueryResults"
	opStopExecution   = "StopQueryExecution"
	opTableMetadata   = "GetTableMetadata"
)

// fakeAthena is the state of one Athena query execution that the fake runs: it goes
// through states (QUEUED ↔ RUNNING, then SUCCEEDED, FAILED or CANCELLED; the last one
// repeats), and its results are served pageSize rows a page, with the header row first on
// the first page. A StopQueryExecution call makes the query CANCELLED.
type fakeAthena struct {
	states   []string
	reason   string      // StateChangeReason of FAILED and CANCELLED
	scanned  int64       // DataScannedInBytes
	columns  []string    // result column names
	rows     [][]*string // result rows; nil cells are NULL
	pageSize int
	// throttle is how many calls of each operation are answered with
	// ThrottlingException before the fake answers them.
	throttle map[string]int
	// repeatToken makes every page after the first carry the same NextToken.
	repeatToken bool
	// partitionKeys and parameters are what GetTableMetadata returns.
	partitionKeys []string
	parameters    map[string]string

	mu      sync.Mutex
	stopped bool
	polls   int
}

func (fa *fakeAthena) handle(c fakeCall, n int) fakeResponse {
	fa.mu.Lock()
	defer fa.mu.Unlock()
	if n < fa.throttle[c.Op] {
		return awsError("ThrottlingException", "Rate exceeded")
	}
	switch c.Op {
	case opStartExecution:
		if q, _ := c.Body["QueryString"].(string); q == "" {
			return awsError("InvalidRequestException", "QueryString is required")
		}
		return ok(map[string]any{"QueryExecutionId": "qe-1"})
	case opGetExecution:
		if c.Body["QueryExecutionId"] != "qe-1" {
			return awsError("InvalidRequestException", "unknown query execution")
		}
		state := fa.states[min(fa.polls, len(fa.states)-1)]
		fa.polls++
		if fa.stopped {
			state = "CANCELLED"
		}
		status := map[string]any{"State": state}
		if state == "FAILED" || state == "CANCELLED" {
			if fa.reason != "" {
				status["StateChangeReason"] = fa.reason
			}
		}
		return ok(map[string]any{"QueryExecution": map[string]any{
			"QueryExecutionId": "qe-1",
			"Status":           status,
			"Statistics":       map[string]any{"DataScannedInBytes": fa.scanned},
		}})
	case opGetAthenaResult:
		if mr, _ := c.Body["MaxResults"].(float64); mr != 1000 {
			return awsError("InvalidRequestException", "MaxResults must be 1000 here")
		}
		page := 0
		if tok, _ := c.Body["NextToken"].(string); tok != "" {
			p, err := strconv.Atoi(tok[len("page-"):])
			if err != nil {
				return awsError("InvalidRequestException", "bad token")
			}
			page = p
		}
		size := max(fa.pageSize, 1)
		var rows []any
		if page == 0 {
			var header []any
			for _, c := range fa.columns {
				header = append(header, map[string]any{"VarCharValue": c})
			}
			rows = append(rows, map[string]any{"Data": header})
		}
		start := page * size
		for _, r := range fa.rows[min(start, len(fa.rows)):min(start+size, len(fa.rows))] {
			var data []any
			for _, cell := range r {
				if cell == nil {
					data = append(data, map[string]any{})
				} else {
					data = append(data, map[string]any{"VarCharValue": *cell})
				}
			}
			rows = append(rows, map[string]any{"Data": data})
		}
		var info []any
		for _, c := range fa.columns {
			info = append(info, map[string]any{"Name": c, "Type": "varchar"})
		}
		body := map[string]any{"ResultSet": map[string]any{"Rows": rows, "ResultSetMetadata": map[string]any{"ColumnInfo": info}}}
		switch {
		case fa.repeatToken && page > 0:
			body["NextToken"] = "page-" + strconv.Itoa(page)
		case start+size < len(fa.rows):
			body["NextToken"] = "page-" + strconv.Itoa(page+1)
		}
		return ok(body)
	case opStopExecution:
		fa.stopped = true
		return ok(map[string]any{})
	case opTableMetadata:
		var keys []any
		for _, k := range fa.partitionKeys {
			keys = append(keys, map[string]any{"Name": k, "Type": "string"})
		}
		return ok(map[string]any{"TableMetadata": map[string]any{
			"Name":          c.Body["TableName"],
			"PartitionKeys": keys,
			"Parameters":    fa.parameters,
		}})
	}
	return awsError("UnsupportedOperationException", c.Op)
}

// serve starts the fake and returns it with a real SDK Athena client for it, whose own
// retryer makes one attempt (so that throttling reaches the source).
func (fa *fakeAthena) serve(t testing.TB) (*fakeCloudTrail, *athena.Client) {
	f := newFakeAWS(t, athenaPrefix, fa.handle)
	return f, fa.client(f)
}

// client returns a real SDK Athena client for the fake f.
func (fa *fakeAthena) client(f *fakeCloudTrail) *athena.Client {
	return athena.New(athena.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(f.srv.URL),
		Credentials:  testCredentials,
		HTTPClient:   f.srv.Client(),
		Retryer:      fastRetryer(1),
	})
}

// cells turns strings into a result row; "\x00" stands for NULL.
func cells(vals ...string) []*string {
	out := make([]*string, len(vals))
	for i, v := range vals {
		if v != "\x00" {
			out[i] = aws.String(v)
		}
	}
	return out
}
