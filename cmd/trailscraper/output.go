package main

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/trailscraper/trailscraper"
	"github.com/trailscraper/trailscraper/iam"
)

// writePolicy prints p as the original tool did: 4-space indentation, sorted keys, a
// trailing newline.
func writePolicy(w io.Writer, p *iam.Policy) error {
	b, err := iam.Marshal(p)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// writeExplanation prints, for each action, the events that needed it and the rules that
// decided.
func writeExplanation(w io.Writer, exps []trailscraper.Explanation) error {
	bw := bufio.NewWriter(w)
	for _, e := range exps {
		fmt.Fprintf(bw, "%s", e.Action)
		if !e.Known {
			fmt.Fprint(bw, "  (not in the AWS service reference)")
		}
		fmt.Fprintln(bw)
		for _, k := range slices.Sorted(maps.Keys(e.Rules)) {
			fmt.Fprintf(bw, "    rule   %s (%d)\n", k, e.Rules[k])
		}
		for _, k := range slices.Sorted(maps.Keys(e.Events)) {
			fmt.Fprintf(bw, "    event  %s (%d)\n", k, e.Events[k])
		}
		for _, k := range slices.Sorted(maps.Keys(e.ResourceSources)) {
			fmt.Fprintf(bw, "    arn    %s (%s)\n", k, e.ResourceSources[k])
		}
	}
	return bw.Flush()
}
