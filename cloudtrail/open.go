package cloudtrail

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ctxReader is r that fails with the context's error once ctx is done, so that
// cancellation reaches every read of a long input between two reads.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// openRegular opens the file at path for reading, and fails unless it is a regular file:
// reading a named pipe or a device could block for ever. It never blocks on opening one.
func openRegular(path string) (*os.File, fs.FileInfo, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, &NotRegularError{Mode: fi.Mode()}
	}
	return f, fi, nil
}

// NotRegularError reports a file that is not a regular file (a named pipe, a device, a
// socket, a directory), which log file readers skip: reading one could block for ever.
type NotRegularError struct {
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	what := "an irregular file"
	switch m := e.Mode; {
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	case m.IsDir():
		what = "a directory"
	}
	return fmt.Sprintf("not a regular file (%s)", what)
}
