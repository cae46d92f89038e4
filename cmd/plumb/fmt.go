package main

import (
	"bytes"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/plan"
)

// runFmt rewrites configuration and variable files in the canonical
// layout (or, with -check, lists those that differ and exits 3).
func runFmt(a *app, args []string) int {
	fs := newFlagSet(a, "fmt", "fmt [-check] [-diff] [-recursive] [-list=false] [-write=false] [FILE or DIR...]")
	check := fs.Bool("check", false, "change nothing; list files that need formatting and exit 3 if any")
	showDiff := fs.Bool("diff", false, "print the changes as a unified diff")
	recursive := fs.Bool("recursive", false, "format the folders below too (hidden ones are skipped)")
	list := fs.Bool("list", true, "print the names of the files that change")
	write := fs.Bool("write", true, "rewrite the files; -write=false only reports")
	if !parse(fs, args) {
		return exitError
	}
	if *check {
		*write = false
	}
	targets := fs.Args()
	if len(targets) == 0 {
		targets = []string{a.dir}
	}
	var files []string
	for _, t := range targets {
		info, err := os.Stat(t)
		if err != nil {
			return a.errorf("%v", err)
		}
		if !info.IsDir() {
			files = append(files, t)
			continue
		}
		found, err := formattable(t, *recursive)
		if err != nil {
			return a.errorf("%v", err)
		}
		files = append(files, found...)
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
		if *list {
			fmt.Fprintln(a.stdout, name)
		}
		if *showDiff {
			fmt.Fprint(a.stdout, plan.UnifiedDiff("old/"+filepath.ToSlash(name), "new/"+filepath.ToSlash(name), string(src), string(out)))
		}
		if *check {
			code = exitFormat
		}
		if *write {
			if err := writeFileKeepMode(name, out); err != nil {
				return a.errorf("%v", err)
			}
		}
	}
	return code
}

// formatSuffixes are the endings of the files fmt formats: configuration,
// and the HCL form of variable files.
var formatSuffixes = []string{".hcl", ".plumbvars"} // *.plumbtest.hcl included

// formattable lists the files fmt formats in dir, in name order, and
// with recursive in the folders below it, skipping hidden folders (.git,
// .plumb).
func formattable(dir string, recursive bool) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && (!recursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		for _, suf := range formatSuffixes {
			if strings.HasSuffix(d.Name(), suf) && d.Type().IsRegular() {
				out = append(out, p)
			}
		}
		return nil
	})
	sort.Strings(out)
	return out, err
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
