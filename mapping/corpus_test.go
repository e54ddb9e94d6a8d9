package mapping

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/internal/testfiles"

	"github.com/trailscraper/trailscraper/servicedefs"
)

// TestCorpusCoverage maps ../shared/corpus/dev.jsonl and checks that every action written
// is in the service reference, apart from services missing from the snapshot. It logs the
// coverage report (go test -run TestCorpusCoverage -v).
func TestCorpusCoverage(t *testing.T) {
	f, err := os.Open(testfiles.Path(t, "corpus/dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := NewCoverage()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	bad, fieldsIgnored := 0, 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		r, err := cloudtrail.ParseRecord(bytes.Clone(line))
		if err != nil {
			bad++
			continue
		}
		if len(r.Ignored) > 0 {
			fieldsIgnored++
		}
		c.Add(&r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	rep := c.Report()
	var b strings.Builder
	rep.WriteText(&b)
	t.Logf("corpus coverage (%d lines not records, %d records read without some fields):\n%s", bad, fieldsIgnored, b.String())
	for _, a := range rep.UnknownActions {
		if servicedefs.KnownPrefix(a.Action.Prefix()) {
			t.Errorf("written action %s is not in the service reference although its service is", a.Action)
		}
	}
	if rep.Records == 0 || rep.ByOutcome[Mapped] == 0 {
		t.Errorf("no record mapped: %+v", rep)
	}
}
