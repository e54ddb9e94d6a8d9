package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/trailscraper/trailscraper/internal/testfiles"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"trailscraper": func() { os.Exit(mainCode()) },
		// trailscraper-tty is trailscraper with stdin taken for a terminal.
		"trailscraper-tty": func() {
			stdinIsTerminal = func(io.Reader) bool { return true }
			os.Exit(mainCode())
		},
	})
}

// TestScript runs the CLI end to end on the txtar files in testdata/script. Each script
// has $SHARED pointing at ../shared (when present) and $FIXTURES at its reference fixtures.
func TestScript(t *testing.T) {
	shared := testfiles.Dir()
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("SHARED", shared)
			e.Setenv("FIXTURES", filepath.Join(shared, "reference", "fixtures"))
			e.Setenv("TZ", "UTC")
			e.Setenv("HOME", e.WorkDir)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "shared":
				if shared == "" && os.Getenv("CI") != "" {
					return false, errors.New("../shared is absent and CI is set: shared data is required")
				}
				return shared != "", nil
			}
			return false, nil
		},
	})
}
