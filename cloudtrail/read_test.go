package cloudtrail

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// gz returns s gzipped.
func gz(t testing.TB, s string) string { return string(gzipBytes(t, []byte(s))) }

func TestReadRecords(t *testing.T) {
	const (
		doc   = `{"Records":[{"eventName":"A"},{"eventName":"B"}]}`
		lines = "{\"eventName\":\"A\"}\n\n{\"eventName\":\"B\"}\n"
	)
	tests := []struct {
		name    string
		in      string
		format  Format
		names   []string
		skipped []string
		err     string // of ReadRecords itself; "" for none
	}{
		{name: "log document", in: doc, names: []string{"A", "B"}},
		{name: "select's output", in: `{"Records": [{"eventName":"A"}, {"eventName":"B"}]}` + "\n", names: []string{"A", "B"}},
		{name: "pretty log document", in: "\n  {\n  \"Records\" : [\n {\"eventName\":\"A\"}]}", names: []string{"A"}},
		{name: "gzipped log document", in: gz(t, doc), format: Format{Gzip: true}, names: []string{"A", "B"}},
		{name: "JSON lines", in: lines, format: Format{Lines: true}, names: []string{"A", "B"}},
		{name: "JSON lines, CRLF, no final newline", in: "{\"eventName\":\"A\"}\r\n{\"eventName\":\"B\"}", format: Format{Lines: true}, names: []string{"A", "B"}},
		{name: "gzipped JSON lines", in: gz(t, lines), format: Format{Gzip: true, Lines: true}, names: []string{"A", "B"}},
		{name: "bad lines are skipped", in: "{\"eventName\":\"A\"}\n{\"eventName\":\n[1]\n{\"eventName\":\"B\",\"eventTime\":\"x\"}\n", format: Format{Lines: true}, names: []string{"A", "B"},
			skipped: []string{"stdin: line 2: invalid JSON: expected a value, found end of record at byte 13 of the record", "stdin: line 3: record is not a JSON object"}},
		{name: "garbage after gzip", in: gz(t, doc) + "junk", format: Format{Gzip: true}, names: []string{"A", "B"},
			skipped: []string{"stdin: the gzip data is followed by 4 bytes that are not gzip data, which were ignored"}},
		{name: "empty", in: "", err: `input is empty; expected a CloudTrail log document {"Records": [...]} (a log file, or select's output) or JSON lines of records, gzipped or not`},
		{name: "white space", in: " \n\t", err: "input holds only white space (3 bytes); expected"},
		{name: "gzipped white space", in: gz(t, "\n"), format: Format{Gzip: true}, err: "input holds only white space (1 bytes); expected a CloudTrail log document"},
		{name: "array", in: `[{"eventName":"A"}]`, err: "the input is a JSON array; expected"},
		{name: "text", in: "eventName,eventSource\n", err: "the input starts with 'e'; expected"},
		{name: "byte order mark", in: "\xef\xbb\xbf" + doc, err: "byte order mark"},
	}
	for _, tt := range tests {
		for _, workers := range []int{1, 2} {
			t.Run(tt.name, func(t *testing.T) {
				recs, format, err := ReadRecords(iotest.HalfReader(strings.NewReader(tt.in)), WithSource("stdin"), WithWorkers(workers))
				if tt.err != "" {
					if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrFormat) {
						t.Fatalf("error = %v, want one containing %q wrapping ErrFormat", err, tt.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if format != tt.format {
					t.Errorf("format = %v, want %v", format, tt.format)
				}
				var names, skipped []string
				for r, err := range recs {
					var re *RecordError
					switch {
					case errors.As(err, &re):
						skipped = append(skipped, err.Error())
					case err != nil:
						t.Fatalf("error: %v", err)
					default:
						names = append(names, r.EventName)
					}
				}
				if diff := cmp.Diff(tt.names, names); diff != "" {
					t.Errorf("names (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.skipped, skipped); diff != "" {
					t.Errorf("skipped (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestReadRecordsLongLine(t *testing.T) {
	defer func(n int) { maxValueBytes = n }(maxValueBytes)
	maxValueBytes = 1 << 10
	in := "{\"eventName\":\"A\"}\n{\"x\":\"" + strings.Repeat("y", 5000) + "\"}\n{\"eventName\":\"B\"}"
	recs, _, err := ReadRecords(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for r, err := range recs {
		if err != nil {
			got = append(got, err.Error())
			continue
		}
		got = append(got, r.EventName)
	}
	want := []string{"A", "line 2: " + errLineTooLong().Error(), "B"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
