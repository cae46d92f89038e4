package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/plan"
)

// runConsole reads expressions, one a line, and prints their values as the
// configuration sees them with the values in state, as terraform console
// does. It reads nothing live and changes nothing; exit or end of input
// ends it.
func runConsole(a *app, args []string) int {
	fs := newFlagSet(a, "console", "console [-var NAME=VALUE] [-var-file FILE]")
	var rf runFlags
	rf.register(fs)
	if !parse(fs, args) {
		return exitError
	}
	e, ok := a.load(rf.options(a))
	if !ok {
		return exitError
	}
	defer e.Close()
	ctx := context.Background()
	st, unlock, ok := a.lockedState(ctx, a.backend(), "console", rf.lockTimeout)
	if !ok {
		return exitError
	}
	c, d := e.Console(ctx, st)
	unlock()
	a.diags(d)
	in := bufio.NewScanner(a.stdin)
	in.Buffer(make([]byte, 64<<10), 1<<20)
	for {
		if a.tty {
			fmt.Fprint(a.stdout, "> ")
		}
		if !in.Scan() {
			break
		}
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		if line == "exit" {
			break
		}
		v, d := c.Eval(line)
		if d.HasErrors() {
			a.files = withConsoleLine(a.files, line)
			a.diags(d)
			continue
		}
		fmt.Fprintln(a.stdout, consoleValue(v))
	}
	return exitOK
}

// consoleValue prints a value as terraform console does: sensitive values
// and values known only after apply by name.
func consoleValue(v cty.Value) string {
	switch {
	case v.HasMark("sensitive"):
		return "(sensitive value)"
	case !v.IsKnown():
		return "(known after apply)"
	}
	// Marked parts (a sensitive attribute of an object) print as
	// (sensitive).
	return plan.FormatValue(v)
}

// withConsoleLine adds the line being evaluated as the source of
// "<console>", so its diagnostics show it.
func withConsoleLine(files map[string]*hcl.File, line string) map[string]*hcl.File {
	out := make(map[string]*hcl.File, len(files)+1)
	for k, f := range files {
		out[k] = f
	}
	out["<console>"] = &hcl.File{Bytes: []byte(line)}
	return out
}
