package mapping

import (
	"fmt"
	"strings"
	"testing"
)

func TestTmpAll(t *testing.T) {
	recs, ms := scopedCorpus(t, true)
	seen := map[string]bool{}
	for i := range ms {
		for _, p := range ms[i].Permissions {
			if len(p.Scoped) == 0 || seen[string(p.Action)] {
				continue
			}
			seen[string(p.Action)] = true
			var a []string
			for _, r := range p.Scoped {
				a = append(a, r.ARN+"<"+r.Origin()+">")
			}
			rq := string(recs[i].RequestParameters)
			if len(rq) > 150 {
				rq = rq[:150]
			}
			fmt.Println(string(p.Action), strings.Join(a, " "), "|", rq)
		}
	}
}
