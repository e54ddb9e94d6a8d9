package cloudtrail

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Encoder writes records as a CloudTrail log document on one line,
// {"Records": [r1, r2, ...]} and a newline, each record as it was logged (its Raw bytes:
// numbers, strings and key order unchanged; a record that spans lines is compacted). The
// document is a valid input of [DecodeRecords], so encoders and decoders pipe into each
// other. Call [Encoder.Close] to end the document; nothing is written before the first
// record or Close.
type Encoder struct {
	w       *bufio.Writer
	n       int
	started bool
	compact bytes.Buffer
}

// NewEncoder returns an Encoder that writes to w, buffered.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: bufio.NewWriterSize(w, 1<<20)} }

// Encode writes r. A record without Raw bytes is an error: the encoder never invents a
// record's JSON.
func (e *Encoder) Encode(r *Record) error {
	if len(r.Raw) == 0 {
		return fmt.Errorf("encoding record %d: it has no original JSON (Raw)", e.n)
	}
	e.start()
	if e.n > 0 {
		e.w.WriteString(", ")
	}
	e.n++
	if _, err := e.w.Write(e.oneLine(r.Raw)); err != nil {
		return fmt.Errorf("writing records: %w", err)
	}
	return nil
}

// Count returns the number of records written.
func (e *Encoder) Count() int { return e.n }

// Close ends the document and flushes it. It does not close the underlying writer.
func (e *Encoder) Close() error {
	e.start()
	e.w.WriteString("]}\n")
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("writing records: %w", err)
	}
	return nil
}

func (e *Encoder) start() {
	if !e.started {
		e.started = true
		e.w.WriteString(`{"Records": [`)
	}
}

// oneLine returns raw, or when it spans lines (a pretty-printed log file), raw without the
// white space between its tokens. Strings, numbers and key order are never changed.
func (e *Encoder) oneLine(raw []byte) []byte {
	if bytes.IndexByte(raw, '\n') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return raw
	}
	e.compact.Reset()
	if json.Compact(&e.compact, raw) != nil {
		return raw // cannot happen for a decoded record; keep the bytes rather than lose them
	}
	return e.compact.Bytes()
}
