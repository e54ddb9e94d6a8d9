//go:build unix

package s3download

import (
	"errors"
	"syscall"
)

// processGone reports whether no process with the ID pid runs on this machine.
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
