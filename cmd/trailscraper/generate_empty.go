package main

import (
	"fmt"
	"iter"
	"log/slog"

	"github.com/trailscraper/trailscraper"
)

// counting passes records through and counts, in *n, those that are not errors.
func counting(recs iter.Seq2[trailscraper.Record, error], n *int) iter.Seq2[trailscraper.Record, error] {
	return func(yield func(trailscraper.Record, error) bool) {
		for r, err := range recs {
			if err == nil {
				*n++
			}
			if !yield(r, err) {
				return
			}
		}
	}
}

// warnEmptyPolicy says why generate ends with no statement: no record was read (as select
// says it), or none of the records read needed a permission. It still prints the empty
// policy and exits 0, as the original did, but IAM rejects a policy without a statement.
func warnEmptyPolicy(log *slog.Logger, records int) {
	if records == 0 {
		log.Warn(noRecordsHint)
	} else {
		log.Warn(fmt.Sprintf("none of the %d records read needs an IAM permission", records))
	}
	log.Warn("the policy has no statement; IAM does not accept it as it is")
}
