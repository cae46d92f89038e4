// Command plumb reads HCL files that say how a hosting estate should be,
// reads how it is, shows the difference as a plan and applies it.
//
// Each subcommand lives in its own file: it parses its flags, calls into
// the engine (package reconcile) and renders the result.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit codes: 0 success (and, with -detailed-exitcode, no changes), 1 an
// error, 2 changes present (plan -detailed-exitcode), 3 files need
// formatting (fmt -check).
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2
	exitFormat  = 3
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(a *app, args []string) int
}

func commands() []command {
	return []command{
		{"init", "Prepare the state backend; -migrate-state moves local state into it", runInit},
		{"validate", "Check the configuration for mistakes, without reading anything live", runValidate},
		{"fmt", "Rewrite configuration files in the canonical format", runFmt},
		{"plan", "Show what apply would change", runPlan},
		{"apply", "Make the estate match the configuration (or carry out a saved plan)", runApply},
		{"destroy", "Delete everything plumb manages in this configuration", runDestroy},
		{"show", "Show a saved plan or the current state", runShow},
		{"import", "Adopt an existing object into state: import ADDR ID", runImport},
		{"state", "Inspect and edit state: list, show, rm, mv, pull, push", runState},
		{"output", "Print output values", runOutput},
		{"graph", "Print the reference graph in Graphviz DOT form", runGraph},
		{"zones", "Generate configuration for existing zones: zones import DIR | -from route53", runZones},
		{"console", "Evaluate expressions as the configuration sees them, with the values in state", runConsole},
		{"test", "Run the *.plumbtest.hcl files: plan or apply each run, check its assertions, destroy what it made", runTest},
		{"taint", "Mark an instance in state for replacement by the next plan (plan -replace=ADDR is the better habit)", runTaint},
		{"untaint", "Clear the taint of an instance in state", runUntaint},
		{"force-unlock", "Break a state lock left by a dead run: force-unlock ID", runForceUnlock},
		{"svn", "Subversion: check a commit (pre-commit hooks), restore or verify a backup", runSVN},
		{"detect", "Find the clients behind a flood in access logs (and live connections): detect [FILE...]", runDetect},
		{"unban", "Lift the block of an address now and remember it: unban ADDRESS...", runUnban},
		{"restore", "Put block lists back from state after a reboot, before the next log-based run", runRestore},
		{"version", "Print plumb's version, commit, build date, Go version and platform", runVersion},
		{"completion", "Print the shell completion script: completion bash|zsh|fish", runCompletion},
	}
}

func main() {
	// A closed stdout (plumb plan | head -1) makes writes fail instead of
	// killing the process, so the run ends through its error path, which
	// releases the state lock.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("plumb", flag.ContinueOnError)
	global.SetOutput(stderr)
	chdir := global.String("chdir", ".", "run in `DIR`, the configuration folder")
	global.Usage = func() { usage(stderr) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	rest := global.Args()
	if len(rest) == 0 {
		usage(stderr)
		return exitError
	}
	// Like Terraform, -chdir really changes the working directory, so
	// relative paths in configuration mean the same wherever plumb starts.
	if *chdir != "." {
		if err := os.Chdir(*chdir); err != nil {
			fmt.Fprintf(stderr, "Error: -chdir: %v\n", err)
			return exitError
		}
	}
	a := newApp(".", stdin, stdout, stderr)
	// Hidden commands, for the completion scripts and the release build.
	switch rest[0] {
	case "__complete":
		return runComplete(a, rest[1:])
	case "__manpage":
		return runManpage(a, rest[1:])
	}
	for _, c := range commands() {
		if c.name == rest[0] {
			stop := startProfile(stderr)
			defer stop()
			return c.run(a, rest[1:])
		}
	}
	fmt.Fprintf(stderr, "plumb: unknown command %q. Run plumb without arguments for the list.\n", rest[0])
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: plumb [-chdir=DIR] COMMAND [options]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "plumb makes a hosting estate match its HCL description.")
	fmt.Fprintln(w)
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run plumb COMMAND -h for a command's options.")
}

// multiFlag collects a repeated string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
