package cloudtrail

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// LogFile is one CloudTrail log file as CloudTrail delivers it:
// ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz.
type LogFile struct {
	Path      string
	Account   string
	Region    string
	Timestamp time.Time // the delivery time in the file name
}

// logFileName is the original tool's file name pattern, anchored at both ends.
var logFileName = regexp.MustCompile(`^([0-9]+)_CloudTrail_([a-z0-9-]+)_([0-9TZ]+)_[a-zA-Z0-9]+\.json\.gz$`)

// ErrLogFileName is wrapped by the errors of [ParseLogFileName] and [NewLogFile].
var ErrLogFileName = errors.New("not a CloudTrail log file name")

// ParseLogFileName parses the base name of a CloudTrail log file,
// ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz. The error wraps [ErrLogFileName]
// and says what is wrong: the shape of the name, or its timestamp. The result's Path is name.
func ParseLogFileName(name string) (LogFile, error) {
	m := logFileName.FindStringSubmatch(name)
	if m == nil {
		return LogFile{}, fmt.Errorf("%q: %w (want ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_ID.json.gz)", name, ErrLogFileName)
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

// Records streams the records of the file. It holds one record in memory at a time.
//
// Every problem is yielded as a *[RecordError] whose Source is the file's path, and the
// sequence goes on where it can: a record that cannot be used (Index set) is skipped and
// the next one read. A problem with the file (it cannot be opened, is empty, is not gzip,
// is truncated or fails its checksum, or holds invalid JSON) ends the sequence with a
// *RecordError with Index -1; the records already yielded stay valid (their bytes were
// read before the damage) and the error says how many there were. CloudTrail writes each
// file once, so a truncated file usually is a download that was cut short.
func (l *LogFile) Records(ctx context.Context) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		fileErr := func(offset int64, err error) {
			yield(Record{}, &RecordError{Source: l.Path, Index: -1, Offset: offset, Err: err})
		}
		if err := ctx.Err(); err != nil {
			yield(Record{}, err)
			return
		}
		f, err := os.Open(l.Path)
		if err != nil {
			fileErr(-1, errors.Unwrap(err)) // the *PathError repeats the path
			return
		}
		defer f.Close()
		gz := gzipPool.Get().(*gzipState)
		defer gzipPool.Put(gz)
		gz.br.Reset(f)
		zr := &gz.zr
		if err := zr.Reset(gz.br); err != nil {
			fileErr(-1, describeGzipError(err, 0))
			return
		}
		n := 0
		for r, err := range DecodeRecords(zr) {
			if err != nil {
				var re *RecordError
				if errors.As(err, &re) {
					re.Source = l.Path
					if !yield(Record{}, re) {
						return
					}
					continue
				}
				var de *DocumentError
				if errors.As(err, &de) {
					if cause := describeGzipError(de.Err, n); cause != de.Err {
						fileErr(-1, cause) // the offset in the uncompressed data means little here
					} else if n > 0 {
						fileErr(de.Offset, fmt.Errorf("%w (in the uncompressed JSON; %s)", de.Err, kept(n)))
					} else {
						fileErr(de.Offset, fmt.Errorf("%w (in the uncompressed JSON)", de.Err))
					}
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
	}
}

// gzipState is a gzip reader and its input buffer, reused from file to file: a new
// decompressor allocates tens of kilobytes of tables.
type gzipState struct {
	br *bufio.Reader
	zr gzip.Reader
}

var gzipPool = sync.Pool{New: func() any { return &gzipState{br: bufio.NewReaderSize(nil, 64<<10)} }}

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

// kept says that the n records read before a file's damage were kept.
func kept(n int) string {
	if n == 1 {
		return "the 1 record before it was kept"
	}
	return fmt.Sprintf("the %d records before it were kept", n)
}
