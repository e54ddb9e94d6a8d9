package cloudtrail

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// hasGzipMagic reports whether b starts with the gzip magic bytes.
func hasGzipMagic(b []byte) bool { return bytes.HasPrefix(b, gzipMagic) }

// isGzip reports whether br's input starts with the gzip magic bytes.
func isGzip(br *bufio.Reader) bool {
	b, _ := br.Peek(len(gzipMagic))
	return hasGzipMagic(b)
}

// gzipReader reads the members of a gzip stream, one after the other, as gzip -d does.
// Data after the last member that is not another member (zero padding, garbage) ends the
// stream cleanly: it is not decompressed data, and is reported by trailing instead of
// as a read error, so that the records before it are read in full.
//
// It reads from a bufio.Reader (a stream), or from bytes in memory (a small file read
// whole), which the decompressor reads about 15% faster.
type gzipReader struct {
	br       *bufio.Reader
	rd       bytes.Reader
	data     []byte       // what rd reads
	src      flate.Reader // br or &rd
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
	g.src = g.br
	g.trailing, g.done = nil, false
	return g.member()
}

// resetBytes starts reading the gzip stream in data.
func (g *gzipReader) resetBytes(data []byte) error {
	g.data = data
	g.rd.Reset(data)
	g.src = &g.rd
	g.trailing, g.done = nil, false
	return g.member()
}

func (g *gzipReader) member() error {
	if err := g.zr.Reset(g.src); err != nil {
		return err
	}
	g.zr.Multistream(false)
	return nil
}

// peek returns the next n bytes of the compressed input without consuming them; fewer at
// its end, with io.EOF.
func (g *gzipReader) peek(n int) ([]byte, error) {
	if g.src == flate.Reader(g.br) {
		return g.br.Peek(n)
	}
	off := len(g.data) - g.rd.Len()
	b := g.data[off:min(off+n, len(g.data))]
	if len(b) < n {
		return b, io.EOF
	}
	return b, nil
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
		next, _ := g.peek(len(gzipMagic))
		switch {
		case len(next) == 0:
			g.done = true
		case hasGzipMagic(next):
			if err := g.member(); err != nil {
				return n, err
			}
		default:
			g.trailing = countTrailing(g.src)
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
