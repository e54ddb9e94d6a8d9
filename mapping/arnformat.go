package mapping

import (
	"strings"
	"sync"

	"github.com/trailscraper/trailscraper/servicedefs"
)

// format is an ARN format of the service reference, such as
// "arn:${Partition}:s3:::${BucketName}/${ObjectName}", split into literal text and
// variables: lits has one more element than vars, lits[i] comes before vars[i].
type format struct {
	raw  string
	svc  string // the ARN's service field ("s3")
	lits []string
	vars []string
}

func parseFormat(f string) format {
	out := format{raw: f}
	if parts := strings.SplitN(f, ":", 4); len(parts) >= 3 {
		out.svc = parts[2]
	}
	lit := func(text string) {
		// A "*" in the format's text stands for any text (DMS: "…:rep:*"): a wildcard
		// variable.
		for {
			k := strings.IndexByte(text, '*')
			if k < 0 {
				break
			}
			out.lits = append(out.lits, text[:k])
			out.vars = append(out.vars, wildcardVar)
			text = text[k+1:]
		}
		out.lits = append(out.lits, text)
	}
	for {
		i := strings.Index(f, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(f[i:], '}')
		if j < 0 {
			break
		}
		lit(f[:i])
		out.vars = append(out.vars, f[i+2:i+j])
		f = f[i+j+1:]
	}
	// lits has one more element than vars: the text after the last variable.
	lit(f)
	return out
}

// wildcardVar is the variable a "*" in a format's text stands for.
const wildcardVar = "*"

// service returns the service field of the format ("s3" of "arn:${Partition}:s3:::…").
func (f *format) service() string { return f.svc }

// slashOK reports whether variable v may hold a "/": paths, object keys, resource names
// that AWS documents as paths.
func slashOK(v string) bool {
	return v == wildcardVar || strings.Contains(v, "Path") || strings.Contains(v, "Object") || strings.Contains(v, "Key") ||
		strings.Contains(v, "Resource") || strings.Contains(v, "Prefix") || strings.Contains(v, "LeadingSlash") ||
		strings.Contains(v, "LogGroupName") || v == "LogStreamName" || v == "SecretId" || v == "ParameterName"
}

// extract matches s against the format and returns the variables' values, or false. A
// variable matches any text (without "/" unless slashOK), literals are found leftmost,
// except the last one, which must end s. "*" and "?" in s are accepted as values.
func (f *format) extract(s string) ([]string, bool) {
	vals := make([]string, len(f.vars))
	return vals, f.scan(s, vals)
}

// fits reports whether s fits the format, as extract does, without keeping the values.
func (f *format) fits(s string) bool { return f.scan(s, nil) }

// scan matches s against the format, storing the variables' values in vals unless it is
// nil.
func (f *format) scan(s string, vals []string) bool {
	if !strings.HasPrefix(s, f.lits[0]) {
		return false
	}
	if len(f.vars) == 0 {
		return s == f.lits[0]
	}
	s = s[len(f.lits[0]):]
	for i, lit := range f.lits[1:] {
		var v string
		if i == len(f.lits)-2 {
			if !strings.HasSuffix(s, lit) {
				return false
			}
			v, s = s[:len(s)-len(lit)], ""
		} else {
			k := strings.Index(s, lit)
			if k < 0 {
				return false
			}
			v, s = s[:k], s[k+len(lit):]
		}
		if !slashOK(f.vars[i]) && strings.Contains(v, "/") {
			return false
		}
		if v == "" && !isContextVar(f.vars[i]) {
			return false
		}
		if vals != nil {
			vals[i] = v
		}
	}
	return true
}

// build writes the format with the values filled in.
func (f *format) build(vals []string) string {
	var b strings.Builder
	for i, v := range vals {
		b.WriteString(f.lits[i])
		b.WriteString(v)
	}
	b.WriteString(f.lits[len(f.lits)-1])
	return b.String()
}

// resType is a resource type of an action with its formats.
type resType struct {
	name    string
	formats []format
}

var actionTypes sync.Map // lower-case action → []resType

// typesOf returns the action's resource types, parsed once.
func typesOf(action string) []resType {
	k := strings.ToLower(action)
	if v, ok := actionTypes.Load(k); ok {
		return v.([]resType)
	}
	var out []resType
	for _, rt := range servicedefs.ResourceTypes(action) {
		t := resType{name: rt.Name}
		for _, f := range rt.ARNFormats {
			t.formats = append(t.formats, parseFormat(f))
		}
		if len(t.formats) > 0 {
			out = append(out, t)
		}
	}
	actionTypes.Store(k, out)
	return out
}

// FitsFormat reports whether arn fits one of action's ARN formats, "*" inside it standing
// for any text. An action without resource types accepts only "*".
func FitsFormat(action, arn string) bool {
	ts := typesOf(action)
	if len(ts) == 0 {
		return arn == "*"
	}
	for _, t := range ts {
		for i := range t.formats {
			if t.formats[i].fits(arn) {
				return true
			}
		}
	}
	return false
}

// isContextVar reports whether v is filled from the call's context rather than from the
// request: partition, region, account.
func isContextVar(v string) bool {
	return v == "Partition" || v == "Region" || v == "Account"
}

// partitionOf returns the partition of a region.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

// Widen returns arn with one more of its parts replaced by "*": the last variable of the
// action's ARN format it fits that is not partition, region or account and not "*" yet
// (an S3 object key first, then the bucket). It returns "*" when no format fits or
// nothing is left to widen.
func Widen(action, arn string) string {
	for _, t := range typesOf(action) {
		for i := range t.formats {
			f := &t.formats[i]
			vals, ok := f.extract(arn)
			if !ok {
				continue
			}
			for j := len(vals) - 1; j >= 0; j-- {
				if !isContextVar(f.vars[j]) && vals[j] != "*" {
					vals[j] = "*"
					return f.build(vals)
				}
			}
			return "*"
		}
	}
	return "*"
}
