package trailscraper_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/cloudtrail"
)

func ExampleGeneratePolicies() {
	logs := strings.NewReader(`{"Records": [
		{"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances",
		 "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111111111111:assumed-role/app/i-1",
		   "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::111111111111:role/app"}}}},
		{"eventSource": "s3.amazonaws.com", "eventName": "ListBuckets",
		 "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111111111111:user/bob"}},
		{"eventSource": "ec2.amazonaws.com", "eventName": "DescribeVolumes",
		 "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111111111111:assumed-role/app/i-2"}}
	]}`)
	pps, err := trailscraper.GeneratePolicies(cloudtrail.DecodeRecords(logs))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, pp := range pps {
		fmt.Println(pp.Principal, pp.Records, pp.Policy.Statement[0].Action)
	}
	// Output:
	// arn:aws:iam::111111111111:role/app 2 [ec2:DescribeInstances ec2:DescribeVolumes]
	// arn:aws:iam::111111111111:user/bob 1 [s3:ListAllMyBuckets]
}

func TestGeneratePoliciesErrors(t *testing.T) {
	var skipped []string
	recs := func(yield func(trailscraper.Record, error) bool) {
		_ = yield(trailscraper.Record{EventSource: "s3.amazonaws.com", EventName: "ListBuckets"}, nil) &&
			yield(trailscraper.Record{}, &trailscraper.RecordError{Index: 1, Err: errors.New("bad")}) &&
			yield(trailscraper.Record{EventSource: "s3.amazonaws.com"}, nil)
	}
	pps, err := trailscraper.GeneratePolicies(recs, trailscraper.WithSkipped(func(err error) { skipped = append(skipped, err.Error()) }))
	if err != nil {
		t.Fatal(err)
	}
	if len(pps) != 1 || pps[0].Principal != "" || pps[0].Records != 1 {
		t.Errorf("GeneratePolicies = %+v", pps)
	}
	if diff := cmp.Diff([]string{"record 1 (byte 0): bad", "record has no eventSource or eventName"}, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	stop := errors.New("stop")
	_, err = trailscraper.GeneratePolicies(func(yield func(trailscraper.Record, error) bool) { yield(trailscraper.Record{}, stop) })
	if !errors.Is(err, stop) {
		t.Errorf("GeneratePolicies error = %v, want %v", err, stop)
	}
}
