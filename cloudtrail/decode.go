package cloudtrail

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"
)

// DocumentError reports a CloudTrail log document that cannot be read on: invalid JSON, a
// wrong top-level shape, or a read error. It ends the sequence of [DecodeRecords].
type DocumentError struct {
	Offset int64 // byte offset in the input where the problem was found
	Err    error
}

func (e *DocumentError) Error() string { return fmt.Sprintf("byte %d: %v", e.Offset, e.Err) }
func (e *DocumentError) Unwrap() error { return e.Err }

// Problems with a whole document, wrapped in a *DocumentError.
var (
	ErrEmpty     = errors.New("input is empty")
	ErrBlank     = errors.New("input holds only white space")
	ErrBOM       = errors.New("input starts with a UTF-8 byte order mark; remove it")
	ErrNoRecords = errors.New(`no "Records" array in the document`)
)

const decodeChunk = 256 << 10

// DecodeOption configures [DecodeRecords].
type DecodeOption func(*decodeConfig)

type decodeConfig struct {
	workers int
	source  string
	fields  Fields
}

// WithWorkers parses records on n goroutines while the input is read, yielding them in
// their original order. The default, 1, parses on the caller's goroutine; use more for one
// large input (generate's stdin), not when many inputs are decoded in parallel already.
func WithWorkers(n int) DecodeOption { return func(c *decodeConfig) { c.workers = max(n, 1) } }

// WithSource names the input in the *[RecordError]s that DecodeRecords yields.
func WithSource(name string) DecodeOption { return func(c *decodeConfig) { c.source = name } }

// DecodeRecords streams the records of a CloudTrail log document, `{"Records": [...]}`,
// from r, holding only a bounded number of records in memory at a time.
//
// A record that is valid JSON but cannot be used (not an object, a field of the wrong type)
// is yielded as a *[RecordError] with a zero Record, and decoding goes on. Anything else
// wrong with the document (invalid JSON, an empty input, a byte order mark, a top level that
// is not an object with a "Records" array) is yielded as a *[DocumentError] and ends the
// sequence. Keys other than "Records" are skipped.
func DecodeRecords(r io.Reader, opts ...DecodeOption) iter.Seq2[Record, error] {
	cfg := newDecodeConfig(opts)
	return func(yield func(Record, error) bool) {
		s := newScanner(r)
		s.decode(cfg, yield)
		if cfg.workers == 1 {
			s.release() // with more workers, the reader may still hold it
		}
	}
}

func newDecodeConfig(opts []DecodeOption) decodeConfig {
	cfg := decodeConfig{workers: 1, fields: AllFields}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: (*bufPool.Get().(*[]byte))[:0]}
}

// bufPool keeps read buffers of decodeChunk bytes between documents: a directory's many
// small log files would otherwise each allocate (and clear) one.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, decodeChunk)
	return &b
}}

// release returns the read buffer to the pool; s must not be used after. Records never
// point into it: their bytes are copied out (see keep).
func (s *scanner) release() {
	if cap(s.buf) == decodeChunk {
		b := s.buf[:0]
		bufPool.Put(&b)
	}
	s.buf = nil
}

// decode yields the records of the log document s reads.
func (s *scanner) decode(cfg decodeConfig, yield func(Record, error) bool) {
	if cfg.workers > 1 {
		decodeParallel(s, s.records(), cfg, yield)
		return
	}
	strs := getInterner()
	defer internerPool.Put(strs)
	done := false // the consumer stopped, or a fatal error was yielded
	s.elements(func(idx int) bool {
		rec, err, ok := s.next(idx, strs, cfg)
		if !ok {
			return false
		}
		_, fatal := err.(*DocumentError)
		done = !yield(rec, err) || fatal
		return !done
	})
	if !done && s.err != nil {
		yield(Record{}, s.err)
	}
}

// parse parses one raw record. A syntax error is a *DocumentError, as the record's end
// (and so where the next one starts) is then in doubt, unless the error leaves the record's
// bounds certain: a control character in a string, nesting deeper than the parser goes,
// or any error in a record delimited by lines. Those are a *RecordError, like a record of
// the wrong shape.
func (rr rawRecord) parse(cfg decodeConfig, strs interner) (Record, error) {
	source := cfg.source
	if rr.err != nil {
		return Record{}, &RecordError{Source: source, Index: rr.index, Line: rr.line, Offset: rr.offset, Err: rr.err}
	}
	rec, err := parseRecord(rr.raw, strs, cfg.fields)
	if err == nil {
		return rec, nil
	}
	var se syntaxError
	if errors.As(err, &se) && !se.local && rr.line == 0 {
		return Record{}, &DocumentError{Offset: rr.offset + int64(se.off), Err: fmt.Errorf("record %d: %s", rr.index, se.msg)}
	}
	return Record{}, &RecordError{Source: source, Index: rr.index, Line: rr.line, Offset: rr.offset, Err: err}
}

// decodeBatch is a run of consecutive records parsed by one worker.
type decodeBatch struct {
	raws []rawRecord
	recs []Record
	errs []error
	done chan struct{}
}

// decodeBatchBytes is about how much record JSON one worker parses at a time.
var decodeBatchBytes = 256 << 10

// decodeParallel reads raw records (of s) on one goroutine and parses batches of them on
// cfg.workers goroutines, yielding in order.
func decodeParallel(s *scanner, raws iter.Seq[rawRecord], cfg decodeConfig, yield func(Record, error) bool) {
	stop := make(chan struct{})
	defer close(stop)
	work := make(chan *decodeBatch)
	order := make(chan *decodeBatch, 2*cfg.workers)
	for range cfg.workers {
		go func() {
			strs := getInterner()
			defer internerPool.Put(strs)
			for b := range work {
				b.recs = make([]Record, len(b.raws))
				b.errs = make([]error, len(b.raws))
				for i, rr := range b.raws {
					b.recs[i], b.errs[i] = rr.parse(cfg, strs)
				}
				close(b.done)
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(work)
		b := &decodeBatch{done: make(chan struct{})}
		size := 0
		send := func() bool {
			select {
			case order <- b:
			case <-stop:
				return false
			}
			select {
			case work <- b:
			case <-stop:
				return false
			}
			b = &decodeBatch{done: make(chan struct{})}
			size = 0
			return true
		}
		for rr := range raws {
			b.raws = append(b.raws, rr)
			size += len(rr.raw)
			if size >= decodeBatchBytes && !send() {
				return
			}
		}
		if len(b.raws) > 0 {
			send()
		}
	}()
	for b := range order {
		<-b.done
		for i := range b.recs {
			if !yield(b.recs[i], b.errs[i]) {
				return
			}
			if _, fatal := b.errs[i].(*DocumentError); fatal {
				return
			}
		}
	}
	// order is closed only after the reader goroutine has finished with s.
	if s.err != nil {
		yield(Record{}, s.err)
	}
}

// rawRecord is the undecoded bytes of one element of "Records".
type rawRecord struct {
	raw    []byte
	err    error // a problem found before parsing (a line too long); raw is nil
	index  int
	line   int // the record's line, from 1, when records are lines; else 0
	offset int64
}

// scanner splits a log document into the raw bytes of its records without decoding them.
type scanner struct {
	r    io.Reader
	buf  []byte // unread input is buf[pos:]
	pos  int
	base int64 // offset of buf[0] in the input
	eof  bool
	err  error // *DocumentError once something went wrong
	slab []byte
	// parsed counts the bytes handed to the record parser, for the test that decoding
	// time is linear in the input's size.
	parsed int64
}

// keep copies raw out of the read buffer into a shared slab, which saves an allocation per
// record; the slab is freed when no record of it is referenced any more.
func (s *scanner) keep(raw []byte) []byte {
	if cap(s.slab)-len(s.slab) < len(raw) {
		s.slab = make([]byte, 0, max(slabBytes, len(raw)))
	}
	start := len(s.slab)
	s.slab = append(s.slab, raw...)
	return s.slab[start:len(s.slab):len(s.slab)]
}

// maxValueBytes bounds the size of one record (or other value) of a document, so that
// memory stays bounded whatever the input: CloudTrail's own records are far smaller.
var maxValueBytes = 64 << 20

// slabBytes is the size of the slabs that records' bytes are copied to: small enough that
// a log file's last slab wastes little, large enough to save most allocations.
const slabBytes = 64 << 10

// internerPool keeps interners between documents, so that the many small log files of a
// directory share the strings they repeat.
var internerPool = sync.Pool{New: func() any { return interner{} }}

func getInterner() interner { return internerPool.Get().(interner) }

func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

func (s *scanner) fail(off int64, format string, args ...any) {
	if s.err == nil {
		s.err = &DocumentError{Offset: off, Err: fmt.Errorf(format, args...)}
	}
}

// fill reads more input, keeping buf[keep:] (keep <= pos). It reports false at the end of
// the input or on a read error (which it records).
func (s *scanner) fill(keep int) bool {
	if s.eof {
		return false
	}
	if keep > 0 {
		n := copy(s.buf, s.buf[keep:])
		s.buf = s.buf[:n]
		s.pos -= keep
		s.base += int64(keep)
	}
	if cap(s.buf)-len(s.buf) < decodeChunk/2 {
		nb := make([]byte, len(s.buf), 2*cap(s.buf)+decodeChunk)
		copy(nb, s.buf)
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
	s.buf = s.buf[:len(s.buf)+n]
	if err != nil {
		if err != io.EOF {
			s.err = &DocumentError{Offset: s.base + int64(len(s.buf)), Err: fmt.Errorf("reading input: %w", err)}
		}
		if n == 0 {
			s.eof = true
			return false
		}
		s.eof = err == io.EOF
		return n > 0
	}
	return true
}

// peek skips white space and returns the next byte without consuming it; ok is false at
// the end of input.
func (s *scanner) peek() (byte, bool) {
	for {
		for s.pos < len(s.buf) {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\n', '\r':
				s.pos++
			default:
				return c, true
			}
		}
		if !s.fill(s.pos) {
			return 0, false
		}
	}
}

// expect consumes the byte c after white space, or records an error naming what.
func (s *scanner) expect(c byte, what string) bool {
	got, ok := s.peek()
	if !ok {
		if s.err == nil {
			s.fail(s.offset(), "unexpected end of input, expected %s", what)
		}
		return false
	}
	if got != c {
		s.fail(s.offset(), "expected %s, found %s", what, quoteByte(got))
		return false
	}
	s.pos++
	return true
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// value consumes one JSON value after white space and returns its bytes, which stay valid
// until the next call. Its structure (brackets, strings, literals) is checked; the content
// of numbers and escapes is left to the full decoder.
func (s *scanner) value() ([]byte, int64, bool) {
	if _, ok := s.peek(); !ok {
		if s.err == nil {
			s.fail(s.offset(), "unexpected end of input, expected a value")
		}
		return nil, 0, false
	}
	start := s.pos
	startOff := s.offset()
	var stack []byte
	i := s.pos
	inString := false
	for {
		if i >= len(s.buf) {
			s.pos = i
			before := s.pos - start
			if before > maxValueBytes {
				s.fail(startOff, "a value of more than %d MiB (a CloudTrail record is at most a few hundred KiB)", maxValueBytes>>20)
				return nil, 0, false
			}
			if !s.fill(start) {
				if s.err == nil {
					s.fail(s.base+int64(len(s.buf)), "unexpected end of input inside a value that starts at byte %d", startOff)
				}
				return nil, 0, false
			}
			start = 0
			i = before
			continue
		}
		c := s.buf[i]
		if inString {
			for i+8 <= len(s.buf) && !hasStringSpecial(binary.LittleEndian.Uint64(s.buf[i:])) {
				i += 8
			}
			for i < len(s.buf) && s.buf[i] != '"' && s.buf[i] != '\\' {
				i++
			}
			if i >= len(s.buf) {
				continue
			}
			if s.buf[i] == '\\' {
				if i+1 >= len(s.buf) {
					// Need the escaped byte too: read on, then look again.
					s.pos = i
					before := i - start
					if !s.fill(start) {
						s.fail(s.base+int64(len(s.buf)), "unexpected end of input inside a string")
						return nil, 0, false
					}
					start = 0
					i = before
					continue
				}
				i += 2
				continue
			}
			inString = false
			i++
			if len(stack) == 0 {
				break
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			i++
			continue
		case '{', '[':
			stack = append(stack, c)
		case '}', ']':
			want := byte('{')
			if c == ']' {
				want = '['
			}
			if len(stack) == 0 || stack[len(stack)-1] != want {
				s.fail(s.base+int64(i), "unexpected %s", quoteByte(c))
				return nil, 0, false
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				i++
				s.pos = i
				return s.buf[start:i], startOff, true
			}
		case ',', ':', ' ', '\t', '\n', '\r':
			if len(stack) == 0 {
				// End of a scalar value.
				s.pos = i
				return s.buf[start:i], startOff, true
			}
		default:
			if len(stack) == 0 && !isScalarByte(c) {
				s.fail(s.base+int64(i), "invalid character %s", quoteByte(c))
				return nil, 0, false
			}
		}
		i++
	}
	s.pos = i
	return s.buf[start:i], startOff, true
}

func isScalarByte(c byte) bool {
	return c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// key consumes an object key and the colon after it.
func (s *scanner) key() (string, bool) {
	c, ok := s.peek()
	if !ok {
		s.fail(s.offset(), "unexpected end of input, expected an object key")
		return "", false
	}
	if c != '"' {
		s.fail(s.offset(), "expected an object key, found %s", quoteByte(c))
		return "", false
	}
	raw, off, ok := s.value()
	if !ok {
		return "", false
	}
	var k string
	if err := json.Unmarshal(raw, &k); err != nil {
		s.fail(off, "invalid object key: %v", err)
		return "", false
	}
	return k, s.expect(':', `":" after an object key`)
}

// records yields the raw bytes of each element of the top-level "Records" array, with its
// index and byte offset. Problems with the document are left in s.err.
func (s *scanner) records() iter.Seq[rawRecord] {
	return func(yield func(rawRecord) bool) {
		s.elements(func(idx int) bool {
			raw, off, ok := s.value()
			return ok && yield(rawRecord{raw: s.keep(raw), index: idx, offset: off})
		})
	}
}

// next reads and parses the element of "Records" at s.pos in one pass over its bytes:
// a record that lies whole in the read buffer is parsed where it lies. A record that runs
// past the buffer's end (or anything but a good record object: a syntax error, a non-object)
// is left to the two-pass path, which delimits it with [scanner.value] (reading on as
// needed, and never looking at a byte twice) and then parses it once. Parsing again from
// the record's start after each read would take time quadratic in the record's size.
// ok is false when the document cannot be read on.
func (s *scanner) next(idx int, strs interner, cfg decodeConfig) (rec Record, err error, ok bool) {
	start := s.pos
	if start < len(s.buf) && s.buf[start] == '{' {
		p := recParser{b: s.buf[start:], strs: strs, fields: cfg.fields}
		rec, err := p.object1()
		s.parsed += int64(p.pos)
		if err == nil {
			raw := s.keep(s.buf[start : start+p.pos])
			p.attach(&rec, raw)
			s.pos = start + p.pos
			return rec, nil, true
		}
	}
	raw, off, ok := s.value()
	if !ok {
		return Record{}, nil, false
	}
	s.parsed += int64(len(raw))
	rec, err = rawRecord{raw: s.keep(raw), index: idx, offset: off}.parse(cfg, strs)
	return rec, err, true
}

// elements walks the document to each element of its "Records" array and calls each with
// the element's index and s.pos at its first byte; each must consume the element, and
// returns false to stop. Problems with the document are left in s.err.
func (s *scanner) elements(each func(idx int) bool) {
	c, ok := s.peek()
	if !ok {
		if s.err == nil && s.offset() > 0 {
			s.fail(0, "%w (%d bytes)", ErrBlank, s.offset())
		} else if s.err == nil {
			s.fail(0, "%w", ErrEmpty)
		}
		return
	}
	if s.offset() == 0 && c == 0xef {
		s.fail(0, "%w", ErrBOM)
		return
	}
	if c != '{' {
		what := "a value"
		switch c {
		case '[':
			what = "an array"
		case '"':
			what = "a string"
		}
		s.fail(s.offset(), "the document is %s, expected an object with a \"Records\" array", what)
		return
	}
	s.pos++
	found := false
	first := true
	for {
		c, ok := s.peek()
		if !ok {
			s.fail(s.offset(), "unexpected end of input inside the top-level object")
			return
		}
		if c == '}' {
			s.pos++
			break
		}
		if !first && !s.expect(',', `"," or "}"`) {
			return
		}
		first = false
		k, ok := s.key()
		if !ok {
			return
		}
		if k != "Records" {
			v, off, ok := s.value()
			if !ok {
				return
			}
			if !json.Valid(v) {
				s.fail(off, "invalid JSON in the value of %q", k)
				return
			}
			continue
		}
		found = true
		c, ok = s.peek()
		if ok && c != '[' {
			s.fail(s.offset(), `"Records" is not an array`)
			return
		}
		if !s.expect('[', `"[" after "Records"`) {
			return
		}
		for idx := 0; ; idx++ {
			c, ok := s.peek()
			if !ok {
				s.fail(s.offset(), `unexpected end of input inside the "Records" array`)
				return
			}
			if c == ']' {
				s.pos++
				break
			}
			if idx > 0 && !s.expect(',', `"," or "]" in the "Records" array`) {
				return
			}
			if _, ok := s.peek(); !ok {
				s.fail(s.offset(), `unexpected end of input inside the "Records" array`)
				return
			}
			if !each(idx) {
				return
			}
		}
	}
	if c, ok := s.peek(); ok {
		s.fail(s.offset(), "unexpected %s after the end of the document", quoteByte(c))
		return
	}
	if s.err == nil && !found {
		s.fail(0, "%w", ErrNoRecords)
	}
}
