package main

import (
	"runtime/debug"
	"testing"
)

func TestAppVersion(t *testing.T) {
	info := func(v string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/trailscraper/trailscraper", Version: v}}, true
		}
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	tests := []struct {
		name    string
		ldflags string
		info    func() (*debug.BuildInfo, bool)
		want    string
	}{
		{"go install at a tag", "", info("v1.2.3"), "v1.2.3"},
		{"pseudo-version", "", info("v0.0.0-20261207160000-abcdef123456"), "v0.0.0-20261207160000-abcdef123456"},
		{"built in the checkout", "", info("(devel)"), devVersion},
		{"empty module version", "", info(""), devVersion},
		{"no build info", "", none, devVersion},
		{"-ldflags -X wins", "1.0.0", info("v1.2.3"), "1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := version
			version = tt.ldflags
			defer func() { version = old }()
			if got := appVersion(tt.info); got != tt.want {
				t.Errorf("appVersion() = %q, want %q", got, tt.want)
			}
		})
	}
}
