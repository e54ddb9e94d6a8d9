//go:build !unix

package cloudtrail

import "os"

func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
