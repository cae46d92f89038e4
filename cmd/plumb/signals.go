package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// abandonGrace is how long a run that changes nothing is given to end by
// itself after a signal before plumb releases the lock and exits: enough
// for an ordinary plan to notice, short enough that a plan busy
// computing stops within a second.
const abandonGrace = 200 * time.Millisecond

// runControl is what a signal handler needs of a run: whether it is
// changing anything yet, and how to release the state lock.
type runControl struct {
	mu sync.Mutex
	// changing is set while the run may change the estate or the state
	// (an apply after approval); until then a signal abandons the run.
	changing bool
	// abandoned is set by a signal that came while nothing was changing:
	// the run may not start changing things after it.
	abandoned bool
	release   func() // releases the state lock, at most once
}

// setRelease registers how to release the state lock; it returns the
// function the run calls itself, which does so at most once whoever
// calls it first.
func (rc *runControl) setRelease(unlock func()) func() {
	var once sync.Once
	f := func() { once.Do(unlock) }
	rc.mu.Lock()
	rc.release = f
	rc.mu.Unlock()
	return f
}

// beginChanges marks the run as changing things from now on; false when
// a signal abandoned it already, so it must not.
func (rc *runControl) beginChanges() bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.abandoned {
		return false
	}
	rc.changing = true
	return true
}

// abandonIfIdle marks the run abandoned unless it is changing things; it
// reports whether it did.
func (rc *runControl) abandonIfIdle() bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !rc.changing {
		rc.abandoned = true
	}
	return rc.abandoned
}

func (rc *runControl) releaseLock() {
	rc.mu.Lock()
	f := rc.release
	rc.mu.Unlock()
	if f != nil {
		f()
	}
}

// signals handles SIGINT (Ctrl-C), SIGTERM and SIGHUP alike.
//
// While the run changes nothing (a plan, or an apply before it is
// approved), the first signal abandons it: the context is cancelled, and
// if the run has not ended after abandonGrace, plumb releases the state
// lock itself and exits, however busy the run is.
//
// While an apply changes things, the first signal is a graceful stop (no
// new work; work in flight finishes and is recorded) and the second
// cancels the work in flight, which is still recorded. done releases the
// handler.
//
// SIGPIPE is ignored process-wide (see main): a closed stdout makes
// writes fail, and the run ends through its ordinary error path, which
// releases the lock.
func signals(a *app) (ctx context.Context, stop <-chan struct{}, done func()) {
	ctx, cancel := context.WithCancel(context.Background())
	stopCh := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	finished := make(chan struct{})
	rc := a.control()
	go func() {
		n := 0
		for {
			select {
			case <-finished:
				return
			case sig := <-sigs:
				n++
				switch {
				case rc.abandonIfIdle():
					fmt.Fprintf(a.stderr, "\n%s received: abandoning the run; nothing was changed.\n", signalName(sig))
					if n == 1 {
						close(stopCh)
					}
					cancel()
					go abandon(a, rc, finished)
				case n == 1:
					fmt.Fprintf(a.stderr, "\n%s received: starting nothing new, waiting for operations in flight, then saving state. Send it again (Ctrl-C) to cancel them.\n", signalName(sig))
					close(stopCh)
				default:
					fmt.Fprintf(a.stderr, "\n%s received again: cancelling operations in flight; what finished is saved.\n", signalName(sig))
					cancel()
					return
				}
			}
		}
	}()
	return ctx, stopCh, func() {
		signal.Stop(sigs)
		close(finished)
		cancel()
	}
}

// abandon gives an abandoned run abandonGrace to end; then it releases
// the state lock and exits the process.
func abandon(a *app, rc *runControl, finished <-chan struct{}) {
	select {
	case <-finished:
		return
	case <-time.After(abandonGrace):
	}
	rc.releaseLock()
	fmt.Fprintln(a.stderr, "Stopped; the state lock is released.")
	os.Exit(exitError)
}

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "Interrupt"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return sig.String()
}
