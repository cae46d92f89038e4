package aws

import (
	"context"
	"sync"
	"time"
)

// Clock tells the time and waits. The provider uses the system clock;
// tests use a fake one so that rate limits are checked without timing.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever is first, and
	// returns ctx.Err() in the second case.
	Sleep(ctx context.Context, d time.Duration) error
}

// systemClock is the real Clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// TokenBucket is a client-side rate limiter: a bucket of burst tokens
// refilled at a steady rate, one token per request. A request that finds
// the bucket empty reserves the next token and waits for it, so waiting
// callers are served in the order they arrived and never faster than the
// rate, however many goroutines share the bucket.
//
// A nil *TokenBucket is unlimited: Wait returns at once.
type TokenBucket struct {
	clock    Clock
	interval time.Duration // time to refill one token
	depth    time.Duration // (burst-1) intervals: how far ahead of now tokens may be handed out

	mu  sync.Mutex
	tat time.Time // when the bucket will next have room again (theoretical arrival time)
}

// NewTokenBucket returns a bucket that allows perSecond requests a second
// on average, burst of them at once (at least 1). perSecond of zero or
// less means unlimited and returns nil. A nil clock means the system clock.
func NewTokenBucket(perSecond float64, burst int, clock Clock) *TokenBucket {
	if perSecond <= 0 {
		return nil
	}
	if clock == nil {
		clock = systemClock{}
	}
	interval := time.Duration(float64(time.Second) / perSecond)
	return &TokenBucket{clock: clock, interval: interval, depth: time.Duration(max(burst, 1)-1) * interval}
}

// Reserve takes the next token and returns how long the caller must wait
// before using it (zero when a token is free now).
func (b *TokenBucket) Reserve() time.Duration {
	if b == nil {
		return 0
	}
	now := b.clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	start := b.tat
	if start.Before(now) {
		start = now
	}
	b.tat = start.Add(b.interval)
	return max(start.Sub(now)-b.depth, 0)
}

// Wait blocks until the caller may send a request, or until ctx is done;
// in the second case it gives the reserved token back and returns
// ctx.Err().
func (b *TokenBucket) Wait(ctx context.Context) error {
	d := b.Reserve()
	if d <= 0 {
		return nil
	}
	if err := b.clock.Sleep(ctx, d); err != nil {
		b.mu.Lock()
		b.tat = b.tat.Add(-b.interval)
		b.mu.Unlock()
		return err
	}
	return nil
}
