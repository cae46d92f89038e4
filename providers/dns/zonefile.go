package dns

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// DefaultMaxRecords is how many records a zone may hold when
// ParseOptions.MaxRecords is zero: enough for the largest real zones, and
// a clear error instead of exhausted memory for a file whose $GENERATE
// lines expand to millions.
const DefaultMaxRecords = 2_000_000

// maxIncludeDepth is how deep $INCLUDE may nest.
const maxIncludeDepth = 20

// ParseOptions controls how zone files are read.
type ParseOptions struct {
	// Root is the directory that $INCLUDE may read from: included files
	// must be inside it, symbolic links too. A relative $INCLUDE path is
	// looked for beside the including file, then (as BIND does) in Root;
	// an absolute one is used if it is inside Root and otherwise taken
	// from Root, as under a chroot. Empty means the directory of the zone
	// file. The zone file itself must be inside Root.
	Root string
	// MaxRecords is the most records (single records, not sets) the zone
	// may hold; zero means DefaultMaxRecords.
	MaxRecords int
}

// ParseResult is what a zone file holds.
type ParseResult struct {
	// Records are the zone's record sets, normalised, in Sort order. The
	// apex SOA and NS are among them (see Apex and WithoutApexSOANS).
	Records []Record
	// Warnings note what was accepted but may not be what was meant, each
	// at its file, line and column: records with different TTLs in one
	// set, duplicates, data outside the zone (ignored, as BIND ignores
	// it), TTLs BIND reads as 0, names converted to punycode, and owner
	// names BIND's default check-names refuses.
	Warnings []*ZoneError
}

// ParseZoneFile reads the BIND zone file at path for the zone origin
// ("example.org") exactly as BIND's named-compilezone reads it: $ORIGIN,
// $TTL, $INCLUDE (confined to opts.Root), $GENERATE with its modifiers,
// relative names, "@", parentheses across lines, TTL rules (a record
// without a TTL takes $TTL, else the SOA's minimum, else the TTL before
// it) and every record type in text or generic (RFC 3597) form. The error,
// when the file's content is at fault, is ZoneErrors naming file, line and
// column of every problem. The records read without error are returned
// with it.
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

// ParseZoneBytes reads a zone from data as ParseZone reads it, without
// copying: the records share data's memory, so data must not change
// afterwards.
func ParseZoneBytes(data []byte, filename, origin string, opts ParseOptions) (ParseResult, error) {
	return parse(data, filename, origin, opts)
}

// SOAOwner returns the owner of the first SOA record in the zone file in
// data, read as BIND reads it with guess as the origin the file starts
// with (a name, "." when empty), $INCLUDE confined to root; "" when the
// file has no SOA record. It tells a file's zone when nothing else does
// reliably: a file that named dumps starts with "$ORIGIN .", and "@"
// means whatever origin it is loaded with.
func SOAOwner(data []byte, guess, root string) string {
	origin, err := NormalizeName(guess)
	if guess == "" || err != nil {
		origin = "."
	}
	if root == "" {
		root = "."
	}
	l := &loader{zone: ".", inc: &includer{dir: root}, max: DefaultMaxRecords, findSOA: true}
	defer l.inc.close()
	l.mainFile = "zone"
	l.push(&zfile{lex: newLexer(data), name: "zone", display: "zone", origin: origin})
	l.run()
	return l.soaOwner
}

// parse reads the zone in data, which it may keep (record texts share its
// memory); filename is its path as the caller gave it.
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
	l := &loader{
		zone: zorigin,
		inc:  &includer{dir: dir},
		max:  opts.MaxRecords,
	}
	if l.max <= 0 {
		l.max = DefaultMaxRecords
	}
	defer l.inc.close()
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line := 1 + bytes.Count(data[:i], []byte{'\n'})
		return ParseResult{}, ZoneErrors{{File: display, Line: line, Msg: "this file holds binary data (a NUL byte), so it is not a zone file; check the path"}}
	}
	// A record takes a line, mostly: room for as many chunks as lines
	// saves growing (and copying) a slice of a million chunks step by step.
	l.chunks = make([]chunk, 0, min(bytes.Count(data, []byte{'\n'})+1, l.max+1))
	l.mainFile = display
	l.push(&zfile{lex: newLexer(data), name: name, display: display, origin: zorigin})
	l.run()
	res, err := l.finish()
	if l.count == 0 && l.outsideCount == 0 && len(l.errs) >= 2 {
		// Nothing read as a record: another kind of file. Say where and
		// why, without echoing its content.
		first := l.errs[0]
		for _, e := range l.errs {
			if e.File == display && (first.File != display || e.Line < first.Line) {
				first = e
			}
		}
		return ParseResult{}, ZoneErrors{{File: first.File, Line: first.Line, Column: first.Column,
			Msg: fmt.Sprintf("this does not read as a zone file: none of its %d problem lines is a record BIND would load; check the path", len(l.errs))}}
	}
	return res, err
}

// zfile is one file being read: the zone file or an $INCLUDE.
type zfile struct {
	lex     *lexer
	name    string // slash path under the root
	display string // how errors name it
	origin  string // the current $ORIGIN
	// current is the owner of the records being read (BIND's current
	// name), glue a name below a delegation being read in between; each
	// gathers its records in a run until the owner changes.
	current, glue   string
	curRun, glueRun run
	// outside is the last owner found outside the zone, warned about once.
	outside string
}

// run gathers the records of one owner read in a row. BIND adds them to
// the zone together when the owner changes: within a run the first TTL of
// a set wins, and across runs the last run's.
type run struct {
	sets []runSet
}

type runSet struct {
	typ               uint16
	ttl               uint32
	values            []string
	file              string
	line, col         int32
	lastLine, lastCol int32
}

// set is a record set being gathered, with the chunks (in l.chunks) of
// its first and last records, for messages.
type set struct {
	rec         Record
	code        uint16
	first, last int32
}

// loader reads a zone as BIND's master-file loader does.
type loader struct {
	zone  string
	inc   *includer
	stack []*zfile
	max   int
	count int

	// ttl is the TTL of the record being read; ttlKnown says a record gave
	// one. defTTL is $TTL (or the SOA minimum without one).
	ttl, defTTL                    uint32
	ttlKnown, defKnown, warned1035 bool
	// delegation is BIND's current_has_delegation: the current run holds
	// NS records, so a name among their targets is glue.
	delegation bool
	dated      bool // a $DATE was read
	// mainFile names the zone file in errors about the whole zone;
	// outsideCount counts records outside the zone (ignored).
	mainFile     string
	outsideCount int
	// findSOA stops reading at the first SOA record, whose owner is
	// soaOwner (SOAOwner).
	findSOA  bool
	soaOwner string

	// chunks are the committed runs' sets, in commit order.
	chunks []chunk
	errs   ZoneErrors
	warns  []*ZoneError
	toks   []token
	stop   bool // give up: too many records, or a file could not be read
	rdata  rdataReader
}

func (l *loader) top() *zfile { return l.stack[len(l.stack)-1] }

func (l *loader) push(f *zfile) { l.stack = append(l.stack, f) }

// errorAt records an error at a token of the file.
func (l *loader) errorAt(f *zfile, t token, format string, args ...any) {
	l.errs = append(l.errs, &ZoneError{File: f.display, Line: t.line, Column: t.col, Msg: fmt.Sprintf(format, args...)})
}

// warnAt records a warning at a token of the file.
func (l *loader) warnAt(f *zfile, t token, format string, args ...any) {
	l.warns = append(l.warns, &ZoneError{File: f.display, Line: t.line, Column: t.col, Msg: fmt.Sprintf(format, args...)})
}

// run reads every file on the stack to its end.
func (l *loader) run() {
	for len(l.stack) > 0 && !l.stop {
		f := l.top()
		blank := f.lex.atLineStart()
		t := f.lex.next()
		switch t.kind {
		case tokEOF:
			if e := f.lex.err; e != nil {
				l.errs = append(l.errs, &ZoneError{File: f.display, Line: e.line, Column: e.col, Msg: e.msg})
			}
			l.commitAll(f)
			l.stack = l.stack[:len(l.stack)-1]
			continue
		case tokEOL:
			continue
		}
		if blank {
			if f.current == "" && f.glue == "" {
				l.errorAt(f, t, "this line starts with a space, so its owner is the name of the line before, but no name came before it; write the owner's name at the start of the line")
				f.lex.skipLine()
				continue
			}
			f.lex.unread(t)
			l.record(f, t)
			continue
		}
		if t.kind == tokWord && strings.HasPrefix(t.text, "$") {
			l.directive(f, t)
			continue
		}
		name, idn, err := parseName(t.text, f.origin)
		if err != nil {
			l.errorAt(f, t, "invalid owner name: %v", err)
			f.lex.skipLine()
			continue
		}
		if idn {
			l.noteIDN(f, t, name)
		}
		l.setOwner(f, name)
		l.record(f, t)
	}
}

// noteIDN warns that a name of UTF-8 text was converted to punycode.
func (l *loader) noteIDN(f *zfile, t token, name string) {
	l.warnAt(f, t, "%q is not ASCII: plumb writes it in punycode as %s, the name resolvers look up (BIND would serve the raw bytes, which no resolver asks for)", t.text, name)
}

// setOwner makes name the owner of the records that follow, committing
// what was read for the previous owner, as BIND does (glue aside).
func (l *loader) setOwner(f *zfile, name string) {
	if f.glue != "" && f.glue != name {
		l.commit(&f.glueRun, f.glue)
		f.glue = ""
	}
	if f.glue == "" && f.current != name {
		if l.delegation && isGlue(&f.curRun, name) {
			f.glue = name
		} else {
			l.commit(&f.curRun, f.current)
			f.current = name
			l.delegation = false
		}
	}
}

// owner is the name the next record belongs to.
func (f *zfile) owner() string {
	if f.glue != "" {
		return f.glue
	}
	return f.current
}

// isGlue reports whether name is the target of an NS record in the run.
func isGlue(r *run, name string) bool {
	for _, s := range r.sets {
		if s.typ == 2 {
			for _, v := range s.values {
				if v == name {
					return true
				}
			}
		}
	}
	return false
}

// commitAll commits the file's open runs, as at an $INCLUDE or the end.
func (l *loader) commitAll(f *zfile) {
	l.commit(&f.curRun, f.current)
	l.commit(&f.glueRun, f.glue)
}

// commit adds a run's sets to the zone, in commit order: finish merges
// the chunks of one set, and a set given in several runs takes the TTL of
// the last, as BIND's database does.
func (l *loader) commit(r *run, owner string) {
	for i := range r.sets {
		rs := &r.sets[i]
		l.chunks = append(l.chunks, chunk{owner: owner, runSet: *rs})
		rs.values = nil // moved to the chunk
	}
	r.sets = r.sets[:0]
}

// chunk is one run's records of one set.
type chunk struct {
	owner string
	runSet
}

// directive reads a line that starts with a $ word.
func (l *loader) directive(f *zfile, t token) {
	switch strings.ToUpper(t.text) {
	case "$ORIGIN":
		n, ok := l.directiveName(f, t, "$ORIGIN")
		if ok && l.expectEOL(f, "$ORIGIN") {
			f.origin = n
		}
	case "$TTL":
		l.ttlDirective(f, t)
	case "$INCLUDE":
		l.include(f, t)
	case "$GENERATE":
		l.generate(f, t)
	case "$DATE":
		v := f.lex.next()
		if v.kind != tokWord || len(v.text) != 14 || !allDigits(v.text) {
			l.errorAt(f, t, "invalid $DATE; write it as $DATE YYYYMMDDHHmmSS")
			f.lex.unread(v)
			f.lex.skipLine()
			return
		}
		l.dated = true
		l.expectEOL(f, "$DATE")
	default:
		l.errorAt(f, t, "unknown directive %s; the directives are $ORIGIN, $TTL, $INCLUDE and $GENERATE", t.text)
		f.lex.skipLine()
	}
}

// directiveName reads the name a directive takes.
func (l *loader) directiveName(f *zfile, d token, what string) (string, bool) {
	t := f.lex.next()
	if t.kind != tokWord && t.kind != tokQuoted {
		l.errorAt(f, d, "%s needs a domain name, such as %s example.org.", what, what)
		f.lex.unread(t)
		f.lex.skipLine()
		return "", false
	}
	n, idn, err := parseName(t.text, f.origin)
	if err != nil {
		l.errorAt(f, t, "invalid %s %q: %v", what, t.text, err)
		f.lex.skipLine()
		return "", false
	}
	if idn {
		l.noteIDN(f, t, n)
	}
	return n, true
}

// expectEOL reads the end of a directive's line; more is an error.
func (l *loader) expectEOL(f *zfile, what string) bool {
	t := f.lex.next()
	if t.kind == tokEOL || t.kind == tokEOF {
		if t.kind == tokEOF {
			f.lex.unread(t)
		}
		return true
	}
	l.errorAt(f, t, "unexpected %q after %s; the line must end there", t.text, what)
	f.lex.skipLine()
	return false
}

func (l *loader) ttlDirective(f *zfile, d token) {
	t := f.lex.next()
	if t.kind != tokWord {
		l.errorAt(f, d, "$TTL needs a TTL, such as $TTL 3600 or $TTL 1h")
		f.lex.unread(t)
		f.lex.skipLine()
		return
	}
	v, res := parseTTL(t.text)
	switch res {
	case ttlSyntax:
		l.errorAt(f, t, "invalid $TTL value %q; write a TTL in seconds (3600) or with units (1h)", t.text)
		f.lex.skipLine()
		return
	case ttlOverflow:
		l.errorAt(f, t, "$TTL %s is too large; a TTL is at most %d seconds", t.text, maxTTL)
		f.lex.skipLine()
		return
	}
	v = l.limitTTL(f, t, v)
	if l.expectEOL(f, "$TTL") {
		l.ttl, l.defTTL, l.defKnown = v, v, true
	}
}

// limitTTL reads a TTL above 2³¹-1 as 0, with a warning, as BIND does.
func (l *loader) limitTTL(f *zfile, t token, v uint32) uint32 {
	if v > maxTTL {
		l.warnAt(f, t, "the TTL %d is above %d, the largest RFC 2181 allows; BIND reads it as 0, and so does plumb: write a TTL of at most %d", v, maxTTL, maxTTL)
		return 0
	}
	return v
}

func (l *loader) include(f *zfile, d token) {
	l.commitAll(f)
	if l.dated {
		l.errorAt(f, d, "$INCLUDE may not be used after $DATE; remove the $DATE line")
		f.lex.skipLine()
		return
	}
	t := f.lex.next()
	if t.kind != tokWord && t.kind != tokQuoted {
		l.errorAt(f, d, "$INCLUDE needs a file name; write $INCLUDE FILE [ORIGIN]")
		f.lex.unread(t)
		f.lex.skipLine()
		return
	}
	origin := f.origin
	if o := f.lex.next(); o.kind == tokWord || o.kind == tokQuoted {
		n, idn, err := parseName(o.text, f.origin)
		if err != nil {
			l.errorAt(f, o, "invalid origin %q for $INCLUDE: %v", o.text, err)
			f.lex.skipLine()
			return
		}
		if idn {
			l.noteIDN(f, o, n)
		}
		origin = n
		if !l.expectEOL(f, "$INCLUDE FILE ORIGIN") {
			return
		}
	} else if o.kind == tokEOF {
		f.lex.unread(o)
	}
	if len(l.stack) >= maxIncludeDepth {
		l.errorAt(f, t, "$INCLUDE nests more than %d files deep; check for a file that includes itself", maxIncludeDepth)
		return
	}
	path, err := unescapeText(t.text)
	if err != nil {
		l.errorAt(f, t, "invalid $INCLUDE file name: %v", err)
		return
	}
	name, data, err := l.inc.open(f.name, path)
	switch {
	case errors.Is(err, errOutsideRoot):
		l.errorAt(f, t, "$INCLUDE %q is outside the zone root; keep included files under the root directory", path)
		return
	case errors.Is(err, fs.ErrNotExist):
		l.errorAt(f, t, "$INCLUDE file %q not found beside the including file nor in the zone root; check the path", path)
		return
	case err != nil:
		l.errorAt(f, t, "cannot read $INCLUDE file %q: %v; check the file's permissions", path, unwrapPath(err))
		return
	}
	l.push(&zfile{lex: newLexer(data), name: name, display: l.inc.display(name), origin: origin, current: f.owner()})
}

// unwrapPath drops the path from an *fs.PathError, which the message
// already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// recordFields are the parts of a record line before its data.
type recordFields struct {
	typ      uint16
	typeTok  token
	explicit bool // the record gave its own TTL
}

// record reads the rest of a record line: [TTL] [CLASS] TYPE DATA, TTL and
// class in either order; first locates the line for messages.
func (l *loader) record(f *zfile, first token) {
	rf, ok := l.recordHead(f)
	if !ok {
		f.lex.skipLine()
		return
	}
	var end token
	l.toks, end = f.lex.restOfLine(l.toks[:0])
	if end.kind == tokEOF && f.lex.err != nil {
		return // reported at the end of the file
	}
	if len(l.toks) > 0 {
		last := l.toks[len(l.toks)-1]
		end = token{line: last.line, col: last.col + len(last.text)}
	}
	owner := f.owner()
	value, idn, derr := l.rdata.read(rf.typ, l.toks, f.origin, end)
	if derr != nil {
		at := derr.tok
		if at.line == 0 {
			at = rf.typeTok
		}
		l.errorAt(f, at, "%s", derr.msg)
		return
	}
	if idn {
		l.warnAt(f, first, "a name in the data of this %s record is not ASCII: plumb writes it in punycode (%s), the name resolvers look up", typeString(rf.typ), value)
	}
	if !l.recordTTL(f, rf, first, value) {
		return
	}
	if l.findSOA && rf.typ == 6 {
		l.soaOwner, l.stop = owner, true
		return
	}
	if !inZone(owner, l.zone) {
		l.outsideCount++
		if f.outside != owner {
			f.outside = owner
			l.warnAt(f, first, "%s is outside the zone %s; BIND ignores it, and so does plumb: remove it, or move it to its own zone's file", owner, l.zone)
		}
		return
	}
	if rf.typ == 6 && owner != l.zone {
		l.errorAt(f, first, "SOA record at %s is not at the zone apex %s; remove it", owner, l.zone)
		return
	}
	if rf.typ == 2 && f.glue == "" {
		l.delegation = true
	}
	l.add(f, first, owner, rf.typ, value)
}

// recordHead reads [TTL] [CLASS] TYPE, or [CLASS] [TTL] TYPE.
func (l *loader) recordHead(f *zfile) (recordFields, bool) {
	var rf recordFields
	t := f.lex.next()
	class := false
	readClass := func() bool {
		if t.kind != tokWord {
			return true
		}
		c, ok := classOf(t.text)
		if !ok {
			return true
		}
		if c != 1 {
			l.errorAt(f, t, "class %s is not supported; plumb manages Internet (IN) zones: use IN", strings.ToUpper(t.text))
			return false
		}
		class = true
		t = f.lex.next()
		return true
	}
	if !readClass() {
		return rf, false
	}
	if t.kind == tokWord {
		if v, res := parseTTL(t.text); res == ttlOK {
			l.ttl = l.limitTTL(f, t, v)
			l.ttlKnown, rf.explicit = true, true
			t = f.lex.next()
		} else if res == ttlOverflow {
			l.errorAt(f, t, "the TTL %s is too large; a TTL is at most %d seconds", t.text, maxTTL)
			return rf, false
		}
	}
	if !class && !readClass() {
		return rf, false
	}
	switch t.kind {
	case tokEOL, tokEOF:
		if t.kind == tokEOF {
			f.lex.unread(t)
		}
		l.errorAt(f, t, "the line ends before the record's type; write OWNER [TTL] [IN] TYPE DATA")
		return rf, false
	case tokQuoted:
		l.errorAt(f, t, "expected the record's type, not the string %q; write OWNER [TTL] [IN] TYPE DATA", t.text)
		return rf, false
	}
	code, _, known := lookupType(t.text)
	switch {
	case !known && looksLikeTTL(t.text):
		l.errorAt(f, t, "invalid TTL %q; write a TTL in seconds (3600) or with units (1h)", t.text)
		return rf, false
	case !known:
		l.errorAt(f, t, "unknown record type %q; check the spelling, or write an unknown type as TYPEnnn with generic data (\\# LENGTH HEX)", t.text)
		return rf, false
	case obsoleteTypes[code]:
		l.errorAt(f, t, "type %s is obsolete (RFC 1123) and BIND refuses it in zone files; use MX", typeString(code))
		return rf, false
	case metaTypes[code]:
		l.errorAt(f, t, "%s is a query type, not a record type; it cannot be in a zone file", typeString(code))
		return rf, false
	}
	rf.typ, rf.typeTok = code, t
	return rf, true
}

// looksLikeTTL reports whether s starts with a digit, as a mistyped TTL
// does and a type does not.
func looksLikeTTL(s string) bool { return s != "" && isDigit(s[0]) }

// classOf reads a class mnemonic or CLASSnnn.
func classOf(s string) (uint16, bool) {
	switch strings.ToUpper(s) {
	case "IN":
		return 1, true
	case "CH", "CHAOS":
		return 3, true
	case "HS", "HESIOD":
		return 4, true
	case "NONE":
		return 254, true
	case "ANY":
		return 255, true
	}
	if rest, ok := strings.CutPrefix(strings.ToUpper(s), "CLASS"); ok && allDigits(rest) {
		n, err := strconv.ParseUint(rest, 10, 16)
		return uint16(n), err == nil
	}
	return 0, false
}

// recordTTL settles the TTL of a record as BIND does, after its data is
// read: without any TTL so far, an SOA takes its minimum (which becomes
// the default) and any other record is an error; else a record without a
// TTL takes $TTL, or without $TTL the TTL before it (RFC 1035).
func (l *loader) recordTTL(f *zfile, rf recordFields, first token, value string) bool {
	switch {
	case !l.ttlKnown && !l.defKnown:
		if rf.typ != 6 {
			l.errorAt(f, first, "this record has no TTL and none came before it; BIND refuses the zone: add $TTL 3600 (or your TTL) at the top of the file")
			return false
		}
		min := soaMinimum(value)
		l.warnAt(f, first, "the file has no $TTL and the SOA gives no TTL, so the SOA's minimum, %d, is the TTL of records that give none (as BIND does); add $TTL to say so", min)
		l.ttl = l.limitTTL(f, first, min)
		l.defTTL, l.defKnown = l.ttl, true
	case !rf.explicit && l.defKnown:
		l.ttl = l.defTTL
	case !rf.explicit && !l.warned1035:
		l.warned1035 = true
		l.warnAt(f, first, "the file has no $TTL, so records without a TTL take the TTL of the record before them, %d (RFC 1035, as BIND does); add $TTL to make it explicit", l.ttl)
	}
	return true
}

// soaMinimum returns the last field of canonical SOA data.
func soaMinimum(value string) uint32 {
	n, _ := strconv.ParseUint(value[strings.LastIndexByte(value, ' ')+1:], 10, 32)
	return uint32(n)
}

// add puts a record into the current run: a set's first TTL in the run
// wins, and later records of the set take it (BIND's "TTL set to prior
// TTL").
func (l *loader) add(f *zfile, at token, owner string, typ uint16, value string) {
	l.count++
	if l.count > l.max {
		l.tooMany(f, at)
		return
	}
	r := &f.curRun
	if f.glue != "" {
		r = &f.glueRun
	}
	for i := range r.sets {
		s := &r.sets[i]
		if s.typ != typ {
			continue
		}
		if len(s.values) <= dupScan && slices.Contains(s.values, value) {
			l.duplicate(f, at, owner, typ, value)
			return
		}
		if s.ttl != l.ttl {
			l.warnAt(f, at, "%s %s has records with different TTLs; BIND uses the first, %d, for all of them: give them one TTL", owner, typeString(typ), s.ttl)
			l.ttl = s.ttl
		}
		s.values = append(s.values, value)
		s.lastLine, s.lastCol = int32(at.line), int32(at.col)
		return
	}
	r.sets = append(r.sets, runSet{typ: typ, ttl: l.ttl, values: []string{value}, file: f.display,
		line: int32(at.line), col: int32(at.col), lastLine: int32(at.line), lastCol: int32(at.col)})
}

// dupScan is the set size up to which a duplicate is found, and warned
// about, at its own line; larger sets are de-duplicated when sorted.
const dupScan = 16

// duplicate warns about a record listed twice.
func (l *loader) duplicate(f *zfile, at token, owner string, typ uint16, value string) {
	l.warnAt(f, at, "%s %s %s is listed already; the duplicate is ignored, as BIND ignores it", owner, typeString(typ), value)
}

// tooMany stops reading at the record that goes over the limit.
func (l *loader) tooMany(f *zfile, at token) {
	l.errorAt(f, at, "the zone has more than %d records; plumb stops reading here so as not to exhaust memory. If the zone is really this large, raise the limit: zonefile(PATH, ORIGIN, { max_records = %d })", l.max, 2*l.max)
	l.stop = true
}
