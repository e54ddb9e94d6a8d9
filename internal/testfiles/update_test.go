package testfiles

import (
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const importPath = "github.com/trailscraper/trailscraper/internal/testfiles"

// TestEveryTestPackageTakesUpdate keeps `go test ./... -update` (README.md) working: a
// test binary that does not define -update fails on it, so every package with tests must
// import this package, even if only for the flag.
func TestEveryTestPackageTakesUpdate(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	imports := map[string]bool{} // directory with tests → some test file imports testfiles
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		if _, seen := imports[dir]; !seen {
			imports[dir] = false
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == importPath {
				imports[dir] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range slices.Sorted(maps.Keys(imports)) {
		rel, _ := filepath.Rel(root, dir)
		if !imports[dir] && rel != filepath.Join("internal", "testfiles") {
			t.Errorf("the tests of ./%s do not import %s: go test ./... -update fails there (add a file with import _ %q)", filepath.ToSlash(rel), importPath, importPath)
		}
	}
}
