package aws

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
)

// RequestCounter is implemented by providers that count the API requests
// they send, so the CLI can print them after plan and apply ("API
// requests: route53 ListHostedZones 50, …").
type RequestCounter interface {
	// RequestCounts returns the number of requests sent so far, keyed by
	// "service:Operation" ("route53:ListHostedZones"). Every attempt
	// counts, retries included. The map is a copy.
	RequestCounts() map[string]int
}

// requestCounts counts requests by "service:Operation".
type requestCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *requestCounts) add(key string) {
	c.mu.Lock()
	c.n[key]++
	c.mu.Unlock()
}

func (c *requestCounts) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

// countRequests is SDK middleware that counts every attempt of every
// operation under service.
type countRequests struct {
	service string
	counts  *requestCounts
}

func (*countRequests) ID() string { return "plumb.CountRequests" }

func (m *countRequests) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	m.counts.add(m.service + ":" + awsmiddleware.GetOperationName(ctx))
	return next.HandleFinalize(ctx, in)
}

// limitRate is SDK middleware that makes every attempt of every operation
// wait for a token: first from the operation's own bucket, if it has one,
// then from the bucket all operations of the service share.
type limitRate struct {
	all   *TokenBucket
	perOp map[string]*TokenBucket
}

func (*limitRate) ID() string { return "plumb.LimitRate" }

func (m *limitRate) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	op := awsmiddleware.GetOperationName(ctx)
	if err := m.perOp[op].Wait(ctx); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("waiting for the %s rate limit: %w", op, err)
	}
	if err := m.all.Wait(ctx); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("waiting for the request rate limit: %w", err)
	}
	return next.HandleFinalize(ctx, in)
}

// addMiddleware returns an SDK API option that puts the rate limit (when
// limit is not nil) and the counter right after the retry middleware, so
// they run once per attempt, before the request is signed. A stack that
// only presigns a request (the SDK presigns a CopySnapshot for the source
// region on its own) sends nothing, and gets neither.
func addMiddleware(service string, counts *requestCounts, limit *limitRate) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		if _, presign := stack.Finalize.Get("PresignHTTPRequest"); presign {
			return nil
		}
		// Inserted in reverse: each goes right after "Retry".
		if err := insertAfterRetry(stack, &countRequests{service: service, counts: counts}); err != nil {
			return err
		}
		if limit != nil {
			return insertAfterRetry(stack, limit)
		}
		return nil
	}
}

func insertAfterRetry(stack *middleware.Stack, m middleware.FinalizeMiddleware) error {
	if _, ok := stack.Finalize.Get("Retry"); ok {
		return stack.Finalize.Insert(m, "Retry", middleware.After)
	}
	return stack.Finalize.Add(m, middleware.Before)
}

// retryCodes are the error codes retried with backoff: Route 53's
// throttling and its "still applying your last change", and the
// throttling code of other services. The SDK's standard retryer already
// knows them; naming them here keeps them retried whatever its defaults
// become.
var retryCodes = map[string]struct{}{
	"Throttling":              {},
	"ThrottlingException":     {},
	"PriorRequestNotComplete": {},
}

// newRetryer returns the SDK's standard retryer making up to maxAttempts
// attempts, with retryCodes retried and treated as throttling (a 1 s base
// backoff, doubling, with jitter, at most 20 s). Its retry quota is turned
// off: the quota exists to stop retry storms, but plumb already paces
// every attempt through its token buckets, and with the quota a long run
// against a throttling API fails outright once 100 throttled retries have
// drained it. backoff, when not nil, replaces the delay (tests).
func newRetryer(maxAttempts int, backoff retry.BackoffDelayer) aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.RateLimiter = ratelimit.None
		o.Retryables = append(o.Retryables, retry.RetryableErrorCode{Codes: retryCodes})
		o.Throttles = append(o.Throttles, retry.ThrottleErrorCode{Codes: retryCodes})
		if backoff != nil {
			o.Backoff = backoff
		}
	})
}
