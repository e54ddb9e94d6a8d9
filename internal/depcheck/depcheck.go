// Package depcheck keeps the import direction of the module: each package lists the
// non-standard packages it may depend on, and a test fails when it links anything else.
// It follows go-containerregistry's internal/depcheck.
package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

// Module is this module's path.
const Module = "github.com/trailscraper/trailscraper"

// AssertOnlyDependencies fails t when pkg (an import path) depends, directly or not, on a
// package outside the standard library that is neither pkg itself nor matched by allowed.
// An allowed entry ending in "/..." matches that path and everything below it; any other
// entry matches exactly.
func AssertOnlyDependencies(t *testing.T, pkg string, allowed ...string) {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += ": " + strings.TrimSpace(string(ee.Stderr))
		}
		t.Fatalf("go list -deps %s: %s", pkg, msg)
	}
	for dep := range strings.FieldsSeq(string(out)) {
		if dep == pkg || matches(dep, allowed) {
			continue
		}
		t.Errorf("%s depends on %s, which is not on its allow-list", pkg, dep)
	}
}

func matches(dep string, allowed []string) bool {
	for _, a := range allowed {
		if base, ok := strings.CutSuffix(a, "/..."); ok {
			if dep == base || strings.HasPrefix(dep, base+"/") {
				return true
			}
		} else if dep == a {
			return true
		}
	}
	return false
}
