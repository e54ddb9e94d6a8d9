package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestAWSScript runs the CLI end to end on the txtar files in testdata/aws, with
// AWS_ENDPOINT_URL_CLOUDTRAIL pointing at a loopback server that speaks CloudTrail's AWS
// JSON 1.1 protocol (see fakeCloudTrail for what it holds).
func TestAWSScript(t *testing.T) {
	srv := httptest.NewServer(newFakeCloudTrail())
	t.Cleanup(srv.Close)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/aws",
		Setup: func(e *testscript.Env) error {
			fakeAWSEnv(e)
			e.Setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", srv.URL)
			e.Setenv("AWS_REGION", "us-east-1")
			return nil
		},
	})
}

// fakeCloudTrail holds, for LookupEvents, events in us-east-1 (two pages, one event with a
// CloudTrailEvent that is not JSON) and eu-west-1 (one page), and throttles every first
// attempt in us-west-2, and refuses requests signed with the access key ID AKIDEXPIRED as
// expired. For Lake, the event data store "EXAMPLE-store" has two rows; a
// query of "failing-store" fails.
type fakeCloudTrail struct {
	mu      sync.Mutex
	queries map[string]string // query ID → event data store
	grouped map[string]bool   // query IDs of grouping queries (generate)
	seen    map[string]bool   // us-west-2 requests already throttled once
}

func newFakeCloudTrail() *fakeCloudTrail {
	return &fakeCloudTrail{queries: map[string]string{}, grouped: map[string]bool{}, seen: map[string]bool{}}
}

var (
	scopeRegion = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([^/]+)/cloudtrail/`)
	fromStore   = regexp.MustCompile(`\nFROM ([A-Za-z0-9-]+)\n`)
)

func scriptEvent(id, at, source, name, extra string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2026-03-01T%sZ","eventSource":%q,"eventName":%q,"awsRegion":"us-east-1","eventID":%q%s}`,
		at, source, name, id, extra)
}

func (f *fakeCloudTrail) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, found := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "CloudTrail_20131101.")
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	if !found || json.Unmarshal(body, &in) != nil {
		http.Error(w, "not a CloudTrail request", http.StatusBadRequest)
		return
	}
	if strings.Contains(r.Header.Get("Authorization"), "Credential=AKIDEXPIRED/") {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"__type": "ExpiredTokenException", "message": "The security token included in the request is expired"})
		return
	}
	region := ""
	if m := scopeRegion.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		region = m[1]
	}
	status, out := f.answer(op, region, string(body), in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

func awsErr(code, msg string) (int, any) {
	return http.StatusBadRequest, map[string]any{"__type": code, "message": msg}
}

func (f *fakeCloudTrail) answer(op, region, body string, in map[string]any) (int, any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch op {
	case "LookupEvents":
		if region == "us-west-2" && !f.seen[body] {
			f.seen[body] = true
			return awsErr("ThrottlingException", "Rate exceeded")
		}
		token, _ := in["NextToken"].(string)
		var evs []string
		next := ""
		switch {
		case region == "us-east-1" && token == "":
			evs = []string{scriptEvent("e-3", "12:03:00", "s3.amazonaws.com", "GetObject", `,"resources":[{"ARN":"arn:aws:s3:::bucket/key","type":"AWS::S3::Object"}],"n":1e5`), `{"eventID": "broken`}
			next = "page-2"
		case region == "us-east-1" && token == "page-2":
			evs = []string{scriptEvent("e-1", "12:01:00", "iam.amazonaws.com", "ListRoles", "")}
		case region == "eu-west-1":
			evs = []string{scriptEvent("e-2", "12:02:00", "ec2.amazonaws.com", "DescribeInstances", `,"errorCode":"Client.UnauthorizedOperation"`)}
		case region == "us-west-2":
			evs = []string{scriptEvent("w-1", "12:00:30", "sqs.amazonaws.com", "ListQueues", "")}
		}
		var out []any
		for i, e := range evs {
			out = append(out, map[string]any{"EventId": fmt.Sprintf("%s-%d", region, i), "EventName": "X", "EventTime": 1772366400, "CloudTrailEvent": e})
		}
		resp := map[string]any{"Events": out}
		if next != "" {
			resp["NextToken"] = next
		}
		return http.StatusOK, resp
	case "StartQuery":
		sql, _ := in["QueryStatement"].(string)
		m := fromStore.FindStringSubmatch(sql)
		if m == nil {
			return awsErr("InvalidQueryStatementException", "no FROM")
		}
		id := fmt.Sprintf("query-%d", len(f.queries)+1)
		f.queries[id] = m[1]
		f.grouped[id] = strings.Contains(sql, "\nGROUP BY")
		return http.StatusOK, map[string]any{"QueryId": id}
	case "DescribeQuery", "GetQueryResults":
		id, _ := in["QueryId"].(string)
		store, ok := f.queries[id]
		if !ok {
			return awsErr("QueryIdNotFoundException", "no query "+id)
		}
		if store == "failing-store" {
			return http.StatusOK, map[string]any{"QueryId": id, "QueryStatus": "FAILED", "ErrorMessage": "Access denied to the event data store"}
		}
		if op == "DescribeQuery" {
			return http.StatusOK, map[string]any{"QueryId": id, "QueryStatus": "FINISHED"}
		}
		row := func(cols ...string) []any {
			if f.grouped[id] { // one group of three calls
				cols = append(cols, "eventcount", "3", "firsttime", cols[1], "lasttime", "2026-03-01 12:30:00.000")
			}
			var r []any
			for i := 0; i < len(cols); i += 2 {
				r = append(r, map[string]string{cols[i]: cols[i+1]})
			}
			return r
		}
		return http.StatusOK, map[string]any{"QueryStatus": "FINISHED", "QueryResultRows": []any{
			row("eventtime", "2026-03-01 12:00:00.000", "eventsource", "s3.amazonaws.com", "eventname", "PutObject", "eventid", "l-1",
				"uitype", "IAMUser", "uiarn", "arn:aws:iam::111122223333:user/alice", "uiusername", "alice",
				"resources", `[{"accountid":null,"type":"AWS::S3::Object","arn":"arn:aws:s3:::bucket/key","arnprefix":null}]`),
			row("eventtime", "2026-03-01 12:00:05.000", "eventsource", "sqs.amazonaws.com", "eventname", "SendMessage", "eventid", "l-2",
				"uitype", "IAMUser", "uiarn", "arn:aws:iam::111122223333:user/alice", "uiusername", "alice",
				"requestparameters", `{"queueUrl":"https://sqs.us-east-1.amazonaws.com/111122223333/q"}`),
		}}
	case "CancelQuery":
		return http.StatusOK, map[string]any{"QueryId": in["QueryId"], "QueryStatus": "CANCELLED"}
	}
	return awsErr("UnknownOperationException", op)
}
