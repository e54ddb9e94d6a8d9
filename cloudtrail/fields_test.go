package cloudtrail

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeFields checks that a decoder asked for some fields fills only those (and Raw),
// and yields or skips the same records as one that reads every field: skipped values are
// still checked.
func TestDecodeFields(t *testing.T) {
	in := `{"Records":[{"eventTime":"2017-12-11T15:04:51Z","eventName":"A","userIdentity":{"arn":"u"},"resources":"x"},` +
		`{"eventName":"B","requestParameters":{"a":[1,{"b":null}]},"eventTime":"2017-12-11T15:04:52Z"},` +
		`{"eventName":"C","x":tru}]}`
	type got struct {
		Names   []string
		Times   []time.Time
		ARNs    []string
		Ignored int
		Errs    []string
	}
	read := func(opts ...DecodeOption) got {
		var g got
		for r, err := range DecodeRecords(strings.NewReader(in), opts...) {
			if err != nil {
				g.Errs = append(g.Errs, err.Error())
				continue
			}
			if !strings.HasPrefix(string(r.Raw), `{"event`) {
				t.Errorf("Raw = %s, want the record's bytes", r.Raw)
			}
			g.Names = append(g.Names, r.EventName)
			g.Times = append(g.Times, r.EventTime)
			g.ARNs = append(g.ARNs, r.UserIdentity.ARN)
			g.Ignored += len(r.Ignored)
		}
		return g
	}
	t1, t2 := time.Date(2017, 12, 11, 15, 4, 51, 0, time.UTC), time.Date(2017, 12, 11, 15, 4, 52, 0, time.UTC)
	errs := []string{"byte 223: record 2: invalid JSON: invalid literal"}
	all := got{Names: []string{"A", "B"}, Times: []time.Time{t1, t2}, ARNs: []string{"u", ""}, Ignored: 1, Errs: errs}
	if diff := cmp.Diff(all, read()); diff != "" {
		t.Errorf("all fields (-want +got):\n%s", diff)
	}
	timeOnly := got{Names: []string{"", ""}, Times: []time.Time{t1, t2}, ARNs: []string{"", ""}, Errs: errs}
	for _, workers := range []int{1, 2} {
		if diff := cmp.Diff(timeOnly, read(WithFields(FieldEventTime), WithWorkers(workers))); diff != "" {
			t.Errorf("eventTime only, %d workers (-want +got):\n%s", workers, diff)
		}
	}
}

func TestFilterFields(t *testing.T) {
	tests := []struct {
		name string
		f    Filter
		want Fields
	}{
		{"none", Filter{}, 0},
		{"window", Filter{From: time.Unix(1, 0)}, FieldEventTime},
		{"principals", Filter{Principals: []string{"*"}}, FieldUserIdentity},
		{"roles", Filter{AssumedRoleARNs: []string{"r"}}, FieldUserIdentity},
		{"sources and errors", Filter{EventSources: []string{"s3.amazonaws.com"}, Errors: ErrorsOnly}, FieldEvent | FieldErrorCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Fields(); got != tt.want {
				t.Errorf("Fields() = %b, want %b", got, tt.want)
			}
		})
	}
}
