package dns

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	mdns "github.com/miekg/dns"
)

// DefaultTTL is the TTL of records that name none, in a zone file without
// $TTL, when ParseOptions.DefaultTTL is zero.
const DefaultTTL = 3600

// ParseOptions controls how zone files are read.
type ParseOptions struct {
	// Root is the directory that $INCLUDE may read from: included files
	// must be inside it, symbolic links too. A relative $INCLUDE path is
	// looked for beside the including file, then (as BIND does) in Root;
	// an absolute one is used if it is inside Root and otherwise taken
	// from Root, as under a chroot. Empty means the directory of the zone
	// file. The zone file itself must be inside Root.
	Root string
	// DefaultTTL applies to records before any $TTL that give no TTL; zero
	// means DefaultTTL (3600).
	DefaultTTL uint32
}

// ParseResult is what a zone file holds.
type ParseResult struct {
	// Records are the zone's record sets, normalised, in Sort order. The
	// apex SOA and NS are among them (see Apex and WithoutApexSOANS).
	Records []Record
	// Warnings note what was accepted but may not be what was meant: a
	// record set whose records have different TTLs (the lowest is used)
	// and duplicate records (dropped).
	Warnings []*ZoneError
}

// ParseZoneFile reads the BIND zone file at path for the zone origin
// ("example.org"). It supports $ORIGIN, $TTL, $INCLUDE (confined to
// opts.Root), $GENERATE, relative names, "@", parentheses across lines and
// wildcards. The error, when the file's content is at fault, is ZoneErrors
// naming file, line and column of every problem: syntax errors, unknown or
// unsupported types, names outside the zone, a CNAME at the apex or beside
// other data. The records read before a syntax error are returned with it.
func ParseZoneFile(path, origin string, opts ParseOptions) (ParseResult, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ParseResult{}, fmt.Errorf("read zone file: %w", err)
	}
	return parse(data, path, origin, opts)
}

// ParseZone reads a zone from r as ParseZoneFile reads a file; filename
// names it in errors ("<input>" when empty) and is where relative $INCLUDE
// paths start from.
func ParseZone(r io.Reader, filename, origin string, opts ParseOptions) (ParseResult, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return ParseResult{}, fmt.Errorf("read zone %s: %w", filename, err)
	}
	return parse(data, filename, origin, opts)
}

// parse reads the zone in data; filename is its path as the caller gave it.
func parse(data []byte, filename, origin string, opts ParseOptions) (ParseResult, error) {
	display := filename
	if display == "" {
		display, filename = "<input>", "<input>"
	}
	zorigin, err := NormalizeName(origin)
	if err != nil {
		return ParseResult{}, ZoneErrors{{File: display, Msg: fmt.Sprintf("invalid zone origin: %v", err)}}
	}
	dir := opts.Root
	if dir == "" {
		dir = filepath.Dir(filename)
	}
	name, err := relName(dir, filename)
	if err != nil {
		return ParseResult{}, ZoneErrors{{File: display, Msg: fmt.Sprintf("the zone file is outside the zone root %s; set the root to a directory that holds it", dir)}}
	}
	t := &tracker{sources: make(map[string]*source, 1), dir: dir}
	defer t.close()
	main := t.newSource(name, display, data)

	zp := mdns.NewZoneParser(main, zorigin, name)
	ttl := opts.DefaultTTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	zp.SetDefaultTTL(ttl)
	zp.SetIncludeAllowed(true)
	zp.SetIncludeFS(t)

	b := builder{origin: zorigin, sets: make(map[setKey]*set, 32)}
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		src := t.last
		if src == nil {
			src = main
		}
		line, col := src.recordPos()
		b.add(rr, src.display, line, col)
	}
	if err := zp.Err(); err != nil {
		b.errs = append(b.errs, t.convert(err, display))
	}
	return b.finish()
}

// relName returns file's slash path relative to dir, or an error when it
// is not inside dir.
func relName(dir, file string) (string, error) {
	if filepath.IsAbs(dir) != filepath.IsAbs(file) {
		var err error
		if dir, err = filepath.Abs(dir); err != nil {
			return "", err
		}
		if file, err = filepath.Abs(file); err != nil {
			return "", err
		}
	}
	rel, err := filepath.Rel(dir, file)
	if err != nil {
		return "", err
	}
	if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", errOutsideRoot
	}
	return filepath.ToSlash(rel), nil
}

// convert turns the parser's error into a ZoneError at the right place.
func (t *tracker) convert(err error, display string) *ZoneError {
	p, ok := splitParseError(err)
	if !ok {
		return &ZoneError{File: display, Msg: fmt.Sprintf("%v; check the zone file", err)}
	}
	var pe *mdns.ParseError
	errors.As(err, &pe)
	ze := &ZoneError{File: p.file, Line: p.line, Column: p.column, Msg: explain(p, pe.Unwrap())}
	if src := t.sources[p.file]; src != nil {
		ze.File = src.display
		ze.Column = src.tokenColumn(p.line, p.column, p.token)
	}
	return ze
}

// setKey identifies a record set while a zone is read.
type setKey struct {
	name string
	typ  uint16
}

// set is a record set being gathered, with where it was first seen.
type set struct {
	rec       Record
	file      string
	line, col int
	// mixed locates the first record whose TTL differs from the set's.
	mixedFile           string
	mixedLine, mixedCol int
}

// dupScan is the set size up to which a duplicate is found, and warned
// about, at its own line; larger sets are de-duplicated when sorted.
const dupScan = 16

// builder gathers records into sets and checks the zone's rules.
type builder struct {
	origin string
	sets   map[setKey]*set
	errs   ZoneErrors
	warns  []*ZoneError
}

func (b *builder) errorf(file string, line, col int, format string, args ...any) {
	b.errs = append(b.errs, &ZoneError{File: file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

// add checks one record and adds it to its set.
func (b *builder) add(rr mdns.RR, file string, line, col int) {
	h := rr.Header()
	typ, ok := typeNames[h.Rrtype]
	if !ok {
		name, known := mdns.TypeToString[h.Rrtype]
		if !known {
			name = fmt.Sprintf("TYPE%d", h.Rrtype)
		}
		b.errorf(file, line, col, "record type %s is not supported by Route 53; remove the record or use one of %s", name, strings.Join(SupportedTypes, ", "))
		return
	}
	if h.Class != mdns.ClassINET {
		b.errorf(file, line, col, "class %s is not supported; use IN", mdns.Class(h.Class))
		return
	}
	name, err := NormalizeName(h.Name)
	if err != nil {
		b.errorf(file, line, col, "invalid owner name: %v", err)
		return
	}
	if !inZone(name, b.origin) {
		b.errorf(file, line, col, "name %s is outside the zone %s; remove the record or move it to its own zone's file", name, b.origin)
		return
	}
	v, err := rdata(rr)
	if err != nil {
		b.errorf(file, line, col, "%s %s: %v", name, typ, err)
		return
	}
	k := setKey{name, h.Rrtype}
	s := b.sets[k]
	if s == nil {
		s = &set{rec: Record{Name: name, Type: typ, TTL: h.Ttl, Values: make([]string, 0, 1)}, file: file, line: line, col: col}
		b.sets[k] = s
	} else {
		if len(s.rec.Values) <= dupScan && slices.Contains(s.rec.Values, v) {
			b.warns = append(b.warns, &ZoneError{File: file, Line: line, Column: col,
				Msg: fmt.Sprintf("%s %s %s is listed already; the duplicate is ignored", name, typ, v)})
			return
		}
		if h.Ttl != s.rec.TTL {
			if s.mixedLine == 0 {
				s.mixedFile, s.mixedLine, s.mixedCol = file, line, col
			}
			s.rec.TTL = min(s.rec.TTL, h.Ttl)
		}
	}
	s.rec.Values = append(s.rec.Values, v)
}

// finish sorts the sets, checks the rules that concern whole sets and
// names, and returns the result.
func (b *builder) finish() (ParseResult, error) {
	sets := make([]*set, 0, len(b.sets))
	for _, s := range b.sets {
		n := len(s.rec.Values)
		s.rec.Values = sortValues(s.rec.Values)
		if len(s.rec.Values) < n {
			b.warns = append(b.warns, &ZoneError{File: s.file, Line: s.line, Column: s.col,
				Msg: fmt.Sprintf("%s %s lists the same data more than once; the duplicates are ignored", s.rec.Name, s.rec.Type)})
		}
		if s.mixedLine > 0 {
			b.warns = append(b.warns, &ZoneError{File: s.mixedFile, Line: s.mixedLine, Column: s.mixedCol,
				Msg: fmt.Sprintf("the records of %s %s have different TTLs; the lowest, %d, is used for all: give them one TTL", s.rec.Name, s.rec.Type, s.rec.TTL)})
		}
		sets = append(sets, s)
	}
	slices.SortFunc(sets, func(a, c *set) int { return compareRecords(a.rec, c.rec) })
	for i := 0; i < len(sets); {
		j := i + 1
		for j < len(sets) && sets[j].rec.Name == sets[i].rec.Name {
			j++
		}
		b.checkName(sets[i:j])
		i = j
	}
	recs := make([]Record, len(sets))
	for i, s := range sets {
		recs[i] = s.rec
	}
	res := ParseResult{Records: recs, Warnings: sortErrors(b.warns)}
	if len(b.errs) > 0 {
		return res, ZoneErrors(sortErrors(b.errs))
	}
	return res, nil
}

// checkName checks the rules for the sets of one name.
func (b *builder) checkName(sets []*set) {
	for _, s := range sets {
		r := s.rec
		switch r.Type {
		case "CNAME":
			switch {
			case r.Name == b.origin:
				b.errorf(s.file, s.line, s.col, "CNAME at the zone apex %s is not allowed: the apex holds the SOA and NS records; use A or AAAA records there", r.Name)
			case len(sets) > 1:
				b.errorf(s.file, s.line, s.col, "%s has a CNAME and other records (%s); a name with a CNAME can hold nothing else: remove the CNAME or the others", r.Name, otherTypes(sets, "CNAME"))
			}
			if len(r.Values) > 1 {
				b.errorf(s.file, s.line, s.col, "%s has %d CNAME records; a name can have only one CNAME target: keep one", r.Name, len(r.Values))
			}
		case "SOA":
			if r.Name != b.origin {
				b.errorf(s.file, s.line, s.col, "SOA record at %s is not at the zone apex %s; remove it", r.Name, b.origin)
			} else if len(r.Values) > 1 {
				b.errorf(s.file, s.line, s.col, "the zone has %d SOA records; keep one", len(r.Values))
			}
		}
	}
}

// otherTypes lists the types of sets other than except, comma-separated.
func otherTypes(sets []*set, except string) string {
	var ts []string
	for _, s := range sets {
		if s.rec.Type != except {
			ts = append(ts, s.rec.Type)
		}
	}
	return strings.Join(ts, ", ")
}

// sortErrors orders errors by file, line and column, and drops repeats
// (every record of a $GENERATE shares its line).
func sortErrors(es []*ZoneError) []*ZoneError {
	slices.SortStableFunc(es, func(a, b *ZoneError) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return slices.CompactFunc(es, func(a, b *ZoneError) bool { return *a == *b })
}
