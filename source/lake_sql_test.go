package source

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/google/go-cmp/cmp"
)

// splitSQL separates a statement into its skeleton, with every string literal replaced by
// "?", and the decoded literals. It refuses comments and quoted identifiers, which the
// builder never writes, so that a value that smuggled one in is caught.
func splitSQL(sql string) (string, []string, error) {
	var b strings.Builder
	var lits []string
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'':
			var lit strings.Builder
			i++
			for {
				if i >= len(sql) {
					return "", nil, errors.New("unterminated string literal")
				}
				if sql[i] == '\'' {
					if i+1 < len(sql) && sql[i+1] == '\'' {
						lit.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				lit.WriteByte(sql[i])
				i++
			}
			lits = append(lits, lit.String())
			b.WriteByte('?')
			continue
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-',
			c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			return "", nil, fmt.Errorf("comment at byte %d", i)
		case c == '"':
			// A quoted identifier: only names the builder validated.
			end := strings.IndexByte(sql[i+1:], '"')
			if end < 0 || !athenaNamePattern.MatchString(sql[i+1:i+1+end]) {
				return "", nil, fmt.Errorf("quoted identifier at byte %d", i)
			}
			b.WriteString(sql[i : i+end+2])
			i += end + 2
			continue
		case c == '`' || c == ';':
			return "", nil, fmt.Errorf("%q at byte %d", c, i)
		}
		b.WriteByte(c)
		i++
	}
	return b.String(), lits, nil
}

// likeRaw is the LIKE pattern (before quoting) that likePattern makes of p.
func likeRaw(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`, `*`, `%`)
	return r.Replace(p)
}

// checkValuesStayLiterals builds the query for f and for a copy of f with harmless
// placeholder values, and checks that both have the same skeleton and that each of f's
// values is exactly one literal where its placeholder is.
func checkValuesStayLiterals(t *testing.T, f cloudtrail.Filter) {
	t.Helper()
	checkLiterals(t, f, func(f *cloudtrail.Filter) (string, error) { return buildLakeSQL(testStore, f, false) })
}

// checkLiterals is checkValuesStayLiterals for the query that build makes of a filter.
func checkLiterals(t *testing.T, f cloudtrail.Filter, build func(*cloudtrail.Filter) (string, error)) {
	t.Helper()
	sql, err := build(window(t0, t0.Add(time.Hour), &f))
	if err != nil {
		return // refused values are fine
	}
	benign := f
	expect := map[string]string{}
	// kind: how the builder writes a value: exact, always LIKE, LIKE when it has "*".
	const (
		exact = iota
		like
		likeIfStar
	)
	placeholder := func(vals []string, kind int, tag string) []string {
		out := make([]string, len(vals))
		for i, v := range vals {
			p := fmt.Sprintf("%s%d", tag, i)
			isLike := kind == like || (kind == likeIfStar && strings.Contains(v, "*"))
			if isLike && strings.Contains(v, "*") {
				p += "*"
			}
			out[i] = p
			if isLike {
				expect[likeRaw(p)] = likeRaw(v)
			} else {
				expect[p] = v
			}
		}
		return out
	}
	benign.AssumedRoleARNs = placeholder(f.AssumedRoleARNs, exact, "role")
	benign.Principals = placeholder(f.Principals, like, "principal")
	benign.EventSources = placeholder(f.EventSources, likeIfStar, "source")
	bsql, err := build(window(t0, t0.Add(time.Hour), &benign))
	if err != nil {
		t.Fatalf("benign filter %+v: %v", benign, err)
	}
	skel, lits, err := splitSQL(sql)
	if err != nil {
		t.Fatalf("query for %+v: %v\n%s", f, err, sql)
	}
	bskel, blits, err := splitSQL(bsql)
	if err != nil {
		t.Fatalf("benign query: %v\n%s", err, bsql)
	}
	if skel != bskel {
		t.Fatalf("a filter value changed the query:\n%s\nwant the shape of\n%s", sql, bsql)
	}
	want := make([]string, len(blits))
	for i, l := range blits {
		if e, ok := expect[l]; ok {
			want[i] = e
		} else {
			want[i] = l
		}
	}
	if diff := cmp.Diff(want, lits); diff != "" {
		t.Fatalf("literals (-want +got):\n%s\n%s", diff, sql)
	}
}

var hostile = []string{
	`x' OR '1'='1`,
	`'; DROP TABLE t; --`,
	`x'--`,
	`\' OR 1=1 --`,
	`'''`,
	`%_\*`,
	`*' UNION SELECT * FROM other WHERE 'a' LIKE '*`,
	`x/*`,
	`arn:aws:iam::111122223333:role/it's`,
	`"quoted" identifier`,
	`ünïcödé ☃`,
}

func TestLakeSQLEscaping(t *testing.T) {
	for _, h := range hostile {
		t.Run(h, func(t *testing.T) {
			checkValuesStayLiterals(t, cloudtrail.Filter{
				AssumedRoleARNs: []string{h, "arn:aws:iam::1:role/ok"},
				Principals:      []string{h},
				EventSources:    []string{h, "s3.amazonaws.com"},
				Errors:          cloudtrail.ErrorsExclude,
			})
			sql, err := buildLakeSQL(testStore, &cloudtrail.Filter{From: t0, To: t0, Principals: []string{h}}, false)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(sql, "\nWHERE") != 1 || !strings.HasSuffix(sql, "\nORDER BY eventtime, eventid") {
				t.Errorf("query has a changed structure:\n%s", sql)
			}
		})
	}
}

func TestLakeSQLRefusesControlCharacters(t *testing.T) {
	for _, v := range []string{"a\nb", "a\x00", "a\rb", "\x7f", "a\u2028", "\xff\xfe", "a\u0085"} {
		for name, f := range map[string]cloudtrail.Filter{
			"role":      {AssumedRoleARNs: []string{v}},
			"principal": {Principals: []string{v}},
			"source":    {EventSources: []string{v}},
			"wildcard":  {EventSources: []string{v + "*"}},
		} {
			if sql, err := buildLakeSQL(testStore, &f, false); err == nil {
				t.Errorf("%s %q: built\n%s\nwant an error", name, v, sql)
			}
		}
	}
}

func TestLakeSQL(t *testing.T) {
	tests := []struct {
		name     string
		from, to time.Time
		f        *cloudtrail.Filter
	}{
		{"no filter", time.Time{}, time.Time{}, nil},
		{"window", t0.Add(500 * time.Millisecond), t0.Add(time.Hour + time.Nanosecond), &cloudtrail.Filter{}},
		{"everything", t0, t0.Add(24 * time.Hour), &cloudtrail.Filter{
			AssumedRoleARNs: []string{"arn:aws:iam::111122223333:role/deploy", "arn:aws:iam::111122223333:role/o'brien"},
			Principals:      []string{"arn:aws:iam::111122223333:user/*", "alice_1"},
			EventSources:    []string{"s3.amazonaws.com", "ec2.*", "iam.amazonaws.com"},
			Errors:          cloudtrail.ErrorsOnly,
		}},
		{"exclude errors", t0, time.Time{}, &cloudtrail.Filter{Errors: cloudtrail.ErrorsExclude}},
		{"filter window narrows", t0, t0.Add(48 * time.Hour), &cloudtrail.Filter{From: t0.Add(time.Hour), To: t0.Add(2 * time.Hour)}},
	}
	var out strings.Builder
	for _, tt := range tests {
		opts := []LakeOption{}
		if tt.f != nil {
			opts = append(opts, WithFilter(*tt.f))
		}
		l, err := NewLake(nil, testStore, opts...)
		if err != nil {
			t.Fatal(err)
		}
		sql, err := l.Query(tt.from, tt.to)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		fmt.Fprintf(&out, "-- %s\n%s\n\n", tt.name, sql)
	}
	golden(t, "lake_query.golden", out.String())
}

func FuzzLakeSQL(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, h, h, uint8(1))
	}
	f.Add("arn:aws:iam::1:role/r", "alice*", "s3.amazonaws.com", uint8(0))
	f.Fuzz(func(t *testing.T, role, principal, source string, mode uint8) {
		checkValuesStayLiterals(t, cloudtrail.Filter{
			AssumedRoleARNs: []string{role},
			Principals:      []string{principal, "x"},
			EventSources:    []string{source},
			Errors:          cloudtrail.ErrorMode(mode % 3),
		})
	})
}

func FuzzLakeRow(f *testing.F) {
	f.Add("2026-03-01 12:00:00.000", `{"a":"{\"b\":1}"}`, `[{"ARN":"x"}]`, "false")
	f.Add("x", `{`, `[`, "maybe")
	f.Add("2026-03-01T12:00:00Z", `{"a":null,"b":5}`, `null`, "true")
	f.Fuzz(func(t *testing.T, eventTime, params, resources, readOnly string) {
		row := []map[string]string{{"eventtime": eventTime}, {"requestparameters": params}, {"resources": resources}, {"readonly": readOnly}, {"eventname": "X"}}
		raw, _, err := lakeRowJSON(row)
		if err != nil {
			return
		}
		if _, err := cloudtrail.ParseRecord(raw); err != nil {
			t.Fatalf("rebuilt record %s does not parse: %v", raw, err)
		}
	})
}

func FuzzParseEventDataStore(f *testing.F) {
	f.Add(testStore)
	f.Add("arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/" + testStore)
	f.Add("x; DROP TABLE y")
	f.Add("abc--def")
	f.Fuzz(func(t *testing.T, s string) {
		eds, err := ParseEventDataStore(s)
		if err != nil {
			if !errors.Is(err, ErrEventDataStore) {
				t.Fatalf("ParseEventDataStore(%q) = %v, want ErrEventDataStore", s, err)
			}
			return
		}
		sql, err := buildLakeSQL(eds.ID, &cloudtrail.Filter{}, false)
		if err != nil {
			t.Fatalf("accepted %q but cannot build a query: %v", s, err)
		}
		skel, lits, err := splitSQL(sql)
		if err != nil || !strings.Contains(skel, "\nFROM "+eds.ID+"\nORDER BY") || len(lits) != 0 {
			t.Fatalf("the ID %q changed the query (%v):\n%s", eds.ID, err, sql)
		}
	})
}
