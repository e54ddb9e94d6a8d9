package mapping

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/internal/testfiles"
)

// corpusRecords returns the records of ../shared/corpus/dev.jsonl (those with an eventTime
// ParseRecord rejects without it, as TestCorpusCoverage does).
func corpusRecords(t *testing.T) []cloudtrail.Record {
	t.Helper()
	f, err := os.Open(testfiles.Path(t, "corpus/dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []cloudtrail.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		line := bytes.Clone(bytes.TrimSpace(sc.Bytes()))
		r, err := cloudtrail.ParseRecord(line)
		if err != nil {
			var obj map[string]json.RawMessage
			if json.Unmarshal(line, &obj) != nil {
				continue
			}
			delete(obj, "eventTime")
			again, _ := json.Marshal(obj)
			if r, err = cloudtrail.ParseRecord(again); err != nil {
				continue
			}
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// scopedCorpus maps and scopes every record of the corpus.
func scopedCorpus(t *testing.T, strip bool) ([]cloudtrail.Record, []Mapping) {
	recs := corpusRecords(t)
	ms := make([]Mapping, len(recs))
	for i := range recs {
		r := recs[i]
		if strip {
			r.ResourceARNs = nil
		}
		ms[i] = For(&r)
		Scope(NewScoper(CallOf(&r)), &ms[i])
	}
	return recs, ms
}

// TestScopedCorpus measures, on ../shared/corpus/dev.jsonl, the share of (record, action
// with a resource type) that get a fully specific ARN (no "*" in any of them), and checks
// that every ARN written fits one of its action's ARN formats.
func TestScopedCorpus(t *testing.T) {
	recs, ms := scopedCorpus(t, false)
	var pairs, specific, star, partial, okPairs, okSpecific int
	var misfits []string
	for i := range ms {
		for _, p := range ms[i].Permissions {
			for _, r := range p.Scoped {
				if !FitsFormat(string(p.Action), r.ARN) {
					misfits = append(misfits, string(p.Action)+" "+r.ARN+" ("+recs[i].Event().String()+")")
				}
			}
			if len(typesOf(string(p.Action))) == 0 {
				continue
			}
			pairs++
			failed := recs[i].ErrorCode != ""
			if !failed {
				okPairs++
			}
			switch {
			case len(p.Scoped) == 0:
				star++
			case !slices.ContainsFunc(p.Scoped, func(r Resource) bool { return strings.Contains(r.ARN, "*") }):
				specific++
				if !failed {
					okSpecific++
				}
			default:
				partial++
				var arns []string
				for _, r := range p.Scoped {
					arns = append(arns, r.ARN+" ("+r.Origin()+")")
				}
				t.Logf("partial: %s %s: %s", recs[i].Event(), p.Action, strings.Join(arns, " "))
			}
		}
	}
	slices.Sort(misfits)
	for _, m := range slices.Compact(misfits) {
		t.Errorf("ARN fits no format of its action: %s", m)
	}
	if pairs == 0 {
		t.Fatal("no (record, action with a resource type) pair in the corpus")
	}
	t.Logf("scoped: %d (record, action with a resource type) pairs: %d fully specific (%.1f%%), %d with \"*\" inside an ARN (%.1f%%), %d \"*\" (%.1f%%)",
		pairs, specific, pct(specific, pairs), partial, pct(partial, pairs), star, pct(star, pairs))
	t.Logf("scoped, calls without errorCode: %d of %d pairs fully specific (%.1f%%)", okSpecific, okPairs, pct(okSpecific, okPairs))
}

func pct(a, b int) float64 { return 100 * float64(a) / float64(b) }

// TestScopedGroundTruth: records whose resources[] holds ARNs that fit the action, with
// resources[] removed, must rebuild the same ARNs from the request. It reports how many do
// and logs the others (go test -run TestScopedGroundTruth -v).
func TestScopedGroundTruth(t *testing.T) {
	recs, logged := scopedCorpus(t, false)
	_, rebuilt := scopedCorpus(t, true)
	var total, same, elsewhere, unnamed int
	var misses []string
	for i := range recs {
		for j, p := range logged[i].Permissions {
			if p.ruled || len(p.fromRequest) > 0 || len(p.Resources) == 0 || p.Resources[0] == "*" || j >= len(rebuilt[i].Permissions) {
				continue
			}
			q := rebuilt[i].Permissions[j]
			total++
			got := map[string]bool{}
			for _, r := range q.Scoped {
				got[r.ARN] = true
			}
			ok := true
			for _, a := range p.Resources {
				ok = ok && got[a]
			}
			if ok {
				same++
				continue
			}
			var arns []string
			for _, r := range q.Scoped {
				arns = append(arns, r.ARN)
			}
			switch {
			case slices.ContainsFunc(q.Scoped, func(r Resource) bool { return sameButContext(r.ARN, p.Resources) }):
				elsewhere++
			case slices.ContainsFunc(q.Scoped, func(r Resource) bool { return strings.Contains(r.ARN, "*") }):
				unnamed++
			}
			misses = append(misses, recs[i].Event().String()+" "+string(p.Action)+": want "+strings.Join(p.Resources, " ")+" got "+strings.Join(arns, " "))
		}
	}
	slices.Sort(misses)
	for _, m := range misses {
		t.Log("not rebuilt: " + m)
	}
	if total == 0 {
		t.Fatal("no record with resources[] ARNs in the corpus")
	}
	t.Logf("ground truth: %d of %d (record, action) with resources[] ARNs rebuilt exactly from the request (%.1f%%); of the others, %d differ only in region or account (resources[] disagrees with awsRegion/recipientAccountId), %d have a part the request does not name (\"*\")",
		same, total, pct(same, total), elsewhere, unnamed)
}

// sameButContext reports whether arn equals one of want except in the region and account
// fields.
func sameButContext(arn string, want []string) bool {
	p, _, _, _, res, ok := arnParts(arn)
	if !ok {
		return false
	}
	for _, w := range want {
		wp, _, _, _, wres, ok := arnParts(w)
		if ok && wp == p && wres == res && w != arn {
			return true
		}
	}
	return false
}
