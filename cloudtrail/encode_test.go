package cloudtrail

import (
	"bytes"
	"strings"
	"testing"
)

func TestEncoder(t *testing.T) {
	tests := []struct {
		name string
		in   string // a log document
		want string
	}{
		{"none", `{"Records":[]}`, "{\"Records\": []}\n"},
		{"bytes kept", `{"Records":[{"eventName":"A","n":1.50,"z":"\u00e9"},{"eventName":"B"}]}`,
			"{\"Records\": [{\"eventName\":\"A\",\"n\":1.50,\"z\":\"\\u00e9\"}, {\"eventName\":\"B\"}]}\n"},
		{"pretty record compacted", "{\"Records\":[{\n  \"eventName\": \"A\",\n  \"s\": \"a b\"\n}]}",
			"{\"Records\": [{\"eventName\":\"A\",\"s\":\"a b\"}]}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			e := NewEncoder(&out)
			for r, err := range DecodeRecords(strings.NewReader(tt.in)) {
				if err != nil {
					t.Fatal(err)
				}
				if err := e.Encode(&r); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("Encode = %q, want %q", out.String(), tt.want)
			}
			// What the encoder writes decodes to the same records.
			n := 0
			for _, err := range DecodeRecords(bytes.NewReader(out.Bytes())) {
				if err != nil {
					t.Fatalf("decoding the output: %v", err)
				}
				n++
			}
			if n != e.Count() {
				t.Errorf("decoded %d records, encoded %d", n, e.Count())
			}
		})
	}
	if err := NewEncoder(&bytes.Buffer{}).Encode(&Record{EventName: "A"}); err == nil {
		t.Error("Encode of a record without Raw succeeded")
	}
}
