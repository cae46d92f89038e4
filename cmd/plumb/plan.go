package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/config"
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
	genOut := fs.String("generate-config-out", "", "write resource blocks for the import blocks that name undeclared resources to `FILE` (*.hcl, must not exist), then plan with them")
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
	if *genOut != "" {
		if code := a.generateConfig(ctx, opts, *genOut); code != exitOK {
			return code
		}
	}
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

// generateConfig writes resource blocks for the import blocks that name
// resources the configuration does not declare, as terraform plan
// -generate-config-out does; the plan that follows reads them.
func (a *app) generateConfig(ctx context.Context, opts reconcile.Options, out string) int {
	if !strings.HasSuffix(out, config.FileSuffix) || strings.HasSuffix(out, config.TestFileSuffix) {
		return a.errorf("-generate-config-out=%s: the file must end in %s, so plumb reads it as configuration", out, config.FileSuffix)
	}
	if _, err := os.Lstat(out); err == nil {
		return a.errorf("-generate-config-out=%s: the file exists; plumb does not overwrite it. Remove it, or name another file", out)
	}
	opts.GenerateConfig = true
	e, ok := a.load(opts)
	if !ok {
		return exitError
	}
	defer e.Close()
	src, d := e.GenerateConfig(ctx)
	if a.diags(d) {
		return exitError
	}
	if src == nil {
		fmt.Fprintf(a.stderr, "No import block names an undeclared resource; %s was not written.\n", out)
		return exitOK
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		return a.errorf("writing %s: %v", out, err)
	}
	fmt.Fprintf(a.stdout, "Wrote the configuration of the imported objects to %s. Review it before you apply.\n\n", out)
	return exitOK
}
