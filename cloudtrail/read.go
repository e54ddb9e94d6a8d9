package cloudtrail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
)

// Format is a form of input that [ReadRecords] reads.
type Format struct {
	Gzip  bool // the input was gzip-compressed
	Lines bool // JSON lines, one record a line; else a log document, {"Records": [...]}
}

func (f Format) String() string {
	s := `a CloudTrail log document {"Records": [...]}`
	if f.Lines {
		s = "JSON lines of records"
	}
	if f.Gzip {
		s += ", gzipped"
	}
	return s
}

// ErrFormat is wrapped by the error of [ReadRecords] for input in none of the forms it
// reads; its message names them.
var ErrFormat = errors.New(`expected a CloudTrail log document {"Records": [...]} (a log file, or select's output) or JSON lines of records, gzipped or not`)

// ReadRecords reads records in any of the forms users have them in, and says which form it
// found: a CloudTrail log document, {"Records": [...]}, as a log file holds it and select
// prints it; or JSON lines, one record a line, as exports and coverage's input have them;
// either one gzip-compressed or not (as the gzip magic bytes say).
//
// It reads the first bytes to tell the forms apart: an object whose first key is "Records"
// (in any case) is a log document, any other object starts JSON lines. Input that is empty, only white
// space, or starts with anything but an object is an error wrapping [ErrFormat], and so is
// input that starts with a byte order mark; nothing is yielded then.
//
// A log document is read as [DecodeRecords] reads it. In JSON lines, a line that is not a
// usable record is yielded as a *[RecordError] with its Line, and reading goes on with the
// next line; blank lines are skipped. Data after the end of gzip data is ignored and
// reported last, as a *RecordError wrapping a *[TrailingDataError]. The options are those
// of DecodeRecords.
func ReadRecords(r io.Reader, opts ...DecodeOption) (iter.Seq2[Record, error], Format, error) {
	cfg := newDecodeConfig(opts)
	var f Format
	br := bufio.NewReaderSize(r, 64<<10)
	var gz *gzipReader
	if isGzip(br) {
		f.Gzip = true
		gz = &gzipReader{br: br}
		if err := gz.reset(br); err != nil {
			return nil, f, describeGzipError(err, 0)
		}
		br = bufio.NewReaderSize(gz, 64<<10)
	}
	lines, err := sniff(br)
	if err != nil {
		if f.Gzip {
			err = fmt.Errorf("%w (in the gunzipped input)", err)
		}
		return nil, f, err
	}
	f.Lines = lines
	return func(yield func(Record, error) bool) {
		s := newScanner(br)
		stopped := false
		y := func(rec Record, err error) bool {
			var de *DocumentError
			if gz != nil && errors.As(err, &de) {
				if cause := describeGzipError(de.Err, 0); cause != de.Err {
					err = &DocumentError{Offset: de.Offset, Err: cause}
				}
			}
			stopped = !yield(rec, err)
			return !stopped
		}
		if lines {
			s.decodeLines(cfg, y)
		} else {
			s.decode(cfg, y)
		}
		if !stopped && s.err == nil {
			if err := gz.errTrailing(); err != nil {
				yield(Record{}, &RecordError{Source: cfg.source, Index: -1, Offset: -1, Err: err})
			}
		}
	}, f, nil
}

// sniff tells a log document (false) from JSON lines (true) by the input's first bytes,
// without consuming them.
func sniff(br *bufio.Reader) (lines bool, err error) {
	for n := 64; ; n *= 2 {
		b, perr := br.Peek(min(n, br.Size()))
		i := 0
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			switch {
			case perr == nil && len(b) < br.Size():
				continue
			case perr == nil:
				return false, nil // a lot of white space: let the decoder say what follows
			case len(b) == 0:
				return false, fmt.Errorf("%w; %w", ErrEmpty, ErrFormat)
			default:
				return false, fmt.Errorf("%w (%d bytes); %w", ErrBlank, len(b), ErrFormat)
			}
		}
		switch c := b[i]; c {
		case '{':
		case 0xef:
			return false, fmt.Errorf("%w; %w", ErrBOM, ErrFormat)
		case '[':
			return false, fmt.Errorf("the input is a JSON array; %w", ErrFormat)
		default:
			return false, fmt.Errorf("the input starts with %s; %w", quoteByte(c), ErrFormat)
		}
		// The first key, if it is all there.
		j := i + 1
		for j < len(b) && isSpace(b[j]) {
			j++
		}
		if j < len(b) && b[j] != '"' {
			return true, nil // {} or invalid: a line that the decoder reports
		}
		if j < len(b) {
			if end := bytes.IndexByte(b[j+1:], '"'); end >= 0 {
				// "records" in another case is a log document with a typo, which the
				// decoder reports.
				return !strings.EqualFold(string(b[j+1:j+1+end]), "Records"), nil
			}
		}
		if perr != nil || len(b) >= br.Size() {
			return true, nil // cut short: not a log document's "Records" key
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decodeLines yields the records of JSON lines.
func (s *scanner) decodeLines(cfg decodeConfig, yield func(Record, error) bool) {
	if cfg.workers > 1 {
		decodeParallel(s, s.lines(), cfg, yield)
		return
	}
	strs := getInterner()
	defer internerPool.Put(strs)
	for rr := range s.lines() {
		if !yield(rr.parse(cfg, strs)) {
			return
		}
	}
	if s.err != nil {
		yield(Record{}, s.err)
	}
}

// errLineTooLong is the error of a line longer than maxValueBytes.
func errLineTooLong() error {
	return fmt.Errorf("line longer than %d KiB (a CloudTrail record is at most a few hundred KiB)", maxValueBytes>>10)
}

// lines yields each line that is not blank as a raw record, with its line number. A line
// longer than maxValueBytes is yielded with the error errLineTooLong and no bytes.
// Problems with the input are left in s.err.
func (s *scanner) lines() iter.Seq[rawRecord] {
	return func(yield func(rawRecord) bool) {
		idx := 0
		for n := 1; ; n++ {
			raw, off, tooLong, ok := s.line()
			if !ok {
				return
			}
			rr := rawRecord{index: idx, line: n, offset: off}
			if tooLong {
				rr.err = errLineTooLong()
			} else if raw = bytes.Trim(raw, " \t\r\n"); len(raw) == 0 {
				continue
			} else {
				rr.raw = s.keep(raw)
			}
			if !yield(rr) {
				return
			}
			idx++
		}
	}
}

// line consumes one line and returns it without its newline, and the offset of its start.
// A line longer than maxValueBytes is consumed but not kept: tooLong reports it. ok is
// false at the end of the input.
func (s *scanner) line() (line []byte, off int64, tooLong, ok bool) {
	start, scan := s.pos, s.pos
	off = s.offset()
	for {
		if i := bytes.IndexByte(s.buf[scan:], '\n'); i >= 0 {
			end := scan + i
			s.pos = end + 1
			if tooLong || end-start > maxValueBytes {
				return nil, off, true, true
			}
			return s.buf[start:end], off, false, true
		}
		scan = len(s.buf)
		if scan-start > maxValueBytes {
			tooLong, start = true, scan // drop what was read of it
		}
		s.pos = start
		base := s.base
		more := s.fill(start) // moves buf[start:] to the front
		shift := int(s.base - base)
		start -= shift
		scan -= shift
		if !more {
			s.pos = len(s.buf)
			if tooLong || len(s.buf)-start > maxValueBytes {
				return nil, off, true, true
			}
			if start < len(s.buf) {
				return s.buf[start:], off, false, true
			}
			return nil, off, false, false
		}
	}
}
