package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/state"
)

// runState dispatches plumb state list|show|rm|mv.
func runState(a *app, args []string) int {
	if len(args) == 0 {
		return a.errorf("usage: plumb state list|show ADDR|rm ADDR...|mv FROM TO|pull|push [-force] FILE")
	}
	switch args[0] {
	case "list":
		return stateList(a, args[1:])
	case "show":
		return stateShow(a, args[1:])
	case "rm":
		return stateRm(a, args[1:])
	case "mv":
		return stateMv(a, args[1:])
	case "pull":
		return statePull(a, args[1:])
	case "push":
		return statePush(a, args[1:])
	}
	return a.errorf("unknown state subcommand %q: use list, show, rm, mv, pull or push", args[0])
}

// matches reports whether an instance address is selected by a pattern: the
// instance itself or its whole resource.
func matches(addr, pattern string) bool {
	return addr == pattern || strings.HasPrefix(addr, pattern+"[")
}

func stateList(a *app, args []string) int {
	st, err := a.backend().Read(context.Background())
	if err != nil {
		return a.errorf("%v", err)
	}
	w := bufio.NewWriter(a.stdout)
	defer w.Flush()
	for _, addr := range st.SortedAddrs() {
		if len(args) == 0 || anyMatch(addr, args) {
			fmt.Fprintln(w, addr)
		}
	}
	return exitOK
}

func anyMatch(addr string, patterns []string) bool {
	for _, p := range patterns {
		if matches(addr, p) {
			return true
		}
	}
	return false
}

func stateShow(a *app, args []string) int {
	if len(args) != 1 {
		return a.errorf("usage: plumb state show ADDR")
	}
	st, err := a.backend().Read(context.Background())
	if err != nil {
		return a.errorf("%v", err)
	}
	inst, ok := st.Resources[args[0]]
	if !ok {
		return a.errorf("%s is not in state; plumb state list shows what is", args[0])
	}
	w := bufio.NewWriter(a.stdout)
	defer w.Flush()
	if err := writeInstance(w, registry(), inst); err != nil {
		return a.errorf("%v", err)
	}
	return exitOK
}

// editState runs fn on the locked state and writes the result.
func (a *app) editState(op string, fn func(st *state.State) error) int {
	ctx := context.Background()
	b := a.backend()
	st, unlock, ok := a.lockedState(ctx, b, op, 10*time.Second)
	if !ok {
		return exitError
	}
	defer unlock()
	st.PlumbVersion = reconcile.Version
	if err := fn(st); err != nil {
		return a.errorf("%v", err)
	}
	if err := b.Write(ctx, st); err != nil {
		return a.errorf("cannot write state: %v", err)
	}
	return exitOK
}

func stateRm(a *app, args []string) int {
	if len(args) == 0 {
		return a.errorf("usage: plumb state rm ADDR... (the objects stay; plumb forgets them)")
	}
	return a.editState("state rm", func(st *state.State) error {
		n := 0
		for _, addr := range st.SortedAddrs() {
			if anyMatch(addr, args) {
				delete(st.Resources, addr)
				fmt.Fprintf(a.stdout, "Removed %s\n", addr)
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("nothing in state matches %s", strings.Join(args, ", "))
		}
		fmt.Fprintf(a.stdout, "Forgot %d instance(s); the objects themselves were not touched.\n", n)
		return nil
	})
}

func stateMv(a *app, args []string) int {
	if len(args) != 2 {
		return a.errorf("usage: plumb state mv FROM TO")
	}
	from, err := config.ParseAddr(args[0])
	if err != nil {
		return a.errorf("%v", err)
	}
	to, err := config.ParseAddr(args[1])
	if err != nil {
		return a.errorf("%v", err)
	}
	if from.Type != to.Type || from.Mode != to.Mode {
		return a.errorf("cannot move %s to %s: an object keeps its type", from, to)
	}
	return a.editState("state mv", func(st *state.State) error {
		inst, ok := st.Resources[from.String()]
		if !ok {
			return fmt.Errorf("%s is not in state", from)
		}
		if _, taken := st.Resources[to.String()]; taken {
			return fmt.Errorf("%s is already in state; remove or move it first", to)
		}
		delete(st.Resources, from.String())
		inst.Addr, inst.Name = to.String(), to.Name
		st.Resources[to.String()] = inst
		fmt.Fprintf(a.stdout, "Moved %s to %s\n", from, to)
		return nil
	})
}

func runImport(a *app, args []string) int {
	fs := newFlagSet(a, "import", "import [options] ADDR ID")
	var rf runFlags
	rf.register(fs)
	if !parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 2 {
		return a.errorf("usage: plumb import ADDR ID, for example plumb import 'local_file.site[\"a\"]' site/a.txt")
	}
	e, ok := a.load(rf.options(a))
	if !ok {
		return exitError
	}
	defer e.Close()
	ctx := context.Background()
	b := a.backend()
	st, unlock, ok := a.lockedState(ctx, b, "import", rf.lockTimeout)
	if !ok {
		return exitError
	}
	defer unlock()
	inst, d := e.Import(ctx, st, fs.Arg(0), fs.Arg(1))
	if a.diags(d) {
		return exitError
	}
	st.Resources[inst.Addr] = inst
	st.PlumbVersion = reconcile.Version
	if err := b.Write(ctx, st); err != nil {
		return a.errorf("cannot write state: %v", err)
	}
	fmt.Fprintf(a.stdout, "Imported %s as %s. Run plumb plan to see how it differs from the configuration.\n", fs.Arg(1), inst.Addr)
	return exitOK
}

func runForceUnlock(a *app, args []string) int {
	fs := newFlagSet(a, "force-unlock", "force-unlock ID")
	if !parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 1 {
		return a.errorf("usage: plumb force-unlock ID (the ID is in the error that reported the lock)")
	}
	info, err := a.backend().ForceUnlock(fs.Arg(0))
	if err != nil {
		return a.errorf("%v", err)
	}
	fmt.Fprintf(a.stdout, "Broke the lock %s held by %s@%s (pid %d, %s since %s).\n", info.ID, info.Who, info.Host, info.PID, info.Operation, info.Created)
	return exitOK
}
