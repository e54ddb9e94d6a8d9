package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestAthenaScript runs the CLI end to end on the txtar files in testdata/athena, with
// AWS_ENDPOINT_URL_ATHENA pointing at a loopback server that speaks Athena's AWS JSON 1.1
// protocol (see fakeAthena for what it holds).
func TestAthenaScript(t *testing.T) {
	srv := httptest.NewServer(&fakeAthena{states: map[string]int{}})
	t.Cleanup(srv.Close)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/athena",
		Setup: func(e *testscript.Env) error {
			fakeAWSEnv(e)
			e.Setenv("AWS_ENDPOINT_URL_ATHENA", srv.URL)
			e.Setenv("AWS_REGION", "eu-west-1")
			return nil
		},
	})
}

// fakeAthena holds the table cloudtrail.logs, partitioned as an organisation trail with
// projection (account, region, timestamp), and the unpartitioned table cloudtrail.flat.
// The first query goes QUEUED, SUCCEEDED, the others succeed at once; every
// query scanned 1.5 GiB; a query of cloudtrail.broken fails. Its results come one row a page, with the header row on the
// first page; the first GetQueryResults call of each query is throttled.
type fakeAthena struct {
	mu      sync.Mutex
	queries []string       // SQL by query number
	states  map[string]int // GetQueryExecution and GetQueryResults calls by query ID and op
}

func (f *fakeAthena) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, found := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonAthena.")
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	if !found || json.Unmarshal(body, &in) != nil {
		http.Error(w, "not an Athena request", http.StatusBadRequest)
		return
	}
	status, out := f.answer(op, in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

func (f *fakeAthena) answer(op string, in map[string]any) (int, any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, _ := in["QueryExecutionId"].(string)
	var sql string
	var n int
	if op == "GetQueryExecution" || op == "GetQueryResults" || op == "StopQueryExecution" {
		if _, err := fmt.Sscanf(id, "q-%d", &n); err != nil || n < 1 || n > len(f.queries) {
			return awsErr("InvalidRequestException", "QueryExecution "+id+" was not found")
		}
		sql = f.queries[n-1]
	}
	switch op {
	case "GetTableMetadata":
		var keys []any
		switch in["TableName"] {
		case "logs":
			for _, k := range []string{"account", "region", "timestamp"} {
				keys = append(keys, map[string]any{"Name": k, "Type": "string"})
			}
		case "flat":
		default:
			return awsErr("MetadataException", fmt.Sprintf("Table %v not found", in["TableName"]))
		}
		return http.StatusOK, map[string]any{"TableMetadata": map[string]any{"Name": in["TableName"], "PartitionKeys": keys}}
	case "StartQueryExecution":
		q, _ := in["QueryString"].(string)
		if ctx, _ := in["QueryExecutionContext"].(map[string]any); ctx["Database"] != "cloudtrail" {
			return awsErr("InvalidRequestException", "no database context")
		}
		f.queries = append(f.queries, q)
		return http.StatusOK, map[string]any{"QueryExecutionId": fmt.Sprintf("q-%d", len(f.queries))}
	case "GetQueryExecution":
		calls := f.states[id+op]
		f.states[id+op]++
		status := map[string]any{"State": "SUCCEEDED"}
		if n == 1 { // the first query waits in the queue first
			status["State"] = []string{"QUEUED", "SUCCEEDED"}[min(calls, 1)]
		}
		if strings.Contains(sql, `"broken"`) {
			status = map[string]any{"State": "FAILED", "StateChangeReason": "HIVE_BAD_DATA: Error parsing field value"}
		}
		return http.StatusOK, map[string]any{"QueryExecution": map[string]any{
			"QueryExecutionId": id, "Status": status,
			"Statistics": map[string]any{"DataScannedInBytes": 3 << 29},
		}}
	case "GetQueryResults":
		calls := f.states[id+op]
		f.states[id+op]++
		if calls == 0 {
			return awsErr("ThrottlingException", "Rate exceeded")
		}
		return http.StatusOK, athenaPage(sql, in)
	case "StopQueryExecution":
		return http.StatusOK, map[string]any{}
	}
	return awsErr("UnknownOperationException", op)
}

// athenaPage answers GetQueryResults for sql: two calls, as rows or as groups of three.
func athenaPage(sql string, in map[string]any) map[string]any {
	grouped := strings.Contains(sql, "\nGROUP BY")
	cols := []string{"eventtime", "eventsource", "eventname", "eventid", "uitype", "uiarn", "uiusername", "requestparameters", "resourcesjson", "errorcode"}
	if grouped {
		cols = []string{"firsttime", "eventsource", "eventname", "eventcount", "uitype", "uiarn", "uiusername", "requestparameters", "resourcesjson", "errorcode", "lasttime"}
	}
	rows := [][]any{
		{"2026-03-01T12:00:00Z", "s3.amazonaws.com", "PutObject", "a-1", "IAMUser", "arn:aws:iam::111122223333:user/alice", "alice",
			`{"bucketName":"bucket","key":"key"}`, `[{"arn":"arn:aws:s3:::bucket/key","accountid":null,"type":"AWS::S3::Object"}]`, nil},
		{"2026-03-01T12:00:05Z", "sqs.amazonaws.com", "SendMessage", "a-2", "IAMUser", "arn:aws:iam::111122223333:user/alice", "alice",
			`{"queueUrl":"https://sqs.us-east-1.amazonaws.com/111122223333/q"}`, nil, nil},
	}
	page := 0
	if tok, _ := in["NextToken"].(string); tok != "" {
		fmt.Sscanf(tok, "page-%d", &page)
	}
	var out []any
	cell := func(v any) map[string]any {
		if v == nil {
			return map[string]any{} // NULL
		}
		return map[string]any{"VarCharValue": v}
	}
	if page == 0 {
		var header []any
		for _, c := range cols {
			header = append(header, cell(c))
		}
		out = append(out, map[string]any{"Data": header})
	}
	row := rows[page]
	if grouped {
		row[3] = "3"
		row = append(row, "2026-03-01T12:30:00Z")
	}
	var data []any
	for _, v := range row {
		data = append(data, cell(v))
	}
	out = append(out, map[string]any{"Data": data})
	var info []any
	for _, c := range cols {
		info = append(info, map[string]any{"Name": c, "Type": "varchar"})
	}
	resp := map[string]any{"ResultSet": map[string]any{"Rows": out, "ResultSetMetadata": map[string]any{"ColumnInfo": info}}}
	if page+1 < len(rows) {
		resp["NextToken"] = fmt.Sprintf("page-%d", page+1)
	}
	return resp
}
