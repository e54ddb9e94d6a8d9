package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestSafeText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "AWSLogs/1/x.json.gz", "AWSLogs/1/x.json.gz"},
		{"UTF-8 kept", "café – ü", "café – ü"},
		{"backslash kept", `C:\logs`, `C:\logs`},
		{"newline", "a\nb", `a\nb`},
		{"carriage return", "a\rb", `a\rb`},
		{"tab", "a\tb", `a\tb`},
		{"NUL", "a\x00b", `a\x00b`},
		{"ESC CSI", "\x1b[2J", `\x1b[2J`},
		{"OSC title", "\x1b]0;pwned\x07", `\x1b]0;pwned\a`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"C1 CSI", "a\u009bb", `a\u009bb`},
		{"bidi override", "txt.\u202egz", `txt.\u202egz`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := safeText(tt.in); got != tt.want {
				t.Errorf("safeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLogEscapes(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf, false).With("file", "a\nb")
	log.Warn("skipped: x\x1b]0;t\x07.json.gz", "eventID\r", "\x00id")
	want := "trailscraper: warning: skipped: x\\x1b]0;t\\a.json.gz (file=a\\nb, eventID\\r=\\x00id)\n"
	if got := buf.String(); got != want {
		t.Errorf("log line = %q, want %q", got, want)
	}
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("log line split: %q", buf.String())
	}
}
