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
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/trailscraper/trailscraper"
	"golang.org/x/sync/errgroup"
)

var _ trailscraper.RecordSource = (*Dir)(nil)

// Errors of [Dir] that callers may branch on.
var (
	// ErrNoLogFiles: the directory holds no CloudTrail log files.
	ErrNoLogFiles = errors.New("no CloudTrail log files")
	// ErrNoEvents: the log files hold no record with an eventTime.
	ErrNoEvents = errors.New("no events with an eventTime")
)

// Dir reads the CloudTrail log files below a local directory, as download writes them.
//
// It walks the directory recursively and reads every file whose name is a CloudTrail log
// file name ([cloudtrail.ParseLogFileName]); other files are skipped (logged at debug
// level, or as a warning when the name looks like a broken log file name). It decodes
// files in parallel, by default as many at once as there are CPUs ([WithParallelism]),
// and yields records in a deterministic order: by file timestamp, then path, then position
// in the file. It holds the records of at most parallelism+1 files in memory.
type Dir struct {
	path string
	opts options
}

// NewDir returns the source for the log files below path.
func NewDir(path string, opts ...DirOption) *Dir {
	return &Dir{path: path, opts: newOptions(opts, DirOption.applyDir)}
}

func (d *Dir) parallelism() int {
	if d.opts.parallelism > 0 {
		return d.opts.parallelism
	}
	return runtime.NumCPU()
}

// Records yields the records of the window: those whose eventTime is in from..to
// (inclusive; a zero time leaves that end open), read from the files that may hold them
// ([trailscraper.LogFile.InTimeframe]).
//
// A file or record that cannot be read is yielded as a *[trailscraper.RecordError] naming
// the file and the reason, and the rest go on; see [trailscraper.LogFile.Records] for what
// happens to the records of a damaged file. When a window is given, a record without an
// eventTime is reported the same way, as it cannot be placed in the window. A missing or
// unreadable directory, and the cancellation of ctx, are yielded as other errors and end
// the sequence. With [WithFilter], only the records the filter matches are yielded, and the
// window is narrowed to the filter's.
func (d *Dir) Records(ctx context.Context, from, to time.Time) iter.Seq2[trailscraper.Record, error] {
	if d.opts.filter == nil {
		return d.records(ctx, from, to)
	}
	f := window(from, to, d.opts.filter)
	return f.Apply(d.records(ctx, f.From, f.To))
}

func (d *Dir) records(ctx context.Context, from, to time.Time) iter.Seq2[trailscraper.Record, error] {
	return func(yield func(trailscraper.Record, error) bool) {
		files, warnings, err := d.list(ctx, func(lf *trailscraper.LogFile) bool { return lf.InTimeframe(from, to) })
		if err != nil {
			yield(trailscraper.Record{}, err)
			return
		}
		for _, w := range warnings {
			if !yield(trailscraper.Record{}, w) {
				return
			}
		}
		d.opts.logger.Debug("reading log files", "dir", d.path, "files", len(files), "parallelism", d.parallelism())
		if d.ordered(ctx, files, from, to, yield) && ctx.Err() != nil {
			yield(trailscraper.Record{}, ctx.Err())
		}
	}
}

// fileItem is one element of a file's sequence: a record or an error.
type fileItem struct {
	rec trailscraper.Record
	err error
}

// ordered reads files with bounded parallelism and yields their items in the order of
// files. It reports false when yield asked to stop.
//
// The producer puts each file's result slot on the queue pending, in file order, and then
// hands the file to a worker; the consumer takes slots off the queue in order and waits for
// each. The queue holds at most parallelism slots, so at most parallelism+1 files' records
// are in memory: those queued (read or being read) and the one being yielded.
func (d *Dir) ordered(ctx context.Context, files []trailscraper.LogFile, from, to time.Time, yield func(trailscraper.Record, error) bool) bool {
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
			slot := make(chan []fileItem, 1)
			select {
			case pending <- slot:
			case <-ctx.Done():
				return
			}
			g.Go(func() error {
				slot <- d.readFile(ctx, &files[i], from, to)
				return nil
			})
		}
	}()
	defer func() {
		cancel()
		for range pending { // unblock the producer
		}
		<-produced
		g.Wait() // workers never block: their slots are buffered
	}()
	for slot := range pending {
		var items []fileItem
		select {
		case items = <-slot:
		case <-ctx.Done():
			return true
		}
		for _, it := range items {
			if !yield(it.rec, it.err) {
				return false
			}
		}
	}
	return true
}

// readFile reads the records of one file that are in the window.
func (d *Dir) readFile(ctx context.Context, lf *trailscraper.LogFile, from, to time.Time) []fileItem {
	items := make([]fileItem, 0, 256) // CloudTrail files hold up to a few hundred records
	window := !from.IsZero() || !to.IsZero()
	index, kept := 0, 0
	for r, err := range lf.Records(ctx) {
		if err != nil {
			var re *trailscraper.RecordError
			if !errors.As(err, &re) {
				break // ctx was cancelled: the consumer notices on its own
			}
			items = append(items, fileItem{err: err})
			index++
			continue
		}
		i := index
		index++
		if window {
			if r.EventTime.IsZero() {
				items = append(items, fileItem{err: &trailscraper.RecordError{Source: lf.Path, Index: i, Offset: -1,
					Err: errors.New("record has no eventTime, so it cannot be placed in the time window")}})
				continue
			}
			if (!from.IsZero() && r.EventTime.Before(from)) || (!to.IsZero() && r.EventTime.After(to)) {
				continue
			}
		}
		items = append(items, fileItem{rec: r})
		kept++
	}
	d.opts.logger.Debug("read log file", "path", lf.Path, "records", index, "in window", kept)
	return items
}

// list returns the log files below the directory for which keep is true, sorted by
// timestamp, then path, and warnings (*trailscraper.RecordError) for entries that could
// not be read. The error reports a directory that is missing or cannot be read, or the
// cancellation of ctx.
func (d *Dir) list(ctx context.Context, keep func(*trailscraper.LogFile) bool) ([]trailscraper.LogFile, []error, error) {
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
	var files []trailscraper.LogFile
	var warnings []error
	err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if p == root {
				return fmt.Errorf("log directory %s: %w", d.path, unwrapPath(err))
			}
			warnings = append(warnings, &trailscraper.RecordError{Source: p, Index: -1, Offset: -1, Err: unwrapPath(err)})
			return nil // WalkDir skips the directory it could not read
		}
		if e.IsDir() {
			return nil
		}
		lf, err := cloudtrail.NewLogFile(p)
		if err != nil {
			name := e.Name()
			if strings.HasSuffix(name, ".json.gz") && !strings.Contains(name, "_CloudTrail-Digest_") {
				// The error starts with the quoted name, which Source already gives.
				msg := strings.TrimPrefix(err.Error(), strconv.Quote(name)+": ")
				warnings = append(warnings, &trailscraper.RecordError{Source: p, Index: -1, Offset: -1, Err: errors.New(msg)})
			} else {
				d.opts.logger.Debug("skipping file: not a CloudTrail log file", "path", p)
			}
			return nil
		}
		if keep(lf) {
			files = append(files, *lf)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(files, func(a, b trailscraper.LogFile) int {
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
	files, warnings, err := d.list(ctx, func(*trailscraper.LogFile) bool { return true })
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
func (d *Dir) fileLatest(ctx context.Context, lf *trailscraper.LogFile) time.Time {
	d.opts.logger.Debug("reading log file", "path", lf.Path)
	var latest time.Time
	for r, err := range lf.Records(ctx) {
		if err != nil {
			var re *trailscraper.RecordError
			if errors.As(err, &re) {
				d.opts.logger.Warn("skipped: " + err.Error())
				continue
			}
			break
		}
		if r.EventTime.After(latest) {
			latest = r.EventTime
		}
	}
	return latest
}
