package main

import (
	"context"
	"fmt"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
)

func runPlan(a *app, args []string) int {
	fs := newFlagSet(a, "plan", "plan [options]")
	var rf runFlags
	rf.register(fs)
	out := fs.String("out", "", "save the plan to `FILE` for plumb apply FILE")
	detailed := fs.Bool("detailed-exitcode", false, "exit 0 with no changes, 1 on error, 2 with changes")
	asJSON := fs.Bool("json", false, "print the plan as JSON (the show -format=json schema)")
	destroy := fs.Bool("destroy", false, "plan the deletion of everything")
	var review reviewFlags
	review.register(fs)
	if !parse(fs, args) {
		return exitError
	}
	if err := review.check(); err != nil {
		return a.errorf("%v", err)
	}
	opts := rf.options(a)
	opts.Destroy = *destroy
	ctx, stop, done := signals(a)
	defer done()
	opts.Stop = stop
	p, code := a.makePlan(ctx, opts, "plan", rf, *asJSON)
	if p == nil {
		review.write(a, nil)
		return code
	}
	if *out != "" {
		if err := plan.WriteFile(*out, p); err != nil {
			code := a.errorf("cannot save the plan: %v", err)
			review.write(a, nil)
			return code
		}
		if !*asJSON {
			fmt.Fprintf(a.stdout, "\nSaved the plan to %s. Apply exactly it with: plumb apply %s\n", *out, *out)
		}
	}
	review.write(a, p)
	if *detailed && p.HasChanges() {
		return exitChanges
	}
	return exitOK
}

// makePlan loads the configuration, locks and reads state, plans and
// renders the plan. On failure it returns a nil plan and the exit code.
func (a *app) makePlan(ctx context.Context, opts reconcile.Options, op string, rf runFlags, asJSON bool) (*plan.Plan, int) {
	e, ok := a.load(opts)
	if !ok {
		return nil, exitError
	}
	defer e.Close()
	b := a.backend()
	st, unlock, ok := a.lockedState(ctx, b, op, rf.lockTimeout)
	if !ok {
		return nil, exitError
	}
	defer unlock()
	p, d := e.Plan(ctx, st)
	defer a.requestCounts(e)
	if a.diags(d) {
		return nil, exitError
	}
	if asJSON {
		if err := plan.RenderJSON(a.stdout, p); err != nil {
			return nil, a.errorf("%v", err)
		}
		return p, exitOK
	}
	if err := plan.RenderText(a.stdout, p, plan.TextOptions{Color: a.color}); err != nil {
		return nil, a.errorf("%v", err)
	}
	return p, exitOK
}
