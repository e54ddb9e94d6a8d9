//go:build unix

package cloudtrail

import (
	"os"
	"syscall"
)

// openNonBlocking opens path without blocking, even when it is a named pipe with no writer.
// On a regular file, O_NONBLOCK changes nothing.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
