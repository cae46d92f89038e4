package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

func runApply(a *app, args []string) int {
	return applyCommand(a, args, false)
}

func runDestroy(a *app, args []string) int {
	return applyCommand(a, args, true)
}

func applyCommand(a *app, args []string, destroy bool) int {
	name := "apply"
	if destroy {
		name = "destroy"
	}
	fs := newFlagSet(a, name, name+" [options] [PLANFILE]")
	var rf runFlags
	rf.register(fs)
	auto := fs.Bool("auto-approve", false, "apply without asking for confirmation")
	fromStdin := fs.Bool("confirm-stdin", false, "read the confirmation (yes) from standard input even when it is a pipe, not a terminal")
	asJSON := fs.Bool("json", false, "print one JSON object per line: the plan, each operation with its timing, the result")
	if !parse(fs, args) {
		return exitError
	}
	opts := rf.options(a)
	opts.Destroy = destroy
	ctx, stop, done := signals(a)
	defer done()
	opts.Stop = stop
	ui := newProgress(a, *asJSON)
	opts.Observer = ui.event

	var saved *plan.Plan
	if fs.NArg() > 0 {
		if destroy || fs.NArg() > 1 {
			return a.errorf("%s takes at most one saved plan file (and destroy none). Usage: plumb apply [options] [PLANFILE]", name)
		}
		p, err := plan.ReadFile(fs.Arg(0))
		if err != nil {
			return a.errorf("%v", err)
		}
		saved = p
		opts.Inputs = reconcile.Inputs{Fixed: p.Variables}
		opts.Targets = p.Targets
		opts.Excludes = p.Excludes
		opts.RefreshOnly = p.RefreshOnly
		// The reviewed plan let its mass changes through; applying it does too.
		opts.AllowMassChange = opts.AllowMassChange || p.AllowMassChange
		opts.Destroy = p.Destroy
		opts.PlanTime = p.Created
	}
	e, ok := a.load(opts)
	if !ok {
		return exitError
	}
	defer e.Close()
	defer a.requestCounts(e)
	b := a.backend()
	st, unlock, ok := a.lockedState(ctx, b, name, rf.lockTimeout)
	if !ok {
		return exitError
	}
	defer unlock()

	p := saved
	if p == nil {
		var d hcl.Diagnostics
		p, d = e.Plan(ctx, st)
		if a.diags(d) {
			return exitError
		}
		if err := ui.plan(p); err != nil {
			return a.errorf("%v", err)
		}
		if !p.HasChanges() {
			return exitOK
		}
		if !*auto {
			if !a.tty && !*fromStdin {
				return a.errorf("%s needs confirmation, and this is not a terminal. Review the plan and pass -auto-approve, pipe the answer in with -confirm-stdin (echo yes | plumb %s -confirm-stdin), or save it with plumb plan -out FILE and run plumb apply FILE.", name, name)
			}
			if !a.confirm(destroy) {
				fmt.Fprintln(a.stdout, "\nNothing was changed.")
				return exitError
			}
		}
	}
	if !a.control().beginChanges() {
		return exitError // a signal abandoned the run before it changed anything
	}
	return a.applyPlan(ctx, e, b, st, p, ui)
}

// confirm asks the person at the terminal to type yes.
func (a *app) confirm(destroy bool) bool {
	what := "make these changes"
	if destroy {
		what = "destroy everything listed"
	}
	fmt.Fprintf(a.stdout, "\nDo you want plumb to %s?\n  Only 'yes' will be accepted.\n\n  Enter a value: ", what)
	line, _ := bufio.NewReader(a.stdin).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

func (a *app) applyPlan(ctx context.Context, e *reconcile.Engine, b state.Backend, st *state.State, p *plan.Plan, ui *progress) int {
	ui.start(p)
	final, d := e.Apply(ctx, st, p, b)
	ui.finish()
	failed := a.diags(d)
	if final != nil {
		ui.summary(p, d, final)
	}
	if failed {
		return exitError
	}
	return exitOK
}
