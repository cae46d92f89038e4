package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/plumbhq/plumb/reconcile/state"
	"github.com/plumbhq/plumb/reconcile/state/s3"
)

// statePull prints the stored state, wherever it is kept, as JSON.
func statePull(a *app, args []string) int {
	if len(args) != 0 {
		return a.errorf("usage: plumb state pull > FILE")
	}
	st, err := a.backend().Read(context.Background())
	if err != nil {
		return a.errorf("%v", err)
	}
	b, err := st.MarshalJSON()
	if err != nil {
		return a.errorf("%v", err)
	}
	a.stdout.Write(append(b, '\n'))
	return exitOK
}

// statePush replaces the stored state with a file: a state saved by
// state pull, or errored.plumb.state after a failed write. It refuses a
// lower serial or another lineage unless -force.
func statePush(a *app, args []string) int {
	fs := newFlagSet(a, "state push", "state push [-force] FILE")
	force := fs.Bool("force", false, "push even if the file has another lineage or a lower serial")
	if !parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 1 {
		return a.errorf("usage: plumb state push [-force] FILE")
	}
	raw, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return a.errorf("%v", err)
	}
	st := &state.State{}
	if err := st.UnmarshalJSON(raw); err != nil {
		return a.errorf("%s is not a plumb state: %v", fs.Arg(0), err)
	}
	ctx, _, done := signals(a)
	defer done()
	b := a.backend()
	if _, unlock, ok := a.lockedState(ctx, b, "state push", defaultLockTimeout); ok {
		defer unlock()
	} else {
		return exitError
	}
	if !a.control().beginChanges() {
		return exitError
	}
	if err := s3.PushState(ctx, b, st, *force); err != nil {
		return a.errorf("%v", err)
	}
	fmt.Fprintf(a.stdout, "Pushed %s (serial %d, %d instances).\n", fs.Arg(0), st.Serial, len(st.Resources))
	return exitOK
}

// runInit prepares the configured backend; with -migrate-state it moves
// the local state file into it.
func runInit(a *app, args []string) int {
	fs := newFlagSet(a, "init", "init [-migrate-state]")
	migrate := fs.Bool("migrate-state", false, "move the local plumb.state into the configured backend")
	if !parse(fs, args) {
		return exitError
	}
	b := a.backend()
	ctx := context.Background()
	localPath := filepath.Join(a.dir, StateFile)
	if _, isLocal := b.(*state.Local); isLocal {
		fmt.Fprintln(a.stdout, "State is kept in the local file plumb.state. To move it to S3, add plumb { backend \"s3\" { ... } } and run plumb init -migrate-state.")
		return exitOK
	}
	if _, err := b.Read(ctx); err != nil {
		return a.errorf("the configured backend cannot be read: %v", err)
	}
	_, statErr := os.Stat(localPath)
	switch {
	case errors.Is(statErr, os.ErrNotExist):
		fmt.Fprintln(a.stdout, "The backend is ready; there is no local state to move.")
		return exitOK
	case !*migrate:
		return a.errorf("a local %s exists, and the configuration keeps state in another backend. Run plumb init -migrate-state to move it there, or remove it if it is not needed.", StateFile)
	}
	if err := s3.Migrate(ctx, state.NewLocal(localPath), b); err != nil {
		return a.errorf("migration failed; nothing was removed: %v", err)
	}
	moved := localPath + ".migrated"
	if err := os.Rename(localPath, moved); err != nil {
		return a.errorf("the state was copied, but %s could not be renamed: %v; remove it by hand", localPath, err)
	}
	fmt.Fprintf(a.stdout, "Moved the local state into the backend; the old file is kept as %s.\n", moved)
	return exitOK
}
