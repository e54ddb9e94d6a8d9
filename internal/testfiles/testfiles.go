// Package testfiles gives tests the files they read: the project's read-only shared data
// (../shared beside the module's root: the real CloudTrail corpus, the original tool's
// fixtures, the worked mapping cases), and golden files under testdata/ with the -update
// flag that rewrites them.
//
// A test that needs the shared data skips when it is absent on a developer's machine, and
// fails when the CI environment variable is set, so that CI never caches a pass that read
// nothing.
package testfiles

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Update is the -update flag: golden-file tests rewrite their golden files instead of
// comparing with them. Every package whose tests use golden files imports this package, so
// `go test ./... -update` works across the module.
var Update = flag.Bool("update", false, "rewrite golden files instead of comparing with them")

// Dir returns the shared data directory, or "" when it cannot be found: the first
// directory named shared, holding DESIGN.md, beside the working directory or one of its
// parents (../shared of the module root), or $TRAILSCRAPER_SHARED.
func Dir() string {
	if d := os.Getenv("TRAILSCRAPER_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "shared", "DESIGN.md")); err == nil {
			return filepath.Join(d, "shared")
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// Path returns the path of rel (slash-separated) inside the shared data directory. When the
// file is missing it skips the test, or fails it when the CI environment variable is set.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	dir := Dir()
	if dir == "" {
		missing(tb, "the shared data directory (../shared beside the module root) is absent")
		return ""
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		missing(tb, "shared data missing: "+err.Error())
	}
	return p
}

// Read returns the contents of rel inside the shared data directory, skipping or failing
// as [Path] does.
func Read(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func missing(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatal(msg + " (CI is set: shared data is required)")
	}
	tb.Skip(msg)
}

// Golden compares got with the golden file testdata/name, or rewrites that file when the
// tests run with -update.
func Golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(name))
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test with -update to create it)", err)
	}
	if string(want) != string(got) {
		tb.Errorf("%s differs from the golden file (run go test -update to accept):\n%s", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n-want %q\n+got  %q", i+1, wl, gl)
		}
	}
	return "(same lines, different line endings)"
}
