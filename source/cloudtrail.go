package source

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trailscraper/trailscraper/cloudtrail"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctapi "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/trailscraper/trailscraper/internal/awsretry"
)

var (
	_ ctapi.LookupEventsAPIClient = (*ctapi.Client)(nil)
)

// awsOptions are the options of the CloudTrail and Lake sources. They live in the shared
// options struct (source.go) so that every source takes the same Option type.
type awsOptions struct {
	filter       *cloudtrail.Filter
	regions      []string
	requestRate  float64 // LookupEvents calls a second per region; <= 0: no limit
	rateSet      bool
	pollInterval time.Duration
	progress     func(Progress)
	callTimeout  time.Duration
}

const (
	// DefaultRequestRate is the number of LookupEvents calls a second that [CloudTrail]
	// makes in each region unless [WithRequestRate] says otherwise: the API's quota.
	DefaultRequestRate = 2
	// DefaultPollInterval is how often [Lake] asks whether its query has finished.
	DefaultPollInterval = time.Second
	// DefaultCallTimeout is how long one attempt of a call to CloudTrail may take, response
	// included, before it is abandoned and tried again, unless [WithCallTimeout] says
	// otherwise.
	DefaultCallTimeout = time.Minute
	// defaultRegionCalls is how many LookupEvents calls run at once across all regions.
	defaultRegionCalls = 8
)

func (o *awsOptions) rate() float64 {
	if !o.rateSet {
		return DefaultRequestRate
	}
	return o.requestRate
}

func (o *awsOptions) poll() time.Duration {
	if o.pollInterval <= 0 {
		return DefaultPollInterval
	}
	return o.pollInterval
}

// callOpts are the per-call options of every CloudTrail call: throttling is waited out
// for as long as ctx lasts, and a stalled attempt is abandoned and tried again.
func (o *awsOptions) callOpts() func(*ctapi.Options) {
	d := o.callTimeout
	if d <= 0 {
		d = DefaultCallTimeout
	}
	return func(co *ctapi.Options) {
		co.Retryer = awsretry.Wrap(co.Retryer)
		co.APIOptions = append(co.APIOptions, awsretry.AttemptTimeout(d))
	}
}

// WithRegions sets the regions that [CloudTrail] queries. By default it queries the region
// its client is configured for. A region given twice is queried once.
func WithRegions(regions ...string) CloudTrailOption {
	return trailOnly(func(o *options) {
		o.aws.regions = nil
		for _, r := range regions {
			if !slices.Contains(o.aws.regions, r) {
				o.aws.regions = append(o.aws.regions, r)
			}
		}
	})
}

// WithRequestRate sets how many LookupEvents calls a second [CloudTrail] makes in each
// region; the default is [DefaultRequestRate], the API's quota. Zero or less removes the
// limit (for tests against a local server).
func WithRequestRate(perSecond float64) CloudTrailOption {
	return trailOnly(func(o *options) { o.aws.requestRate, o.aws.rateSet = perSecond, true })
}

// WithPollInterval sets how often [Lake] polls a running query, and how long [Athena]
// waits before its first poll (it then backs off); the default is [DefaultPollInterval].
func WithPollInterval(d time.Duration) QueryOption {
	return sqlSource(func(o *options) { o.aws.pollInterval = d })
}

// WithCallTimeout sets how long one attempt of a call to CloudTrail (LookupEvents, and the
// Lake calls) or Athena may take, the whole response included; an attempt that takes longer is
// abandoned and retried like a broken connection, as often as the client's retryer allows.
// Zero or less means [DefaultCallTimeout].
func WithCallTimeout(d time.Duration) AWSOption {
	return awsSource(func(o *options) { o.aws.callTimeout = d })
}

// WithProgress has the CloudTrail, Lake and Athena sources report their progress to fn after
// every call to the service. fn may be called from several goroutines at once.
func WithProgress(fn func(Progress)) AWSOption {
	return awsSource(func(o *options) { o.aws.progress = fn })
}

// Progress is a report of how far a query has got.
type Progress struct {
	Source  string // "LookupEvents us-east-1", "Lake query ID"
	State   string // "running", "QUEUED", "RUNNING", "FINISHED", "done", …
	Calls   int    // calls made to the service so far
	Records int    // records received so far (before local filtering)
	// DataScanned is the number of bytes the query has scanned, for Athena (which bills
	// by it, see [ScanCost]); 0 for the other sources.
	DataScanned int64
}

// CloudTrail reads records with the CloudTrail LookupEvents API ("Event history"), which
// holds the management events of the last 90 days of one account, per region.
//
// Regions (see [WithRegions]) are queried concurrently, at most [DefaultRequestRate] calls
// a second each. LookupEvents returns the newest events first; CloudTrail yields the
// records of all regions merged by eventTime, newest first, with records of the same time
// in the order of the regions and then of the API. The order is therefore deterministic
// for the same stored events.
//
// Of a [WithFilter] filter, one condition is pushed down as the LookupEvents lookup
// attribute (the API takes only one): a single event source without "*" becomes EventSource, else a
// single principal that is a plain user name (no "*", not an ARN) becomes Username.
// Everything else is applied locally.
//
// Throttling is waited out: whatever the client's retryer, a throttled call is retried with
// the retryer's backoff for as long as ctx lasts, so throttling never ends the sequence.
// An attempt that takes longer than [DefaultCallTimeout] (see [WithCallTimeout]) is
// retried as the retryer retries a broken connection. A service that answers with a page
// token it gave before ends the sequence with an error wrapping [ErrRepeatedToken].
//
// An event whose CloudTrailEvent is missing or is not a usable record is yielded as a
// *[cloudtrail.RecordError] naming the region and the event ID, and reading goes on.
type CloudTrail struct {
	client ctapi.LookupEventsAPIClient
	opts   options
}

// NewCloudTrail returns a source that reads records through client.
func NewCloudTrail(client ctapi.LookupEventsAPIClient, opts ...CloudTrailOption) *CloudTrail {
	return &CloudTrail{client: client, opts: newOptions(opts, CloudTrailOption.applyCloudTrail)}
}

// item is one element of a region's stream: a record, a per-record error, or a fatal
// error that ends the whole sequence.
type item struct {
	rec   cloudtrail.Record
	err   error
	fatal bool
}

// Records yields the records of the window [from, to] (zero times leave an end open).
func (c *CloudTrail) Records(ctx context.Context, from, to time.Time) iter.Seq2[cloudtrail.Record, error] {
	return func(yield func(cloudtrail.Record, error) bool) {
		if ctx.Err() != nil {
			yield(cloudtrail.Record{}, ctx.Err())
			return
		}
		filter := window(from, to, c.opts.filter)
		if !filter.From.IsZero() && !filter.To.IsZero() && filter.To.Before(filter.From) {
			return
		}
		regions := c.opts.aws.regions
		if len(regions) == 0 {
			regions = []string{""}
		}
		attr := lookupAttribute(filter)
		if attr != nil {
			c.opts.logger.Debug("LookupEvents: pushing down a lookup attribute", "key", attr.AttributeKey, "value", aws.ToString(attr.AttributeValue))
		}
		limit := c.opts.parallelism
		if limit <= 0 {
			limit = defaultRegionCalls
		}
		sem := make(chan struct{}, limit)

		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer func() {
			cancel()
			wg.Wait()
		}()
		streams := make([]chan item, len(regions))
		for i, region := range regions {
			ch := make(chan item, 100)
			streams[i] = ch
			wg.Go(func() {
				defer close(ch)
				r := regionReader{c: c, region: region, filter: filter, attr: attr, sem: sem, out: ch}
				r.run(ctx)
			})
		}
		if merge(streams, yield) && ctx.Err() != nil {
			// A reader stopped because ctx was cancelled while the merge was running.
			yield(cloudtrail.Record{}, ctx.Err())
		}
	}
}

// merge yields the items of the streams: errors as soon as they reach the head of their
// stream (in stream order), records newest first, ties in stream order. It reports
// whether every stream ended, rather than a fatal error or the consumer stopping it.
func merge(streams []chan item, yield func(cloudtrail.Record, error) bool) bool {
	heads := make([]*item, len(streams))
	open := make([]bool, len(streams))
	for i := range open {
		open[i] = true
	}
	for {
		for i, ch := range streams {
			if heads[i] == nil && open[i] {
				if it, ok := <-ch; ok {
					heads[i] = &it
				} else {
					open[i] = false
				}
			}
		}
		errored := false
		for i, h := range heads {
			if h == nil || h.err == nil {
				continue
			}
			heads[i] = nil
			if !yield(cloudtrail.Record{}, h.err) || h.fatal {
				return false
			}
			errored = true
			break
		}
		if errored {
			continue
		}
		best := -1
		for i, h := range heads {
			if h != nil && (best < 0 || h.rec.EventTime.After(heads[best].rec.EventTime)) {
				best = i
			}
		}
		if best < 0 {
			return true
		}
		h := heads[best]
		heads[best] = nil
		if !yield(h.rec, nil) {
			return false
		}
	}
}

// regionReader pages through LookupEvents in one region.
type regionReader struct {
	c      *CloudTrail
	region string
	filter *cloudtrail.Filter // the whole filter, window included
	attr   *types.LookupAttribute
	sem    chan struct{}
	out    chan<- item

	calls, records int
	next           time.Time // earliest start of the next call
}

func (r *regionReader) label() string {
	if r.region == "" {
		return "LookupEvents"
	}
	return "LookupEvents " + r.region
}

// send hands it to the merger; it reports false when the sequence is being abandoned.
func (r *regionReader) send(ctx context.Context, it item) bool {
	select {
	case r.out <- it:
		return true
	case <-ctx.Done():
		return false
	}
}

func (r *regionReader) run(ctx context.Context) {
	log := r.c.opts.logger
	in := &ctapi.LookupEventsInput{MaxResults: aws.Int32(50)}
	// The API takes whole seconds: widen the window to them; the filter cuts it exactly.
	if from := r.filter.From; !from.IsZero() {
		in.StartTime = aws.Time(from.Truncate(time.Second))
	}
	if to := r.filter.To; !to.IsZero() {
		if to.Truncate(time.Second) != to {
			to = to.Truncate(time.Second).Add(time.Second)
		}
		in.EndTime = aws.Time(to)
	}
	if r.attr != nil {
		in.LookupAttributes = []types.LookupAttribute{*r.attr}
	}
	optFns := []func(*ctapi.Options){r.c.opts.aws.callOpts()}
	var tokens awsretry.Tokens
	if r.region != "" {
		region := r.region
		optFns = append(optFns, func(o *ctapi.Options) { o.Region = region })
	}
	for {
		out, err := r.call(ctx, in, optFns)
		if err != nil {
			r.send(ctx, item{err: err, fatal: true})
			return
		}
		for _, ev := range out.Events {
			r.records++
			rec, err := decodeEvent(ev)
			if err != nil {
				src := r.label() + " event " + aws.ToString(ev.EventId)
				log.Debug("skipping an event", "source", src, "error", err)
				if !r.send(ctx, item{err: &cloudtrail.RecordError{Source: src, Index: -1, Offset: -1, Err: err}}) {
					return
				}
				continue
			}
			if !r.filter.Match(&rec) {
				continue
			}
			if !r.send(ctx, item{rec: rec}) {
				return
			}
		}
		token := aws.ToString(out.NextToken)
		r.report("running")
		if token == "" {
			r.report("done")
			log.Debug("LookupEvents finished", "source", r.label(), "calls", r.calls, "events", r.records)
			return
		}
		if err := tokens.Next(token); err != nil {
			r.send(ctx, item{err: fmt.Errorf("%s: %w", r.label(), err), fatal: true})
			return
		}
		in.NextToken = aws.String(token)
	}
}

func (r *regionReader) report(state string) {
	if fn := r.c.opts.aws.progress; fn != nil {
		fn(Progress{Source: r.label(), State: state, Calls: r.calls, Records: r.records})
	}
}

// call makes one LookupEvents call, paced to the request rate. Throttling is retried by
// the retryer that callOpts installs.
func (r *regionReader) call(ctx context.Context, in *ctapi.LookupEventsInput, optFns []func(*ctapi.Options)) (*ctapi.LookupEventsOutput, error) {
	if err := sleepUntil(ctx, r.next); err != nil {
		return nil, err
	}
	if rate := r.c.opts.aws.rate(); rate > 0 {
		r.next = time.Now().Add(time.Duration(float64(time.Second) / rate))
	}
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	out, err := r.c.client.LookupEvents(ctx, in, optFns...)
	<-r.sem
	r.calls++
	switch {
	case err == nil:
		return out, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	return nil, fmt.Errorf("%s: %w", r.label(), err)
}

// decodeEvent parses the CloudTrailEvent JSON of a LookupEvents event.
func decodeEvent(ev types.Event) (cloudtrail.Record, error) {
	if ev.CloudTrailEvent == nil {
		return cloudtrail.Record{}, errors.New("event has no CloudTrailEvent")
	}
	rec, err := cloudtrail.ParseRecord([]byte(*ev.CloudTrailEvent))
	if err != nil {
		return cloudtrail.Record{}, fmt.Errorf("CloudTrailEvent: %w", err)
	}
	return rec, nil
}

// sleepUntil waits until t or until ctx is done.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ErrRepeatedToken is wrapped by the error that ends a sequence of [CloudTrail] or [Lake]
// when the service answers with a page token it gave before, which would page forever.
var ErrRepeatedToken = awsretry.ErrRepeatedToken

// window returns the filter that a source applies for Records(ctx, from, to): f (or the
// zero filter) with its window narrowed to [from, to]; zero times are open ends.
func window(from, to time.Time, f *cloudtrail.Filter) *cloudtrail.Filter {
	var w cloudtrail.Filter
	if f != nil {
		w = *f
	}
	if !from.IsZero() && (w.From.IsZero() || from.After(w.From)) {
		w.From = from
	}
	if !to.IsZero() && (w.To.IsZero() || to.Before(w.To)) {
		w.To = to
	}
	return &w
}

// lookupAttribute returns the lookup attribute that f can be pushed down as, or nil.
func lookupAttribute(f *cloudtrail.Filter) *types.LookupAttribute {
	if f == nil {
		return nil
	}
	if len(f.EventSources) == 1 && f.EventSources[0] != "" && !strings.Contains(f.EventSources[0], "*") {
		return &types.LookupAttribute{AttributeKey: types.LookupAttributeKeyEventSource, AttributeValue: aws.String(f.EventSources[0])}
	}
	if len(f.Principals) == 1 && len(f.AssumedRoleARNs) == 0 {
		p := f.Principals[0]
		if p != "" && !strings.Contains(p, "*") && !strings.HasPrefix(p, "arn:") {
			return &types.LookupAttribute{AttributeKey: types.LookupAttributeKeyUsername, AttributeValue: aws.String(p)}
		}
	}
	return nil
}
