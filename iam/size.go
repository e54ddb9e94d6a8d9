package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Size returns the size of p as IAM counts it against its quotas: the number of characters
// of the document written without white space (as [Marshal] writes it, then compacted).
// White space inside strings is counted, so the result never understates IAM's count.
func Size(p *Policy) (int, error) {
	b, err := Marshal(p)
	if err != nil {
		return 0, err
	}
	var c bytes.Buffer
	if err := json.Compact(&c, b); err != nil {
		return 0, fmt.Errorf("compacting the policy: %w", err)
	}
	return utf8.RuneCount(c.Bytes()), nil
}
