package trailscraper

import (
	"bytes"
	"errors"
	"iter"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper/access"
	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/iam"
	"github.com/trailscraper/trailscraper/mapping"
)

func records(items ...any) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for _, it := range items {
			var ok bool
			switch v := it.(type) {
			case Record:
				ok = yield(v, nil)
			case error:
				ok = yield(Record{}, v)
			}
			if !ok {
				return
			}
		}
	}
}

func TestGeneratePolicySkipsRecordErrors(t *testing.T) {
	get := Record{EventSource: "s3.amazonaws.com", EventName: "ListBuckets"}
	skip := &RecordError{Source: "f", Index: 3, Offset: -1, Err: errors.New("bad")}
	var skipped []error
	p, err := GeneratePolicy(records(skip, get, Record{EventName: "NoSource"}), WithSkipped(func(e error) { skipped = append(skipped, e) }))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Statement) != 1 || p.Statement[0].Action[0] != "s3:ListAllMyBuckets" {
		t.Errorf("policy = %+v, want s3:ListAllMyBuckets", p.Statement)
	}
	if len(skipped) != 2 || skipped[0] != error(skip) {
		t.Errorf("skipped = %v, want the record error and the record without an event source", skipped)
	}

	stop := errors.New("directory is gone")
	if _, err := GeneratePolicy(records(get, stop, get)); !errors.Is(err, stop) {
		t.Errorf("GeneratePolicy with a fatal error = %v, want %v", err, stop)
	}
}

// TestGeneratorStrict follows an action that is not in the service reference (a service
// newer than the snapshot) through the generator.
func TestGeneratorStrict(t *testing.T) {
	unknown := func(*Record) mapping.Mapping {
		return mapping.Mapping{Outcome: mapping.Unverified, Permissions: []mapping.Permission{{Action: "newservice:DoThing", Resources: []string{"*"}, Rule: "unverified-service"}}}
	}
	r := Record{EventSource: "newservice.amazonaws.com", EventName: "DoThing"}
	g := NewGenerator(WithStrict())
	g.mapper = unknown
	g.Add(&r)
	var ue *UnknownActionsError
	if _, err := g.Policy(); !errors.As(err, &ue) || !cmp.Equal(ue.Actions, []iam.Action{"newservice:DoThing"}) {
		t.Errorf("strict Policy() error = %v, want one naming newservice:DoThing", err)
	}
	var logs bytes.Buffer
	g = NewGenerator(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	g.mapper = unknown
	g.Add(&r)
	if p, err := g.Policy(); err != nil || len(p.Statement) != 1 {
		t.Errorf("Policy() = %v, %v, want the action written", p, err)
	}
	if !strings.Contains(logs.String(), "newservice:DoThing") {
		t.Errorf("no warning naming the unknown action; logs:\n%s", logs.String())
	}
}

func TestGeneratorWeightsAndTimes(t *testing.T) {
	t0 := time.Date(2017, 12, 11, 15, 0, 0, 0, time.UTC)
	g := NewGenerator()
	one := Record{EventSource: "s3.amazonaws.com", EventName: "ListBuckets", EventTime: t0.Add(time.Hour)}
	group := Record{EventSource: "s3.amazonaws.com", EventName: "ListBuckets", EventTime: t0, LastTime: t0.Add(2 * time.Hour), Count: 5}
	unmapped := Record{EventSource: "s3.amazonaws.com", EventName: "NoSuchOperation", Count: 3}
	if err := g.AddAll(records(one, group, unmapped)); err != nil {
		t.Fatal(err)
	}
	exps := g.Explain()
	if len(exps) != 1 {
		t.Fatalf("Explain() = %v, want one action", exps)
	}
	e := exps[0]
	if e.Count != 6 || !e.FirstSeen.Equal(t0) || !e.LastSeen.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("Explain()[0] = count %d, %v..%v; want 6, %v..%v", e.Count, e.FirstSeen, e.LastSeen, t0, t0.Add(2*time.Hour))
	}
	if got := g.Unmapped()[cloudtrail.Event{Source: "s3.amazonaws.com", Name: "NoSuchOperation"}]; got != 3 {
		t.Errorf("Unmapped() count = %d, want 3", got)
	}
}

func TestGeneratorUses(t *testing.T) {
	t0 := time.Date(2017, 12, 11, 15, 0, 0, 0, time.UTC)
	g := NewGenerator()
	get := Record{EventSource: "kms.amazonaws.com", EventName: "Decrypt", EventTime: t0, Count: 2,
		ResourceARNs: []string{"arn:aws:kms:eu-west-1:111111111111:key/k"}}
	if err := g.AddAll(records(get)); err != nil {
		t.Fatal(err)
	}
	uses, err := g.Uses()
	if err != nil {
		t.Fatal(err)
	}
	want := []access.Use{{Action: "kms:Decrypt", Count: 2, FirstSeen: t0, LastSeen: t0, Resources: []string{"arn:aws:kms:eu-west-1:111111111111:key/k"}}}
	if diff := cmp.Diff(want, uses); diff != "" {
		t.Errorf("Uses() (-want +got):\n%s", diff)
	}
}
