package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/state"
)

// completion is what the shell may put in place of the word being typed.
type completion struct {
	// words are whole arguments, quotes removed, that start with the
	// word typed so far.
	words []string
	// files and dirs ask the shell to complete file or folder names
	// itself, as it quotes them best.
	files, dirs bool
}

// noSpace reports whether the shell should not add a space after the
// word: every candidate is a flag that goes on with =VALUE.
func (c completion) noSpace() bool {
	if len(c.words) == 0 {
		return false
	}
	for _, w := range c.words {
		if !strings.HasSuffix(w, "=") {
			return false
		}
	}
	return true
}

// stateReadTimeout bounds how long completion waits for a state kept in
// S3; a shell waiting on a tab key should not hang.
const stateReadTimeout = 3 * time.Second

// complete works out the candidates for the last of args, the words
// after "plumb" on the command line (the last one being typed, "" when
// nothing is yet). It reads state and configuration for addresses, in
// the folder -chdir names, and never writes anything.
func (a *app) complete(args []string) completion {
	typed := args[len(args)-1]
	words := args[:len(args)-1]
	dir := a.dir
	// Global flags come before the command.
	i := 0
	for ; i < len(words) && strings.HasPrefix(words[i], "-"); i++ {
		name, value, hasValue := splitFlag(words[i])
		if name == "chdir" {
			if !hasValue && i+1 < len(words) {
				i++
				value = words[i]
			}
			dir = value
		}
	}
	s := completer{a: a, dir: dir}
	if i == len(words) {
		if prev := lastWord(words); prev == "-chdir" || prev == "--chdir" {
			return completion{dirs: true}
		}
		if strings.HasPrefix(typed, "-") {
			return s.flagNames(typed, []*flag.Flag{{Name: "chdir"}})
		}
		var names []string
		for _, n := range commandTree() {
			names = append(names, n.path[0])
		}
		return completion{words: withPrefix(names, typed)}
	}
	node := findCommand(commandTree(), words[i])
	if node == nil {
		return completion{}
	}
	i++
	if len(node.subs) > 0 {
		if i == len(words) {
			var names []string
			for _, sub := range node.subs {
				names = append(names, sub.path[1])
			}
			return completion{words: withPrefix(names, typed)}
		}
		var sub *cmdNode
		for _, n := range node.subs {
			if n.path[1] == words[i] {
				sub = n
			}
		}
		if sub == nil {
			return completion{}
		}
		node = sub
		i++
	}
	return s.leaf(node, words[i:], typed)
}

// leaf completes within one command: its flags, their values, and its
// arguments. Like Go's flag package, it takes flags only before the
// first argument.
func (s *completer) leaf(n *cmdNode, words []string, typed string) completion {
	var set *flag.FlagSet
	if c := n.flags(); c != nil {
		set = c.fs
	}
	lookup := func(name string) *flag.Flag {
		if set == nil {
			return nil
		}
		return set.Lookup(name)
	}
	positional, flagsDone := 0, false
	for j := 0; j < len(words); j++ {
		w := words[j]
		switch {
		case flagsDone || !strings.HasPrefix(w, "-") || w == "-":
			flagsDone = true
			positional++
		case w == "--":
			flagsDone = true
		default:
			name, _, hasValue := splitFlag(w)
			if f := lookup(name); f != nil && !hasValue && !isBoolFlag(f) {
				if j == len(words)-1 {
					return s.values(valueSpec(n, name), typed, "") // -out FILE
				}
				j++
			}
		}
	}
	if !flagsDone && strings.HasPrefix(typed, "-") {
		name, value, hasValue := splitFlag(typed)
		if hasValue {
			if f := lookup(name); f != nil && !isBoolFlag(f) {
				return s.values(valueSpec(n, name), value, typed[:len(typed)-len(value)])
			}
			return completion{}
		}
		if set == nil {
			return completion{}
		}
		return s.flagNames(typed, flagList(set))
	}
	if len(n.args) == 0 {
		return completion{}
	}
	k := positional
	if k >= len(n.args) {
		if !n.repeat {
			return completion{}
		}
		k = len(n.args) - 1
	}
	return s.values(n.args[k], typed, "")
}

// completer reads what addresses and outputs exist, for one completion.
type completer struct {
	a   *app
	dir string
}

// flagNames offers flags: -name= for one that takes a value, -name for
// a switch, with as many dashes as typed.
func (s *completer) flagNames(typed string, flags []*flag.Flag) completion {
	dashes := "-"
	if strings.HasPrefix(typed, "--") {
		dashes = "--"
	}
	var names []string
	for _, f := range flags {
		if isBoolFlag(f) {
			names = append(names, dashes+f.Name)
		} else {
			names = append(names, dashes+f.Name+"=")
		}
	}
	return completion{words: withPrefix(names, typed)}
}

// values offers what an argument or flag value may be, each prefixed
// with prefix (the "-flag=" typed in the same word).
func (s *completer) values(spec argSpec, typed, prefix string) completion {
	var vals []string
	switch spec.kind {
	case argFile:
		return completion{files: true}
	case argDir:
		return completion{dirs: true}
	case argEnum:
		vals = spec.values
	case argInstance:
		vals = s.stateAddrs()
	case argTarget:
		vals = s.targets()
	case argImport:
		vals = s.importable()
	case argOutput:
		if st := s.state(); st != nil {
			vals = slices.Sorted(maps.Keys(st.Outputs))
		}
	}
	out := withPrefix(vals, typed)
	for i := range out {
		out[i] = prefix + out[i]
	}
	return completion{words: out}
}

// state reads the state as plumb state list does, without the lock; nil
// when there is none or it cannot be read.
func (s *completer) state() *state.State {
	b := newApp(s.dir, strings.NewReader(""), io.Discard, io.Discard)
	backend, diags := b.openBackend()
	if diags.HasErrors() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), stateReadTimeout)
	defer cancel()
	st, err := backend.Read(ctx)
	if err != nil {
		return nil
	}
	return st
}

func (s *completer) stateAddrs() []string {
	if st := s.state(); st != nil {
		return st.SortedAddrs()
	}
	return nil
}

// configured lists the configuration's resources (managed ones, and
// data sources as data.TYPE.NAME) and module calls as addresses without
// instance keys, through every module called without count or for_each;
// nothing when the configuration does not load.
func (s *completer) configured() (managed, data, modules []string) {
	cfg, _ := config.Load(s.dir)
	if cfg == nil {
		return nil, nil, nil
	}
	var walk func(c *config.Config, prefix string)
	walk = func(c *config.Config, prefix string) {
		for addr, r := range c.Resources {
			if strings.HasPrefix(addr, "data.") {
				data = append(data, prefix+addr)
			} else if r != nil {
				managed = append(managed, prefix+addr)
			}
		}
		for name, m := range c.Modules {
			modules = append(modules, prefix+"module."+name)
			if m.Child != nil && m.Count == nil && m.ForEach == nil {
				walk(m.Child, prefix+"module."+name+".")
			}
		}
	}
	walk(cfg, "")
	sort.Strings(managed)
	return managed, data, modules
}

// targets are what -target and -exclude may name: every instance in
// state and every resource and module the configuration declares.
func (s *completer) targets() []string {
	managed, data, modules := s.configured()
	all := slices.Concat(s.stateAddrs(), managed, data, modules)
	sort.Strings(all)
	return slices.Compact(all)
}

// importable are the managed resources of the configuration with no
// instance in state: where plumb import can put an object.
func (s *completer) importable() []string {
	inState := s.stateAddrs()
	managed, _, _ := s.configured()
	var out []string
	for _, addr := range managed {
		if !hasInstanceOf(inState, addr) {
			out = append(out, addr)
		}
	}
	return out
}

// hasInstanceOf reports whether sorted addrs holds an instance of the
// resource addr: addr itself, or addr[KEY].
func hasInstanceOf(addrs []string, addr string) bool {
	i, _ := slices.BinarySearch(addrs, addr)
	for ; i < len(addrs) && strings.HasPrefix(addrs[i], addr); i++ {
		if rest := addrs[i][len(addr):]; rest == "" || rest[0] == '[' {
			return true
		}
	}
	return false
}

// splitFlag splits -name=value (or --name=value) into its parts.
func splitFlag(w string) (name, value string, hasValue bool) {
	name = strings.TrimPrefix(strings.TrimPrefix(w, "-"), "-")
	name, value, hasValue = strings.Cut(name, "=")
	return name, value, hasValue
}

func lastWord(words []string) string {
	if len(words) == 0 {
		return ""
	}
	return words[len(words)-1]
}

// withPrefix returns the words that start with prefix, in order.
func withPrefix(words []string, prefix string) []string {
	var out []string
	for _, w := range words {
		if strings.HasPrefix(w, prefix) {
			out = append(out, w)
		}
	}
	return out
}

// runComplete is the hidden command the shell scripts of plumb
// completion call: plumb __complete SHELL ARGS. For bash, ARGS are the
// part of the word readline replaces and the line up to the cursor; for
// zsh and fish, the words after plumb, quotes removed, the last being
// typed. It prints a first line saying how to complete ("files",
// "dirs", "nospace" or nothing) and then one candidate a line.
func runComplete(a *app, args []string) int {
	if len(args) < 2 {
		return a.errorf("usage: plumb __complete bash RLWORD LINE | zsh|fish WORD...")
	}
	shell, args := args[0], args[1:]
	var line shellLine
	var rlWord string
	if shell == "bash" {
		if len(args) != 2 {
			return a.errorf("usage: plumb __complete bash RLWORD LINE")
		}
		rlWord, line = args[0], splitShellLine(args[1])
		args = line.words[1:] // after the command's own name
		if len(args) == 0 {
			return exitOK
		}
	}
	c := a.complete(args)
	directive := ""
	switch {
	case c.files:
		directive = "files"
	case c.dirs:
		directive = "dirs"
	case c.noSpace():
		directive = "nospace"
	}
	words := c.words
	if shell == "bash" {
		words = bashInsertions(line, rlWord, words)
	}
	fmt.Fprintln(a.stdout, directive)
	for _, w := range words {
		fmt.Fprintln(a.stdout, w)
	}
	return exitOK
}
