package state

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

const benchInstances = 10_000

// BenchmarkWriteRead10k writes a state of 10,000 instances to its file
// and reads it back: the cost at the start and end of every run.
func BenchmarkWriteRead10k(b *testing.B) {
	st := testState(b, benchInstances)
	l := NewLocal(statePath(b))
	ctx := context.Background()
	for b.Loop() {
		if err := l.Write(ctx, st); err != nil {
			b.Fatal(err)
		}
		got, err := l.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Resources) != benchInstances {
			b.Fatalf("read %d instances", len(got.Resources))
		}
	}
}

// BenchmarkMarshal10k encodes a 10,000-instance file as Write does.
func BenchmarkMarshal10k(b *testing.B) {
	st := testState(b, benchInstances)
	for b.Loop() {
		data, err := st.MarshalJSON()
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
	}
}

// BenchmarkUnmarshal10k decodes a 10,000-instance file as Read does.
func BenchmarkUnmarshal10k(b *testing.B) {
	data, err := testState(b, benchInstances).MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var st State
		if err := st.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInstanceValue decodes one instance's attributes, as a plan does
// for every instance in state.
func BenchmarkInstanceValue(b *testing.B) {
	inst := testInstance(b, "plumb_data.r[0]", 123)
	for b.Loop() {
		if _, err := inst.Value(testAttrsType); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecorder10k records 10,000 instances from 10 concurrent
// writers, as an apply of 10,000 resources with -parallelism=10 does, and
// closes the recorder.
func BenchmarkRecorder10k(b *testing.B) {
	benchRecorder(b, false)
}

// BenchmarkRecorderIntents10k is BenchmarkRecorder10k with each Set
// announced by an Intend first, as an apply of 10,000 creates of objects
// outside state (local_file, not plumb_data) does.
func BenchmarkRecorderIntents10k(b *testing.B) {
	benchRecorder(b, true)
}

func benchRecorder(b *testing.B, intents bool) {
	const writers = 10
	insts := make([]*Instance, benchInstances)
	for i := range insts {
		insts[i] = testInstance(b, fmt.Sprintf("plumb_data.r[%d]", i), i)
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		l := NewLocal(statePath(b))
		st := New()
		b.StartTimer()
		rec, err := l.Recorder(ctx, st)
		if err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := w; i < len(insts); i += writers {
					if intents {
						if err := rec.Intend(insts[i]); err != nil {
							b.Error(err)
							return
						}
					}
					if err := rec.Set(insts[i]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		got, err := rec.Close(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rec.(*recorder).batches), "syncs/op")
		if len(got.Resources) != benchInstances {
			b.Fatalf("closed with %d instances", len(got.Resources))
		}
	}
}
