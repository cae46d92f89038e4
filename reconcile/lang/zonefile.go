package lang

import (
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/plumbhq/plumb/providers/dns"
)

// maxZoneErrors is how many problems of one zone file an error lists, and
// how many warnings of one file a warning shows.
const maxZoneErrors = 10

// zoneOptionsType is the type of zonefile()'s optional third argument.
var zoneOptionsType = cty.Object(map[string]cty.Type{"max_records": cty.Number})

// zoneFileFunc is zonefile(path, origin[, options]): the record sets of a
// BIND zone file, as a list of objects {name, type, ttl, values}
// (dns.RecordType) in zone order, names fully qualified and normalised.
// The apex SOA and NS sets are included; each resource type decides what
// to do with them. options is an object; max_records raises the limit on
// how many records the file may hold (dns.DefaultMaxRecords).
//
// path is resolved as file() resolves it. $INCLUDE may only read files
// under the configuration directory, or, for a zone file outside it, under
// the zone file's own directory. A zone file with problems is an error
// that lists each as "file:line:column: what to do", paths relative to the
// configuration directory; what the reader warns about is kept for
// Warnings. Each file is read once per function table.
func (s *fileScope) zoneFileFunc() function.Function {
	var zones cache[cty.Value]
	return function.New(&function.Spec{
		Description: "Returns the record sets of the BIND zone file at the given path for the zone origin, as a list of objects with name, type, ttl and values. An optional third argument, { max_records = N }, raises the limit on the records a file may hold.",
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "origin", Type: cty.String},
		},
		VarParam:     &function.Parameter{Name: "options", Type: cty.DynamicPseudoType},
		Type:         function.StaticReturnType(cty.List(dns.RecordType)),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p, origin := args[0].AsString(), args[1].AsString()
			norigin, err := dns.NormalizeName(origin)
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(1, "invalid zone origin: %v", err)
			}
			max, err := zoneOptions(args[2:])
			if err != nil {
				return cty.NilVal, err
			}
			key := s.resolve(p) + "\x00" + norigin + "\x00" + strconv.Itoa(max)
			return zones.get(key, func() (cty.Value, error) {
				return s.readZone(p, norigin, max)
			})
		},
	})
}

// zoneOptions reads zonefile()'s options argument.
func zoneOptions(args []cty.Value) (int, error) {
	switch {
	case len(args) == 0:
		return 0, nil
	case len(args) > 1:
		return 0, function.NewArgErrorf(3, "zonefile takes at most three arguments: path, origin and an options object")
	}
	v := args[0]
	if !v.IsWhollyKnown() || v.IsNull() {
		return 0, function.NewArgErrorf(2, "the options must be a known object, such as { max_records = 3000000 }")
	}
	ty := v.Type()
	if !ty.IsObjectType() && !ty.IsMapType() {
		return 0, function.NewArgErrorf(2, "the options must be an object, such as { max_records = 3000000 }, not a %s", ty.FriendlyName())
	}
	max := 0
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		switch k.AsString() {
		case "max_records":
			if e.Type() != cty.Number || e.IsNull() {
				return 0, function.NewArgErrorf(2, "max_records must be a number of records")
			}
			n, acc := e.AsBigFloat().Int64()
			if acc != big.Exact || n < 1 || n > 1<<31 {
				return 0, function.NewArgErrorf(2, "max_records must be a whole number from 1 to %d", int64(1)<<31)
			}
			max = int(n)
		default:
			return 0, function.NewArgErrorf(2, "unknown option %q; the one option is max_records", k.AsString())
		}
	}
	return max, nil
}

// readZone parses the zone file at p (as written in configuration) for
// the normalised origin.
func (s *fileScope) readZone(p, origin string, max int) (cty.Value, error) {
	data, err := s.readUncached(p)
	if err != nil {
		return cty.NilVal, function.NewArgError(0, err)
	}
	abs := s.resolve(p)
	root := s.base
	if !within(root, abs) {
		root = filepath.Dir(abs)
	}
	res, err := dns.ParseZoneBytes(data, abs, origin, dns.ParseOptions{Root: root, MaxRecords: max})
	var zes dns.ZoneErrors
	switch {
	case errors.As(err, &zes):
		return cty.NilVal, function.NewArgErrorf(0, "%s", s.zoneErrorText(zes, p, abs))
	case err != nil:
		return cty.NilVal, function.NewArgErrorf(0, "reading the zone %s from %s: %v", origin, s.where(p), err)
	}
	if len(res.Warnings) > 0 {
		s.warnings.add(p, s.zoneLines(res.Warnings, p, abs))
	}
	return dns.ListValue(res.Records), nil
}

// zoneErrorText renders a zone file's problems one a line, naming the
// file as the configuration wrote it (and included files relative to the
// configuration directory), at most maxZoneErrors of them. The text ends
// without a period, which the diagnostic adds.
func (s *fileScope) zoneErrorText(zes dns.ZoneErrors, p, abs string) string {
	return strings.TrimSuffix(strings.Join(s.zoneLines(zes, p, abs), "\n"), ".")
}

// zoneLines renders problems as "file:line:column: message" lines, at
// most maxZoneErrors and a line saying how many more.
func (s *fileScope) zoneLines(zes []*dns.ZoneError, p, abs string) []string {
	lines := make([]string, 0, min(len(zes), maxZoneErrors)+1)
	for i, ze := range zes {
		if i == maxZoneErrors {
			lines = append(lines, fmt.Sprintf("… and %d more in the zone file", len(zes)-maxZoneErrors))
			break
		}
		e := *ze
		switch {
		case e.File == abs:
			e.File = p
		case within(s.base, e.File):
			if rel, err := filepath.Rel(s.base, e.File); err == nil {
				e.File = filepath.ToSlash(rel)
			}
		}
		lines = append(lines, e.Error())
	}
	return lines
}

// within reports whether the cleaned absolute path p is dir or below it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && filepath.IsLocal(rel)
}

// Warnings collects what the functions of one table warn about while
// configuration is evaluated (zonefile(): records with different TTLs,
// duplicates, names converted to punycode, data outside the zone), so
// that the run can show each once. It is safe for concurrent use.
type Warnings struct {
	mu    sync.Mutex
	files []string
	lines map[string][]string
	shown int
}

// add records the warnings of one file, once.
func (w *Warnings) add(file string, lines []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lines == nil {
		w.lines = map[string][]string{}
	}
	if _, ok := w.lines[file]; ok {
		return
	}
	w.files = append(w.files, file)
	w.lines[file] = lines
}

// Drain returns the warnings recorded since the last call, one diagnostic
// per file.
func (w *Warnings) Drain() hcl.Diagnostics {
	w.mu.Lock()
	defer w.mu.Unlock()
	var diags hcl.Diagnostics
	for _, f := range w.files[w.shown:] {
		lines := w.lines[f]
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Warnings in zone file " + f,
			Detail:   "zonefile() read " + f + " as BIND reads it, with these warnings:\n" + strings.Join(lines, "\n"),
		})
	}
	w.shown = len(w.files)
	return diags
}
