package lang

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/plumbhq/plumb/providers/dns"
)

// maxZoneErrors is how many problems of one zone file an error lists.
const maxZoneErrors = 10

// zoneFileFunc is zonefile(path, origin): the record sets of a BIND zone
// file, as a list of objects {name, type, ttl, values} (dns.RecordType)
// in zone order, names fully qualified and normalised. The apex SOA and
// NS sets are included; each resource type decides what to do with them.
//
// path is resolved as file() resolves it. $INCLUDE may only read files
// under the configuration directory, or, for a zone file outside it, under
// the zone file's own directory. A zone file with problems is an error
// that lists each as "file:line:column: what to do", paths relative to the
// configuration directory. Each file is read once per function table.
func (s *fileScope) zoneFileFunc() function.Function {
	var zones cache[cty.Value]
	return function.New(&function.Spec{
		Description: "Returns the record sets of the BIND zone file at the given path for the zone origin, as a list of objects with name, type, ttl and values.",
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "origin", Type: cty.String},
		},
		Type:         function.StaticReturnType(cty.List(dns.RecordType)),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p, origin := args[0].AsString(), args[1].AsString()
			norigin, err := dns.NormalizeName(origin)
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(1, "invalid zone origin: %v", err)
			}
			return zones.get(s.resolve(p)+"\x00"+norigin, func() (cty.Value, error) {
				return s.readZone(p, norigin)
			})
		},
	})
}

// readZone parses the zone file at p (as written in configuration) for
// the normalised origin.
func (s *fileScope) readZone(p, origin string) (cty.Value, error) {
	data, err := s.read(p)
	if err != nil {
		return cty.NilVal, function.NewArgError(0, err)
	}
	abs := s.resolve(p)
	root := s.base
	if !within(root, abs) {
		root = filepath.Dir(abs)
	}
	res, err := dns.ParseZone(bytes.NewReader(data), abs, origin, dns.ParseOptions{Root: root})
	var zes dns.ZoneErrors
	switch {
	case errors.As(err, &zes):
		return cty.NilVal, function.NewArgErrorf(0, "%s", s.zoneErrorText(zes, p, abs))
	case err != nil:
		return cty.NilVal, function.NewArgErrorf(0, "reading the zone %s from %s: %v", origin, s.where(p), err)
	}
	return dns.ListValue(res.Records), nil
}

// zoneErrorText renders a zone file's problems one a line, naming the
// file as the configuration wrote it (and included files relative to the
// configuration directory), at most maxZoneErrors of them.
func (s *fileScope) zoneErrorText(zes dns.ZoneErrors, p, abs string) string {
	lines := make([]string, 0, min(len(zes), maxZoneErrors)+1)
	for i, ze := range zes {
		if i == maxZoneErrors {
			lines = append(lines, fmt.Sprintf("… and %d more problems in the zone file", len(zes)-maxZoneErrors))
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
	return strings.Join(lines, "\n")
}

// within reports whether the cleaned absolute path p is dir or below it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && filepath.IsLocal(rel)
}
