package cloudtrail

import (
	"fmt"
	"io"
	"testing/iotest"

	"github.com/trailscraper/trailscraper/internal/testfiles"

	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func addCorpusSeeds(f *testing.F, n int) {
	data := testfiles.Read(f, "corpus/dev.jsonl")
	for line := range bytes.Lines(data) {
		if n == 0 {
			return
		}
		f.Add(bytes.TrimSpace(line))
		n--
	}
}

// FuzzParseRecord checks that ParseRecord never panics, reports invalid JSON exactly when
// encoding/json does, and agrees with the encoding/json decoder on valid records.
func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{`{}`, `null`, `{"eventName":"x","eventTime":"2017-12-11T15:04:51.5Z"}`, `{"userIdentity":{"sessionContext":{"sessionIssuer":{"arn":"a"}}},"resources":[{"ARN":"r"},{}]}`, `{"a":[1,2.5e3,true,false,null,"\u00e9"]}`,
		`{"eventName":"a","resources":"x","eventTime":"no","userIdentity":{"arn":1,"sessionContext":null}}`, `{"eventname":"a","eventname":1}`} {
		f.Add([]byte(s))
	}
	addCorpusSeeds(f, 50)
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := ParseRecord(in)
		valid := json.Valid(in)
		if errors.Is(err, errSyntax) == valid {
			t.Fatalf("ParseRecord(%q) error = %v, but json.Valid = %v", in, err, valid)
		}
		if err != nil || !utf8.Valid(in) || bytes.ContainsAny(in, `\`) {
			return
		}
		// encoding/json matches keys case-insensitively; compare only when it agrees.
		want, werr := parseRecordStd(in)
		if werr != nil {
			return
		}
		if got.EventName != want.EventName || got.EventSource != want.EventSource || !got.EventTime.Equal(want.EventTime) ||
			got.UserIdentity != want.UserIdentity || len(got.ResourceARNs) != len(want.ResourceARNs) ||
			(len(got.Ignored) == 0) != (len(want.Ignored) == 0) {
			if !bytes.Equal(bytes.ToLower(in), in) {
				return // possibly a key in another case
			}
			t.Fatalf("ParseRecord(%q) = %+v, encoding/json gives %+v", in, got, want)
		}
	})
}

// FuzzDecodeRecords checks that DecodeRecords never panics or loops, that it ends with at
// most one document error, and that every good record it yields parses again by itself.
func FuzzDecodeRecords(f *testing.F) {
	for _, s := range []string{`{"Records":[]}`, `{"Records":[{"eventName":"a"},1,{}]}`, `{"x":{},"Records":[{"a":"\""}]}`, "\xef\xbb\xbf{}", `[`, `{"Records":[{"a":[}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fatal := 0
		for r, err := range DecodeRecords(bytes.NewReader(in)) {
			var re *RecordError
			var de *DocumentError
			switch {
			case errors.As(err, &re):
			case errors.As(err, &de):
				fatal++
			case err != nil:
				t.Fatalf("unexpected error type %T: %v", err, err)
			default:
				if fatal > 0 {
					t.Fatal("record after a document error")
				}
				if _, err := ParseRecord(r.Raw); err != nil {
					t.Fatalf("yielded record %q does not parse: %v", r.Raw, err)
				}
			}
		}
		if fatal > 1 {
			t.Fatalf("%d document errors", fatal)
		}
		// The single-pass decoder (one worker) and the two-pass one (several) agree, also
		// when the input arrives a few bytes at a time.
		one := decodeTrace(iotest.HalfReader(bytes.NewReader(in)))
		two := decodeTrace(bytes.NewReader(in), WithWorkers(2))
		if diff := cmp.Diff(one, two); diff != "" {
			t.Fatalf("DecodeRecords(%q): one worker (-) and two (+) differ:\n%s", in, diff)
		}
	})
}

// decodeTrace describes everything DecodeRecords yields, for comparisons.
func decodeTrace(r io.Reader, opts ...DecodeOption) []string {
	var out []string
	for rec, err := range DecodeRecords(r, opts...) {
		if err != nil {
			out = append(out, "error: "+err.Error())
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s %v %q %q", rec.EventSource, rec.EventName, rec.EventTime, rec.UserIdentity, rec.RequestParameters, rec.Raw))
	}
	return out
}

// FuzzReadRecords checks that ReadRecords never panics or loops, whatever the form, that
// it ends with at most one document error, that every good record it yields parses again
// by itself, and that one worker and two agree.
func FuzzReadRecords(f *testing.F) {
	for _, s := range []string{`{"Records":[{"eventName":"a"}]}`, "{\"eventName\":\"a\"}\n{\"x\":\n1\n", " ", "[", "\x1f\x8b", `{"records":1}`, "{}\n{}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		recs, _, err := ReadRecords(bytes.NewReader(in))
		if err != nil {
			return
		}
		fatal := 0
		for r, err := range recs {
			var de *DocumentError
			switch {
			case errors.As(err, &de):
				fatal++
			case err != nil:
			default:
				if fatal > 0 {
					t.Fatal("record after a document error")
				}
				if _, err := ParseRecord(r.Raw); err != nil {
					t.Fatalf("yielded record %q does not parse: %v", r.Raw, err)
				}
			}
		}
		if fatal > 1 {
			t.Fatalf("%d document errors", fatal)
		}
		trace := func(opts ...DecodeOption) []string {
			recs, _, _ := ReadRecords(iotest.HalfReader(bytes.NewReader(in)), opts...)
			var out []string
			for rec, err := range recs {
				if err != nil {
					out = append(out, "error: "+err.Error())
					continue
				}
				out = append(out, fmt.Sprintf("%s %q", rec.EventName, rec.Raw))
			}
			return out
		}
		if diff := cmp.Diff(trace(), trace(WithWorkers(2))); diff != "" {
			t.Fatalf("ReadRecords(%q): one worker (-) and two (+) differ:\n%s", in, diff)
		}
	})
}
