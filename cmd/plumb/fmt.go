package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/plumbhq/plumb/reconcile/config"
)

// runFmt rewrites *.hcl files (or, with -check, lists those that differ
// and exits 3).
func runFmt(a *app, args []string) int {
	fs := newFlagSet(a, "fmt", "fmt [-check] [FILE...]")
	check := fs.Bool("check", false, "change nothing; list files that need formatting and exit 3 if any")
	if !parse(fs, args) {
		return exitError
	}
	files := fs.Args()
	if len(files) == 0 {
		var err error
		files, err = filepath.Glob(filepath.Join(a.dir, "*.hcl"))
		if err != nil {
			return a.errorf("%v", err)
		}
		sort.Strings(files)
	}
	code := exitOK
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return a.errorf("%v", err)
		}
		// Refuse to format what does not parse: the diagnostics say why.
		d := config.CheckNesting(src, name)
		if !d.HasErrors() {
			_, d = hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		}
		if d.HasErrors() {
			a.files = map[string]*hcl.File{name: {Bytes: src}}
			a.diags(d)
			return exitError
		}
		out := hclwrite.Format(src)
		if bytes.Equal(src, out) {
			continue
		}
		if *check {
			fmt.Fprintln(a.stdout, name)
			code = exitFormat
			continue
		}
		if err := writeFileKeepMode(name, out); err != nil {
			return a.errorf("%v", err)
		}
		fmt.Fprintln(a.stdout, name)
	}
	return code
}

// writeFileKeepMode replaces a file atomically, keeping its mode.
func writeFileKeepMode(name string, data []byte) error {
	info, err := os.Stat(name)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".plumb-fmt-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
