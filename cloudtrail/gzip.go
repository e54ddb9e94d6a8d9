package cloudtrail

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
)

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// isGzip reports whether br's input starts with the gzip magic bytes.
func isGzip(br *bufio.Reader) bool {
	b, _ := br.Peek(len(gzipMagic))
	return bytes.Equal(b, gzipMagic)
}

// gzipReader reads the members of a gzip stream, one after the other, as gzip -d does.
// Data after the last member that is not another member (zero padding, garbage) ends the
// stream cleanly: it is not decompressed data, and is reported by trailing instead of
// as a read error, so that the records before it are read in full.
type gzipReader struct {
	br       *bufio.Reader
	zr       gzip.Reader
	trailing *TrailingDataError
	done     bool
}

func newGzipReader() *gzipReader { return &gzipReader{br: bufio.NewReaderSize(nil, 64<<10)} }

// reset starts reading the gzip stream of br, which must be g.br or wrap it.
func (g *gzipReader) reset(r io.Reader) error {
	if r != g.br {
		g.br.Reset(r)
	}
	g.trailing, g.done = nil, false
	return g.member()
}

func (g *gzipReader) member() error {
	if err := g.zr.Reset(g.br); err != nil {
		return err
	}
	g.zr.Multistream(false)
	return nil
}

func (g *gzipReader) Read(p []byte) (int, error) {
	for {
		if g.done {
			return 0, io.EOF
		}
		n, err := g.zr.Read(p)
		if err != io.EOF {
			return n, err
		}
		// The end of a member: another one, the end of the input, or trailing data.
		if _, perr := g.br.Peek(1); perr == io.EOF {
			g.done = true
		} else if isGzip(g.br) {
			if err := g.member(); err != nil {
				return n, err
			}
		} else {
			g.trailing = countTrailing(g.br)
			g.done = true
		}
		if n > 0 {
			return n, nil
		}
	}
}

// TrailingDataError reports data after the end of the gzip data of a file or stream. It
// is ignored: the records of the gzip data are read in full.
type TrailingDataError struct {
	Bytes int64 // how many bytes follow the gzip data (at least; see AtLeast)
	// AtLeast is set when there were more bytes than were counted.
	AtLeast bool
	// Zeros is set when the bytes are all zero: padding, as some tools write.
	Zeros bool
}

func (e *TrailingDataError) Error() string {
	what := "bytes that are not gzip data"
	if e.Zeros {
		what = "zero bytes (padding)"
	}
	n := fmt.Sprint(e.Bytes)
	if e.AtLeast {
		n = "at least " + n
	}
	return fmt.Sprintf("the gzip data is followed by %s %s, which were ignored", n, what)
}

// maxTrailingCount bounds how much trailing data is read to count it.
const maxTrailingCount = 1 << 20

func countTrailing(r io.Reader) *TrailingDataError {
	e := &TrailingDataError{Zeros: true}
	buf := make([]byte, 32<<10)
	for e.Bytes < maxTrailingCount {
		n, err := r.Read(buf)
		for _, c := range buf[:n] {
			e.Zeros = e.Zeros && c == 0
		}
		e.Bytes += int64(n)
		if err != nil {
			return e
		}
	}
	_, err := r.Read(buf[:1])
	e.AtLeast = err == nil
	return e
}

// errTrailing is the note, if any, about data after the end of the gzip data.
func (g *gzipReader) errTrailing() error {
	if g == nil || g.trailing == nil {
		return nil
	}
	return g.trailing
}
