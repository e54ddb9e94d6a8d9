//go:build unix

package cloudtrail

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A named pipe with a log file's name is reported, never read: opening or reading it
// would block for ever (no writer ever comes).
func TestLogFileRecordsFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "111_CloudTrail_us-east-1_20171211T1505Z_x.json.gz")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	lf, err := NewLogFile(p)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []string, 1)
	go func() {
		_, errs := readAll(t, lf)
		done <- errs
	}()
	select {
	case errs := <-done:
		if len(errs) != 1 || !strings.Contains(errs[0], "not a regular file (a named pipe)") {
			t.Errorf("errors = %q, want one saying it is a named pipe", errs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Records blocked on a named pipe")
	}
}

// Cancellation reaches a read of the file, not only the gaps between records.
func TestCtxReader(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := ctxReader{ctx, strings.NewReader("abc")}
	if n, err := r.Read(make([]byte, 1)); n != 1 || err != nil {
		t.Fatalf("Read = %d, %v before cancel", n, err)
	}
	cancel()
	if _, err := r.Read(make([]byte, 1)); err != context.Canceled {
		t.Fatalf("Read after cancel = %v, want context.Canceled", err)
	}
}
