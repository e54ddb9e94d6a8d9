package cloudtrail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// LogFile is one CloudTrail log file as CloudTrail delivers it:
// ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz, or gunzipped, .json.
type LogFile struct {
	Path      string
	Account   string
	Region    string
	Timestamp time.Time // the delivery time in the file name
}

// logFileName is the original tool's file name pattern, anchored at both ends, which also
// takes the .json of a gunzipped log file.
var logFileName = regexp.MustCompile(`^([0-9]+)_CloudTrail_([a-z0-9-]+)_([0-9TZ]+)_[a-zA-Z0-9]+\.json(?:\.gz)?$`)

// ErrLogFileName is wrapped by the errors of [ParseLogFileName] and [NewLogFile].
var ErrLogFileName = errors.New("not a CloudTrail log file name")

// ParseLogFileName parses the base name of a CloudTrail log file,
// ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz (or .json, gunzipped). The error wraps [ErrLogFileName]
// and says what is wrong: the shape of the name, or its timestamp. The result's Path is name.
func ParseLogFileName(name string) (LogFile, error) {
	m := logFileName.FindStringSubmatch(name)
	if m == nil {
		return LogFile{}, fmt.Errorf("%q: %w (want ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_ID.json.gz or .json)", name, ErrLogFileName)
	}
	ts, err := time.Parse("20060102T1504Z", m[3])
	if err != nil {
		return LogFile{}, fmt.Errorf("%q: %w: timestamp %q is not YYYYMMDDTHHMMZ", name, ErrLogFileName, m[3])
	}
	return LogFile{Path: name, Account: m[1], Region: m[2], Timestamp: ts}, nil
}

// NewLogFile returns the LogFile at path, or an error when its base name is not a valid
// CloudTrail log file name. It does not touch the file.
func NewLogFile(path string) (*LogFile, error) {
	lf, err := ParseLogFileName(filepath.Base(path))
	if err != nil {
		return nil, err
	}
	lf.Path = path
	return &lf, nil
}

// DeliveryLag bounds how much later than its events CloudTrail delivers a log file, whose
// name carries the delivery time: about 15 minutes in practice, an hour to allow for clock
// skew, as the original tool's heuristic does. So the events of a window ending at to can
// be in files named up to to + DeliveryLag, and a file named T holds no event after
// T + DeliveryLag.
const DeliveryLag = time.Hour

// InTimeframe reports whether the file may hold events of the window from..to, by the
// original tool's heuristic: CloudTrail delivers a file within [DeliveryLag] of its events,
// so the file is read when from <= Timestamp <= to + DeliveryLag. A zero from or to leaves
// that end open.
func (l *LogFile) InTimeframe(from, to time.Time) bool {
	if !from.IsZero() && l.Timestamp.Before(from) {
		return false
	}
	if !to.IsZero() && l.Timestamp.After(to.Add(DeliveryLag)) {
		return false
	}
	return true
}

// Records streams the records of the file, gzip-compressed or not (as its first bytes
// say, whatever its name). It holds one record in memory at a time, and reads only a
// regular file: a named pipe or device is reported, never read (it could block for ever).
// The cancellation of ctx ends it between two reads, with ctx's error. The options are
// those of [DecodeRecords] ([WithFields], mostly).
//
// Every problem is yielded as a *[RecordError] whose Source is the file's path, and the
// sequence goes on where it can: a record that cannot be used (Index set) is skipped and
// the next one read. A problem with the file (it cannot be opened, is empty, is truncated
// or fails its checksum, or holds invalid JSON) ends the sequence with a *RecordError
// with Index -1; the records already yielded stay valid (their bytes were read before the
// damage) and the error says how many there were. CloudTrail writes each file once, so a
// truncated file usually is a download that was cut short. Data after the end of the gzip
// data is ignored and reported last, as a *RecordError with Index -1 wrapping a
// *[TrailingDataError], once all records were read.
func (l *LogFile) Records(ctx context.Context, opts ...DecodeOption) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		fileErr := func(offset int64, err error) {
			yield(Record{}, &RecordError{Source: l.Path, Index: -1, Offset: offset, Err: err})
		}
		if err := ctx.Err(); err != nil {
			yield(Record{}, err)
			return
		}
		f, fi, err := openRegular(l.Path)
		if err != nil {
			fileErr(-1, unwrapPath(err)) // a *PathError repeats the path
			return
		}
		defer f.Close()
		gz := gzipPool.Get().(*gzipReader)
		defer gzipPool.Put(gz)
		var in io.Reader
		var head []byte // the first bytes of the file
		if fi.Size() <= maxWholeFile {
			// Read a small file whole: the decompressor is faster on bytes in memory.
			data, err := readWhole(ctxReader{ctx, f}, fi.Size())
			defer putWhole(data)
			if err != nil {
				fileErr(-1, err)
				return
			}
			in, head = bytes.NewReader(data), data
			if hasGzipMagic(head) {
				if err := gz.resetBytes(data); err != nil {
					fileErr(-1, describeGzipError(err, 0))
					return
				}
				in = gz
			}
		} else {
			gz.br.Reset(ctxReader{ctx, f})
			head, _ = gz.br.Peek(len(gzipMagic))
			in = gz.br
			if hasGzipMagic(head) {
				if err := gz.reset(gz.br); err != nil {
					fileErr(-1, describeGzipError(err, 0))
					return
				}
				in = gz
			}
		}
		compressed := hasGzipMagic(head)
		if len(head) == 0 {
			fileErr(-1, errors.New("file is empty"))
			return
		}
		n := 0
		for r, err := range DecodeRecords(in, opts...) {
			if err != nil {
				var re *RecordError
				if errors.As(err, &re) {
					re.Source = l.Path
					if !yield(Record{}, re) {
						return
					}
					continue
				}
				if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
					yield(Record{}, cerr)
					return
				}
				var de *DocumentError
				if errors.As(err, &de) {
					fileErr(l.describe(de, n, compressed))
					return
				}
				fileErr(-1, err)
				return
			}
			n++
			if !yield(r, nil) {
				return
			}
			if n%64 == 0 && ctx.Err() != nil {
				yield(Record{}, ctx.Err())
				return
			}
		}
		if compressed {
			if err := gz.errTrailing(); err != nil {
				fileErr(-1, fmt.Errorf("%w; %s", err, all(n)))
			}
		}
	}
}

// describe says what a document error of the file means, and where.
func (l *LogFile) describe(de *DocumentError, n int, compressed bool) (int64, error) {
	if compressed {
		if cause := describeGzipError(de.Err, n); cause != de.Err {
			return -1, cause // the offset in the uncompressed data means little here
		}
	}
	where := "in the uncompressed JSON"
	if !compressed {
		where = "not gzip data, read as JSON"
		if n == 0 && de.Offset == 0 {
			return -1, fmt.Errorf("neither gzip data nor a JSON log document: %w", de.Err)
		}
	}
	if n > 0 {
		return de.Offset, fmt.Errorf("%w (%s; %s)", de.Err, where, kept(n))
	}
	return de.Offset, fmt.Errorf("%w (%s)", de.Err, where)
}

// unwrapPath drops the *fs.PathError around err, whose message repeats the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var gzipPool = sync.Pool{New: func() any { return newGzipReader() }}

// maxWholeFile is the size up to which a log file is read whole (CloudTrail's are tens of
// kilobytes); larger files are streamed, so that memory stays bounded.
var maxWholeFile int64 = 1 << 20

var wholePool = sync.Pool{New: func() any { return new([]byte) }}

// readWhole reads all of r, which holds about size bytes, into a pooled buffer.
func readWhole(r io.Reader, size int64) ([]byte, error) {
	b := (*wholePool.Get().(*[]byte))[:0]
	if int64(cap(b)) < size+1 {
		b = make([]byte, 0, size+512)
	}
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // the file grew: make room
		}
	}
}

// putWhole returns a buffer of readWhole to the pool. Nothing may point into it: records'
// bytes are copied out of the decoder's buffer.
func putWhole(b []byte) {
	if int64(cap(b)) <= maxWholeFile+512 {
		b = b[:0]
		wholePool.Put(&b)
	}
}

// describeGzipError turns an error of the gzip reader into a message for users; n is
// the number of records read before it. Other errors are returned as they are.
func describeGzipError(err error, n int) error {
	var msg string
	switch {
	case errors.Is(err, io.EOF) && n == 0:
		msg = "file is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		msg = "gzip data is truncated"
	case errors.Is(err, gzip.ErrHeader):
		msg = "not a gzip file"
	case errors.Is(err, gzip.ErrChecksum):
		msg = "gzip checksum mismatch (the file is damaged)"
	default:
		var ce flate.CorruptInputError
		if !errors.As(err, &ce) {
			return err
		}
		msg = "gzip data is corrupt"
	}
	if n > 0 {
		return fmt.Errorf("%s (%w); %s", msg, err, kept(n))
	}
	return fmt.Errorf("%s (%w)", msg, err)
}

// all says that all n records were read.
func all(n int) string {
	if n == 1 {
		return "the 1 record was read"
	}
	return fmt.Sprintf("all %d records were read", n)
}

// kept says that the n records read before a file's damage were kept.
func kept(n int) string {
	if n == 1 {
		return "the 1 record before it was kept"
	}
	return fmt.Sprintf("the %d records before it were kept", n)
}
