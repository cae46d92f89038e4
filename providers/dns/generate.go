package dns

import (
	"fmt"
	"strconv"
	"strings"
)

// $GENERATE START-STOP[/STEP] LHS [TTL] [CLASS] [TTL] TYPE RHS, as BIND
// reads it: for each number from START to STOP, "$" in LHS and RHS is the
// number, "${OFFSET[,WIDTH[,BASE]]}" the number plus OFFSET padded to WIDTH
// in base d, o, x, X or as nibbles (n, N: reversed hex digits separated by
// dots, for reverse zones), and "$$" a dollar sign. RHS is one token;
// quote it when it holds spaces ("10 mail$"). Every record it makes is
// reported at the $GENERATE line.

// generate reads a $GENERATE line and adds its records.
func (l *loader) generate(f *zfile, d token) {
	var toks []token
	for {
		t := f.lex.next()
		if t.kind == tokEOL || t.kind == tokEOF {
			if t.kind == tokEOF {
				f.lex.unread(t)
			}
			break
		}
		toks = append(toks, t)
	}
	usage := "write it as $GENERATE START-STOP[/STEP] OWNER [TTL] [IN] TYPE DATA, with DATA in quotes when it holds spaces"
	if len(toks) < 4 {
		l.errorAt(f, d, "$GENERATE is missing parts; %s", usage)
		return
	}
	start, stop, step, ok := generateRange(toks[0].text)
	if !ok {
		l.errorAt(f, toks[0], "invalid $GENERATE range %q; write START-STOP or START-STOP/STEP with START at most STOP and STEP above 0", toks[0].text)
		return
	}
	lhs := toks[1]
	i := 2
	explicit, class := false, false
	if c, ok := classOf(toks[i].text); ok && toks[i].kind == tokWord {
		if c != 1 {
			l.errorAt(f, toks[i], "class %s is not supported; plumb manages Internet (IN) zones: use IN", strings.ToUpper(toks[i].text))
			return
		}
		class = true
		i++
	}
	if i < len(toks) && toks[i].kind == tokWord {
		if v, res := parseTTL(toks[i].text); res == ttlOK {
			l.ttl = l.limitTTL(f, toks[i], v)
			l.ttlKnown, explicit = true, true
			i++
		}
	}
	if !class && i < len(toks) && toks[i].kind == tokWord {
		if c, ok := classOf(toks[i].text); ok {
			if c != 1 {
				l.errorAt(f, toks[i], "class %s is not supported; plumb manages Internet (IN) zones: use IN", strings.ToUpper(toks[i].text))
				return
			}
			i++
		}
	}
	if i+2 != len(toks) {
		at := d
		if i+2 < len(toks) {
			at = toks[i+2]
		}
		l.errorAt(f, at, "$GENERATE takes one token of data after the type; %s", usage)
		return
	}
	typeTok, rhs := toks[i], toks[i+1]
	code, _, known := lookupType(typeTok.text)
	switch {
	case !known:
		l.errorAt(f, typeTok, "unknown record type %q in $GENERATE", typeTok.text)
		return
	case metaTypes[code] || obsoleteTypes[code]:
		l.errorAt(f, typeTok, "$GENERATE cannot make %s records", typeString(code))
		return
	}
	switch {
	case !l.ttlKnown && !l.defKnown:
		l.errorAt(f, d, "the records of this $GENERATE have no TTL and none came before; add $TTL 3600 (or your TTL) above it")
		return
	case !explicit && l.defKnown:
		l.ttl = l.defTTL
	}
	n := (uint64(stop)-uint64(start))/uint64(step) + 1
	if uint64(l.count)+n > uint64(l.max) {
		l.errorAt(f, toks[0], "this $GENERATE makes %d records, which takes the zone over %d records; plumb stops reading here so as not to exhaust memory. If the zone is really this large, raise the limit: zonefile(PATH, ORIGIN, { max_records = %d })", n, l.max, l.count+int(n))
		l.stop = true
		return
	}
	warned := false
	for it := uint64(start); it <= uint64(stop); it += uint64(step) {
		ownerText, err := genName(lhs.text, int64(it))
		if err != nil {
			l.errorAt(f, lhs, "invalid $GENERATE owner %q: %v", lhs.text, err)
			return
		}
		owner, idn, err := parseName(ownerText, f.origin)
		if err != nil {
			l.errorAt(f, lhs, "$GENERATE makes the owner %q for %d, which is not a valid name: %v", ownerText, it, err)
			return
		}
		if idn {
			l.noteIDN(f, lhs, owner)
		}
		if !inZone(owner, l.zone) {
			l.outsideCount++
			if !warned {
				warned = true
				l.warnAt(f, lhs, "$GENERATE makes %s, which is outside the zone %s; BIND ignores such records, and so does plumb", owner, l.zone)
			}
			continue
		}
		data, err := genName(rhs.text, int64(it))
		if err != nil {
			l.errorAt(f, rhs, "invalid $GENERATE data %q: %v", rhs.text, err)
			return
		}
		value, idn, derr := readRdataText(code, data, f.origin)
		if derr != nil {
			l.errorAt(f, rhs, "$GENERATE makes the %s data %q for %d, which is not valid: %s", typeString(code), data, it, derr.msg)
			return
		}
		if idn {
			l.warnAt(f, rhs, "a name in the data $GENERATE makes is not ASCII: plumb writes it in punycode (%s)", value)
		}
		if code == 6 && owner != l.zone {
			l.errorAt(f, lhs, "SOA record at %s is not at the zone apex %s; remove it", owner, l.zone)
			return
		}
		l.count++
		l.commitOne(f, lhs, owner, code, value)
	}
}

// commitOne adds one record straight to the zone, as BIND adds each record
// a $GENERATE makes.
func (l *loader) commitOne(f *zfile, at token, owner string, typ uint16, value string) {
	r := run{sets: []runSet{{typ: typ, ttl: l.ttl, values: []string{value}, file: f.display,
		line: int32(at.line), col: int32(at.col), lastLine: int32(at.line), lastCol: int32(at.col)}}}
	l.commit(&r, owner)
}

// generateRange reads START-STOP[/STEP].
func generateRange(s string) (start, stop, step uint32, ok bool) {
	rng, st, hasStep := strings.Cut(s, "/")
	a, b, ok := strings.Cut(rng, "-")
	if !ok || !allDigits(a) || !allDigits(b) || hasStep && !allDigits(st) {
		return 0, 0, 0, false
	}
	n1, err1 := strconv.ParseUint(a, 10, 32)
	n2, err2 := strconv.ParseUint(b, 10, 32)
	n3 := uint64(1)
	var err3 error
	if hasStep {
		n3, err3 = strconv.ParseUint(st, 10, 32)
	}
	if err1 != nil || err2 != nil || err3 != nil || n1 > n2 || n3 == 0 {
		return 0, 0, 0, false
	}
	return uint32(n1), uint32(n2), uint32(n3), true
}

// genName expands the $ forms of a $GENERATE owner or data for the number
// it.
func genName(tmpl string, it int64) (string, error) {
	if strings.IndexByte(tmpl, '$') < 0 {
		return tmpl, nil
	}
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch c {
		case '\\':
			b.WriteByte(c)
			if i+1 < len(tmpl) {
				i++
				b.WriteByte(tmpl[i])
			}
			continue
		case '$':
		default:
			b.WriteByte(c)
			continue
		}
		if i+1 < len(tmpl) && tmpl[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		delta, width, mode := int64(0), 0, byte('d')
		if i+1 < len(tmpl) && tmpl[i+1] == '{' {
			end := strings.IndexByte(tmpl[i+1:], '}')
			if end < 0 {
				return "", fmt.Errorf("%q opens ${ without closing it with }", tmpl)
			}
			spec := tmpl[i+2 : i+1+end]
			var err error
			if delta, width, mode, err = genSpec(spec); err != nil {
				return "", err
			}
			i += 1 + end
		}
		v := it + delta
		switch mode {
		case 'd':
			fmt.Fprintf(&b, "%0*d", width, v)
		case 'o', 'x', 'X':
			fmt.Fprintf(&b, "%0*"+string(mode), width, uint32(v))
		case 'n', 'N':
			if v < 0 {
				return "", fmt.Errorf("the number %d is negative, which has no nibble form", v)
			}
			writeNibbles(&b, uint64(v), width, mode == 'N')
		}
	}
	return b.String(), nil
}

// genSpec reads OFFSET[,WIDTH[,BASE]].
func genSpec(spec string) (delta int64, width int, mode byte, err error) {
	parts := strings.Split(spec, ",")
	bad := fmt.Errorf("invalid modifier ${%s}; write ${OFFSET}, ${OFFSET,WIDTH} or ${OFFSET,WIDTH,BASE} with BASE one of d, o, x, X, n, N", spec)
	if len(parts) > 3 {
		return 0, 0, 0, bad
	}
	d := strings.TrimPrefix(parts[0], "+")
	if d == "" || (!allDigits(d) && !(d[0] == '-' && allDigits(d[1:]))) {
		return 0, 0, 0, bad
	}
	if delta, err = strconv.ParseInt(d, 10, 32); err != nil {
		return 0, 0, 0, bad
	}
	mode = 'd'
	if len(parts) > 1 {
		if !allDigits(parts[1]) {
			return 0, 0, 0, bad
		}
		w, err := strconv.Atoi(parts[1])
		if err != nil || w > 255 {
			return 0, 0, 0, bad
		}
		width = w
	}
	if len(parts) > 2 {
		if len(parts[2]) != 1 || !strings.Contains("doxXnN", parts[2]) {
			return 0, 0, 0, bad
		}
		mode = parts[2][0]
	}
	return delta, width, mode, nil
}

// writeNibbles writes v's hex digits, least significant first, separated
// by dots, padded with zero digits to width characters (dots included), as
// BIND does.
func writeNibbles(b *strings.Builder, v uint64, width int, upper bool) {
	digits := "0123456789abcdef"
	if upper {
		digits = "0123456789ABCDEF"
	}
	for {
		b.WriteByte(digits[v&0xf])
		v >>= 4
		if width > 0 {
			width--
		}
		if width > 0 || v != 0 {
			b.WriteByte('.')
			if width > 0 {
				width--
			}
		}
		if v == 0 && width == 0 {
			return
		}
	}
}
