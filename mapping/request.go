package mapping

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// request gives the mapping rules a look at a record's requestParameters. It decodes the
// JSON only when a rule asks, and at most once.
type request struct {
	raw     json.RawMessage
	lower   []byte // raw in lower case, for cheap "is it mentioned at all" checks
	decoded bool
	v       any
}

// mentions reports whether the lower-case text s occurs anywhere in the raw parameters.
// It is a cheap test before decoding: false means no key or value contains s.
func (q *request) mentions(s string) bool {
	if len(q.raw) == 0 {
		return false
	}
	if q.lower == nil {
		q.lower = bytes.ToLower(q.raw)
	}
	return bytes.Contains(q.lower, []byte(s))
}

// mentionsKey reports whether "key" (lower case, in quotes) occurs in the raw parameters.
func (q *request) mentionsKey(key string) bool {
	if len(q.raw) == 0 {
		return false
	}
	if q.lower == nil {
		q.lower = bytes.ToLower(q.raw)
	}
	for b := q.lower; ; {
		i := bytes.Index(b, []byte(key))
		if i < 0 {
			return false
		}
		if i > 0 && b[i-1] == '"' && i+len(key) < len(b) && b[i+len(key)] == '"' {
			return true
		}
		b = b[i+1:]
	}
}

// value returns the decoded parameters, nil when they are absent or not valid JSON.
func (q *request) value() any {
	if !q.decoded {
		q.decoded = true
		if len(q.raw) > 0 {
			d := json.NewDecoder(bytes.NewReader(q.raw))
			d.UseNumber()
			if d.Decode(&q.v) != nil {
				q.v = nil
			}
		}
	}
	return q.v
}

// walk calls fn for every key and value at any depth, parents first, until fn returns
// false. Keys of array elements are "".
func walk(v any, fn func(key string, v any) bool) bool {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !fn(k, x[k]) || !walk(x[k], fn) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if !fn("", e) || !walk(e, fn) {
				return false
			}
		}
	}
	return true
}

// nonEmpty reports whether a JSON value says something: not null, "", false, {} or [].
func nonEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case bool:
		return x
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return true
}

// has reports whether any of the keys (lower case; matched case-insensitively, at any
// depth) has a non-empty value.
func (q *request) has(keys ...string) bool {
	var buf [8]string
	want := buf[:0]
	for _, k := range keys {
		if q.mentionsKey(k) {
			want = append(want, k)
		}
	}
	if len(want) == 0 {
		return false
	}
	found := false
	walk(q.value(), func(k string, v any) bool {
		if k != "" && nonEmpty(v) {
			for _, w := range want {
				if strings.EqualFold(k, w) {
					found = true
					return false
				}
			}
		}
		return true
	})
	return found
}

// keyWhere reports whether some key (given to pred in lower case) has a non-empty value.
func (q *request) keyWhere(pred func(lowerKey string) bool) bool {
	found := false
	walk(q.value(), func(k string, v any) bool {
		if k != "" && nonEmpty(v) && pred(strings.ToLower(k)) {
			found = true
			return false
		}
		return true
	})
	return found
}

// strings returns the string values under the keys (lower case, at any depth), in
// document order of sorted keys.
func (q *request) strings(keys ...string) []string {
	var out []string
	walk(q.value(), func(k string, v any) bool {
		if s, ok := v.(string); ok && k != "" && slices.Contains(keys, strings.ToLower(k)) {
			out = append(out, s)
		}
		return true
	})
	return out
}

// stringsWhere returns the string values (at any depth, also in arrays) that pred accepts,
// sorted and de-duplicated; nil when there are none.
func (q *request) stringsWhere(pred func(string) bool) []string {
	var out []string
	walk(q.value(), func(_ string, v any) bool {
		if s, ok := v.(string); ok && pred(s) {
			out = append(out, s)
		}
		return true
	})
	slices.Sort(out)
	return slices.Compact(out)
}
