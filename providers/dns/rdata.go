package dns

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// How the data of a record is read.
//
// A record's data is the list of tokens after its type, read field by
// field as BIND reads it, and written back in canonical presentation form:
// numbers in decimal, names fully qualified and canonical, character
// strings quoted with BIND's escapes, hex in upper case and base64
// without spaces, all on one line. Two spellings of the same data give
// the same text, so comparing values compares data.

// dataError is a problem in a record's data, at a token (or, with tok.line
// zero, at the end of the record).
type dataError struct {
	tok token
	msg string
}

func (e *dataError) Error() string { return e.msg }

// rdataReader reads one record's data from its tokens.
type rdataReader struct {
	toks   []token
	i      int
	origin string // completes relative names
	typ    string // the type's mnemonic, for messages
	b      strings.Builder
	err    *dataError
	// end locates the end of the record, for "missing field" errors.
	end token
	// idn is set when a name in the data was converted to punycode.
	idn bool
}

// fail records the first error, at tok.
func (r *rdataReader) fail(tok token, format string, args ...any) {
	if r.err == nil {
		r.err = &dataError{tok: tok, msg: fmt.Sprintf(format, args...)}
	}
}

// more reports whether tokens are left.
func (r *rdataReader) more() bool { return r.err == nil && r.i < len(r.toks) }

// next returns the next token, or fails saying what is missing.
func (r *rdataReader) next(what string) (token, bool) {
	if r.err != nil {
		return token{}, false
	}
	if r.i >= len(r.toks) {
		r.fail(r.end, "the %s record ends before its %s; write it as %s", r.typ, what, typeFormat(r.typ))
		return token{}, false
	}
	t := r.toks[r.i]
	r.i++
	return t, true
}

// word returns the next token, which must not be quoted.
func (r *rdataReader) word(what string) (token, bool) {
	t, ok := r.next(what)
	if ok && t.kind == tokQuoted {
		r.fail(t, "the %s of a %s record is not a quoted string: remove the quotes around %q", what, r.typ, t.text)
		return t, false
	}
	return t, ok
}

// done fails when tokens are left over.
func (r *rdataReader) done() {
	if r.err == nil && r.i < len(r.toks) {
		t := r.toks[r.i]
		r.fail(t, "unexpected %q after the %s record's data (a value with spaces needs quotes); write it as %s", t.text, r.typ, typeFormat(r.typ))
	}
}

// sep writes the space between fields.
func (r *rdataReader) sep() {
	if r.b.Len() > 0 {
		r.b.WriteByte(' ')
	}
}

// uint reads an unsigned decimal number of at most max, writes it and
// returns it.
func (r *rdataReader) uint(what string, max uint64) uint64 {
	t, ok := r.word(what)
	if !ok {
		return 0
	}
	n, err := strconv.ParseUint(t.text, 10, 64)
	if err != nil || n > max || t.text == "" || t.text[0] == '+' {
		r.fail(t, "invalid %s %q in the %s record: want a whole number from 0 to %d; write the record as %s", what, t.text, r.typ, max, typeFormat(r.typ))
		return 0
	}
	r.sep()
	r.b.WriteString(strconv.FormatUint(n, 10))
	return n
}

func (r *rdataReader) u8(what string) uint8   { return uint8(r.uint(what, 1<<8-1)) }
func (r *rdataReader) u16(what string) uint16 { return uint16(r.uint(what, 1<<16-1)) }
func (r *rdataReader) u32(what string) uint32 { return uint32(r.uint(what, 1<<32-1)) }

// period reads a time in seconds that may be written with units ("1h"),
// as the SOA timers are.
func (r *rdataReader) period(what string) {
	t, ok := r.word(what)
	if !ok {
		return
	}
	n, res := parseTTL(t.text)
	if res != ttlOK {
		r.fail(t, "invalid %s %q in the %s record: write seconds (3600) or a time with units (1h)", what, t.text, r.typ)
		return
	}
	r.sep()
	r.b.WriteString(strconv.FormatUint(uint64(n), 10))
}

// name reads a domain name and writes it in canonical form.
func (r *rdataReader) name(what string) string {
	t, ok := r.word(what)
	if !ok {
		return ""
	}
	n, idn, err := parseName(t.text, r.origin)
	if err != nil {
		r.fail(t, "invalid %s in the %s record: %v", what, r.typ, err)
		return ""
	}
	r.idn = r.idn || idn
	r.sep()
	r.b.WriteString(n)
	return n
}

// charString reads one character string (quoted or not) of at most 255
// bytes and writes it quoted.
func (r *rdataReader) charString(what string) string {
	t, ok := r.next(what)
	if !ok {
		return ""
	}
	raw, err := unescapeText(t.text)
	if err != nil {
		r.fail(t, "invalid %s in the %s record: %v", what, r.typ, err)
		return ""
	}
	if len(raw) > 255 {
		r.fail(t, "the %s of the %s record is %d bytes long; a character string holds at most 255: split it into several quoted strings", what, r.typ, len(raw))
		return ""
	}
	r.sep()
	writeQuoted(&r.b, raw)
	return raw
}

// hexRest reads the remaining tokens as one hexadecimal string and writes
// it in upper case; it returns the number of bytes.
func (r *rdataReader) hexRest(what string, allowEmpty bool) int {
	if !r.more() {
		if !allowEmpty {
			r.fail(r.end, "the %s record ends before its %s; write it as %s", r.typ, what, typeFormat(r.typ))
		}
		return 0
	}
	first := r.toks[r.i]
	var s strings.Builder
	for r.more() {
		t, _ := r.word(what)
		s.WriteString(t.text)
	}
	if r.err != nil {
		return 0
	}
	h := s.String()
	if _, err := hex.DecodeString(h); err != nil {
		r.fail(first, "invalid %s in the %s record: %q is not hexadecimal (digits 0-9 and A-F, two per byte)", what, r.typ, h)
		return 0
	}
	r.sep()
	r.b.WriteString(strings.ToUpper(h))
	return len(h) / 2
}

// base64Rest reads the remaining tokens as one base64 string and writes it
// without spaces; it returns the number of bytes.
func (r *rdataReader) base64Rest(what string) int {
	if !r.more() {
		r.fail(r.end, "the %s record ends before its %s; write it as %s", r.typ, what, typeFormat(r.typ))
		return 0
	}
	first := r.toks[r.i]
	var s strings.Builder
	for r.more() {
		t, _ := r.word(what)
		s.WriteString(t.text)
	}
	if r.err != nil {
		return 0
	}
	raw, err := base64.StdEncoding.DecodeString(s.String())
	if err != nil {
		r.fail(first, "invalid %s in the %s record: it is not base64 (%v)", what, r.typ, err)
		return 0
	}
	r.sep()
	r.b.WriteString(base64.StdEncoding.EncodeToString(raw))
	return len(raw)
}

// rrType reads a type mnemonic or TYPEnnn and writes its canonical name.
func (r *rdataReader) rrType(what string) uint16 {
	t, ok := r.word(what)
	if !ok {
		return 0
	}
	code, name, known := lookupType(t.text)
	if !known {
		r.fail(t, "unknown record type %q as the %s of the %s record", t.text, what, r.typ)
		return 0
	}
	r.sep()
	r.b.WriteString(name)
	return code
}

// typeBitmap reads the remaining tokens as a list of types and writes them
// in numeric order without repeats.
func (r *rdataReader) typeBitmap() {
	var codes []uint16
	for r.more() {
		t, _ := r.word("type list")
		code, _, known := lookupType(t.text)
		if !known {
			r.fail(t, "unknown record type %q in the type list of the %s record", t.text, r.typ)
			return
		}
		codes = append(codes, code)
	}
	sortUnique16(&codes)
	for _, c := range codes {
		r.sep()
		r.b.WriteString(typeString(c))
	}
}

// algorithm reads a DNSSEC algorithm, a number or a mnemonic, and writes
// its number.
func (r *rdataReader) algorithm() {
	t, ok := r.word("algorithm")
	if !ok {
		return
	}
	n, err := strconv.ParseUint(t.text, 10, 8)
	if err != nil {
		v, known := secAlgorithms[strings.ToUpper(t.text)]
		if !known {
			r.fail(t, "unknown DNSSEC algorithm %q in the %s record: give its number (13 for ECDSAP256SHA256)", t.text, r.typ)
			return
		}
		n = uint64(v)
	}
	r.sep()
	r.b.WriteString(strconv.FormatUint(n, 10))
}

// secAlgorithms are the DNSSEC algorithm mnemonics BIND reads.
var secAlgorithms = map[string]uint8{
	"RSAMD5": 1, "DH": 2, "DSA": 3, "RSASHA1": 5, "DSA-NSEC3-SHA1": 6, "NSEC3DSA": 6,
	"RSASHA1-NSEC3-SHA1": 7, "NSEC3RSASHA1": 7, "RSASHA256": 8, "RSASHA512": 10,
	"ECC-GOST": 12, "ECDSAP256SHA256": 13, "ECDSAP384SHA384": 14, "ED25519": 15, "ED448": 16,
	"INDIRECT": 252, "PRIVATEDNS": 253, "PRIVATEOID": 254,
}

// sigTime reads an RRSIG time, YYYYMMDDHHmmSS or seconds since 1970, and
// writes it as YYYYMMDDHHmmSS.
func (r *rdataReader) sigTime(what string) {
	t, ok := r.word(what)
	if !ok {
		return
	}
	var secs int64
	switch {
	case len(t.text) == 14 && allDigits(t.text):
		tm, err := time.Parse("20060102150405", t.text)
		if err != nil {
			r.fail(t, "invalid %s %q in the %s record: write it as YYYYMMDDHHmmSS", what, t.text, r.typ)
			return
		}
		secs = tm.Unix()
	case len(t.text) <= 10 && allDigits(t.text):
		n, err := strconv.ParseUint(t.text, 10, 32)
		if err != nil {
			r.fail(t, "invalid %s %q in the %s record: write it as YYYYMMDDHHmmSS", what, t.text, r.typ)
			return
		}
		secs = int64(n)
	default:
		r.fail(t, "invalid %s %q in the %s record: write it as YYYYMMDDHHmmSS", what, t.text, r.typ)
		return
	}
	r.sep()
	r.b.WriteString(time.Unix(int64(uint32(secs)), 0).UTC().Format("20060102150405"))
}

// salt reads an NSEC3 salt: "-" for none, else hex of at most 255 bytes.
func (r *rdataReader) salt() {
	t, ok := r.word("salt")
	if !ok {
		return
	}
	r.sep()
	if t.text == "-" {
		r.b.WriteByte('-')
		return
	}
	raw, err := hex.DecodeString(t.text)
	if err != nil || len(raw) > 255 || len(raw) == 0 {
		r.fail(t, "invalid salt %q in the %s record: write hexadecimal, or - for none", t.text, r.typ)
		return
	}
	r.b.WriteString(strings.ToUpper(t.text))
}

// base32hexEncoding is RFC 4648's extended-hex alphabet without padding.
var base32hexEncoding = base32.HexEncoding.WithPadding(base32.NoPadding)

// hashedOwner reads NSEC3's next hashed owner name in base32hex.
func (r *rdataReader) hashedOwner() {
	t, ok := r.word("next hashed owner")
	if !ok {
		return
	}
	raw, err := base32hexEncoding.DecodeString(strings.ToUpper(t.text))
	if err != nil || len(raw) == 0 || len(raw) > 255 {
		r.fail(t, "invalid next hashed owner %q in the %s record: write it in base32hex", t.text, r.typ)
		return
	}
	r.sep()
	r.b.WriteString(base32hexEncoding.EncodeToString(raw))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// unescapeText returns the bytes a character string stands for: \X is X,
// \DDD the byte DDD.
func unescapeText(s string) (string, error) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("%q ends with a lone backslash", s)
		}
		if isDigit(s[i+1]) {
			if i+3 >= len(s) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
				return "", fmt.Errorf("%q has an incomplete escape; write a byte as \\DDD with three decimal digits", s)
			}
			v := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if v > 255 {
				return "", fmt.Errorf("%q has the escape \\%s, which is above 255", s, s[i+1:i+4])
			}
			b = append(b, byte(v))
			i += 3
			continue
		}
		b = append(b, s[i+1])
		i++
	}
	return string(b), nil
}

// writeQuoted writes raw bytes as a quoted character string: '"' and '\'
// escaped with a backslash, bytes outside printable ASCII as \DDD.
func writeQuoted(b *strings.Builder, raw string) {
	b.WriteByte('"')
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			writeDDD(b, c)
		}
	}
	b.WriteByte('"')
}

// sortUnique16 sorts a small slice and drops repeats.
func sortUnique16(p *[]uint16) {
	s := *p
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	*p = out
}
