package main

import (
	"bufio"
	"context"
	"fmt"
	"sort"
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

// parsePatterns parses the addresses that select instances in state:
// an instance, a resource (all its instances) or a module instance
// (everything in it).
func parsePatterns(args []string) ([]config.Addr, error) {
	out := make([]config.Addr, len(args))
	for i, arg := range args {
		a, err := config.ParseAddr(arg)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

func stateList(a *app, args []string) int {
	patterns, err := parsePatterns(args)
	if err != nil {
		return a.errorf("%v", err)
	}
	st, err := a.backend().Read(context.Background())
	if err != nil {
		return a.errorf("%v", err)
	}
	w := bufio.NewWriter(a.stdout)
	defer w.Flush()
	for _, addr := range st.SortedAddrs() {
		if len(args) == 0 || anySelects(patterns, addr) {
			fmt.Fprintln(w, addr)
		}
	}
	return exitOK
}

// anySelects reports whether one of the patterns selects the instance
// address addr, as state records it.
func anySelects(patterns []config.Addr, addr string) bool {
	a, err := config.ParseAddr(addr)
	if err != nil {
		return false // not something plumb wrote; list shows it unfiltered only
	}
	for _, p := range patterns {
		if p.Selects(a) {
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
	ctx, _, done := signals(a)
	defer done()
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
	if !a.control().beginChanges() {
		return exitError
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
	patterns, err := parsePatterns(args)
	if err != nil {
		return a.errorf("%v", err)
	}
	return a.editState("state rm", func(st *state.State) error {
		n := 0
		for _, addr := range st.SortedAddrs() {
			if anySelects(patterns, addr) {
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
		return a.errorf("usage: plumb state mv FROM TO (an instance, a resource or a module instance)")
	}
	from, err := config.ParseAddr(args[0])
	if err != nil {
		return a.errorf("%v", err)
	}
	to, err := config.ParseAddr(args[1])
	if err != nil {
		return a.errorf("%v", err)
	}
	move := config.Move{From: from, To: to}
	if err := move.Check(); err != nil {
		return a.errorf("%v", err)
	}
	return a.editState("state mv", func(st *state.State) error {
		moved := map[string]*state.Instance{}
		for _, addr := range st.SortedAddrs() {
			old, err := config.ParseAddr(addr)
			if err != nil {
				continue
			}
			dest, ok := move.Apply(old)
			if !ok {
				continue
			}
			if _, taken := st.Resources[dest.String()]; taken {
				return fmt.Errorf("%s is already in state; remove or move it first", dest)
			}
			inst := st.Resources[addr]
			inst.Addr, inst.Name = dest.String(), dest.Name
			moved[addr] = inst
		}
		if len(moved) == 0 {
			return fmt.Errorf("%s is not in state; plumb state list shows what is", from)
		}
		olds := make([]string, 0, len(moved))
		for old := range moved {
			delete(st.Resources, old)
			olds = append(olds, old)
		}
		sort.Strings(olds)
		for _, old := range olds {
			st.Resources[moved[old].Addr] = moved[old]
			fmt.Fprintf(a.stdout, "Moved %s to %s\n", old, moved[old].Addr)
		}
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
	ctx, _, done := signals(a)
	defer done()
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
	if !a.control().beginChanges() {
		return exitError
	}
	if err := b.Write(ctx, st); err != nil {
		return a.errorf("cannot write state: %v", err)
	}
	fmt.Fprintf(a.stdout, "Imported %s as %s. Run plumb plan to see how it differs from the configuration.\n", fs.Arg(1), inst.Addr)
	return exitOK
}

func runForceUnlock(a *app, args []string) int {
	fs := newFlagSet(a, "force-unlock", "force-unlock [-force] ID")
	force := fs.Bool("force", false, "break the lock without asking for confirmation")
	if !parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 1 {
		return a.errorf("usage: plumb force-unlock [-force] ID (the ID is in the error that reported the lock)")
	}
	if !*force {
		if !a.tty {
			return a.errorf("force-unlock needs confirmation, and this is not a terminal. Make sure the run holding lock %s is gone, then pass -force.", fs.Arg(0))
		}
		fmt.Fprintf(a.stdout, "Breaking lock %s lets another run change the state while its holder may still be running.\nDo you really want to break it? Only 'yes' will be accepted.\n\n  Enter a value: ", fs.Arg(0))
		line, _ := bufio.NewReader(a.stdin).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			fmt.Fprintln(a.stdout, "\nThe lock was left in place.")
			return exitError
		}
	}
	info, err := a.backend().ForceUnlock(fs.Arg(0))
	if err != nil {
		return a.errorf("%v", err)
	}
	fmt.Fprintf(a.stdout, "Broke the lock %s held by %s (pid %d, %s since %s).\n", info.ID, info.Holder(), info.PID, info.Operation, info.Created)
	return exitOK
}
