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

// TestRunEscapesArguments: what the user typed comes back on stderr in usage errors;
// control characters in it are escaped there too.
func TestRunEscapesArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"stray argument", []string{"select", "a\x1b]0;t\x07\nb"}, `got "a\x1b]0;t\a\nb"`},
		{"unknown command", []string{"gen\x1b[2Jerate"}, `no such command "gen\x1b[2Jerate"`},
		{"unknown flag", []string{"generate", "--x\x1b[31m"}, `-x\x1b[31m`},
		{"bad time", []string{"select", "--from", "x\x00\ny"}, `cannot read "x\x00\ny"`},
		{"missing file", []string{"coverage", "no\x1bsuch"}, `no\x1bsuch`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append([]string{"trailscraper"}, tt.args...), strings.NewReader(""), &stdout, &stderr)
			if code == 0 {
				t.Fatalf("exit 0, stderr %q", stderr.String())
			}
			got := stderr.String()
			if strings.ContainsAny(got, "\x1b\x00\x07") || strings.Count(got, "\n") > 2 {
				t.Errorf("stderr holds raw control characters: %q", got)
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
