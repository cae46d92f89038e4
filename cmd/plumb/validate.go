package main

import (
	"context"
	"fmt"
	"os"

	"github.com/plumbhq/plumb/reconcile"
)

func runValidate(a *app, args []string) int {
	fs := newFlagSet(a, "validate", "validate [options]")
	noColor := fs.Bool("no-color", false, "never use colour")
	if !parse(fs, args) {
		return exitError
	}
	if *noColor {
		a.color = false
	}
	e, ok := a.load(reconcile.Options{Inputs: reconcile.Inputs{Env: os.Environ(), AllowMissing: true}})
	if !ok {
		return exitError
	}
	defer e.Close()
	if a.diags(e.Validate(context.Background())) {
		return exitError
	}
	fmt.Fprintln(a.stdout, "Success! The configuration is valid.")
	return exitOK
}

func runGraph(a *app, args []string) int {
	fs := newFlagSet(a, "graph", "graph")
	if !parse(fs, args) {
		return exitError
	}
	e, ok := a.load(reconcile.Options{Inputs: reconcile.Inputs{Env: os.Environ(), AllowMissing: true}})
	if !ok {
		return exitError
	}
	defer e.Close()
	fmt.Fprint(a.stdout, e.Graph())
	return exitOK
}
