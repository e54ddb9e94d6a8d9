package s3download_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailscraper/trailscraper/s3download"
)

func TestLocalPath(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		want    string // slash-separated; "" when refused
		wantErr string
	}{
		{name: "log file", key: "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/f.json.gz", want: "AWSLogs/111111111111/CloudTrail/us-east-1/2017/01/01/f.json.gz"},
		{name: "single name", key: "f.json.gz", want: "f.json.gz"},
		{name: "dots inside names", key: "a..b/c.d/..e", want: "a..b/c.d/..e"},
		{name: "unicode", key: "prefix-é/f", want: "prefix-é/f"},
		{name: "empty", key: "", wantErr: "empty"},
		{name: "parent segment", key: "AWSLogs/../../etc/passwd", wantErr: `".." segment`},
		{name: "leading parent", key: "../x.json.gz", wantErr: `".." segment`},
		{name: "only parent", key: "..", wantErr: `".." segment`},
		{name: "dot segment", key: "a/./b", wantErr: `"." segment`},
		{name: "absolute", key: "/etc/passwd", wantErr: "absolute"},
		{name: "backslash", key: `AWSLogs\..\..\x`, wantErr: "backslash"},
		{name: "NUL", key: "a/b\x00c", wantErr: "control character"},
		{name: "newline", key: "a/b\nc", wantErr: "control character"},
		{name: "C1 control", key: "a/b\u0085c", wantErr: "control character"},
		{name: "invalid UTF-8", key: "a/\xff", wantErr: "UTF-8"},
		{name: "double slash", key: "a//b", wantErr: "empty path segment"},
		{name: "trailing slash", key: "a/b/", wantErr: "empty path segment"},
		{name: "too long", key: strings.Repeat("a", 1025), wantErr: "longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s3download.LocalPath(tt.key)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, s3download.ErrUnsafeKey) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LocalPath(%q) = %q, %v; want an ErrUnsafeKey error containing %q", tt.key, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || filepath.ToSlash(got) != tt.want {
				t.Fatalf("LocalPath(%q) = %q, %v; want %q", tt.key, got, err, tt.want)
			}
		})
	}
}

// FuzzLocalPath checks that no key LocalPath accepts resolves outside the directory, and
// that every accepted key maps back to itself.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"AWSLogs/1/CloudTrail/r/2017/01/01/f.json.gz", "../x", "a/../../b", "/abs", `a\b`, "a//b", "a/./b", "C:/x", "a\x00b", "..", ".", "...", "a/..."} {
		f.Add(s)
	}
	dir := filepath.Join("logs", "dir")
	f.Fuzz(func(t *testing.T, key string) {
		p, err := s3download.LocalPath(key)
		if err != nil {
			if !errors.Is(err, s3download.ErrUnsafeKey) {
				t.Fatalf("LocalPath(%q) error %v does not wrap ErrUnsafeKey", key, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("LocalPath(%q) error has several lines: %q", key, err)
			}
			return
		}
		if !filepath.IsLocal(p) {
			t.Fatalf("LocalPath(%q) = %q, not local", key, p)
		}
		joined := filepath.Join(dir, p)
		rel, err := filepath.Rel(dir, joined)
		if err != nil || rel != p || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			t.Fatalf("LocalPath(%q) = %q resolves to %q outside %q", key, p, joined, dir)
		}
		if filepath.ToSlash(p) != key {
			t.Fatalf("LocalPath(%q) = %q, which is another key", key, p)
		}
	})
}
