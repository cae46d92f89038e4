package main

import (
	"flag"
	"io"
	"sort"
	"strings"
)

// The command tree: every command and subcommand with its flags and what
// its arguments are. Shell completion and the manual page read it; the
// commands themselves do not.
//
// Flags are not declared twice: each command's own flag set is read by
// running the command with -h in capture mode, where the flag set's usage
// function hands the set back instead of printing it. That relies on
// every command parsing its flags before it does anything else, which
// TestCommandTreeFlags checks for each one.

// argKind is what an argument or a flag's value names, so completion
// knows what to offer.
type argKind int

const (
	argText     argKind = iota // anything: nothing to offer
	argFile                    // a file
	argDir                     // a folder
	argInstance                // an instance address in state
	argTarget                  // an address in state, or a resource or module in the configuration
	argImport                  // a resource in the configuration with nothing in state yet
	argOutput                  // an output value in state
	argEnum                    // one of a fixed list of words
)

// argSpec says what one argument or flag value is; values lists the
// words of an argEnum.
type argSpec struct {
	kind   argKind
	values []string
}

func enum(values ...string) argSpec { return argSpec{kind: argEnum, values: values} }

// cmdNode is one command or subcommand.
type cmdNode struct {
	// path is the words that name it: {"state", "show"}.
	path    []string
	summary string
	// run runs the top-level command the node belongs to, given the
	// words after its name; flagless is true when the node has no flags
	// of its own (so run is never called to read them).
	run      func(a *app, args []string) int
	flagless bool
	// args are the positional arguments in order; the last one repeats
	// when repeat is set.
	args   []argSpec
	repeat bool
	subs   []*cmdNode
}

// name is the node's words joined: "state show".
func (n *cmdNode) name() string { return strings.Join(n.path, " ") }

// subcommands lists the commands that dispatch on a second word, with a
// summary of each, in the order the manual shows them.
var subcommands = map[string][][2]string{
	"state": {
		{"list", "List the instances in state, or those an address selects: state list [ADDR...]"},
		{"show", "Show one instance's attributes: state show ADDR"},
		{"rm", "Forget instances without touching the objects: state rm ADDR..."},
		{"mv", "Give instances a new address: state mv FROM TO"},
		{"pull", "Print the stored state as JSON"},
		{"push", "Replace the stored state with a file: state push [-force] FILE"},
	},
	"zones": {
		{"import", "Write configuration for existing zones: a folder of zone files, or -from route53"},
	},
	"svn": {
		{"check-commit", "Check a commit against the policy (what hooks/pre-commit runs)"},
		{"restore", "Restore a backup into a new repository"},
		{"verify", "Restore a backup into a temporary repository and run svnadmin verify"},
	},
}

// flaglessCommands are the nodes that take no flags: running them with
// -h would do their work, so their flags are never read.
var flaglessCommands = map[string]bool{
	"state": true, "state list": true, "state show": true, "state rm": true, "state mv": true, "state pull": true,
	"zones": true, "svn": true,
}

// commandArgs says what each command's positional arguments are.
var commandArgs = map[string]struct {
	args   []argSpec
	repeat bool
}{
	"apply":            {args: []argSpec{{kind: argFile}}},
	"show":             {args: []argSpec{{kind: argFile}}},
	"fmt":              {args: []argSpec{{kind: argFile}}, repeat: true},
	"import":           {args: []argSpec{{kind: argImport}, {kind: argText}}},
	"output":           {args: []argSpec{{kind: argOutput}}},
	"taint":            {args: []argSpec{{kind: argInstance}}},
	"untaint":          {args: []argSpec{{kind: argInstance}}},
	"detect":           {args: []argSpec{{kind: argFile}}, repeat: true},
	"completion":       {args: []argSpec{enum("bash", "zsh", "fish")}},
	"state list":       {args: []argSpec{{kind: argInstance}}, repeat: true},
	"state show":       {args: []argSpec{{kind: argInstance}}},
	"state rm":         {args: []argSpec{{kind: argInstance}}, repeat: true},
	"state mv":         {args: []argSpec{{kind: argInstance}, {kind: argText}}},
	"state push":       {args: []argSpec{{kind: argFile}}},
	"zones import":     {args: []argSpec{{kind: argDir}}},
	"svn check-commit": {args: []argSpec{{kind: argDir}, {kind: argText}}},
	"svn restore":      {args: []argSpec{{kind: argDir}}},
}

// flagValues says what flags' values are: keyed by "COMMAND -flag" for a
// flag whose values depend on the command, or by "-flag" everywhere.
var flagValues = map[string]argSpec{
	"-chdir":             {kind: argDir},
	"-target":            {kind: argTarget},
	"-exclude":           {kind: argTarget},
	"-replace":           {kind: argInstance},
	"-var-file":          {kind: argFile},
	"-out":               {kind: argFile},
	"-review-out":        {kind: argFile},
	"-review-status":     {kind: argFile},
	"-review-format":     enum("markdown", "html", "text"),
	"-for":               enum("github", "gitlab", "job-summary"),
	"-review-for":        enum("github", "gitlab", "job-summary"),
	"-filter":            {kind: argFile},
	"-policy":            {kind: argFile},
	"-identity":          {kind: argFile},
	"-known-hosts":       {kind: argFile},
	"-rules":             {kind: argFile},
	"-journal-dir":       {kind: argDir},
	"-proc-net":          {kind: argDir},
	"-directory":         {kind: argDir},
	"show -format":       enum("text", "json", "markdown", "html"),
	"detect -format":     enum("text", "json", "hcl"),
	"detect -by":         enum("ip", "prefix"),
	"zones import -type": enum("aws_route53_zone", "bind_zone"),
	"zones import -mode": enum("for_each", "blocks"),
	"zones import -from": enum("route53"),
}

// valueSpec returns what the value of flag name (without dashes) of
// node n is.
func valueSpec(n *cmdNode, name string) argSpec {
	if s, ok := flagValues[n.name()+" -"+name]; ok {
		return s
	}
	return flagValues["-"+name]
}

// commandTree returns the top-level commands, sorted by name, with their
// subcommands.
func commandTree() []*cmdNode {
	var out []*cmdNode
	for _, c := range commands() {
		n := &cmdNode{path: []string{c.name}, summary: c.summary, run: c.run, flagless: flaglessCommands[c.name]}
		n.args, n.repeat = commandArgs[c.name].args, commandArgs[c.name].repeat
		for _, s := range subcommands[c.name] {
			name := c.name + " " + s[0]
			n.subs = append(n.subs, &cmdNode{
				path: []string{c.name, s[0]}, summary: s[1], run: c.run, flagless: flaglessCommands[name],
				args: commandArgs[name].args, repeat: commandArgs[name].repeat,
			})
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path[0] < out[j].path[0] })
	return out
}

// find returns the node of the top-level command name, or nil.
func findCommand(tree []*cmdNode, name string) *cmdNode {
	for _, n := range tree {
		if n.path[0] == name {
			return n
		}
	}
	return nil
}

// captured is what a flag set's usage function hands back in capture
// mode: the set, and the usage line the command gave newFlagSet.
type captured struct {
	fs    *flag.FlagSet
	usage string
}

// flags returns the node's flag set and usage line, read by running its
// command with -h in capture mode; nil for a flagless node.
func (n *cmdNode) flags() (c *captured) {
	if n.flagless || n.run == nil || len(n.subs) > 0 {
		return nil
	}
	a := newApp(".", strings.NewReader(""), io.Discard, io.Discard)
	a.capture = true
	defer func() {
		if r := recover(); r != nil {
			got, ok := r.(captured)
			if !ok {
				panic(r)
			}
			c = &got
		}
	}()
	n.run(a, append(append([]string{}, n.path[1:]...), "-h"))
	return nil
}

// flagList is the flags of a set in name order.
func flagList(fs *flag.FlagSet) []*flag.Flag {
	var out []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { out = append(out, f) })
	return out
}

// isBoolFlag reports whether f takes no value (-json rather than -out FILE).
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
