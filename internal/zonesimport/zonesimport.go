// Package zonesimport writes the configuration that `plumb zones import
// DIR` prints: a directory of BIND zone files turned into resources whose
// records come from zonefile(), so the files stay the source of truth and
// plumb keeps Route 53 (or BIND's own zone files) in step with them.
//
// Which regular files directly in DIR are zone files, and the origin of
// each, is decided by name:
//
//   - NAME.zone and NAME.db: the zone NAME;
//   - NAME.txt: the zone NAME when NAME is a domain name (README.txt is not);
//   - db.DOMAIN (Debian's naming): the zone DOMAIN; BIND's own db.local,
//     db.127, db.root, … are not zone files of a domain;
//   - a file named like a domain (two or more labels, the last of letters):
//     that zone, unless its ending says it is something else (.conf, .jnl,
//     .key, .signed, .bak, …).
//
// Hidden files are never zone files. A file's first $ORIGIN, when it comes
// before any record, gives its origin instead of its name.
//
// Two layouts are offered. ModeForEach (the default) writes one resource
// block with for_each over a local map of domain to file, built with
// fileset() for the files named after their domain, so a zone added to the
// directory is picked up on the next plan without importing again; files
// whose origin is not their name are listed explicitly. ModeBlocks writes
// one resource block per zone, named after the domain ("example_org").
//
// Every file is parsed first. Files that do not parse are left out (and
// kept out of the fileset patterns); FromDir returns the configuration for
// the others together with a *SkippedError naming each problem as
// file:line:column, and the configuration's header comment lists them too.
package zonesimport

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/plumbhq/plumb/providers/dns"
)

// Resource types FromDir can write.
const (
	TypeRoute53 = "aws_route53_zone"
	TypeBind    = "bind_zone"
)

// Layouts of the generated configuration.
const (
	ModeForEach = "for_each"
	ModeBlocks  = "blocks"
)

// Options shape the generated configuration. The zero value writes
// aws_route53_zone with for_each.
type Options struct {
	// Type is the resource type: TypeRoute53 (default) or TypeBind.
	Type string
	// Mode is ModeForEach (default) or ModeBlocks.
	Mode string
	// Path is the zone directory as the configuration names it, relative
	// to the configuration directory; default dir as FromDir was given it.
	Path string
	// Directory is, for bind_zone, where plumb writes the zone files it
	// manages; default "build/zones". It must not be the directory read.
	Directory string
	// Name is the resource name in ModeForEach; default "zone".
	Name string
}

// Problem is a zone file left out, and why.
type Problem struct {
	// File is the file's path: the directory as given joined with its name.
	File string
	// Err says what is wrong; for a zone that does not parse, a
	// dns.ZoneErrors naming each problem's line and column.
	Err error
}

// SkippedError reports the zone files left out of the configuration.
type SkippedError struct {
	// Problems are in file name order.
	Problems []Problem
	// Generated is the number of zones the configuration holds.
	Generated int
}

// Error lists every problem, one a line, after a summary line.
func (e *SkippedError) Error() string {
	var b strings.Builder
	if e.Generated > 0 {
		fmt.Fprintf(&b, "%d zone file(s) left out (configuration written for the other %d); fix them and import again:", len(e.Problems), e.Generated)
	} else {
		fmt.Fprintf(&b, "%d zone file(s) left out, and no configuration written; fix them and import again:", len(e.Problems))
	}
	for _, p := range e.Problems {
		for _, line := range problemLines(p) {
			b.WriteString("\n  ")
			b.WriteString(commentText(line)) // a file name may hold control characters
		}
	}
	return b.String()
}

// problemLines renders a problem as "file:line:col: message" lines.
func problemLines(p Problem) []string {
	var zes dns.ZoneErrors
	if errors.As(p.Err, &zes) {
		out := make([]string, len(zes))
		for i, ze := range zes {
			out[i] = ze.Error()
		}
		return out
	}
	return []string{p.File + ": " + p.Err.Error()}
}

// FromDir returns the formatted configuration for the zone files directly
// in dir (see the package comment for which files count and how origins
// are found). When some files are left out, it returns the configuration
// for the others and a *SkippedError; when none is usable, no
// configuration and an error.
func FromDir(dir string, opts Options) ([]byte, error) {
	opts, err := opts.withDefaults(dir)
	if err != nil {
		return nil, err
	}
	files, names, problems, err := scan(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 && len(problems) == 0 {
		return nil, fmt.Errorf("no zone files in %s: looked for DOMAIN.zone, DOMAIN.db, DOMAIN.txt, db.DOMAIN and files named like a domain", dir)
	}
	good, bad := check(dir, files)
	problems = append(problems, bad...)
	sortProblems(problems)
	if len(good) == 0 {
		return nil, &SkippedError{Problems: problems}
	}
	out := generate(good, excluded(good, names), problems, opts)
	if len(problems) > 0 {
		return out, &SkippedError{Problems: problems, Generated: len(good)}
	}
	return out, nil
}

// withDefaults fills in and checks the options.
func (o Options) withDefaults(dir string) (Options, error) {
	if o.Type == "" {
		o.Type = TypeRoute53
	}
	if o.Mode == "" {
		o.Mode = ModeForEach
	}
	if o.Path == "" {
		o.Path = filepath.ToSlash(dir)
	}
	if o.Directory == "" {
		o.Directory = "build/zones"
	}
	if o.Name == "" {
		o.Name = "zone"
	}
	switch {
	case o.Type != TypeRoute53 && o.Type != TypeBind:
		return o, fmt.Errorf("resource type %q: use %s or %s", o.Type, TypeRoute53, TypeBind)
	case o.Mode != ModeForEach && o.Mode != ModeBlocks:
		return o, fmt.Errorf("layout %q: use %s or %s", o.Mode, ModeForEach, ModeBlocks)
	case o.Type == TypeBind && filepath.Clean(o.Directory) == filepath.Clean(o.Path):
		return o, fmt.Errorf("bind_zone would write its zone files over the ones it reads in %s; give it another directory", o.Path)
	case !isIdentifier(o.Name):
		return o, fmt.Errorf("resource name %q: use letters, digits, underscores and hyphens, starting with a letter", o.Name)
	}
	return o, nil
}

// check parses every zone file, in parallel, and splits them into the
// good ones and problems. Two files of one origin: the second is a
// problem.
func check(dir string, files []zoneFile) (good []zoneFile, bad []Problem) {
	paths := make([]string, len(files))
	origins := make([]string, len(files))
	for i, f := range files {
		paths[i], origins[i] = filepath.Join(dir, f.name), f.origin
	}
	results := make([]error, len(files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				_, results[i] = dns.ParseZone(bytes.NewReader(files[i].data), paths[i], origins[i], dns.ParseOptions{Root: dir})
				files[i].data = nil
			}
		})
	}
	wg.Wait()
	seen := map[string]string{}
	for i, f := range files {
		switch {
		case results[i] != nil:
			bad = append(bad, Problem{File: paths[i], Err: results[i]})
		case seen[f.origin] != "":
			bad = append(bad, Problem{File: paths[i], Err: fmt.Errorf("the zone %s is in %s already; keep one file per zone", f.origin, seen[f.origin])})
		default:
			seen[f.origin] = f.name
			good = append(good, f)
		}
	}
	return good, bad
}

// sortProblems orders problems by file.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int { return strings.Compare(a.File, b.File) })
}
