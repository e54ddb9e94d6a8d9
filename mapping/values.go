package mapping

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// param is one string value of a request or response, under its key.
type param struct {
	key  string // as logged ("bucketName")
	norm string // lower case, letters and digits only ("bucketname")
	stem string // norm without its identifying suffixes ("bucket")
	// parent is the normalised key of the object the value is in ("" at the top).
	parent string
	val    string
	depth  int // 0 for top-level keys
	// inTags: the value is inside tags (under a key isTagKey accepts):
	// tag keys and values are free text and never name the resource.
	inTags bool
}

// flatten returns every string (and number) value of a JSON document with the key it is
// under (array elements take the key of their array), in key order, at most limit values.
func flatten(raw json.RawMessage, limit int) []param {
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil
	}
	var out []param
	var walk func(key, parent string, v any, depth int, inTags bool)
	walk = func(key, parent string, v any, depth int, inTags bool) {
		if len(out) >= limit {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if c, ok := x["content"]; ok && len(x) <= 2 && (len(x) == 1 || x["tag"] != nil) {
				// CloudTrail writes some EC2 list members as {"tag": 1, "content": "fl-…"}:
				// the value belongs to the enclosing key.
				walk(key, parent, c, depth, inTags)
				return
			}
			inTags = inTags || isTagKey(normKey(key))
			ks := make([]string, 0, len(x))
			for k := range x {
				ks = append(ks, k)
			}
			slices.Sort(ks)
			nk := normKey(key)
			for _, k := range ks {
				walk(k, nk, x[k], depth+1, inTags)
			}
		case []any:
			for _, e := range x {
				walk(key, parent, e, depth, inTags)
			}
		case string:
			if key != "" && x != "" {
				out = append(out, newParam(key, parent, x, depth, inTags))
			}
		case json.Number:
			if key != "" {
				out = append(out, newParam(key, parent, x.String(), depth, inTags))
			}
		}
	}
	walk("", "", v, -1, false)
	return out
}

// isTagKey reports whether a normalised key holds tags: tags, tagSet, tagSpecificationSet,
// Tagging, resourceTags (not stageName, which only contains the letters).
func isTagKey(norm string) bool {
	return strings.HasPrefix(norm, "tag") || strings.HasSuffix(norm, "tags") || strings.HasSuffix(norm, "tagging")
}

func newParam(key, parent, val string, depth int, inTags bool) param {
	n := normKey(key)
	return param{key: key, norm: n, stem: stem(n), parent: parent, val: val, depth: depth, inTags: inTags}
}

// normKey lower-cases s and keeps only letters and digits: "x-amz-copy-source" →
// "xamzcopysource", "BucketName" → "bucketname".
func normKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

// identSuffixes are the endings that say a key or variable identifies something; stripped
// to compare what is identified ("queueUrl", "QueueName" → "queue").
var identSuffixes = []string{"withoutleadingslash", "withpath", "identifiers", "identifier", "names", "name",
	"arns", "arn", "ids", "id", "urls", "url"}

// stem strips identifying suffixes, at most two ("policyNameWithPath" → "policy").
func stem(norm string) string {
	for range 2 {
		cut := false
		for _, s := range identSuffixes {
			if strings.HasSuffix(norm, s) && len(norm) > len(s) {
				norm, cut = norm[:len(norm)-len(s)], true
				break
			}
		}
		if !cut {
			break
		}
	}
	return norm
}

// arnValue returns s as an ARN when it is one, also URL-encoded ("arn%3Aaws%3A…"): six
// fields, the first four plain (letters, digits, "-"; region and account may be empty), no
// control characters.
func arnValue(s string) (string, bool) {
	if strings.HasPrefix(s, "arn%3A") || strings.HasPrefix(s, "arn%3a") {
		u, err := url.PathUnescape(s)
		if err != nil {
			return "", false
		}
		s = u
	}
	if !strings.HasPrefix(s, "arn:") {
		return "", false
	}
	p, svc, region, account, res, ok := arnParts(s)
	if !ok || p == "" || svc == "" || res == "" || !plainField(p) || !plainField(svc) || !plainField(region) || !plainField(account) {
		return "", false
	}
	for i := 0; i < len(res); i++ {
		if res[i] < ' ' || res[i] == 0x7f {
			return "", false
		}
	}
	return s, true
}

// plainField reports whether an ARN field holds only letters, digits and "-" (or "*").
func plainField(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '*') {
			return false
		}
	}
	return true
}

// arnParts splits an ARN into partition, service, region, account and resource.
func arnParts(arn string) (partition, service, region, account, resource string, ok bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) < 6 || p[0] != "arn" {
		return "", "", "", "", "", false
	}
	return p[1], p[2], p[3], p[4], p[5], true
}

// lastSegment is the part of an ARN's resource after its last "/" or ":".
func lastSegment(arn string) string {
	_, _, _, _, res, ok := arnParts(arn)
	if !ok {
		return arn
	}
	if i := strings.LastIndexAny(res, "/:"); i >= 0 {
		return res[i+1:]
	}
	return res
}

// queueURLARN turns an SQS queue URL (https://sqs.us-east-2.amazonaws.com/123456789012/MyQueue,
// or the legacy https://us-east-2.queue.amazonaws.com/…) into the queue's ARN.
func queueURLARN(s string) (string, bool) {
	if !strings.HasPrefix(s, "http") || !strings.Contains(s, "amazon") {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", false
	}
	host := u.Hostname()
	var region string
	switch {
	case strings.HasPrefix(host, "sqs.") && strings.Count(host, ".") >= 3:
		region = strings.SplitN(host, ".", 3)[1]
	case strings.Contains(host, ".queue.amazonaws."):
		region = strings.SplitN(host, ".", 2)[0]
	case host == "queue.amazonaws.com":
		region = "us-east-1"
	default:
		return "", false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || !isAccountID(parts[0]) || parts[1] == "" {
		return "", false
	}
	return "arn:" + partitionOf(region) + ":sqs:" + region + ":" + parts[0] + ":" + parts[1], true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
