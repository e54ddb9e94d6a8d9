package main

import "runtime/debug"

// devVersion is the version of a build that says nothing better: not a tagged module
// (go install …@v1.2.3 records one) and no -ldflags "-X main.version=…".
const devVersion = "0.1.0-dev"

// appVersion is what --version prints: the version set at link time, else the module
// version from the build info (what go install …@version records), else devVersion.
// readBuildInfo is debug.ReadBuildInfo; tests pass their own.
func appVersion(readBuildInfo func() (*debug.BuildInfo, bool)) string {
	if version != "" {
		return version
	}
	if bi, ok := readBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return devVersion
}
