package aws

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTokenBucketSchedule(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name      string
		perSecond float64
		burst, n  int
		want      []time.Duration
	}{
		{"one at a time", 10, 1, 4, []time.Duration{0, 100 * ms, 200 * ms, 300 * ms}},
		{"burst of three", 10, 3, 5, []time.Duration{0, 0, 0, 100 * ms, 200 * ms}},
		{"two a second", 2, 1, 3, []time.Duration{0, 500 * ms, 1000 * ms}},
		{"burst below one is one", 4, 0, 2, []time.Duration{0, 250 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewTokenBucket(tt.perSecond, tt.burst, newFakeClock())
			var got []time.Duration
			for range tt.n {
				got = append(got, b.Reserve())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTokenBucketRefills(t *testing.T) {
	clock := newFakeClock()
	b := NewTokenBucket(10, 3, clock)
	for range 3 {
		b.Reserve()
	}
	clock.advance(time.Hour) // idle: the bucket fills to its burst, no more
	var got []time.Duration
	for range 4 {
		got = append(got, b.Reserve())
	}
	if diff := cmp.Diff([]time.Duration{0, 0, 0, 100 * time.Millisecond}, got); diff != "" {
		t.Errorf("waits after an idle hour (-want +got):\n%s", diff)
	}
}

// TestTokenBucketConcurrent checks that goroutines sharing a bucket are
// handed out distinct slots one interval apart, whatever their order.
func TestTokenBucketConcurrent(t *testing.T) {
	const workers, each = 8, 25
	b := NewTokenBucket(20, 1, newFakeClock())
	var mu sync.Mutex
	var got []time.Duration
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				d := b.Reserve()
				mu.Lock()
				got = append(got, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(got)
	for i, d := range got {
		if want := time.Duration(i) * 50 * time.Millisecond; d != want {
			t.Fatalf("slot %d waits %v, want %v (all: %v)", i, d, want, got)
		}
	}
}

func TestTokenBucketWaitCancelled(t *testing.T) {
	clock := newFakeClock()
	b := NewTokenBucket(1, 1, clock)
	if err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Wait(ctx); err != context.Canceled {
		t.Fatalf("Wait with a cancelled context = %v, want context.Canceled", err)
	}
	if d := b.Reserve(); d != time.Second {
		t.Errorf("after a cancelled wait the next token is %v away, want 1s (the cancelled one given back)", d)
	}
}

func TestTokenBucketUnlimited(t *testing.T) {
	for _, rate := range []float64{0, -1} {
		b := NewTokenBucket(rate, 1, nil)
		if b != nil {
			t.Errorf("NewTokenBucket(%v) = %v, want nil (unlimited)", rate, b)
		}
		if d := b.Reserve(); d != 0 {
			t.Errorf("unlimited bucket makes callers wait %v", d)
		}
		if err := b.Wait(context.Background()); err != nil {
			t.Errorf("unlimited bucket Wait: %v", err)
		}
	}
}

func BenchmarkTokenBucketReserve(b *testing.B) {
	tb := NewTokenBucket(1e9, 1, nil)
	for b.Loop() {
		tb.Reserve()
	}
}

func BenchmarkTokenBucketUnlimited(b *testing.B) {
	var tb *TokenBucket
	ctx := context.Background()
	for b.Loop() {
		_ = tb.Wait(ctx)
	}
}
