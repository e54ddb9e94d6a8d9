package mapping

import "strings"

// Index holds the ARNs seen in a run, so that an ARN built from a bare name (an IAM user
// without its path, a secret without its random suffix) can be replaced by the real one.
// It keeps at most its limit of entries; a name two ARNs share resolves to neither.
type Index struct {
	m     map[string]string // key → full ARN, "" when ambiguous
	limit int
}

// NewIndex returns an empty index that keeps at most limit ARNs.
func NewIndex(limit int) *Index { return &Index{m: map[string]string{}, limit: limit} }

// indexKey returns the name under which an ARN is indexed: the account, the resource type
// and the name without an IAM path or a secret's suffix. assumed says the ARN was built
// from a bare name (its suffix is "-??????").
func indexKey(arn string) (string, bool) {
	_, svc, region, account, res, ok := arnParts(arn)
	if !ok {
		return "", false
	}
	switch svc {
	case "iam":
		typ, rest, ok := strings.Cut(res, "/")
		if !ok || rest == "" {
			return "", false
		}
		return "iam|" + account + "|" + typ + "|" + rest[strings.LastIndexByte(rest, '/')+1:], true
	case "secretsmanager":
		name, ok := strings.CutPrefix(res, "secret:")
		if !ok || len(name) < 8 || name[len(name)-7] != '-' {
			return "", false
		}
		return "secretsmanager|" + region + "|" + account + "|" + name[:len(name)-7], true
	}
	return "", false
}

// Add records an ARN seen in the run (in resources[], a request or a response).
func (x *Index) Add(arn string) {
	if strings.ContainsAny(arn, "*?") {
		return
	}
	k, ok := indexKey(arn)
	if !ok {
		return
	}
	if old, seen := x.m[k]; seen {
		if old != arn {
			x.m[k] = ""
		}
		return
	}
	if len(x.m) < x.limit {
		x.m[k] = arn
	}
}

// Resolve returns the ARN seen in the run that an assumed ARN stands for, if exactly one
// was seen.
func (x *Index) Resolve(assumed string) (string, bool) {
	k, ok := indexKey(assumed)
	if !ok {
		return "", false
	}
	full := x.m[k]
	return full, full != "" && full != assumed
}

// Len returns the number of names indexed.
func (x *Index) Len() int { return len(x.m) }

// SeenARNs calls fn for every whole ARN the call names in resources[] and the request, for
// a run-wide [Index]. ARNs of the response are left out: a created resource's ARN holds
// parts AWS generated (a secret's suffix), which the next run would not reproduce.
func (s *Scoper) SeenARNs(fn func(arn string)) {
	s.parse()
	for _, w := range s.whole {
		fn(w.arn)
	}
}
