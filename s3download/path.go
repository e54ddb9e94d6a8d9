package s3download

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// ErrUnsafeKey is wrapped by the errors of [LocalPath] for keys that could be written outside
// the log directory or that no file system stores faithfully.
var ErrUnsafeKey = errors.New("unsafe S3 key")

// maxKeyLen is S3's limit on the length of a key, in bytes.
const maxKeyLen = 1024

// LocalPath returns the path, relative to the log directory and in the local form, that the
// object with the given key is written to. It refuses, with an error wrapping [ErrUnsafeKey],
// any key that could resolve outside the directory or to something else than a file below
// it: empty keys, absolute keys ("/x", "C:x"), "." and ".." segments, empty segments ("a//b",
// a trailing "/"), backslashes, NUL and other control characters, invalid UTF-8, and names
// the local system reserves (such as NUL or COM1 on Windows).
func LocalPath(key string) (string, error) {
	unsafe := func(why string) (string, error) {
		return "", fmt.Errorf("%w %q: %s", ErrUnsafeKey, key, why)
	}
	switch {
	case key == "":
		return unsafe("empty")
	case len(key) > maxKeyLen:
		return unsafe("longer than 1024 bytes")
	case !utf8.ValidString(key):
		return unsafe("not valid UTF-8")
	case strings.HasPrefix(key, "/"):
		return unsafe("absolute path")
	case strings.Contains(key, `\`):
		return unsafe("contains a backslash")
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return unsafe("contains a control character")
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "":
			return unsafe("empty path segment")
		case ".", "..":
			return unsafe(fmt.Sprintf("contains a %q segment", seg))
		}
	}
	p := filepath.FromSlash(key)
	if !filepath.IsLocal(p) {
		return unsafe("not a local path on this system")
	}
	if filepath.VolumeName(p) != "" || strings.Contains(key, ":") && filepath.Separator == '\\' {
		return unsafe("contains a drive or stream name")
	}
	return p, nil
}
