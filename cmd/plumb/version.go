package main

import (
	"encoding/json"
	"fmt"

	"github.com/plumbhq/plumb/internal/buildinfo"
)

// runVersion is plumb version [-json]: which plumb this is, for a bug
// report or a script. The first line of the text form is "plumb vX.Y.Z".
func runVersion(a *app, args []string) int {
	fs := newFlagSet(a, "version", "version [-json]")
	asJSON := fs.Bool("json", false, "print as JSON: plumb_version, commit, build_date, modified, go_version, platform")
	if !parse(fs, args) {
		return exitError
	}
	if fs.NArg() != 0 {
		return a.errorf("usage: plumb version [-json]")
	}
	info := buildinfo.Get()
	if *asJSON {
		b, err := json.MarshalIndent(info, "", "  ")
		if err != nil {
			return a.errorf("%v", err)
		}
		fmt.Fprintf(a.stdout, "%s\n", b)
		return exitOK
	}
	commit := orUnknown(info.Commit)
	if info.Modified {
		commit += " (with uncommitted changes)"
	}
	fmt.Fprintf(a.stdout, "plumb v%s\ncommit:   %s\nbuilt:    %s\ngo:       %s\nplatform: %s\n",
		info.Version, commit, orUnknown(info.Date), info.GoVersion, info.Platform)
	return exitOK
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
