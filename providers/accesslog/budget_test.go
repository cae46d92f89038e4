package accesslog

import (
	"testing"
	"testing/synctest"
)

// TestIdleWakesWhoWaitsForIt: a worker whose tables grew past the budget
// finds another busy and behind the narrowings, and waits for it. When
// that one stops counting (its last batches handed over, here), the
// waiter must wake, cut the now idle worker's tables itself, and go on.
// It once went idle without a word after handing over, and under load
// two workers waited for it for ever (TestScanExact timed out in CI).
func TestIdleWakesWhoWaitsForIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &pass{s: &scan{workers: 2}, budget: newBudget(1)}
		for k := range numKinds {
			p.budget.kinds[k] = &partitioner{}
		}
		p.router = newRouter(2)
		waiter, behind := newWorker(p, 0), newWorker(p, 1)
		p.budget.workers = []*worker{waiter, behind}
		// A narrowing the waiter has seen and the other has not; tables
		// over the budget.
		p.budget.narrowings.Add(1)
		waiter.caughtUp.Store(1)
		p.budget.used.Store(2)

		behind.busy.Lock() // counting
		done := make(chan struct{})
		go func() {
			waiter.busy.Lock()
			p.budget.keep(waiter)
			waiter.busy.Unlock()
			close(done)
		}()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("the waiter did not wait for the busy worker behind it")
		default:
		}
		behind.idle()
		synctest.Wait()
		select {
		case <-done:
		default:
			t.Fatal("the waiter still waits for a worker gone idle")
		}
		if behind.caughtUp.Load() != 1 {
			t.Errorf("the idle worker's tables reflect %d narrowings, want 1 (the waiter cuts them)", behind.caughtUp.Load())
		}
	})
}
