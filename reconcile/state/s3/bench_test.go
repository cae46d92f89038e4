package s3

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plumbhq/plumb/reconcile/state"
)

// seeded returns a backend whose bucket holds a state of n instances,
// read and ready to write.
func seeded(tb testing.TB, n int) (*Backend, *state.State) {
	tb.Helper()
	b := newBackend(tb, "", newBucket(tb), tb.TempDir())
	ctx := context.Background()
	if _, err := b.Read(ctx); err != nil {
		tb.Fatal(err)
	}
	st := testState(tb, n)
	if err := b.Write(ctx, st); err != nil {
		tb.Fatal(err)
	}
	return b, st
}

// readWrite reads the state and writes it back.
func readWrite(tb testing.TB, b *Backend) {
	ctx := context.Background()
	st, err := b.Read(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if err := b.Write(ctx, st); err != nil {
		tb.Fatal(err)
	}
}

// lockUnlock takes and releases the lock, timing each.
func lockUnlock(tb testing.TB, b *Backend) (acquire, release time.Duration) {
	start := time.Now()
	if err := b.Lock(context.Background(), holderInfo); err != nil {
		tb.Fatal(err)
	}
	mid := time.Now()
	if err := b.Unlock(); err != nil {
		tb.Fatal(err)
	}
	return mid.Sub(start), time.Since(mid)
}

// BenchmarkReadWrite10k reads a 10,000-resource state from kumo and
// writes it back (If-Match).
func BenchmarkReadWrite10k(b *testing.B) {
	be, _ := seeded(b, 10000)
	for b.Loop() {
		readWrite(b, be)
	}
}

// BenchmarkLockUnlock takes and releases the lock; the metrics split the
// time between the two.
func BenchmarkLockUnlock(b *testing.B) {
	be := newBackend(b, "", newBucket(b), b.TempDir())
	var acq, rel time.Duration
	for b.Loop() {
		a, r := lockUnlock(b, be)
		acq += a
		rel += r
	}
	b.ReportMetric(float64(acq.Microseconds())/float64(b.N), "acquire-µs/op")
	b.ReportMetric(float64(rel.Microseconds())/float64(b.N), "release-µs/op")
}

// BenchmarkRecorder10k opens a recorder on an empty state, records 10,000
// instances from 10 goroutines (each Set durable in the local journal)
// and closes it (one write to S3).
func BenchmarkRecorder10k(b *testing.B) {
	const n, workers = 10000, 10
	insts := make([]*state.Instance, n)
	for i := range insts {
		insts[i] = testInstance(b, fmt.Sprintf("plumb_data.r[%d]", i), i)
	}
	be := newBackend(b, "", newBucket(b), b.TempDir())
	be.flushEvery = defaultFlushEvery
	ctx := context.Background()
	for b.Loop() {
		st, err := be.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		st.Resources = map[string]*state.Instance{}
		rec, err := be.Recorder(ctx, st)
		if err != nil {
			b.Fatal(err)
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for i := next.Add(1) - 1; i < n; i = next.Add(1) - 1 {
					if err := rec.Set(insts[i]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if _, err := rec.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(int64(b.N)*n), "µs/instance")
}

// BenchmarkRecorderOpenClose10k opens a recorder on a 10,000-resource
// state, records one change and closes it: the fixed cost a recorded
// apply adds (a local copy of the state, one upload).
func BenchmarkRecorderOpenClose10k(b *testing.B) {
	be, _ := seeded(b, 10000)
	be.flushEvery = defaultFlushEvery
	ctx := context.Background()
	inst := testInstance(b, "plumb_data.extra", 1)
	for b.Loop() {
		st, err := be.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		rec, err := be.Recorder(ctx, st)
		if err != nil {
			b.Fatal(err)
		}
		if err := rec.Set(inst); err != nil {
			b.Fatal(err)
		}
		if _, err := rec.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
