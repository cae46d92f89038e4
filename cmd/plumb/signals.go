package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// signals turns the first interrupt into a graceful stop (no new work;
// work in flight finishes and is recorded) and the second into a
// cancellation of the work in flight, which is still recorded. done
// releases the handler.
func signals(a *app) (ctx context.Context, stop <-chan struct{}, done func()) {
	ctx, cancel := context.WithCancel(context.Background())
	stopCh := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	finished := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-finished:
				return
			case <-sigs:
				n++
				if n == 1 {
					fmt.Fprintln(a.stderr, "\nInterrupt received: starting nothing new, waiting for operations in flight, then saving state. Press Ctrl-C again to cancel them.")
					close(stopCh)
				} else {
					fmt.Fprintln(a.stderr, "\nSecond interrupt: cancelling operations in flight; what finished is saved.")
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
