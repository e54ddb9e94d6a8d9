// Package awsretry makes calls of the AWS SDK clients wait out throttling, retry attempts
// that stall, and stop paging when a service repeats a page token. The library's AWS
// readers (package source, package s3download) install it per call, so the behaviour holds
// whatever retryer the caller configured its client with.
package awsretry

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// maxBackoffAttempt caps the attempt number handed to the base retryer's backoff, so that
// an endless run of throttled attempts keeps the base's largest delay.
const maxBackoffAttempt = 30

var throttleCodes = retry.ThrottleErrorCode{Codes: retry.DefaultThrottleErrorCodes}

// IsThrottle reports whether err says that AWS throttled the call: one of the SDK's
// throttling error codes (ThrottlingException, SlowDown, TooManyRequestsException, …) or
// an HTTP 429 response.
func IsThrottle(err error) bool {
	if err == nil {
		return false
	}
	if throttleCodes.IsErrorThrottle(err) == aws.TrueTernary {
		return true
	}
	var sc interface{ HTTPStatusCode() int }
	return errors.As(err, &sc) && sc.HTTPStatusCode() == 429
}

// StallError is an attempt that [AttemptTimeout] ended because no complete response came
// in time. The retryer of [Wrap] retries it like a connection error.
type StallError struct {
	After time.Duration
}

func (e *StallError) Error() string {
	return fmt.Sprintf("no response within %s", e.After)
}

// Timeout reports true: a StallError is a timeout.
func (e *StallError) Timeout() bool { return true }

// Wrap returns a retryer that retries what base retries, as often as base allows, and
// retries throttling errors ([IsThrottle]) and stalled attempts ([StallError]) besides:
// throttling for as long as the call's context lasts, with base's backoff, and without
// spending base's retry quota. A nil base means the SDK's standard retryer.
func Wrap(base aws.Retryer) aws.Retryer {
	switch b := base.(type) {
	case nil:
		base = retry.NewStandard()
	case *retryer:
		return b
	}
	return &retryer{base: base}
}

type retryer struct{ base aws.Retryer }

var _ aws.RetryerV2 = (*retryer)(nil)

func (r *retryer) IsErrorRetryable(err error) bool {
	var se *StallError
	if IsThrottle(err) || errors.As(err, &se) {
		return true
	}
	return r.base.IsErrorRetryable(err)
}

// MaxAttempts is 0, no limit, for the SDK's retry loop; RetryDelay applies base's limit to
// everything but throttling.
func (r *retryer) MaxAttempts() int { return 0 }

func (r *retryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	if !IsThrottle(err) {
		if limit := r.base.MaxAttempts(); limit > 0 && attempt >= limit {
			return 0, &retry.MaxAttemptsError{Attempt: attempt, Err: err}
		}
	}
	return r.base.RetryDelay(min(attempt, maxBackoffAttempt), err)
}

func (r *retryer) GetRetryToken(ctx context.Context, opErr error) (func(error) error, error) {
	var se *StallError
	if IsThrottle(opErr) || errors.As(opErr, &se) {
		return nopRelease, nil
	}
	return r.base.GetRetryToken(ctx, opErr)
}

func (r *retryer) GetInitialToken() func(error) error { return r.base.GetInitialToken() }

func (r *retryer) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.base.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.base.GetInitialToken(), nil
}

func nopRelease(error) error { return nil }

// AttemptTimeout returns an API option (for a client's Options.APIOptions) that ends each
// attempt of a call whose whole response has not arrived within d with a *[StallError].
// Use it only for operations whose response the SDK reads in full (not S3 GetObject). It
// does nothing when d <= 0.
func AttemptTimeout(d time.Duration) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		if d <= 0 {
			return nil
		}
		m := attemptTimeout{d}
		if err := s.Finalize.Insert(m, "Retry", middleware.After); err != nil {
			return s.Finalize.Add(m, middleware.Before)
		}
		return nil
	}
}

type attemptTimeout struct{ d time.Duration }

func (attemptTimeout) ID() string { return "TrailscraperAttemptTimeout" }

var errStalled = errors.New("attempt stalled")

func (m attemptTimeout) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := time.AfterFunc(m.d, func() { cancel(errStalled) })
	defer t.Stop()
	out, md, err := next.HandleFinalize(actx, in)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), errStalled) {
		err = &StallError{After: m.d}
	}
	return out, md, err
}

// Tokens remembers the page tokens of one paged listing, to stop a service that answers
// with a token it gave before from being paged forever. It keeps a 64-bit hash a token.
type Tokens struct {
	seed maphash.Seed
	seen map[uint64]struct{}
}

// ErrRepeatedToken is wrapped by the error of [Tokens.Next] for a repeated token.
var ErrRepeatedToken = errors.New("the service repeated a page token; stopped paging so as not to loop forever")

// Next records token, the token for the next page, and fails when it was seen before.
func (t *Tokens) Next(token string) error {
	if t.seen == nil {
		t.seed = maphash.MakeSeed()
		t.seen = map[uint64]struct{}{}
	}
	h := maphash.String(t.seed, token)
	if _, ok := t.seen[h]; ok {
		return fmt.Errorf("after %d pages: %w", len(t.seen)+1, ErrRepeatedToken)
	}
	t.seen[h] = struct{}{}
	return nil
}

// authCodes are the error codes with which AWS refuses credentials: expired, unknown or
// badly signed. Every further call with them fails alike.
var authCodes = map[string]bool{
	"ExpiredToken": true, "ExpiredTokenException": true, "RequestExpired": true,
	"InvalidClientTokenId": true, "UnrecognizedClientException": true, "InvalidAccessKeyId": true,
	"SignatureDoesNotMatch": true, "InvalidToken": true, "TokenRefreshRequired": true,
	"IncompleteSignature": true, "MissingAuthenticationToken": true,
}

// AuthFailure returns the error code when err says that AWS refused the call's
// credentials (expired, unknown, badly signed), or "".
func AuthFailure(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && authCodes[ae.ErrorCode()] {
		return ae.ErrorCode()
	}
	return ""
}
