package cloudtrail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trailscraper/trailscraper/internal/testfiles"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
)

func TestParseLogFileName(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    LogFile
		wantErr string
	}{
		{"valid", "111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz",
			LogFile{Path: "111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz", Account: "111111111111", Region: "eu-central-1", Timestamp: time.Date(2017, 12, 11, 15, 5, 0, 0, time.UTC)}, ""},
		{"gov region", "123_CloudTrail_us-gov-west-1_20200101T0000Z_x.json.gz",
			LogFile{Path: "123_CloudTrail_us-gov-west-1_20200101T0000Z_x.json.gz", Account: "123", Region: "us-gov-west-1", Timestamp: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}, ""},
		{"trailing text is not anchored away", "111_CloudTrail_eu-central-1_20171211T1505Z_abc.json.gz.tmp", LogFile{}, "not a CloudTrail log file name"},
		{"leading text", "x111_CloudTrail_eu-central-1_20171211T1505Z_abc.json.gz", LogFile{}, "not a CloudTrail log file name"},
		{"digest file", "111_CloudTrail-Digest_eu-central-1_20171211T1505Z.json.gz", LogFile{}, "not a CloudTrail log file name"},
		{"gunzipped", "111_CloudTrail_eu-central-1_20171211T1505Z_abc.json",
			LogFile{Path: "111_CloudTrail_eu-central-1_20171211T1505Z_abc.json", Account: "111", Region: "eu-central-1", Timestamp: time.Date(2017, 12, 11, 15, 5, 0, 0, time.UTC)}, ""},
		{"gz without json", "111_CloudTrail_eu-central-1_20171211T1505Z_abc.gz", LogFile{}, "not a CloudTrail log file name"},
		{"empty", "", LogFile{}, "not a CloudTrail log file name"},
		{"month 13", "111_CloudTrail_eu-central-1_20171311T1505Z_abc.json.gz", LogFile{}, `timestamp "20171311T1505Z" is not YYYYMMDDTHHMMZ`},
		{"bad shape timestamp", "111_CloudTrail_eu-central-1_2017TZ_abc.json.gz", LogFile{}, `timestamp "2017TZ"`},
		{"hour 25", "111_CloudTrail_eu-central-1_20171211T2505Z_abc.json.gz", LogFile{}, "timestamp"},
		{"seconds in timestamp", "111_CloudTrail_eu-central-1_20171211T150500Z_abc.json.gz", LogFile{}, "timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLogFileName(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrLogFileName) {
					t.Fatalf("ParseLogFileName(%q) = %v, %v; want error containing %q wrapping ErrLogFileName", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLogFileName(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseLogFileName(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestNewLogFile(t *testing.T) {
	p := filepath.Join("logs", "AWSLogs", "111", "111_CloudTrail_us-east-1_20171211T1505Z_abc.json.gz")
	lf, err := NewLogFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if lf.Path != p || lf.Account != "111" || lf.Region != "us-east-1" {
		t.Errorf("NewLogFile(%q) = %+v", p, lf)
	}
	if _, err := NewLogFile(filepath.Join("111_CloudTrail_us-east-1_20171211T1505Z_abc.json.gz", "x")); err == nil {
		t.Errorf("NewLogFile of a bad base name succeeded")
	}
}

func TestInTimeframe(t *testing.T) {
	ts := time.Date(2017, 12, 11, 15, 5, 0, 0, time.UTC)
	lf := LogFile{Timestamp: ts}
	tests := []struct {
		name     string
		from, to time.Time
		want     bool
	}{
		{"open window", time.Time{}, time.Time{}, true},
		{"from equal", ts, time.Time{}, true},
		{"from after", ts.Add(time.Minute), time.Time{}, false},
		{"to equal", time.Time{}, ts, true},
		{"to plus one hour equal", time.Time{}, ts.Add(-time.Hour), true},
		{"to more than an hour before", time.Time{}, ts.Add(-time.Hour - time.Second), false},
		{"inside", ts.Add(-time.Hour), ts.Add(time.Hour), true},
		{"other zone same instant", ts.In(time.FixedZone("x", 3600)), time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lf.InTimeframe(tt.from, tt.to); got != tt.want {
				t.Errorf("InTimeframe(%v, %v) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testRecordJSON(i int) string {
	return fmt.Sprintf(`{"eventTime":"2017-12-11T15:%02d:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","n":1e5,"i":%d}`, i%60, i)
}

func testDocument(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(testRecordJSON(i))
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// readAll collects the raw records and the error messages of a log file.
func readAll(t *testing.T, lf *LogFile) (raws []string, errs []string) {
	t.Helper()
	for r, err := range lf.Records(context.Background()) {
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("Records yielded %T %v, want *RecordError", err, err)
			}
			if re.Source != lf.Path {
				t.Errorf("RecordError.Source = %q, want %q", re.Source, lf.Path)
			}
			errs = append(errs, strings.TrimPrefix(err.Error(), lf.Path+": "))
			continue
		}
		raws = append(raws, string(r.Raw))
	}
	return raws, errs
}

func TestLogFileRecords(t *testing.T) {
	good := gzipBytes(t, testDocument(300))
	big := gzipBytes(t, testDocument(5000))
	checksum := bytes.Clone(good)
	checksum[len(checksum)-6] ^= 0xff // the CRC-32 in the trailer
	corrupt := bytes.Clone(big)
	for i := len(corrupt) / 2; i < len(corrupt)/2+64; i++ {
		corrupt[i] ^= 0x5a // damage the deflate stream itself
	}
	var allRaw []string
	for i := range 300 {
		allRaw = append(allRaw, testRecordJSON(i))
	}
	tests := []struct {
		name     string
		content  []byte
		wantRecs int
		wantErrs []string // substrings, in order
	}{
		{"good", good, 300, nil},
		{"two gzip members", append(gzipBytes(t, []byte(`{"Records":[`+testRecordJSON(0)+`,`)), gzipBytes(t, []byte(testRecordJSON(1)+`]}`))...), 2, nil},
		{"empty file", nil, 0, []string{"file is empty"}},
		// Gzip is detected by its magic bytes, not the name: a gunzipped file is read as it is.
		{"not gzip", testDocument(300), 300, nil},
		{"neither gzip nor JSON", []byte("\x00\x01binary"), 0, []string{"neither gzip data nor a JSON log document"}},
		{"plain JSON with bad JSON", []byte(`{"Records":[{"a":1},{"b":}]}`), 1, []string{"(not gzip data, read as JSON; the 1 record before it was kept)"}},
		{"zero padding after gzip", append(bytes.Clone(good), make([]byte, 512)...), 300, []string{"the gzip data is followed by 512 zero bytes (padding), which were ignored; all 300 records were read"}},
		{"garbage after gzip", append(bytes.Clone(good), "garbage"...), 300, []string{"the gzip data is followed by 7 bytes that are not gzip data, which were ignored; all 300 records were read"}},
		{"white space in gzip", gzipBytes(t, []byte(" \n ")), 0, []string{"input holds only white space (3 bytes)"}},
		{"truncated header", good[:5], 0, []string{"gzip data is truncated"}},
		{"truncated after records", big[:len(big)/2], -1, []string{"gzip data is truncated (", "); the ", " records before it were kept"}},
		{"checksum", checksum, 300, []string{"gzip checksum mismatch"}},
		{"corrupt deflate data", corrupt, -1, []string{"records before it were kept"}}, // found by inflate or by the JSON decoder
		{"empty gzip", gzipBytes(t, nil), 0, []string{"input is empty (in the uncompressed JSON)"}},
		{"bad JSON", gzipBytes(t, []byte(`{"Records":[{"a":1},{"b":}]}`)), 1, []string{"the 1 record before it was kept"}},
		{"no Records", gzipBytes(t, []byte(`{"foo":[]}`)), 0, []string{`no "Records" array`}},
		{"record not an object", gzipBytes(t, []byte(`{"Records":[1,`+testRecordJSON(0)+`]}`)), 1, []string{"record 0"}},
	}
	dir := t.TempDir()
	for _, whole := range []int64{maxWholeFile, 0} { // small files read whole, or streamed
		defer func(n int64) { maxWholeFile = n }(maxWholeFile)
		maxWholeFile = whole
		for i, tt := range tests {
			t.Run(fmt.Sprintf("%s/whole=%d", tt.name, whole), func(t *testing.T) {
				p := filepath.Join(dir, fmt.Sprintf("111_CloudTrail_us-east-1_20171211T15%02dZ_x.json.gz", i))
				if err := os.WriteFile(p, tt.content, 0o644); err != nil {
					t.Fatal(err)
				}
				lf, err := NewLogFile(p)
				if err != nil {
					t.Fatal(err)
				}
				raws, errs := readAll(t, lf)
				if tt.wantRecs >= 0 && len(raws) != tt.wantRecs {
					t.Errorf("got %d records, want %d", len(raws), tt.wantRecs)
				}
				if tt.wantRecs < 0 && len(raws) == 0 {
					t.Errorf("got no records before the damage")
				}
				for i, r := range raws {
					if i < len(allRaw) && tt.name == "good" && r != allRaw[i] {
						t.Errorf("record %d = %s, want the original bytes %s", i, r, allRaw[i])
					}
				}
				if len(errs) != min(len(tt.wantErrs), 1) {
					t.Fatalf("errors = %q, want one containing %q", errs, tt.wantErrs)
				}
				for _, w := range tt.wantErrs {
					if !strings.Contains(errs[0], w) {
						t.Errorf("error %q does not contain %q", errs[0], w)
					}
				}
			})
		}
	}
	t.Run("missing file", func(t *testing.T) {
		lf, _ := NewLogFile(filepath.Join(dir, "111_CloudTrail_us-east-1_20171211T1500Z_missing.json.gz"))
		_, errs := readAll(t, lf)
		if len(errs) != 1 || !strings.Contains(errs[0], "no such file") {
			t.Errorf("errors = %q, want one about a missing file", errs)
		}
	})
}

func TestLogFileRecordsCancel(t *testing.T) {
	p := filepath.Join(t.TempDir(), "111_CloudTrail_us-east-1_20171211T1505Z_x.json.gz")
	if err := os.WriteFile(p, gzipBytes(t, testDocument(1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	lf, _ := NewLogFile(p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var last error
	for _, err := range lf.Records(ctx) {
		if err != nil {
			last = err
			break
		}
		n++
		if n == 10 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) || n >= 1000 {
		t.Errorf("after cancel: %d records, error %v; want fewer than 1000 and context.Canceled", n, last)
	}
}

func TestLogFileFixture(t *testing.T) {
	p := testfiles.Path(t, "reference/fixtures/111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz")
	lf, err := NewLogFile(p)
	if err != nil {
		t.Fatal(err)
	}
	raws, errs := readAll(t, lf)
	if len(errs) != 0 || len(raws) == 0 {
		t.Errorf("fixture: %d records, errors %q", len(raws), errs)
	}
}

func FuzzParseLogFileName(f *testing.F) {
	for _, s := range []string{"111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz",
		"1_CloudTrail_a_20171311T1505Z_a.json.gz", "1_CloudTrail_a_TZ_a.json.gz", "", "x.json.gz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		lf, err := ParseLogFileName(name)
		if err != nil {
			if !errors.Is(err, ErrLogFileName) || strings.Contains(err.Error(), "\n") && !strings.Contains(name, "\n") {
				t.Errorf("ParseLogFileName(%q) error = %v", name, err)
			}
			return
		}
		if lf.Timestamp.IsZero() || lf.Account == "" || lf.Region == "" || lf.Path != name {
			t.Errorf("ParseLogFileName(%q) = %+v", name, lf)
		}
		if got := lf.Timestamp.Format("20060102T1504Z"); !strings.Contains(name, "_"+got+"_") {
			t.Errorf("ParseLogFileName(%q) timestamp %v does not round-trip", name, lf.Timestamp)
		}
	})
}

func FuzzLogFileRecords(f *testing.F) {
	f.Add(gzipBytes(f, testDocument(3)), false)
	f.Add(gzipBytes(f, []byte(`{"Records":[1,{"eventTime":null}]}`)), false)
	f.Add([]byte("not gzip"), false)
	f.Add(gzipBytes(f, testDocument(3)), true)
	dir := f.TempDir()
	p := filepath.Join(dir, "111_CloudTrail_us-east-1_20171211T1505Z_x.json.gz")
	f.Fuzz(func(t *testing.T, content []byte, compress bool) {
		if compress {
			content = gzipBytes(t, content)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		lf, _ := NewLogFile(p)
		fileErrs := 0
		for r, err := range lf.Records(context.Background()) {
			if err != nil {
				var re *RecordError
				if !errors.As(err, &re) || re.Source != p {
					t.Fatalf("Records yielded %T %v, want *RecordError from %s", err, err, p)
				}
				if re.Index < 0 {
					fileErrs++
				}
				if fileErrs > 1 {
					t.Fatalf("more than one file-level error; the sequence should have ended")
				}
				continue
			}
			if fileErrs > 0 {
				t.Fatalf("record after a file-level error")
			}
			if len(r.Raw) == 0 {
				t.Errorf("record without Raw bytes")
			}
		}
	})
}
