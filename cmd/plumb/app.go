package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/term"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// StateFile is the local state's file name in the configuration folder.
const StateFile = "plumb.state"

// defaultLockTimeout is how long a run waits for the state lock unless
// -lock-timeout says otherwise; minLockTimeout leaves a remote backend
// time for one round trip even with -lock-timeout=0.
const (
	defaultLockTimeout = 2 * time.Second
	minLockTimeout     = 500 * time.Millisecond
)

// app is what every subcommand shares: the streams, the folder, and
// whether a person is at a terminal.
type app struct {
	dir            string
	stdin          io.Reader
	stdout, stderr io.Writer
	// tty is set when stdout and stdin are a terminal: colour, prompts
	// and a progress line are used only then.
	tty   bool
	color bool
	files map[string]*hcl.File
	// compact prints warnings as one line each (-compact-warnings).
	compact bool
	// noLock skips the state lock (-lock=false).
	noLock bool
	// problems are the errors printed so far, for a review of a run that
	// failed (plan -review-out).
	problems []plan.Problem
	// capture makes a command hand back its flag set at -h instead of
	// printing its help (cmdtree.go), for completion and the manual.
	capture bool

	ctlOnce sync.Once
	ctl     *runControl
}

// control returns the run's control, shared with the signal handler.
func (a *app) control() *runControl {
	a.ctlOnce.Do(func() { a.ctl = &runControl{} })
	return a.ctl
}

func newApp(dir string, stdin io.Reader, stdout, stderr io.Writer) *app {
	a := &app{dir: dir, stdin: stdin, stdout: stdout, stderr: stderr}
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if in, ok := stdin.(*os.File); ok && term.IsTerminal(int(in.Fd())) {
			a.tty = true
		}
		a.color = os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	}
	return a
}

// diags prints diagnostics with the source line they point at, and
// reports whether any was an error.
func (a *app) diags(d hcl.Diagnostics) bool {
	if len(d) == 0 {
		return false
	}
	width := 0
	if a.tty {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			width = w
		}
	}
	var full hcl.Diagnostics
	var compact []string
	for _, x := range d {
		if x.Severity == hcl.DiagError {
			a.problems = append(a.problems, problemOf(x))
		}
		if a.compact && x.Severity == hcl.DiagWarning {
			where := ""
			if x.Subject != nil {
				where = fmt.Sprintf(" (%s:%d)", x.Subject.Filename, x.Subject.Start.Line)
			}
			compact = append(compact, safeLine(fmt.Sprintf("  - %s%s", x.Summary, where)))
			continue
		}
		full = append(full, x)
	}
	writeDiagnostics(a.stderr, a.sourcesFor(full), full, uint(width), a.color)
	if len(compact) > 0 {
		fmt.Fprintf(a.stderr, "\nWarnings:\n%s\n", strings.Join(compact, "\n"))
	}
	return d.HasErrors()
}

// sourcesFor returns the files diagnostics show source lines from: the
// configuration's, and any other file a diagnostic names (a variables
// file), read from disk.
func (a *app) sourcesFor(d hcl.Diagnostics) map[string]*hcl.File {
	files, cloned := a.files, false
	for _, x := range d {
		if x.Subject == nil || files[x.Subject.Filename] != nil {
			continue
		}
		src, err := os.ReadFile(x.Subject.Filename)
		if err != nil {
			continue
		}
		if !cloned {
			files, cloned = maps.Clone(files), true
			if files == nil {
				files = map[string]*hcl.File{}
			}
		}
		files[x.Subject.Filename] = &hcl.File{Bytes: src}
	}
	return files
}

// errorf prints an error that has no place in a file.
func (a *app) errorf(format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintln(a.stderr, safeMessage("Error: "+msg))
	summary, detail, _ := strings.Cut(safeMessage(msg), "\n")
	a.problems = append(a.problems, plan.Problem{Summary: summary, Detail: strings.TrimSpace(detail)})
	return exitError
}

// runFlags are the options plan, apply and destroy share.
type runFlags struct {
	// vars holds -var and -var-file in the order given: later wins.
	vars        []reconcile.VarArg
	targets     multiFlag
	excludes    multiFlag
	replace     multiFlag
	refreshOnly bool
	parallelism int
	refresh     bool
	lockTimeout time.Duration
	lock        bool
	noColor     bool
	allowMass   bool
	compact     bool
	input       bool
}

// varArgFlag collects -var (file false) or -var-file (file true) into
// one ordered list.
type varArgFlag struct {
	list *[]reconcile.VarArg
	file bool
}

func (v varArgFlag) String() string { return "" }
func (v varArgFlag) Set(s string) error {
	*v.list = append(*v.list, reconcile.VarArg{File: v.file, Value: s})
	return nil
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.Var(varArgFlag{list: &f.vars}, "var", "set a variable: -var 'NAME=VALUE' (repeatable; with -var-file, later wins)")
	fs.Var(varArgFlag{list: &f.vars, file: true}, "var-file", "read variables from `FILE`, HCL or .json (repeatable; with -var, later wins)")
	fs.Var(&f.targets, "target", "limit the run to `ADDR` and what it depends on (repeatable)")
	fs.Var(&f.excludes, "exclude", "leave `ADDR` and what depends on it out of the run (repeatable)")
	fs.Var(&f.replace, "replace", "replace the resource instance `ADDR` even though nothing forces it (repeatable)")
	fs.BoolVar(&f.refreshOnly, "refresh-only", false, "only bring state up to date with what exists (changes made outside plumb); change nothing")
	fs.IntVar(&f.parallelism, "parallelism", reconcile.DefaultParallelism, "at most `N` resource operations at once")
	fs.BoolVar(&f.refresh, "refresh", true, "read live objects before planning")
	f.lockTimeout = defaultLockTimeout
	fs.Var(durationFlag{&f.lockTimeout}, "lock-timeout", "wait up to `DURATION` for the state lock")
	fs.BoolVar(&f.lock, "lock", true, "hold the state lock while running; -lock=false is for a state nobody else can reach")
	fs.BoolVar(&f.noColor, "no-color", false, "never use colour")
	fs.BoolVar(&f.allowMass, "allow-mass-change", false, "let through changes a provider refuses as too large to be safe (over 30% of a zone)")
	fs.BoolVar(&f.compact, "compact-warnings", false, "print warnings as one line each")
	fs.BoolVar(&f.input, "input", true, "accepted for Terraform's habit; plumb never asks for variable values, a missing one is an error")
}

// newFlagSet makes a command's flag set; usage is the command line its
// help starts with. Every command defines its flags and parses them
// before it does anything else: completion and the manual read the flags
// by running the command with -h (cmdtree.go).
func newFlagSet(a *app, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		if a.capture {
			panic(captured{fs: fs, usage: usage})
		}
		fmt.Fprintf(a.stderr, "Usage: plumb %s\n\nOptions:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; it returns false (having printed why) on error.
func parse(fs *flag.FlagSet, args []string) bool {
	return fs.Parse(args) == nil
}

// load reads the configuration into an engine.
func (a *app) load(opts reconcile.Options) (*reconcile.Engine, bool) {
	opts.Dir = a.dir
	opts.Registry = registry()
	e, d := reconcile.Load(opts)
	if e != nil {
		a.files = e.Config().Files
	}
	if a.diags(d) {
		return nil, false
	}
	return e, true
}

func (f *runFlags) options(a *app) reconcile.Options {
	if f.noColor {
		a.color = false
	}
	a.compact = f.compact
	a.noLock = !f.lock
	return reconcile.Options{
		Inputs:          reconcile.Inputs{Args: f.vars, Env: os.Environ()},
		Parallelism:     f.parallelism,
		NoRefresh:       !f.refresh,
		Targets:         f.targets,
		Excludes:        f.excludes,
		Replace:         f.replace,
		RefreshOnly:     f.refreshOnly,
		AllowMassChange: f.allowMass,
	}
}

// lockedState takes the state lock and reads the state. The returned
// function releases the lock.
func (a *app) lockedState(ctx context.Context, b state.Backend, op string, timeout time.Duration) (*state.State, func(), bool) {
	if a.noLock {
		st, err := b.Read(ctx)
		if err != nil {
			a.errorf("%v", err)
			return nil, nil, false
		}
		return st, func() {}, true
	}
	wait := max(timeout, minLockTimeout)
	lctx, cancel := state.WithTimeout(ctx, wait, "waiting for the state lock", "pass a longer -lock-timeout (such as -lock-timeout=1m) to wait more")
	defer cancel()
	info := state.LockInfo{Operation: op, PID: os.Getpid(), Created: time.Now().UTC().Format(time.RFC3339)}
	if err := b.Lock(lctx, info); err != nil {
		if errors.Is(err, state.ErrLocked) {
			a.errorf("%v\n\nAnother plumb run holds the state lock. Wait for it, pass -lock-timeout=1m to wait, or if it died, run plumb force-unlock with the lock ID.", err)
		} else {
			a.errorf("cannot lock state: %v", err)
		}
		return nil, nil, false
	}
	// The signal handler may release the lock of a run it abandons; the
	// run's own call then does nothing.
	unlock := a.control().setRelease(func() {
		if err := b.Unlock(); err != nil {
			a.errorf("cannot release the state lock: %v", err)
		}
	})
	st, err := b.Read(ctx)
	if err != nil {
		unlock()
		a.errorf("%v", err)
		return nil, nil, false
	}
	return st, unlock, true
}

// durationFlag is a command-line duration read by the same parser as every
// duration attribute (providers.ParseDuration: "30s", "15m", "7d", "1d12h"),
// so a flag and an attribute never disagree on what a duration is. A bare
// "0" is zero.
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil || *f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	if s == "0" {
		*f.d = 0
		return nil
	}
	d, err := providers.ParseDuration(s)
	if err != nil {
		return err
	}
	*f.d = d
	return nil
}
