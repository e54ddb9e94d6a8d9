package lint_test

import (
	"bufio"
	"bytes"
	"context"
	"iter"
	"path/filepath"
	"testing"
	"time"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/cloudtrail"
	"github.com/trailscraper/trailscraper/internal/testfiles"
	"github.com/trailscraper/trailscraper/lint"
	"github.com/trailscraper/trailscraper/source"
)

// TestGeneratedPolicies lints the policies generate writes for the development corpus and
// for examples/logs: they must have no error findings. Other findings are logged; the
// known ones are iam:PassRole on "*" for calls that name an instance profile or a role by
// name only (ec2 RunInstances, batch CreateComputeEnvironment, iam
// AddRoleToInstanceProfile), where the role ARN cannot be known from the record.
func TestGeneratedPolicies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		records func(t *testing.T) iter.Seq2[trailscraper.Record, error]
	}{
		{"corpus", func(t *testing.T) iter.Seq2[trailscraper.Record, error] {
			data := testfiles.Read(t, "corpus/dev.jsonl")
			return func(yield func(trailscraper.Record, error) bool) {
				sc := bufio.NewScanner(bytes.NewReader(data))
				sc.Buffer(nil, 16<<20)
				for sc.Scan() {
					if len(bytes.TrimSpace(sc.Bytes())) == 0 {
						continue
					}
					r, err := cloudtrail.ParseRecord(sc.Bytes())
					if err != nil {
						continue // the corpus holds a few bad records on purpose
					}
					if !yield(r, nil) {
						return
					}
				}
			}
		}},
		{"examples/logs", func(t *testing.T) iter.Seq2[trailscraper.Record, error] {
			return source.NewDir(filepath.Join("..", "examples", "logs")).Records(context.Background(), time.Time{}, time.Now())
		}},
	} {
		for _, mode := range []trailscraper.ResourceMode{trailscraper.ResourcesLogged, trailscraper.ResourcesScoped, trailscraper.ResourcesStar} {
			t.Run(tc.name+"/"+mode.String(), func(t *testing.T) {
				p, err := trailscraper.GeneratePolicy(tc.records(t), trailscraper.WithSkipped(func(error) {}), trailscraper.WithResources(mode))
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%d statements", len(p.Statement))
				for _, f := range lint.Check(p) {
					if f.Severity == lint.Error {
						t.Errorf("%s", f)
					} else {
						t.Logf("%s", f)
					}
				}
			})
		}
	}
}
