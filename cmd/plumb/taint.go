package main

import (
	"fmt"

	"github.com/plumbhq/plumb/reconcile/state"
)

// runTaint marks an instance in state tainted, so the next plan replaces
// it; runUntaint clears the mark. plumb plan -replace=ADDR is the better
// habit (it shows the replacement in one reviewed plan and changes no
// state until apply); these are here for the scripts that already call
// terraform taint.
func runTaint(a *app, args []string) int   { return setTainted(a, "taint", args, true) }
func runUntaint(a *app, args []string) int { return setTainted(a, "untaint", args, false) }

func setTainted(a *app, name string, args []string, tainted bool) int {
	fs := newFlagSet(a, name, name+" [-lock=false] ADDR")
	lock := fs.Bool("lock", true, "hold the state lock while editing")
	if !parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 1 {
		return a.errorf("usage: plumb %s ADDR, for example plumb %s 'local_file.site[\"a\"]'", name, name)
	}
	a.noLock = !*lock
	addr := fs.Arg(0)
	return a.editState(name, func(st *state.State) error {
		inst, ok := st.Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in state; plumb state list shows what is", addr)
		}
		if inst.Mode == "data" {
			return fmt.Errorf("%s is a data source, which plumb reads every run; there is nothing to replace", addr)
		}
		if inst.Tainted == tainted {
			if tainted {
				return fmt.Errorf("%s is already tainted", addr)
			}
			return fmt.Errorf("%s is not tainted", addr)
		}
		inst.Tainted = tainted
		if tainted {
			fmt.Fprintf(a.stdout, "%s is tainted: the next plan replaces it. (plumb plan -replace=%s does the same in one reviewed step.)\n", addr, addr)
		} else {
			fmt.Fprintf(a.stdout, "%s is no longer tainted.\n", addr)
		}
		return nil
	})
}
