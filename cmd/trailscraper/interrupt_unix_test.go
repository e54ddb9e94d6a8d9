//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestInterruptBlockedRead checks that Ctrl-C (SIGINT) and SIGTERM end a command that is
// blocked reading stdin from a pipe that no one writes to: the signal is caught to cancel
// the command, so without a way out the process would wait for ever.
func TestInterruptBlockedRead(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close() // never written: generate blocks reading stdin
			// The test binary runs as trailscraper when argv[0] says so (testscript.Main).
			cmd := &exec.Cmd{Path: os.Args[0], Args: []string{"trailscraper", "generate"}, Stdin: r}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r.Close()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			time.Sleep(500 * time.Millisecond) // let it start reading
			cmd.Process.Signal(sig)
			select {
			case err := <-done:
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != 130 {
					t.Errorf("exit: %v, want status 130", err)
				}
			case <-time.After(interruptGrace + 10*time.Second):
				cmd.Process.Kill()
				t.Fatalf("generate did not stop after %v", sig)
			}
		})
	}
}
