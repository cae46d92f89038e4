package main

import (
	_ "embed"
	"fmt"
)

// The completion scripts: each asks plumb __complete for the candidates,
// so they know nothing of plumb's commands themselves.
var (
	//go:embed completion/plumb.bash
	bashCompletion string
	//go:embed completion/_plumb
	zshCompletion string
	//go:embed completion/plumb.fish
	fishCompletion string
)

// completionScripts are the scripts by shell name.
var completionScripts = map[string]string{"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}

// runCompletion is plumb completion bash|zsh|fish: it prints the shell's
// completion script.
func runCompletion(a *app, args []string) int {
	fs := newFlagSet(a, "completion", "completion bash|zsh|fish\n\n"+
		"  bash: source <(plumb completion bash), or install as /usr/share/bash-completion/completions/plumb\n"+
		"  zsh:  source <(plumb completion zsh), or install as _plumb in a folder of $fpath\n"+
		"  fish: plumb completion fish | source, or install as ~/.config/fish/completions/plumb.fish")
	if !parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 1 || completionScripts[fs.Arg(0)] == "" {
		return a.errorf("usage: plumb completion bash|zsh|fish")
	}
	fmt.Fprint(a.stdout, completionScripts[fs.Arg(0)])
	return exitOK
}
