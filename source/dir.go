package source

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"golang.org/x/sync/errgroup"
)

// Errors of [Dir] that callers may branch on.
var (
	// ErrNoLogFiles: the directory holds no CloudTrail log files.
	ErrNoLogFiles = errors.New("no CloudTrail log files")
	// ErrNoEvents: the log files hold no record with an eventTime.
	ErrNoEvents = errors.New("no events with an eventTime")
)

// Dir reads the CloudTrail log files below a local directory, as download writes them.
//
// It walks the directory recursively and reads every regular file whose name is a
// CloudTrail log file name ([cloudtrail.ParseLogFileName]), gzipped or not. Other files
// are skipped: one warning counts them (each is logged at debug level), a name that looks
// like a broken log file name, and a log file that is not a regular file (a named pipe:
// reading it could block for ever), are warned about one by one. It decodes files in
// parallel, by default as many at once as there are CPUs ([WithParallelism]), and yields
// records in a deterministic order: by file timestamp, then path, then position in the
// file. It streams each file: memory is bounded by the parallelism, whatever a file holds
// (each file being read is at most a few batches of records ahead of the consumer). It
// reports the first few problems of each file one by one, then one *[cloudtrail.RecordError]
// wrapping a *[cloudtrail.SuppressedError] that counts the rest.
type Dir struct {
	path string
	opts options
}

// NewDir returns the source for the log files below path.
func NewDir(path string, opts ...DirOption) *Dir {
	return &Dir{path: path, opts: newOptions(opts, DirOption.applyDir)}
}

// fields returns the fields of records to decode: those asked for, and those that the
// filter and the time window (when there is one) need.
func (d *Dir) fields(window bool) cloudtrail.Fields {
	if d.opts.fields == 0 {
		return cloudtrail.AllFields
	}
	f := d.opts.fields
	if d.opts.filter != nil {
		f |= d.opts.filter.Fields()
	}
	if window {
		f |= cloudtrail.FieldEventTime
	}
	return f
}

func (d *Dir) parallelism() int {
	if d.opts.parallelism > 0 {
		return d.opts.parallelism
	}
	return runtime.NumCPU()
}

// Records yields the records of the window: those whose eventTime is in from..to
// (inclusive; a zero time leaves that end open), read from the files that may hold them
// ([cloudtrail.LogFile.InTimeframe]).
//
// A file or record that cannot be read is yielded as a *[cloudtrail.RecordError] naming
// the file and the reason, and the rest go on; see [cloudtrail.LogFile.Records] for what
// happens to the records of a damaged file. When a window is given, a record without an
// eventTime is reported the same way, as it cannot be placed in the window. A missing or
// unreadable directory, and the cancellation of ctx, are yielded as other errors and end
// the sequence. With [WithFilter], only the records the filter matches are yielded, and the
// window is narrowed to the filter's.
func (d *Dir) Records(ctx context.Context, from, to time.Time) iter.Seq2[cloudtrail.Record, error] {
	if d.opts.filter == nil {
		return d.records(ctx, from, to)
	}
	f := window(from, to, d.opts.filter)
	if f.Fields()&^cloudtrail.FieldEventTime == 0 {
		return d.records(ctx, f.From, f.To) // a window only, which records applies exactly
	}
	return f.Apply(d.records(ctx, f.From, f.To))
}

func (d *Dir) records(ctx context.Context, from, to time.Time) iter.Seq2[cloudtrail.Record, error] {
	return func(yield func(cloudtrail.Record, error) bool) {
		files, warnings, err := d.list(ctx, func(lf *cloudtrail.LogFile) bool { return lf.InTimeframe(from, to) })
		if err != nil {
			yield(cloudtrail.Record{}, err)
			return
		}
		for _, w := range warnings {
			if !yield(cloudtrail.Record{}, w) {
				return
			}
		}
		d.opts.logger.Debug("reading log files", "dir", d.path, "files", len(files), "parallelism", d.parallelism())
		if d.ordered(ctx, files, from, to, yield) && ctx.Err() != nil {
			yield(cloudtrail.Record{}, ctx.Err())
		}
	}
}

// fileItem is one element of a file's sequence: a record or an error.
type fileItem struct {
	rec cloudtrail.Record
	err error
}

// Read-ahead of the files being read: a worker sends a file's items in batches of
// batchItems, and gets at most readAheadBatches ahead of the consumer.
const (
	batchItems       = 64
	readAheadBatches = 4
)

// ordered reads files with bounded parallelism and yields their items in the order of
// files. It reports false when yield asked to stop.
//
// The producer puts each file's stream on the queue pending, in file order, and then
// hands the file to a worker, which sends the file's items on the stream in batches and
// closes it. The consumer takes streams off the queue in order and yields their items. A
// worker blocks once its stream holds readAheadBatches batches, so memory is bounded by
// the parallelism, not by what the files hold. Workers start in file order, so the
// worker of the stream at the head of the queue is always running or done: the consumer
// never waits for a worker that waits for it.
func (d *Dir) ordered(ctx context.Context, files []cloudtrail.LogFile, from, to time.Time, yield func(cloudtrail.Record, error) bool) bool {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := d.parallelism()
	pending := make(chan chan []fileItem, n)
	produced := make(chan struct{})
	var g errgroup.Group
	g.SetLimit(n)
	go func() {
		defer close(produced)
		defer close(pending)
		for i := range files {
			if ctx.Err() != nil {
				return
			}
			stream := make(chan []fileItem, readAheadBatches)
			select {
			case pending <- stream:
			case <-ctx.Done():
				return
			}
			g.Go(func() error {
				defer close(stream)
				d.readFile(ctx, &files[i], from, to, stream)
				return nil
			})
		}
	}()
	defer func() {
		cancel()
		for range pending { // unblock the producer
		}
		<-produced
		g.Wait() // workers stop sending once ctx is cancelled
	}()
	for stream := range pending {
		for batch := range stream {
			for i := range batch {
				if !yield(batch[i].rec, batch[i].err) {
					return false
				}
			}
			putBatch(batch)
		}
		if ctx.Err() != nil {
			return true
		}
	}
	return true
}

// readFile sends the records of one file that are in the window to out, in batches, and
// the first few problems (then a count of the rest). It stops when ctx is cancelled.
func (d *Dir) readFile(ctx context.Context, lf *cloudtrail.LogFile, from, to time.Time, out chan<- []fileItem) {
	batch := getBatch()
	send := func(it fileItem) bool {
		batch = append(batch, it)
		if len(batch) < batchItems {
			return true
		}
		select {
		case out <- batch:
			batch = getBatch()
			return true
		case <-ctx.Done():
			return false
		}
	}
	window := !from.IsZero() || !to.IsZero()
	warn := fileWarnings{path: lf.Path}
	index, kept := 0, 0
	for r, err := range lf.Records(ctx, cloudtrail.WithFields(d.fields(window))) {
		if err != nil {
			var re *cloudtrail.RecordError
			if !errors.As(err, &re) {
				return // ctx was cancelled: the consumer notices on its own
			}
			index++
			if err := warn.add(err); err != nil && !send(fileItem{err: err}) {
				return
			}
			continue
		}
		i := index
		index++
		if window {
			if r.EventTime.IsZero() {
				err := warn.add(&cloudtrail.RecordError{Source: lf.Path, Index: i, Offset: -1, Err: errNoEventTime})
				if err != nil && !send(fileItem{err: err}) {
					return
				}
				continue
			}
			if (!from.IsZero() && r.EventTime.Before(from)) || (!to.IsZero() && r.EventTime.After(to)) {
				continue
			}
		}
		if !send(fileItem{rec: r}) {
			return
		}
		kept++
	}
	if err := warn.rest(); err != nil && !send(fileItem{err: err}) {
		return
	}
	d.opts.logger.Debug("read log file", "path", lf.Path, "records", index, "in window", kept)
	if len(batch) > 0 {
		select {
		case out <- batch:
		case <-ctx.Done():
		}
	}
}

// batchPool keeps the batches of fileItems that the consumer has yielded.
var batchPool = sync.Pool{New: func() any {
	b := make([]fileItem, 0, batchItems)
	return &b
}}

func getBatch() []fileItem { return (*batchPool.Get().(*[]fileItem))[:0] }

func putBatch(b []fileItem) {
	clear(b) // drop the records' references to their bytes
	b = b[:0]
	batchPool.Put(&b)
}

var errNoEventTime = errors.New("record has no eventTime, so it cannot be placed in the time window")

// maxFileWarnings is how many problems of one file are reported one by one.
const maxFileWarnings = 5

// fileWarnings bounds the problems reported for one file: the first maxFileWarnings, then
// a count of the rest.
type fileWarnings struct {
	path       string
	n          int
	suppressed int
}

// add returns err if it is to be reported, else nil (it is counted).
func (w *fileWarnings) add(err error) error {
	w.n++
	if w.n > maxFileWarnings {
		w.suppressed++
		return nil
	}
	return err
}

// rest returns the error that counts the problems that add did not report, or nil.
func (w *fileWarnings) rest() error {
	if w.suppressed == 0 {
		return nil
	}
	return &cloudtrail.RecordError{Source: w.path, Index: -1, Offset: -1, Err: &cloudtrail.SuppressedError{Count: w.suppressed}}
}

// list returns the log files below the directory for which keep is true, sorted by
// timestamp, then path, and warnings (*cloudtrail.RecordError) for entries that could
// not be read. The error reports a directory that is missing or cannot be read, or the
// cancellation of ctx.
func (d *Dir) list(ctx context.Context, keep func(*cloudtrail.LogFile) bool) ([]cloudtrail.LogFile, []error, error) {
	fi, err := os.Lstat(d.path)
	if err != nil {
		return nil, nil, fmt.Errorf("log directory %s: %w", d.path, unwrapPath(err))
	}
	root := d.path
	if fi.Mode()&fs.ModeSymlink != 0 {
		// WalkDir does not follow a symbolic link at the root; a trailing separator does.
		if fi, err = os.Stat(d.path); err != nil {
			return nil, nil, fmt.Errorf("log directory %s: %w", d.path, unwrapPath(err))
		}
		root = d.path + string(filepath.Separator)
	}
	if !fi.IsDir() {
		return nil, nil, fmt.Errorf("log directory %s is not a directory", d.path)
	}
	var files []cloudtrail.LogFile
	var warnings []error
	others, example := 0, ""
	err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if p == root {
				return fmt.Errorf("log directory %s: %w", d.path, unwrapPath(err))
			}
			warnings = append(warnings, &cloudtrail.RecordError{Source: p, Index: -1, Offset: -1, Err: unwrapPath(err)})
			return nil // WalkDir skips the directory it could not read
		}
		if e.IsDir() {
			return nil
		}
		name := e.Name()
		lf, err := cloudtrail.NewLogFile(p)
		if err != nil {
			switch {
			case strings.Contains(name, "_CloudTrail-Digest_"):
				d.opts.logger.Debug("skipping file: a CloudTrail digest file", "path", p)
			case strings.Contains(name, "_CloudTrail_") && (strings.HasSuffix(name, ".json.gz") || strings.HasSuffix(name, ".json")):
				// Most likely a log file with a damaged name. The error starts with the
				// quoted name, which Source already gives.
				msg := strings.TrimPrefix(err.Error(), strconv.Quote(name)+": ")
				warnings = append(warnings, &cloudtrail.RecordError{Source: p, Index: -1, Offset: -1, Err: errors.New(msg)})
			default:
				d.opts.logger.Debug("skipping file: not a CloudTrail log file", "path", p)
				if others++; example == "" {
					example = p
				}
			}
			return nil
		}
		if !keep(lf) {
			return nil
		}
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil {
				warnings = append(warnings, &cloudtrail.RecordError{Source: p, Index: -1, Offset: -1, Err: unwrapPath(err)})
				return nil
			}
			mode = fi.Mode()
		}
		if !mode.IsRegular() {
			warnings = append(warnings, &cloudtrail.RecordError{Source: p, Index: -1, Offset: -1, Err: &cloudtrail.NotRegularError{Mode: mode}})
			return nil
		}
		files = append(files, *lf)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if others > 0 {
		d.opts.logger.Warn("skipped files whose names are not CloudTrail log file names (ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_ID.json.gz or .json)",
			"count", others, "example", example)
	}
	slices.SortFunc(files, func(a, b cloudtrail.LogFile) int {
		return cmp.Or(a.Timestamp.Compare(b.Timestamp), strings.Compare(a.Path, b.Path))
	})
	return files, warnings, nil
}

// unwrapPath drops the *fs.PathError around err, whose message repeats the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// LastEventTime returns the latest eventTime of any record below the directory.
//
// It reads the newest files first (by the timestamp in their names), as many at once as
// the parallelism allows, and stops once no unread file could hold a later event: a file
// named T holds no event after T + [cloudtrail.DeliveryLag]. Files and records that cannot be read
// are logged as warnings and skipped. The error wraps [ErrNoLogFiles] when there are no
// log files and [ErrNoEvents] when none of them holds a record with an eventTime.
func (d *Dir) LastEventTime(ctx context.Context) (time.Time, error) {
	files, warnings, err := d.list(ctx, func(*cloudtrail.LogFile) bool { return true })
	if err != nil {
		return time.Time{}, err
	}
	for _, w := range warnings {
		d.opts.logger.Warn("skipped: " + w.Error())
	}
	if len(files) == 0 {
		return time.Time{}, fmt.Errorf("%w below %s", ErrNoLogFiles, d.path)
	}
	slices.Reverse(files)
	var latest time.Time
	n := d.parallelism()
	read := 0
	for start := 0; start < len(files); start += n {
		if !latest.IsZero() && !files[start].Timestamp.Add(cloudtrail.DeliveryLag).After(latest) {
			break
		}
		batch := files[start:min(start+n, len(files))]
		latests := make([]time.Time, len(batch))
		var g errgroup.Group
		for i := range batch {
			g.Go(func() error {
				latests[i] = d.fileLatest(ctx, &batch[i])
				return nil
			})
		}
		g.Wait()
		if err := ctx.Err(); err != nil {
			return time.Time{}, err
		}
		read += len(batch)
		for _, t := range latests {
			if t.After(latest) {
				latest = t
			}
		}
	}
	d.opts.logger.Debug("looked for the last event", "files read", read, "files", len(files))
	if latest.IsZero() {
		return time.Time{}, fmt.Errorf("%w in the %d log files below %s", ErrNoEvents, len(files), d.path)
	}
	return latest, nil
}

// fileLatest returns the latest eventTime in a file, or the zero time.
func (d *Dir) fileLatest(ctx context.Context, lf *cloudtrail.LogFile) time.Time {
	d.opts.logger.Debug("reading log file", "path", lf.Path)
	var latest time.Time
	warn := fileWarnings{path: lf.Path}
	for r, err := range lf.Records(ctx, cloudtrail.WithFields(cloudtrail.FieldEventTime)) {
		if err != nil {
			var re *cloudtrail.RecordError
			if !errors.As(err, &re) {
				break
			}
			if err := warn.add(err); err != nil {
				d.opts.logger.Warn("skipped: " + err.Error())
			}
			continue
		}
		if r.EventTime.After(latest) {
			latest = r.EventTime
		}
	}
	if err := warn.rest(); err != nil {
		d.opts.logger.Warn("skipped: " + err.Error())
	}
	return latest
}
