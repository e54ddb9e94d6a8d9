package cloudtrail

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/trailscraper/trailscraper/internal/testfiles"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// decodeAll collects what DecodeRecords yields: the event names of good records, the
// messages of skipped records, and the final document error.
func decodeAll(r io.Reader, opts ...DecodeOption) (names, skipped []string, fatal error) {
	for rec, err := range DecodeRecords(r, opts...) {
		var re *RecordError
		switch {
		case errors.As(err, &re):
			skipped = append(skipped, re.Error())
		case err != nil:
			fatal = err
		default:
			names = append(names, rec.EventName)
		}
	}
	return names, skipped, fatal
}

func TestDecodeRecords(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		names   []string
		skipped []string
		fatal   string // substring of the document error; "" for none
	}{
		{name: "empty array", in: `{"Records": []}`},
		{name: "two records", in: `{"Records":[{"eventName":"A"},{"eventName":"B"}]}`, names: []string{"A", "B"}},
		{name: "other keys skipped", in: `{"x":{"Records":[1]},"Records":[{"eventName":"A"}],"y":[]}`, names: []string{"A"}},
		{name: "white space everywhere", in: " \n{ \"Records\" :\t[ {\"eventName\" : \"A\"} , {} ] }\n", names: []string{"A", ""}},
		{name: "nulls", in: `{"Records":[{"eventName":"A","userIdentity":null,"resources":null,"eventTime":null,"requestParameters":null}]}`, names: []string{"A"}},
		{name: "times as exports write them", in: `{"Records":[{"eventName":"A","eventTime":"2021-10-26 21:59:39"},{"eventName":"B","eventTime":"2021-10-26 21:59:39.123"},{"eventName":"C","eventTime":"2021-10-26T21:59:39"},{"eventName":"D","eventTime":"2021-10-26 21:59:39Z"}]}`, names: []string{"A", "B", "C", "D"}},
		{name: "fractional seconds", in: `{"Records":[{"eventName":"A","eventTime":"2017-12-11T15:04:51.123Z"}]}`, names: []string{"A"}},
		{
			name:    "odd records skipped",
			in:      `{"Records":[1,"x",null,[],{"eventName":"ok"}]}`,
			names:   []string{"ok"},
			skipped: []string{"record 0 (byte 12): record is not a JSON object", "record 1 (byte 14): record is not a JSON object", "record 2 (byte 18): record is not a JSON object", "record 3 (byte 23): record is not a JSON object"},
		},
		{
			// A field of the wrong type is ignored, not the record (see TestParseRecordIgnored).
			name:  "records with bad fields kept",
			in:    `{"Records":[{"eventName":3},{"eventName":"A","eventTime":"yesterday"},{"eventName":"B","resources":"x"}]}`,
			names: []string{"", "A", "B"},
		},
		{name: "empty input", in: "", fatal: "byte 0: input is empty"},
		{name: "only space", in: " \n ", fatal: "byte 0: input holds only white space (3 bytes)"},
		{name: "byte order mark", in: "\xef\xbb\xbf{\"Records\":[]}", fatal: "byte order mark"},
		{name: "top-level array", in: `[{"eventName":"A"}]`, fatal: "byte 0: the document is an array"},
		{name: "top-level string", in: `"Records"`, fatal: "the document is a string"},
		{name: "no Records", in: `{"records":[]}`, fatal: `no "Records" array`},
		{name: "Records an object", in: `{"Records":{}}`, fatal: `byte 11: "Records" is not an array`},
		{name: "truncated", in: `{"Records":[{"eventName":"A"},{"event`, names: []string{"A"}, fatal: "unexpected end of input"},
		{name: "truncated after array", in: `{"Records":[]`, fatal: "unexpected end of input inside the top-level object"},
		{name: "garbage after", in: `{"Records":[]} {}`, fatal: "byte 15: unexpected '{' after the end of the document"},
		{name: "invalid literal in record", in: `{"Records":[{"eventName":"A"},{"a":tru}]}`, names: []string{"A"}, fatal: "byte 35: record 1: invalid JSON: invalid literal"},
		{name: "missing colon in record", in: `{"Records":[{"a" 1}]}`, fatal: "expected ':'"},
		{name: "mismatched bracket", in: `{"Records":[{"a":[1}]}`, fatal: "byte 19: unexpected '}'"},
		{name: "control character in string skips one record", in: "{\"Records\":[{\"eventName\":\"a\x01\"},{\"eventName\":\"B\"}]}", names: []string{"B"},
			skipped: []string{"record 0 (byte 12): invalid JSON: control character byte 0x01 in a string at byte 15 of the record"}},
		{name: "nesting too deep skips one record", in: `{"Records":[{"a":` + strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2) + `},{"eventName":"B"}]}`, names: []string{"B"},
			skipped: []string{fmt.Sprintf("record 0 (byte 12): invalid JSON: nested more than %d deep at byte %d of the record", maxDepth, maxDepth+6)}},
		{name: "bad escape", in: `{"Records":[{"eventName":"a\q"}]}`, fatal: "invalid escape 'q'"},
		{name: "escaped values", in: `{"Records":[{"eventName":"Get\u004fbject\n"}]}`, names: []string{"GetObject\n"}},
		{name: "mismatched bracket elsewhere", in: `{"x":[1,}],"Records":[]}`, fatal: "byte 8: unexpected '}'"},
		{name: "invalid JSON elsewhere", in: `{"x":[1,],"Records":[]}`, fatal: `byte 5: invalid JSON in the value of "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte at a time exercises every buffer boundary; tiny batches on
			// several workers exercise the ordering of parallel decoding.
			defer func(n int) { decodeBatchBytes = n }(decodeBatchBytes)
			decodeBatchBytes = 1
			for _, c := range []struct {
				r    io.Reader
				opts []DecodeOption
			}{
				{strings.NewReader(tt.in), nil},
				{iotest.OneByteReader(strings.NewReader(tt.in)), nil},
				{strings.NewReader(tt.in), []DecodeOption{WithWorkers(3)}},
			} {
				names, skipped, fatal := decodeAll(c.r, c.opts...)
				if diff := cmp.Diff(tt.names, names, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("DecodeRecords(%q) names (-want +got):\n%s", tt.in, diff)
				}
				if diff := cmp.Diff(tt.skipped, skipped, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("DecodeRecords(%q) skipped (-want +got):\n%s", tt.in, diff)
				}
				switch {
				case tt.fatal == "" && fatal != nil:
					t.Errorf("DecodeRecords(%q) error = %v, want none", tt.in, fatal)
				case tt.fatal != "" && (fatal == nil || !strings.Contains(fatal.Error(), tt.fatal)):
					t.Errorf("DecodeRecords(%q) error = %v, want %q", tt.in, fatal, tt.fatal)
				}
				var de *DocumentError
				if fatal != nil && !errors.As(fatal, &de) {
					t.Errorf("DecodeRecords(%q) error %T is not a *DocumentError", tt.in, fatal)
				}
			}
		})
	}
}

func TestDecodeRecordsReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader(`{"Records":[{"eventName":"A"},`), iotest.ErrReader(boom))
	names, _, fatal := decodeAll(r)
	if !errors.Is(fatal, boom) {
		t.Fatalf("error = %v, want one wrapping %v", fatal, boom)
	}
	if diff := cmp.Diff([]string{"A"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestDecodeRecordsLarge(t *testing.T) {
	// Records much larger than the read chunk, split across many reads.
	big := strings.Repeat("x", 3*decodeChunk)
	in := `{"Records":[{"eventName":"A","pad":"` + big + `"},{"eventName":"B","pad":["` + big + `"]}]}`
	names, skipped, fatal := decodeAll(bufio.NewReaderSize(strings.NewReader(in), 16))
	if fatal != nil || len(skipped) > 0 {
		t.Fatalf("error %v, skipped %v", fatal, skipped)
	}
	if diff := cmp.Diff([]string{"A", "B"}, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestDecodeRecordsKeepsRawBytes(t *testing.T) {
	rec := `{"eventName":"A","n":1e5,"big":1e400,"f":1.50,"s":"\u00e9"}`
	for r, err := range DecodeRecords(strings.NewReader(`{"Records":[` + rec + `]}`)) {
		if err != nil {
			t.Fatal(err)
		}
		if string(r.Raw) != rec {
			t.Errorf("Raw = %s, want %s", r.Raw, rec)
		}
	}
}

func TestParseRecordFixture(t *testing.T) {
	f, err := os.Open(testfiles.Path(t, "reference/fixtures/events-for-smoke-test.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []Record
	for r, err := range DecodeRecords(f) {
		if err != nil {
			t.Fatal(err)
		}
		r.Raw, r.RequestParameters, r.ResponseElements = nil, nil, nil
		got = append(got, r)
	}
	want := []Record{
		{
			EventSource: "autoscaling.amazonaws.com", EventName: "DescribeLaunchConfigurations",
			EventTime: time.Date(2017, 12, 11, 15, 1, 51, 0, time.UTC), EventType: "AwsApiCall",
			AWSRegion: "eu-central-1", SourceIPAddress: "config.amazonaws.com", UserAgent: "config.amazonaws.com",
			RecipientAccountID: "111111111111",
			UserIdentity: UserIdentity{
				Type: "AssumedRole", PrincipalID: "AAAAAAAAAAAAAAAAAAAAA:AutoScalingDescribeHandlerSession",
				ARN:       "arn:aws:sts::111111111111:assumed-role/someRole/AutoScalingDescribeHandlerSession",
				AccountID: "111111111111", AccessKeyID: "AAAAAAAAAAAAAAAAAAAAA", InvokedBy: "config.amazonaws.com",
				SessionIssuerARN: "arn:aws:iam::111111111111:role/someRole",
			},
		},
	}
	if len(got) != 3 {
		t.Fatalf("got %d records, want 3", len(got))
	}
	if diff := cmp.Diff(want[0], got[0]); diff != "" {
		t.Errorf("first record (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"arn:aws:iam::111111111111:role/someRole"}, got[2].ResourceARNs); diff != "" {
		t.Errorf("third record's resources (-want +got):\n%s", diff)
	}
}

// TestParseRecordMatchesEncodingJSON checks the hand-written parser against the
// encoding/json decoder it replaced, on every record of the shared corpus.
func TestParseRecordMatchesEncodingJSON(t *testing.T) {
	data := testfiles.Read(t, "corpus/dev.jsonl")
	n := 0
	for line := range bytes.Lines(data) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		n++
		want, werr := parseRecordStd(line)
		got, gerr := ParseRecord(line)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("line %d: ParseRecord error = %v, encoding/json error = %v", n, gerr, werr)
			continue
		}
		if (len(want.Ignored) == 0) != (len(got.Ignored) == 0) {
			t.Errorf("line %d: ParseRecord ignored %v, encoding/json %v", n, got.Ignored, want.Ignored)
		}
		if diff := cmp.Diff(want, got, ignoreIgnored); diff != "" {
			t.Errorf("line %d: ParseRecord (-encoding/json +got):\n%s", n, diff)
		}
	}
	if n < 1000 {
		t.Errorf("read %d corpus records, want the whole corpus", n)
	}
}

// TestParseRecordIgnored checks that a field whose value cannot be used loses only itself:
// the record is read without it, and Ignored says which field and why.
func TestParseRecordIgnored(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Record // Raw and Ignored are not compared
		ignored []string
	}{
		{name: "resources a string", in: `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","resources":"arn:aws:s3:::b"}`,
			want: Record{EventSource: "s3.amazonaws.com", EventName: "GetObject"}, ignored: []string{"resources is a string, expected an array (ignored)"}},
		{name: "eventTime not a time", in: `{"eventName":"GetObject","eventTime":"redacted"}`,
			want: Record{EventName: "GetObject"}, ignored: []string{`eventTime "redacted" is not a time (ignored)`}},
		{name: "eventTime a number", in: `{"eventName":"GetObject","eventTime":1512994491}`,
			want: Record{EventName: "GetObject"}, ignored: []string{"eventTime is a number, expected a string (ignored)"}},
		{name: "userIdentity a string", in: `{"eventName":"A","userIdentity":"root","awsRegion":"r"}`,
			want: Record{EventName: "A", AWSRegion: "r"}, ignored: []string{"userIdentity is a string, expected an object (ignored)"}},
		{name: "nulls where objects go", in: `{"eventName":"A","userIdentity":null,"resources":[null,{"ARN":"a"}],"requestParameters":null}`,
			want: Record{EventName: "A", ResourceARNs: []string{"a"}}},
		{name: "sessionIssuer a number", in: `{"eventName":"A","userIdentity":{"arn":"u","sessionContext":{"sessionIssuer":5}}}`,
			want: Record{EventName: "A", UserIdentity: UserIdentity{ARN: "u"}}, ignored: []string{"userIdentity.sessionContext.sessionIssuer is a number, expected an object (ignored)"}},
		{name: "one resource entry bad", in: `{"eventName":"A","resources":[1,{"ARN":"a"},{"ARN":true}]}`,
			want: Record{EventName: "A", ResourceARNs: []string{"a"}}, ignored: []string{"resources[0] is a number, expected an object (ignored)", "resources[].ARN is a boolean, expected a string (ignored)"}},
		{name: "a later bad duplicate keeps the earlier value, as encoding/json does", in: `{"eventName":"A","eventName":[]}`,
			want: Record{EventName: "A"}, ignored: []string{"eventName is an array, expected a string (ignored)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecord([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseRecord(%s): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreIgnored, cmpopts.IgnoreFields(Record{}, "Raw")); diff != "" {
				t.Errorf("ParseRecord(%s) (-want +got):\n%s", tt.in, diff)
			}
			var ignored []string
			for _, fe := range got.Ignored {
				ignored = append(ignored, fe.Error())
			}
			if diff := cmp.Diff(tt.ignored, ignored); diff != "" {
				t.Errorf("ParseRecord(%s) ignored (-want +got):\n%s", tt.in, diff)
			}
			// The single-pass decoder agrees.
			var dec []Record
			for r, err := range DecodeRecords(strings.NewReader(`{"Records":[` + tt.in + `]}`)) {
				if err != nil {
					t.Fatalf("DecodeRecords: %v", err)
				}
				dec = append(dec, r)
			}
			if len(dec) != 1 || len(dec[0].Ignored) != len(got.Ignored) {
				t.Errorf("DecodeRecords yields %+v, want the record with %d ignored fields", dec, len(got.Ignored))
			}
		})
	}
}

// ignoreIgnored leaves Record.Ignored out of comparisons: the encoding/json oracle names
// only the first ignored field.
var ignoreIgnored = cmpopts.IgnoreFields(Record{}, "Ignored")

func TestHasStringSpecial(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			want := false
			for _, x := range b {
				want = want || strSpecial[x]
			}
			if got := hasStringSpecial(binary.LittleEndian.Uint64(b)); got != want {
				t.Fatalf("hasStringSpecial(%q) = %v, want %v", b, got, want)
			}
		}
	}
}

func TestDecodeRecordsTooLarge(t *testing.T) {
	defer func(n int) { maxValueBytes = n }(maxValueBytes)
	maxValueBytes = 1 << 20
	pad := strings.Repeat("x", 2<<20)
	in := `{"Records":[{"eventName":"A"},{"eventName":"B","pad":"` + pad + `"},{"eventName":"C"}]}`
	for _, opts := range [][]DecodeOption{nil, {WithWorkers(2)}} {
		names, _, fatal := decodeAll(strings.NewReader(in), opts...)
		if fatal == nil || !strings.Contains(fatal.Error(), "byte 30: a value of more than 1 MiB") {
			t.Errorf("error = %v, want one about the size of the value at byte 30", fatal)
		}
		if diff := cmp.Diff([]string{"A"}, names); diff != "" {
			t.Errorf("names (-want +got):\n%s", diff)
		}
	}
}

// errAfterReader returns all of s and err in the same Read call.
type errAfterReader struct {
	s   string
	err error
}

func (r *errAfterReader) Read(p []byte) (int, error) {
	n := copy(p, r.s)
	r.s = r.s[n:]
	if r.s == "" {
		return n, r.err
	}
	return n, nil
}

// A consumer that stops is never called again, even when the input ended in an error
// that the decoder has already seen (found by FuzzLogFileRecords).
func TestDecodeRecordsStopsWhenTold(t *testing.T) {
	in := `{"Records":[{"eventName":"A"},{"eventName":"B"}`
	for _, opts := range [][]DecodeOption{nil, {WithWorkers(2)}} {
		n := 0
		for range DecodeRecords(&errAfterReader{in, errors.New("boom")}, opts...) {
			n++
			break
		}
		if n != 1 {
			t.Errorf("the loop body ran %d times, want 1", n)
		}
	}
}
