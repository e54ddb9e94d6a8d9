// Package s3download downloads CloudTrail log files from S3 to a local directory, in the
// layout that [github.com/trailscraper/trailscraper/source.Dir] reads.
//
// # Layout
//
// CloudTrail delivers log files to {prefix}AWSLogs/{account}/CloudTrail/{region}/YYYY/MM/DD/,
// or for organisation trails to {prefix}AWSLogs/{org-id}/{account}/CloudTrail/{region}/YYYY/MM/DD/,
// by UTC day. [Layout.DayPrefixes] computes the prefixes of a time window.
//
// # Downloading
//
// A [Downloader] lists only the parts of the bucket that lead to the wanted day prefixes
// and downloads, in parallel, each CloudTrail log file to dir/<key>. Files are written to a
// temporary name and renamed when complete, so an interrupted download leaves nothing that
// a later run would take for a finished file; files already present are skipped. Keys that
// could be written outside the directory are refused ([LocalPath]); objects whose names are
// not CloudTrail log file names are not downloaded.
//
// The S3 client is the caller's: anything with ListObjectsV2 and GetObject, such as
// *s3.Client from github.com/aws/aws-sdk-go-v2/service/s3, whose retryer retries failed
// requests. Whatever that retryer, throttling (SlowDown) is waited out for as long as the
// context lasts, and a request that stalls ([WithStallTimeout]) is abandoned and tried
// again. A listing whose continuation token repeats ends as a failed listing
// ([ErrRepeatedToken]) instead of running forever. A process killed mid-download leaves
// hidden temporary files; a later download removes those of the day directories it visits
// when their process is gone (on Unix) or they are older than the stall timeout.
package s3download

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"github.com/trailscraper/trailscraper/internal/awsretry"
)

// Client is the part of the S3 API that a [Downloader] uses. *s3.Client implements it.
type Client interface {
	s3.ListObjectsV2APIClient
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ Client = (*s3.Client)(nil)

// DefaultParallelism is how many files a [Downloader] downloads at once unless
// [WithParallelism] says otherwise.
const DefaultParallelism = 10

// MaxParallelism is the most files a [Downloader] downloads at once; [WithParallelism]
// lowers a larger number to it.
const MaxParallelism = 256

// DefaultStallTimeout is how long a request may receive nothing before it is abandoned and
// tried again, unless [WithStallTimeout] says otherwise.
const DefaultStallTimeout = time.Minute

// DefaultAttempts is how often a file whose transfer breaks off is fetched in all, unless
// [WithAttempts] says otherwise.
const DefaultAttempts = 3

// ErrIncomplete is wrapped by the error of [Downloader.Download] when some files or
// listings failed while the rest was downloaded; [Result.Failures] has the details.
var ErrIncomplete = errors.New("download incomplete")

// ErrRepeatedToken is wrapped by the [Failure] of a listing that stopped because the store
// answered with a continuation token it gave before, which would list forever.
var ErrRepeatedToken = awsretry.ErrRepeatedToken

// Option configures a [Downloader].
type Option func(*options)

type options struct {
	logger      *slog.Logger
	parallelism int
	attempts    int
	progress    func(Event)
	backoff     time.Duration
	stall       time.Duration
}

// WithLogger sends the downloader's warnings (refused keys, failed files) and debug lines
// (each key) to l. By default they are discarded.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithParallelism sets how many files are downloaded, and how many listings run, at once,
// at most [MaxParallelism]. Zero or less means [DefaultParallelism]. Above 10, raise the client's
// http.Transport.MaxIdleConnsPerHost to match (the SDK keeps 10 idle connections a host),
// or most requests open a new connection.
func WithParallelism(n int) Option { return func(o *options) { o.parallelism = n } }

// WithAttempts sets how often a file whose transfer breaks off after the response started
// (a cut connection, a short body) is fetched in all. Failed requests are retried by the S3
// client's own retryer, not by this. Zero or less means [DefaultAttempts].
func WithAttempts(n int) Option { return func(o *options) { o.attempts = n } }

// WithStallTimeout sets how long a request may go without receiving anything (a listing's
// whole response, a file's response headers, or the next bytes of its body) before it is
// abandoned and tried again: listings as often as the S3 client's retryer allows, files
// as often as [WithAttempts] says. It is also the age from which a temporary file of an
// interrupted download counts as abandoned (see [Downloader.Download]). Zero or less means
// [DefaultStallTimeout].
func WithStallTimeout(d time.Duration) Option { return func(o *options) { o.stall = d } }

// WithProgress calls f for every [Event]. Calls are serialised; f should return quickly.
func WithProgress(f func(Event)) Option { return func(o *options) { o.progress = f } }

// EventKind says what an [Event] reports.
type EventKind int

// The kinds of [Event].
const (
	// Listed: a log file to download (or to skip, when present) was listed.
	Listed EventKind = iota + 1
	// Downloaded: the file was downloaded.
	Downloaded
	// Existing: the file was already present and was skipped.
	Existing
	// Failed: the file could not be downloaded; Err says why.
	Failed
)

// String returns the kind's name in lower case.
func (k EventKind) String() string {
	switch k {
	case Listed:
		return "listed"
	case Downloaded:
		return "downloaded"
	case Existing:
		return "existing"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event reports progress on one log file. Every Listed event is followed by exactly one
// Downloaded, Existing or Failed event for the same key, unless the download is cancelled.
type Event struct {
	Kind EventKind
	Key  string
	Size int64 // the object's size as listed; 0 when the listing did not say
	Err  error // for Failed
}

// Result sums up a download.
type Result struct {
	Listed      int   // objects found under the day prefixes
	Downloaded  int   // files downloaded
	Existing    int   // files skipped because they were already present
	InvalidName int   // objects skipped because their names are not CloudTrail log file names
	Unsafe      int   // objects refused because their keys could be written outside the directory
	Failed      int   // files and listings that failed; len(Failures)
	Bytes       int64 // bytes downloaded
	Failures    []Failure
	// Interrupted is set when the download was cancelled before it was done; Unfinished
	// log files were listed but neither downloaded, found present nor failed, and
	// prefixes may not have been listed.
	Interrupted bool
	Unfinished  int
	// StaleTemporary counts the temporary files of earlier, interrupted downloads that were
	// removed.
	StaleTemporary int
}

// Failure is a file that could not be downloaded, or a prefix that could not be listed.
type Failure struct {
	Key string // the object key, or the prefix for a listing
	Err error
}

func (f Failure) Error() string { return f.Err.Error() }

// Unwrap returns f.Err.
func (f Failure) Unwrap() error { return f.Err }

var _ error = Failure{}

// Downloader downloads CloudTrail log files from one bucket to one local directory.
type Downloader struct {
	client Client
	bucket string
	dir    string
	opts   options
}

// New returns a Downloader from bucket to dir through client.
func New(client Client, bucket, dir string, opts ...Option) *Downloader {
	o := options{
		logger:      slog.New(slog.DiscardHandler),
		parallelism: DefaultParallelism,
		attempts:    DefaultAttempts,
		backoff:     100 * time.Millisecond,
	}
	for _, f := range opts {
		f(&o)
	}
	if o.parallelism <= 0 {
		o.parallelism = DefaultParallelism
	}
	o.parallelism = min(o.parallelism, MaxParallelism)
	if o.stall <= 0 {
		o.stall = DefaultStallTimeout
	}
	if o.attempts <= 0 {
		o.attempts = DefaultAttempts
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	return &Downloader{client: client, bucket: bucket, dir: dir, opts: o}
}

// run is the state of one call to Download.
type run struct {
	d      *Downloader
	cancel context.CancelCauseFunc // ends the download with a cause that every request shares
	root   *os.Root
	mu     sync.Mutex // guards res, listFailures and seen
	res    Result
	// listFailures counts the Failures that are listings.
	listFailures int
	seen         map[string]bool
	progMu       sync.Mutex // serialises progress calls
	listing      *errgroup.Group
	fetches      *errgroup.Group
	closers      sync.WaitGroup // close the day directories when their downloads are done
}

// dayDir is the local directory of one day prefix, opened as an [os.Root] on first use so
// that each file costs one-component file operations, and closed when the downloads of the
// day are done. Keys of one listing with Delimiter "/" all share this directory.
type dayDir struct {
	once    sync.Once
	root    *os.Root
	err     error
	pending sync.WaitGroup // downloads of the day in flight
}

// open opens the directory, and calls prepare with it once before any download in it.
func (d *dayDir) open(parent *os.Root, dir string, prepare func(*os.Root)) (*os.Root, error) {
	d.once.Do(func() {
		if d.err = parent.MkdirAll(dir, 0o755); d.err == nil {
			d.root, d.err = parent.OpenRoot(dir)
		}
		if d.err == nil {
			prepare(d.root)
		}
	})
	return d.root, d.err
}

// removeStale removes the temporary files of interrupted downloads (a process killed
// mid-download leaves them) from the day directory root: files named as [tempName] names
// them whose process is gone, or that have not been written to for the stall timeout. A
// download in progress writes more often than that or is abandoned, so a concurrent run's
// files are left alone.
func (r *run) removeStale(root *os.Root, dir string) {
	f, err := root.Open(".")
	if err != nil {
		return
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		r.d.opts.logger.Debug("could not read a directory for stale temporary files", "dir", dir, "error", err)
	}
	removed := 0
	for _, e := range entries {
		pid, ok := parseTempName(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		// A process that is gone writes no more; else, a download in progress writes at
		// least every stall timeout or is abandoned.
		gone := pid > 0 && pid != os.Getpid() && processGone(pid)
		if !gone && time.Since(fi.ModTime()) < r.d.opts.stall {
			continue
		}
		if err := root.Remove(e.Name()); err != nil {
			r.d.opts.logger.Warn("could not remove the temporary file of an interrupted download", "path", filepath.Join(r.d.dir, dir, e.Name()), "error", err)
			continue
		}
		r.d.opts.logger.Debug("removed the temporary file of an interrupted download", "path", filepath.Join(r.d.dir, dir, e.Name()))
		removed++
	}
	if removed > 0 {
		r.mu.Lock()
		r.res.StaleTemporary += removed
		r.mu.Unlock()
	}
}

// Download lists the objects under dayPrefixes (from [Layout.DayPrefixes]; a prefix that
// does not end in "/" gets one) and downloads the CloudTrail log files among them that are
// not yet in the directory, creating it when needed.
//
// It returns a [Result] in every case. The error wraps [ErrIncomplete] when some files or
// listings failed, is ctx's error when ctx was cancelled (no partial files are left
// behind; [Result.Interrupted] is set), and reports other problems (an unusable directory,
// a missing bucket, credentials that S3 refuses) as they come.
func (d *Downloader) Download(ctx context.Context, dayPrefixes []string) (*Result, error) {
	wanted := make([]target, 0, len(dayPrefixes))
	for _, p := range dayPrefixes {
		if p != "" && !strings.HasSuffix(p, "/") {
			p += "/"
		}
		wanted = append(wanted, target{fixed: p})
	}
	return d.download(ctx, wanted)
}

// download lists the parts of the bucket that lead to the wanted targets and downloads
// their log files.
func (d *Downloader) download(ctx context.Context, wanted []target) (*Result, error) {
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return &Result{}, fmt.Errorf("creating log directory: %w", err)
	}
	root, err := os.OpenRoot(d.dir)
	if err != nil {
		return &Result{}, fmt.Errorf("opening log directory: %w", err)
	}
	defer root.Close()

	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := &run{d: d, cancel: cancel, root: root, seen: map[string]bool{}, listing: new(errgroup.Group), fetches: new(errgroup.Group)}
	r.listing.SetLimit(d.opts.parallelism)
	r.fetches.SetLimit(d.opts.parallelism)

	slices.SortFunc(wanted, target.compare)
	wanted = slices.Compact(wanted)
	var fatal error
	if len(wanted) > 0 {
		fatal = r.walk(ctx, cancel, commonDir(wanted), wanted)
	}
	if err := r.listing.Wait(); err != nil && fatal == nil {
		fatal = err
	}
	if err := r.fetches.Wait(); err != nil && fatal == nil {
		fatal = err
	}
	r.closers.Wait()
	if cause := context.Cause(ctx); cause != nil && fatal == nil {
		fatal = cause
	}

	res := r.res
	slices.SortFunc(res.Failures, func(a, b Failure) int { return strings.Compare(a.Key, b.Key) })
	res.Failed = len(res.Failures)
	if parent.Err() != nil {
		res.Interrupted = true
		res.Unfinished = res.Listed - res.InvalidName - res.Unsafe - res.Downloaded - res.Existing - (res.Failed - r.listFailures)
	}
	switch {
	case fatal != nil:
		return &res, fatal
	case res.Failed > 0:
		files := res.Failed - r.listFailures
		switch {
		case r.listFailures == 0:
			return &res, fmt.Errorf("%w: %d of %d files failed", ErrIncomplete, files, files+res.Downloaded+res.Existing)
		case files == 0:
			return &res, fmt.Errorf("%w: %d listings failed", ErrIncomplete, r.listFailures)
		default:
			return &res, fmt.Errorf("%w: %d files and %d listings failed", ErrIncomplete, files, r.listFailures)
		}
	}
	return &res, nil
}

// commonDir returns the longest prefix ending in "/" that the fixed parts of all of
// targets share, or "".
func commonDir(targets []target) string {
	p := targets[0].fixed
	for _, t := range targets[1:] {
		k := t.fixed
		n := 0
		for n < len(p) && n < len(k) && p[n] == k[n] {
			n++
		}
		p = p[:n]
	}
	return p[:strings.LastIndex(p, "/")+1]
}

// walk lists node, a prefix ending in "/" (or ""), with Delimiter "/" and descends into the
// common prefixes that lead to one of wanted, the targets at or below node. Where only one
// child of node leads to a wanted prefix, it goes straight to the child without listing
// node. Objects are handed to fetch when node is itself a wanted day prefix. Listings run in
// the listing group, or inline when it is full. The day directories of a target with a day
// range are generated level by level as the walk reaches them, so a long window costs no
// memory up front.
func (r *run) walk(ctx context.Context, cancel context.CancelCauseFunc, node string, wanted []target) error {
	if err := ctx.Err(); err != nil {
		return nil // Download reports the cause
	}
	isDay := false
	children := map[string][]target{}
	var order []string
	add := func(child string, t target) {
		if _, ok := children[child]; !ok {
			order = append(order, child)
		}
		children[child] = append(children[child], t)
	}
	for _, w := range wanted {
		switch {
		case w.fixed == node && w.level == 0:
			isDay = true
		case w.fixed == node:
			for c := range w.children {
				add(c.fixed, c)
			}
		default:
			rest := w.fixed[len(node):]
			add(node+rest[:strings.Index(rest, "/")+1], w)
		}
	}
	slices.Sort(order)
	if !isDay && len(order) == 1 {
		return r.walk(ctx, cancel, order[0], children[order[0]])
	}

	found := map[string]bool{}
	var day *dayDir
	if isDay {
		day = new(dayDir)
		defer func() {
			r.closers.Go(func() {
				day.pending.Wait()
				if day.root != nil {
					day.root.Close()
				}
			})
		}()
	}
	p := s3.NewListObjectsV2Paginator(r.d.client, &s3.ListObjectsV2Input{
		Bucket:    aws.String(r.d.bucket),
		Prefix:    aws.String(node),
		Delimiter: aws.String("/"),
	})
	var tokens awsretry.Tokens
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, callOpts(r.d.opts.stall))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var nb *types.NoSuchBucket
			if errors.As(err, &nb) || awsretry.AuthFailure(err) != "" {
				// Every other request would fail alike.
				err = fmt.Errorf("listing s3://%s/%s: %w", r.d.bucket, node, err)
				cancel(err)
				return err
			}
			r.listFailed(node, fmt.Errorf("listing s3://%s/%s: %w", r.d.bucket, node, err))
			return nil
		}
		for _, cp := range page.CommonPrefixes {
			if cp.Prefix != nil {
				found[*cp.Prefix] = true
			}
		}
		if aws.ToBool(page.IsTruncated) {
			// A store that answers with a token it gave before would be listed forever.
			if err := tokens.Next(aws.ToString(page.NextContinuationToken)); err != nil {
				r.listFailed(node, fmt.Errorf("listing s3://%s/%s: %w", r.d.bucket, node, err))
				return nil
			}
		}
		if isDay {
			for _, obj := range page.Contents {
				// A store that ignores the delimiter may return deeper keys; CloudTrail
				// writes none there.
				if obj.Key == nil || !strings.HasPrefix(*obj.Key, node) || strings.Contains((*obj.Key)[len(node):], "/") {
					continue
				}
				size := int64(-1) // unknown: some stores leave it out
				if obj.Size != nil {
					size = *obj.Size
				}
				if !r.fetch(ctx, day, *obj.Key, size) {
					return nil
				}
			}
		}
	}
	r.d.opts.logger.Debug("listed", "prefix", node, "subdirectories", len(found))
	for _, child := range order {
		if !found[child] {
			continue
		}
		child, below := child, children[child]
		task := func() error { return r.walk(ctx, cancel, child, below) }
		if !r.listing.TryGo(task) {
			if err := task(); err != nil {
				return err
			}
		}
	}
	return nil
}

// listFailed records a listing that failed.
func (r *run) listFailed(prefix string, err error) {
	r.d.opts.logger.Warn(err.Error())
	r.mu.Lock()
	r.res.Failures = append(r.res.Failures, Failure{Key: prefix, Err: err})
	r.listFailures++
	r.mu.Unlock()
}

func (r *run) progress(e Event) {
	if f := r.d.opts.progress; f != nil {
		r.progMu.Lock()
		defer r.progMu.Unlock()
		f(e)
	}
}

// fetch classifies one listed object and, if it is a log file to download, starts its
// download in the fetch group (waiting for a free slot). It reports false when ctx is done.
func (r *run) fetch(ctx context.Context, day *dayDir, key string, size int64) bool {
	log := r.d.opts.logger
	r.mu.Lock()
	if r.seen[key] {
		r.mu.Unlock()
		return true
	}
	r.seen[key] = true
	r.res.Listed++
	r.mu.Unlock()

	if strings.HasSuffix(key, "/") {
		// A folder marker, as the S3 console creates them: not a file, let alone a log file.
		log.Debug("skipped: a folder marker, not a log file", "key", key)
		r.mu.Lock()
		r.res.InvalidName++
		r.mu.Unlock()
		return true
	}
	rel, err := LocalPath(key)
	if err != nil {
		log.Warn("refused S3 key: "+err.Error(), "bucket", r.d.bucket)
		r.mu.Lock()
		r.res.Unsafe++
		r.mu.Unlock()
		return true
	}
	if _, err := cloudtrail.ParseLogFileName(path.Base(key)); err != nil {
		log.Debug("skipped: not a CloudTrail log file name", "key", key)
		r.mu.Lock()
		r.res.InvalidName++
		r.mu.Unlock()
		return true
	}
	r.progress(Event{Kind: Listed, Key: key, Size: max(size, 0)})
	if ctx.Err() != nil {
		return false
	}
	day.pending.Add(1)
	r.fetches.Go(func() error {
		defer day.pending.Done()
		n, existing, err := r.get(ctx, day, key, rel, size)
		r.mu.Lock()
		defer r.mu.Unlock()
		switch {
		case err != nil && ctx.Err() != nil:
			return nil // cancelled: Download reports it
		case awsretry.AuthFailure(err) != "":
			// The credentials were refused: every other download would fail alike.
			r.cancel(fmt.Errorf("downloading s3://%s/%s: %w", r.d.bucket, key, err))
			return nil
		case err != nil:
			err = fmt.Errorf("downloading s3://%s/%s: %w", r.d.bucket, key, err)
			log.Warn(err.Error())
			r.res.Failures = append(r.res.Failures, Failure{Key: key, Err: err})
			r.progress(Event{Kind: Failed, Key: key, Size: max(size, 0), Err: err})
		case existing:
			log.Debug("skipped: already present", "key", key)
			r.res.Existing++
			r.progress(Event{Kind: Existing, Key: key, Size: max(size, 0)})
		default:
			log.Debug("downloaded", "key", key, "bytes", n)
			r.res.Downloaded++
			r.res.Bytes += n
			r.progress(Event{Kind: Downloaded, Key: key, Size: max(size, 0)})
		}
		return nil
	})
	return ctx.Err() == nil
}

// errShort is a transfer that ended before Content-Length bytes arrived.
var errShort = errors.New("transfer ended early")

// get downloads key to rel below the root unless a file of the listed size (any size when
// the listing did not say, size < 0) is there already.
func (r *run) get(ctx context.Context, day *dayDir, key, rel string, size int64) (n int64, existing bool, err error) {
	dir, name := filepath.Split(rel)
	dir = cmp.Or(dir, ".")
	root, err := day.open(r.root, dir, func(root *os.Root) { r.removeStale(root, dir) })
	if err != nil {
		return 0, false, err
	}
	if fi, err := root.Lstat(name); err == nil {
		if !fi.Mode().IsRegular() {
			return 0, false, fmt.Errorf("%s exists and is not a regular file", filepath.Join(r.d.dir, rel))
		}
		if size < 0 || fi.Size() == size {
			return 0, true, nil
		}
		r.d.opts.logger.Warn("replacing a file whose size differs from the object's; it may be incomplete",
			"path", filepath.Join(r.d.dir, rel), "size", fi.Size(), "object size", size)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, false, err
	}
	for attempt := 1; ; attempt++ {
		n, err = r.getOnce(ctx, root, key, name)
		if err == nil || ctx.Err() != nil || attempt >= r.d.opts.attempts || !retryable(err) {
			return n, false, err
		}
		r.d.opts.logger.Debug("retrying", "key", key, "attempt", attempt+1, "error", err)
		t := time.NewTimer(r.d.opts.backoff << (attempt - 1))
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, false, ctx.Err()
		case <-t.C:
		}
	}
}

// bodyError is a failure while reading a response body, which the S3 client's retryer does
// not cover.
type bodyError struct{ err error }

func (e bodyError) Error() string { return "reading response: " + e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

func retryable(err error) bool {
	var be bodyError
	var se *awsretry.StallError
	return errors.As(err, &be) || errors.As(err, &se)
}

// callOpts are the per-call options of every S3 call: throttling (SlowDown) is waited out
// for as long as ctx lasts, and an attempt that receives no complete response within
// timeout (none when timeout <= 0: GetObject has its own watchdog) is abandoned and tried
// again.
func callOpts(timeout time.Duration) func(*s3.Options) {
	return func(o *s3.Options) {
		o.Retryer = awsretry.Wrap(o.Retryer)
		o.APIOptions = append(o.APIOptions, awsretry.AttemptTimeout(timeout))
	}
}

var errStalled = errors.New("stalled")

// getOnce fetches key once into a temporary file in root and renames it to name. A
// request that receives nothing (headers, then body bytes) for the stall timeout is
// abandoned with a *awsretry.StallError.
func (r *run) getOnce(ctx context.Context, root *os.Root, key, name string) (n int64, err error) {
	stall := r.d.opts.stall
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(stall, func() { cancel(errStalled) })
	defer watchdog.Stop()
	defer func() {
		if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), errStalled) {
			err = &awsretry.StallError{After: stall}
		}
	}()
	out, err := r.d.client.GetObject(actx, &s3.GetObjectInput{Bucket: aws.String(r.d.bucket), Key: aws.String(key)}, callOpts(0))
	if err != nil {
		return 0, err
	}
	defer out.Body.Close()
	watchdog.Reset(stall)

	tmp := tempName(name)
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			root.Remove(tmp)
		}
	}()
	n, err = io.Copy(f, bodyReader{out.Body, func() { watchdog.Reset(stall) }})
	switch {
	case err != nil:
		return n, err
	case out.ContentLength != nil && n != *out.ContentLength:
		return n, bodyError{fmt.Errorf("%w: got %d of %d bytes", errShort, n, *out.ContentLength)}
	}
	done = true
	if err := f.Close(); err != nil {
		root.Remove(tmp)
		return n, err
	}
	if err := root.Rename(tmp, name); err != nil {
		root.Remove(tmp)
		return n, err
	}
	return n, nil
}

// bodyReader marks its read errors as bodyErrors, to tell them from write errors, and
// calls progress after every read that returned bytes.
type bodyReader struct {
	r        io.Reader
	progress func()
}

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 {
		b.progress()
	}
	if err != nil && err != io.EOF {
		err = bodyError{err}
	}
	return n, err
}

// tempName returns a fresh name for downloading the file name: hidden, and not a
// CloudTrail log file name, so that readers of the directory skip it. It holds the process
// ID, so that a later run can tell the file of a killed process from one being written.
func tempName(name string) string {
	var b [tempRandom]byte
	rand.Read(b[:])
	return "." + name + "." + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:]) + tempSuffix
}

const (
	tempRandom = 6 // random bytes in a temporary name
	tempSuffix = ".part"
)

// parseTempName reports whether name is one that tempName returns for a log file name, and
// the process ID in it (0 for a name without one).
func parseTempName(name string) (pid int, ok bool) {
	rest, hidden := strings.CutPrefix(name, ".")
	rest, part := strings.CutSuffix(rest, tempSuffix)
	if !hidden || !part {
		return 0, false
	}
	i := strings.LastIndexByte(rest, '.')
	if i < 0 {
		return 0, false
	}
	id := rest[i+1:]
	if p, random, found := strings.Cut(id, "-"); found {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 {
			return 0, false
		}
		pid, id = n, random
	}
	if b, err := hex.DecodeString(id); err != nil || len(b) != tempRandom {
		return 0, false
	}
	if _, err := cloudtrail.ParseLogFileName(rest[:i]); err != nil {
		return 0, false
	}
	return pid, true
}
