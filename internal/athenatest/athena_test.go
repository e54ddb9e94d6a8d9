package athenatest

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/source"
)

var corpus = flag.String("corpus", "", "a directory of CloudTrail log files (AWSLogs/…) to check and measure besides examples/logs, e.g. one written by internal/gencorpus")

const table = "cloudtrail_db.cloudtrail_logs"

func TestExampleLogs(t *testing.T) { checkDir(t, "../../examples/logs") }

func TestCorpus(t *testing.T) {
	if *corpus == "" {
		t.Skip("no -corpus directory")
	}
	checkDir(t, *corpus)
}

// devCorpus is the shared corpus of real CloudTrail records, one a line, when it is there.
const devCorpus = "../../../shared/corpus/dev.jsonl"

func TestDevCorpus(t *testing.T) {
	if _, err := os.Stat(devCorpus); err != nil {
		t.Skipf("no %s", devCorpus)
	}
	recs, err := readJSONL(devCorpus)
	if err != nil {
		t.Fatal(err)
	}
	var all []trailscraper.Record
	var usable []logRecord
	for i, lr := range recs {
		// The corpus redacts event IDs, so that many records share one; the rows query
		// drops an event with the eventID of the row before it (a duplicate delivery, in
		// real logs). Give each record an ID of its own.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(lr.raw, &m); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		m["eventID"] = json.RawMessage(fmt.Sprintf(`"dev-%d"`, i))
		if lr.raw, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
		r, err := cloudtrail.ParseRecord(lr.raw)
		if err != nil {
			// The log directory source skips such a record with a warning; leave it out.
			t.Logf("record %d left out: %v", i, err)
			continue
		}
		if len(r.Ignored) > 0 {
			// A field of the wrong type (resources as a string) cannot be a column of
			// the table's documented type; the reader ignores the field, Athena's
			// SerDe the row. Leave it out rather than compare different things.
			t.Logf("record %d left out: %v", i, r.Ignored)
			continue
		}
		all = append(all, r)
		usable = append(usable, lr)
	}
	check(t, devCorpus, usable, all)
}

// checkDir checks the log files under dir against what the directory source reads.
func checkDir(t *testing.T, dir string) {
	recs, err := readLogDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var all []trailscraper.Record
	for r, err := range source.NewDir(dir).Records(t.Context(), time.Time{}, time.Time{}) {
		if err != nil {
			t.Fatalf("reading %s: %v", dir, err)
		}
		all = append(all, r)
	}
	check(t, dir, recs, all)
}

// check loads recs into DuckDB and, for several windows, filters and partition layouts,
// compares what the Athena source makes of the table with all, the same records read
// without Athena: the same records, and the same policy and explanations whether the
// records come one by one or aggregated in groups.
func check(t *testing.T, dir string, recs []logRecord, all []trailscraper.Record) {
	ctx := t.Context()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: the macros live in it
	for _, m := range trinoMacros {
		if _, err := db.ExecContext(ctx, m); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
	if err := loadRecords(ctx, db, recs, "cloudtrail_db", "cloudtrail_logs"); err != nil {
		t.Fatal(err)
	}
	if len(all) != len(recs) || len(all) == 0 {
		t.Fatalf("%d records read, %d loaded", len(all), len(recs))
	}
	var times []time.Time // of the records that have one
	roles := map[string]int{}
	for _, r := range all {
		if !r.EventTime.IsZero() {
			times = append(times, r.EventTime)
		}
		if r.UserIdentity.Type == "AssumedRole" && r.UserIdentity.SessionIssuerARN != "" {
			roles[r.UserIdentity.SessionIssuerARN]++
		}
	}
	var role string
	for arn, n := range roles {
		if role == "" || n > roles[role] || (n == roles[role] && arn < role) {
			role = arn
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	first, last := times[0], times[len(times)-1]
	mid, midEnd := times[len(times)/4], times[3*len(times)/4] // the middle half of the records
	classic := []string{"region", "year", "month", "day"}
	orgProjection := []string{"account", "region", "timestamp"}
	orgClassic := []string{"account", "region", "year", "month", "day"}
	tests := []struct {
		name     string
		keys     []string
		from, to time.Time
		filter   cloudtrail.Filter
	}{
		{name: "everything, unpartitioned"},
		{name: "everything, organisation projection", keys: orgProjection},
		{name: "whole span, classic", keys: classic, from: first, to: last},
		{name: "middle half, organisation projection", keys: orgProjection, from: mid, to: midEnd},
		{name: "middle half, organisation year/month/day", keys: orgClassic, from: mid, to: midEnd},
		{name: "from the middle on", keys: []string{"timestamp"}, from: mid},
		{name: "up to the middle", keys: classic, to: mid},
		{name: "first second", keys: orgProjection, from: first, to: first},
		{name: "without errors", keys: orgProjection, filter: cloudtrail.Filter{Errors: cloudtrail.ErrorsExclude}},
		{name: "errors only", keys: orgProjection, filter: cloudtrail.Filter{Errors: cloudtrail.ErrorsOnly}},
		{name: "event sources", keys: orgProjection, filter: cloudtrail.Filter{EventSources: []string{"s3.amazonaws.com", "ec2.*", "iam.amazonaws.com"}}},
		{name: "principals", keys: orgProjection, filter: cloudtrail.Filter{Principals: []string{"*:user/*", "*assumed-role/*"}}},
		{name: "assumed role", keys: orgProjection, filter: cloudtrail.Filter{AssumedRoleARNs: []string{role, "arn:aws:iam::111122223333:role/o'brien"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.filter
			want.From, want.To = tt.from, tt.to
			var matched []trailscraper.Record
			for _, r := range all {
				if want.Match(&r) {
					matched = append(matched, r)
				}
			}
			duck := &duckAthena{db: db, partitionKeys: tt.keys}
			src, err := source.NewAthena(duck, table, source.WithFilter(tt.filter), source.WithPollInterval(time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			for _, mode := range []trailscraper.ResourceMode{trailscraper.ResourcesLogged, trailscraper.ResourcesScoped} {
				opt := trailscraper.WithResources(mode)
				rows, rowGen := collect(t, ctx, duck, src.Records(ctx, tt.from, tt.to), opt)
				groups, groupGen := collect(t, ctx, duck, src.Groups(ctx, tt.from, tt.to), opt)
				dirGen := trailscraper.NewGenerator(opt)
				for _, r := range matched {
					dirGen.Add(&r)
				}
				calls := 0
				for _, g := range groups {
					calls += g.Count
				}
				if mode == trailscraper.ResourcesLogged {
					t.Logf("%s: %d of %d records match; the rows query returns %d rows, the grouping query %d groups (%.1f records a group)",
						dir, len(matched), len(all), len(rows), len(groups), float64(len(matched))/max(float64(len(groups)), 1))
				}
				if len(rows) != len(matched) || calls != len(matched) {
					t.Errorf("%d records match, the rows query returned %d, the groups count %d calls", len(matched), len(rows), calls)
				}
				if len(matched) == 0 && tt.filter.Errors != cloudtrail.ErrorsOnly {
					t.Errorf("no record matches: the case tests nothing")
				}
				wantPolicy := policyJSON(t, dirGen)
				if diff := cmp.Diff(wantPolicy, policyJSON(t, rowGen)); diff != "" {
					t.Errorf("%s: policy from the rows (-log files +Athena):\n%s", mode, diff)
				}
				if diff := cmp.Diff(wantPolicy, policyJSON(t, groupGen)); diff != "" {
					t.Errorf("%s: policy from the groups (-log files +Athena):\n%s", mode, diff)
				}
				if diff := cmp.Diff(dirGen.Explain(), groupGen.Explain()); diff != "" {
					t.Errorf("%s: explanations from the groups (-log files +Athena):\n%s", mode, diff)
				}
				if diff := cmp.Diff(dirGen.Unmapped(), groupGen.Unmapped()); diff != "" {
					t.Errorf("%s: unmapped events from the groups (-log files +Athena):\n%s", mode, diff)
				}
				if mode != trailscraper.ResourcesLogged {
					continue
				}
				// The rows rebuilt from the columns are the same calls as the log files'.
				if diff := cmp.Diff(callKeys(matched), callKeys(rows)); diff != "" {
					t.Errorf("records (-log files +Athena rows):\n%s", diff)
				}
			}
		})
	}
}

// collect runs a query of the source and adds its records to a generator.
func collect(t *testing.T, ctx context.Context, duck *duckAthena, seq func(func(trailscraper.Record, error) bool), opts ...trailscraper.Option) ([]trailscraper.Record, *trailscraper.Generator) {
	t.Helper()
	g := trailscraper.NewGenerator(opts...)
	var recs []trailscraper.Record
	for r, err := range seq {
		if err != nil {
			q, qerr := duck.lastSQL()
			t.Fatalf("%v (%v)\n%s", err, qerr, q)
		}
		g.Add(&r)
		recs = append(recs, r)
	}
	if _, err := duck.lastSQL(); err != nil {
		t.Fatal(err)
	}
	return recs, g
}

func policyJSON(t *testing.T, g *trailscraper.Generator) string {
	t.Helper()
	p, err := g.Policy()
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(p, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// callKeys describes each record by what the mapping reads, sorted, to compare the records
// of two sources whatever their order.
func callKeys(recs []trailscraper.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		var params, response any
		_ = json.Unmarshal(r.RequestParameters, &params)
		_ = json.Unmarshal(r.ResponseElements, &response)
		p, _ := json.Marshal(params)
		e, _ := json.Marshal(response)
		out[i] = fmt.Sprintf("%s %s %s %s %s %s %s %v %+v %s %s", r.EventTime.Format(time.RFC3339), r.EventSource, r.EventName,
			r.EventType, r.AWSRegion, r.ErrorCode, r.RecipientAccountID, r.ResourceARNs, r.UserIdentity, p, e)
	}
	slices.Sort(out)
	return out
}
