package state

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// childCrashLoop writes the state and records changes through a Recorder,
// over and over, printing each address once it is durable, until killed.
func childCrashLoop(path, round string) error {
	ctx := context.Background()
	l := NewLocal(path)
	if err := l.Lock(ctx, LockInfo{Operation: "crash test"}); err != nil {
		return err
	}
	st, err := l.Read(ctx)
	if err != nil {
		return err
	}
	for i := 0; ; i++ {
		if i%4 == 3 {
			// A whole write, as plan-less commands do.
			addr := fmt.Sprintf("plumb_data.w_%s_%d", round, i)
			if err := addInstance(st, addr, i); err != nil {
				return err
			}
			if err := l.Write(ctx, st); err != nil {
				return err
			}
			ack(addr)
			continue
		}
		rec, err := l.Recorder(ctx, st)
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for w := range 4 {
			wg.Go(func() {
				for j := range 10 {
					addr := fmt.Sprintf("plumb_data.j_%s_%d_%d_%d", round, i, w, j)
					inst, err := NewInstance(addr, "managed", "plumb_data", "j", "plumb", testAttrs(addr, j), nil)
					if err == nil {
						err = rec.Set(inst)
					}
					if err != nil {
						errs <- err
						return
					}
					ack(addr)
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
		if st, err = rec.Close(ctx); err != nil {
			return err
		}
	}
}

func addInstance(st *State, addr string, n int) error {
	inst, err := NewInstance(addr, "managed", "plumb_data", "w", "plumb", testAttrs(addr, n), nil)
	if err != nil {
		return err
	}
	st.Resources[addr] = inst
	return nil
}

// TestSIGKILL kills a child that writes and records state at random
// moments; after each kill the state must read, hold every address the
// child acknowledged, and keep its lineage.
func TestSIGKILL(t *testing.T) {
	path := statePath(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	acked := map[string]bool{}
	lineage := ""
	const rounds = 12
	for round := range rounds {
		c := startChild(t, modeCrashLoop, path, fmt.Sprintf("%s=%d", childRoundEnv, round))
		// Wait for a first acknowledgement, so that every round does work,
		// then kill at a random moment.
		select {
		case line, ok := <-c.lines:
			if !ok {
				t.Fatalf("round %d: child exited before acknowledging anything", round)
			}
			acked[line] = true
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: child acknowledged nothing", round)
		}
		time.Sleep(time.Duration(rng.IntN(60_000)) * time.Microsecond)
		c.kill(t)
		n := 0
		for line := range c.lines {
			acked[line] = true
			n++
		}

		st := mustRead(t, path)
		if lineage == "" {
			lineage = st.Lineage
		}
		if st.Lineage != lineage {
			t.Fatalf("round %d: lineage changed from %s to %s", round, lineage, st.Lineage)
		}
		var missing []string
		for addr := range acked {
			if st.Resources[addr] == nil {
				missing = append(missing, addr)
			}
		}
		if len(missing) > 0 {
			t.Fatalf("round %d: %d acknowledged instances missing after SIGKILL, such as %s", round, len(missing), missing[0])
		}
		for addr, inst := range st.Resources {
			if _, err := inst.Value(testAttrsType); err != nil {
				t.Fatalf("round %d: %s: %v", round, addr, err)
			}
			if !strings.HasPrefix(addr, "plumb_data.") {
				t.Fatalf("round %d: unexpected address %q", round, addr)
			}
		}
		t.Logf("round %d: %d acknowledged after the first, %d in state, serial %d", round, n, len(st.Resources), st.Serial)
	}
	if len(acked) < rounds {
		t.Fatalf("only %d acknowledgements in %d rounds", len(acked), rounds)
	}
}
