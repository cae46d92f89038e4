package dns

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	mdns "github.com/miekg/dns"
)

// typeInfo is a record type plumb reads and writes in presentation form.
type typeInfo struct {
	code  uint16
	name  string
	parse func(r *rdataReader)
	// format shows how to write the data, with an example in parentheses.
	format string
}

// typeTable lists the types whose data plumb reads field by field. Other
// types BIND knows are read through miekg/dns (see readFallback); any type
// may be given in the generic form of RFC 3597 ("TYPE65534 \# 2 ABCD").
var typeTable = []typeInfo{
	{1, "A", nil, "an IPv4 address (for example 192.0.2.1)"},
	{2, "NS", nameData("name server"), "a name server's domain name (for example ns1.example.org.)"},
	{5, "CNAME", nameData("target"), "a domain name (for example target.example.org.)"},
	{6, "SOA", parseSOA, "MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM (for example ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 3600)"},
	{7, "MB", nameData("mailbox host"), "a domain name"},
	{8, "MG", nameData("mailbox"), "a domain name"},
	{9, "MR", nameData("mailbox"), "a domain name"},
	{12, "PTR", nameData("target"), "a domain name (for example host.example.org.)"},
	{13, "HINFO", parseHINFO, `CPU OS as two strings (for example "x86-64" "Linux")`},
	{14, "MINFO", twoNames("responsible mailbox", "error mailbox"), "RMAILBX EMAILBX"},
	{15, "MX", prefName("preference", "exchange"), "PREFERENCE EXCHANGE (for example 10 mail.example.org.)"},
	{16, "TXT", parseTXT, `one or more quoted strings (for example "v=spf1 mx -all")`},
	{17, "RP", twoNames("mailbox", "TXT name"), "MAILBOX TXTNAME (for example hostmaster.example.org. info.example.org.)"},
	{18, "AFSDB", prefName("subtype", "host name"), "SUBTYPE HOSTNAME (for example 1 afs.example.org.)"},
	{21, "RT", prefName("preference", "host"), "PREFERENCE HOST"},
	{28, "AAAA", nil, "an IPv6 address (for example 2001:db8::1)"},
	{29, "LOC", parseLOC, "D [M [S]] N|S D [M [S]] E|W ALT[m] [SIZE[m] [HP[m] [VP[m]]]] (for example 52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m)"},
	{33, "SRV", parseSRV, "PRIORITY WEIGHT PORT TARGET (for example 10 60 5060 sip.example.org.)"},
	{35, "NAPTR", parseNAPTR, `ORDER PREFERENCE FLAGS SERVICE REGEXP REPLACEMENT (for example 100 10 "U" "E2U+sip" "!^.*$!sip:info@example.org!" .)`},
	{36, "KX", prefName("preference", "exchanger"), "PREFERENCE EXCHANGER"},
	{39, "DNAME", nameData("target"), "a domain name (for example example.net.)"},
	{43, "DS", parseDS, "KEYTAG ALGORITHM DIGESTTYPE DIGEST (for example 12345 13 2 8A9F…)"},
	{44, "SSHFP", parseSSHFP, "ALGORITHM TYPE FINGERPRINT (for example 4 2 123456789ABCDEF…)"},
	{46, "RRSIG", parseRRSIG, "TYPE ALGORITHM LABELS TTL EXPIRATION INCEPTION KEYTAG SIGNER SIGNATURE"},
	{47, "NSEC", parseNSEC, "NEXT TYPES… (for example host.example.org. A AAAA RRSIG NSEC)"},
	{48, "DNSKEY", parseDNSKEY, "FLAGS PROTOCOL ALGORITHM KEY (for example 257 3 13 mdsswUyr…)"},
	{49, "DHCID", base64Data("identifier"), "base64 data"},
	{50, "NSEC3", parseNSEC3, "HASH FLAGS ITERATIONS SALT NEXT TYPES…"},
	{51, "NSEC3PARAM", parseNSEC3PARAM, "HASH FLAGS ITERATIONS SALT (for example 1 0 0 -)"},
	{52, "TLSA", parseTLSA, "USAGE SELECTOR MATCHINGTYPE DATA (for example 3 1 1 0123456789ABCDEF…)"},
	{53, "SMIMEA", parseTLSA, "USAGE SELECTOR MATCHINGTYPE DATA"},
	{59, "CDS", parseDS, "KEYTAG ALGORITHM DIGESTTYPE DIGEST"},
	{60, "CDNSKEY", parseDNSKEY, "FLAGS PROTOCOL ALGORITHM KEY"},
	{61, "OPENPGPKEY", base64Data("key"), "base64 data"},
	{62, "CSYNC", parseCSYNC, "SERIAL FLAGS TYPES…"},
	{63, "ZONEMD", parseZONEMD, "SERIAL SCHEME ALGORITHM DIGEST"},
	{64, "SVCB", parseSVCB, "PRIORITY TARGET [KEY=VALUE …] (for example 1 svc.example.org. port=8443)"},
	{65, "HTTPS", parseSVCB, "PRIORITY TARGET [KEY=VALUE …] (for example 1 . alpn=h2)"},
	{99, "SPF", parseTXT, `one or more quoted strings (for example "v=spf1 mx -all")`},
	{256, "URI", parseURI, `PRIORITY WEIGHT "TARGET" (for example 10 1 "https://www.example.org/")`},
	{257, "CAA", parseCAA, `FLAGS TAG VALUE (for example 0 issue "letsencrypt.org")`},
}

var (
	typesByName = map[string]*typeInfo{}
	typesByCode = map[uint16]*typeInfo{}
)

func init() {
	for i := range typeTable {
		t := &typeTable[i]
		typesByName[t.name] = t
		typesByCode[t.code] = t
	}
}

// obsoleteTypes are refused in zone files, as BIND refuses them (RFC 1123).
var obsoleteTypes = map[uint16]bool{3: true, 4: true}

// metaTypes are query and transfer types, never zone data.
var metaTypes = map[uint16]bool{41: true, 249: true, 250: true, 251: true, 252: true, 253: true, 254: true, 255: true}

// lookupType reads a type mnemonic (any case) or TYPEnnn and returns its
// number and canonical name; known is false for a word that names no type.
func lookupType(s string) (code uint16, name string, known bool) {
	u := strings.ToUpper(s)
	if t, ok := typesByName[u]; ok {
		return t.code, t.name, true
	}
	if c, ok := mdns.StringToType[u]; ok && c != 0 {
		return c, typeString(c), true
	}
	if rest, ok := strings.CutPrefix(u, "TYPE"); ok && allDigits(rest) {
		n, err := strconv.ParseUint(rest, 10, 16)
		if err == nil {
			return uint16(n), typeString(uint16(n)), true
		}
	}
	return 0, "", false
}

// typeString returns the canonical name of a type: its mnemonic, or
// TYPEnnn.
func typeString(code uint16) string {
	if t, ok := typesByCode[code]; ok {
		return t.name
	}
	if s, ok := mdns.TypeToString[code]; ok && code != 0 {
		return s
	}
	return "TYPE" + strconv.FormatUint(uint64(code), 10)
}

// typeFormat returns how to write the data of typ.
func typeFormat(typ string) string {
	if t, ok := typesByName[typ]; ok {
		return t.format
	}
	return `the record's data in zone-file form, or in the generic form \# LENGTH HEX`
}

// readRdata reads the data of one record of type code from its tokens,
// names completed with origin, and returns it in canonical form.
func readRdata(code uint16, toks []token, origin string, end token) (string, bool, *dataError) {
	r := rdataReaders.Get().(*rdataReader)
	defer func() {
		*r = rdataReader{} // keeps nothing of this record alive
		rdataReaders.Put(r)
	}()
	return r.read(code, toks, origin, end)
}

// rdataReaders are the readers readRdata lends: normalising a zone's
// million record values took one reader each.
var rdataReaders = sync.Pool{New: func() any { return new(rdataReader) }}

// read is readRdata with r, which is reset first: a zone reader keeps one
// for all its records instead of allocating one for each.
func (r *rdataReader) read(code uint16, toks []token, origin string, end token) (string, bool, *dataError) {
	*r = rdataReader{toks: toks, origin: origin, typ: typeString(code), end: end}
	if len(toks) > 0 && toks[0].kind == tokWord && toks[0].text == `\#` {
		return readGeneric(r, code)
	}
	if len(toks) == 0 {
		return "", false, &dataError{tok: end, msg: fmt.Sprintf("the %s record has no data; write it as %s", r.typ, typeFormat(r.typ))}
	}
	switch code {
	case 1:
		return readA(r)
	case 28:
		return readAAAA(r)
	}
	t, ok := typesByCode[code]
	if !ok {
		return readFallback(r, code)
	}
	t.parse(r)
	r.done()
	if r.err != nil {
		return "", false, r.err
	}
	return r.b.String(), r.idn, nil
}

// readA reads an IPv4 address in dotted-quad form, as BIND does: four
// decimal numbers without leading zeros.
func readA(r *rdataReader) (string, bool, *dataError) {
	t, ok := r.word("address")
	r.done()
	if !ok || r.err != nil {
		return "", false, r.err
	}
	if !isDottedQuad(t.text) {
		return "", false, &dataError{tok: t, msg: fmt.Sprintf("invalid IPv4 address %q in the A record; write it as %s", t.text, typeFormat("A"))}
	}
	return t.text, false, nil
}

// isDottedQuad reports whether s is four decimal bytes without leading
// zeros, separated by dots.
func isDottedQuad(s string) bool {
	parts := 0
	for i := 0; i < len(s); {
		start, v := i, 0
		for i < len(s) && isDigit(s[i]) {
			v = v*10 + int(s[i]-'0')
			i++
			if i-start > 3 {
				return false
			}
		}
		if i == start || v > 255 || (s[start] == '0' && i-start > 1) {
			return false
		}
		parts++
		if i < len(s) {
			if s[i] != '.' || i == len(s)-1 {
				return false
			}
			i++
		}
	}
	return parts == 4
}

// readAAAA reads an IPv6 address.
func readAAAA(r *rdataReader) (string, bool, *dataError) {
	t, ok := r.word("address")
	r.done()
	if !ok || r.err != nil {
		return "", false, r.err
	}
	a, err := netip.ParseAddr(t.text)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return "", false, &dataError{tok: t, msg: fmt.Sprintf("invalid IPv6 address %q in the AAAA record; write it as %s", t.text, typeFormat("AAAA"))}
	}
	return formatIPv6(a), false, nil
}

// formatIPv6 writes an IPv6 address as BIND does (RFC 5952, with an
// IPv4-mapped or -compatible address's last 32 bits as a dotted quad).
func formatIPv6(a netip.Addr) string {
	b := a.As16()
	zero := true
	for _, c := range b[:10] {
		zero = zero && c == 0
	}
	if zero && (b[10] == 0xff && b[11] == 0xff || b[10] == 0 && b[11] == 0 && (b[12] != 0 || b[13] != 0)) {
		v4 := netip.AddrFrom4([4]byte(b[12:])).String()
		if b[10] == 0xff {
			return "::ffff:" + v4
		}
		return "::" + v4
	}
	return a.String()
}

// nameData reads data that is one domain name.
func nameData(what string) func(*rdataReader) {
	return func(r *rdataReader) { r.name(what) }
}

func twoNames(a, b string) func(*rdataReader) {
	return func(r *rdataReader) { r.name(a); r.name(b) }
}

func prefName(num, name string) func(*rdataReader) {
	return func(r *rdataReader) { r.u16(num); r.name(name) }
}

func base64Data(what string) func(*rdataReader) {
	return func(r *rdataReader) { r.base64Rest(what) }
}

func parseSOA(r *rdataReader) {
	r.name("primary name server (MNAME)")
	r.name("mailbox (RNAME)")
	r.u32("serial")
	r.period("refresh")
	r.period("retry")
	r.period("expire")
	r.period("minimum")
}

func parseHINFO(r *rdataReader) {
	r.charString("CPU")
	r.charString("OS")
}

func parseTXT(r *rdataReader) {
	r.charString("text")
	for r.more() {
		r.charString("text")
	}
}

func parseSRV(r *rdataReader) {
	r.u16("priority")
	r.u16("weight")
	r.u16("port")
	r.name("target")
}

func parseNAPTR(r *rdataReader) {
	r.u16("order")
	r.u16("preference")
	flags := r.charString("flags")
	for i := 0; i < len(flags); i++ {
		if c := flags[i]; !('a' <= c|0x20 && c|0x20 <= 'z' || isDigit(c)) {
			r.fail(r.toks[r.i-1], "invalid flags %q in the NAPTR record: flags are letters and digits", flags)
		}
	}
	r.charString("service")
	if t := r.i; r.more() {
		re := r.charString("regular expression")
		if err := checkNAPTRRegexp(re); err != nil {
			r.fail(r.toks[t], "invalid regular expression %q in the NAPTR record: %v", re, err)
		}
	}
	r.name("replacement")
}

// checkNAPTRRegexp checks a NAPTR regexp's shape as BIND does: empty, or
// DELIM ERE DELIM REPL DELIM [i] with a delimiter that is not a digit,
// backslash or NUL.
func checkNAPTRRegexp(re string) error {
	if re == "" {
		return nil
	}
	d := re[0]
	if d == '\\' || d == 0 || isDigit(d) {
		return fmt.Errorf("the delimiter %q may not be a digit or a backslash", d)
	}
	parts := 0
	for i := 1; i < len(re); i++ {
		switch re[i] {
		case '\\':
			i++
		case d:
			parts++
			if parts == 2 {
				rest := re[i+1:]
				if rest != "" && rest != "i" {
					return fmt.Errorf("only the flag i may follow the last delimiter, not %q", rest)
				}
				return nil
			}
		}
	}
	return fmt.Errorf("write it as %cPATTERN%cREPLACEMENT%c", d, d, d)
}

// dsDigestLen is the digest length of each DS digest type BIND checks.
var dsDigestLen = map[uint8]int{1: 20, 2: 32, 3: 32, 4: 48}

func parseDS(r *rdataReader) {
	r.u16("key tag")
	r.algorithm()
	dt := r.u8("digest type")
	first := r.i
	n := r.hexRest("digest", false)
	if want, ok := dsDigestLen[dt]; ok && r.err == nil && n != want {
		r.fail(r.toks[first], "the digest of this %s record is %d bytes long; digest type %d (%s) is %d bytes: check the digest", r.typ, n, dt, dsDigestName[dt], want)
	}
}

var dsDigestName = map[uint8]string{1: "SHA-1", 2: "SHA-256", 3: "GOST R 34.11-94", 4: "SHA-384"}

// sshfpLen is the fingerprint length of each SSHFP fingerprint type.
var sshfpLen = map[uint8]int{1: 20, 2: 32}

func parseSSHFP(r *rdataReader) {
	r.u8("algorithm")
	ft := r.u8("fingerprint type")
	first := r.i
	n := r.hexRest("fingerprint", false)
	if want, ok := sshfpLen[ft]; ok && r.err == nil && n != want {
		r.fail(r.toks[first], "the fingerprint of this SSHFP record is %d bytes long; fingerprint type %d is %d bytes: check the fingerprint", n, ft, want)
	}
}

func parseTLSA(r *rdataReader) {
	r.u8("certificate usage")
	r.u8("selector")
	r.u8("matching type")
	r.hexRest("certificate association data", false)
}

func parseRRSIG(r *rdataReader) {
	r.rrType("type covered")
	r.algorithm()
	r.u8("labels")
	r.period("original TTL")
	r.sigTime("expiration")
	r.sigTime("inception")
	r.u16("key tag")
	r.name("signer")
	r.base64Rest("signature")
}

func parseNSEC(r *rdataReader) {
	r.name("next name")
	r.typeBitmap()
}

func parseDNSKEY(r *rdataReader) {
	r.u16("flags")
	r.u8("protocol")
	r.algorithm()
	r.base64Rest("public key")
}

func parseNSEC3(r *rdataReader) {
	r.u8("hash algorithm")
	r.u8("flags")
	r.u16("iterations")
	r.salt()
	r.hashedOwner()
	r.typeBitmap()
}

func parseNSEC3PARAM(r *rdataReader) {
	r.u8("hash algorithm")
	r.u8("flags")
	r.u16("iterations")
	r.salt()
}

func parseCSYNC(r *rdataReader) {
	r.u32("serial")
	r.u16("flags")
	r.typeBitmap()
}

// zonemdDigestLen is the digest length of each ZONEMD hash algorithm.
var zonemdDigestLen = map[uint8]int{1: 48, 2: 64}

func parseZONEMD(r *rdataReader) {
	r.u32("serial")
	r.u8("scheme")
	alg := r.u8("hash algorithm")
	first := r.i
	n := r.hexRest("digest", false)
	if r.err != nil {
		return
	}
	if want, ok := zonemdDigestLen[alg]; ok && n != want {
		r.fail(r.toks[first], "the digest of this ZONEMD record is %d bytes long; hash algorithm %d is %d bytes: check the digest", n, alg, want)
	} else if n < 12 {
		r.fail(r.toks[first], "the digest of this ZONEMD record is %d bytes long; a digest is at least 12 bytes", n)
	}
}

func parseURI(r *rdataReader) {
	r.u16("priority")
	r.u16("weight")
	t, ok := r.next("target")
	if !ok {
		return
	}
	if t.kind != tokQuoted {
		r.fail(t, "the target of a URI record is a quoted string: write \"%s\"", t.text)
		return
	}
	raw, err := unescapeText(t.text)
	if err != nil {
		r.fail(t, "invalid target in the URI record: %v", err)
		return
	}
	r.sep()
	writeQuoted(&r.b, raw)
}

func parseCAA(r *rdataReader) {
	r.u8("flags")
	t, ok := r.word("tag")
	if !ok {
		return
	}
	for i := 0; i < len(t.text); i++ {
		if c := t.text[i]; !('a' <= c|0x20 && c|0x20 <= 'z' || isDigit(c)) {
			r.fail(t, "invalid tag %q in the CAA record: a tag is letters and digits, such as issue, issuewild or iodef", t.text)
			return
		}
	}
	if t.text == "" {
		r.fail(t, "the CAA record's tag is empty")
		return
	}
	r.sep()
	r.b.WriteString(t.text)
	v, ok := r.next("value")
	if !ok {
		return
	}
	raw, err := unescapeText(v.text)
	if err != nil {
		r.fail(v, "invalid value in the CAA record: %v", err)
		return
	}
	r.sep()
	writeQuoted(&r.b, raw)
}

// readGeneric reads data in the generic form of RFC 3597: \# LENGTH HEX.
// For a type plumb knows, the data is decoded and given in the type's own
// form; it must be exactly as long as that type's data can be.
func readGeneric(r *rdataReader, code uint16) (string, bool, *dataError) {
	r.i = 1
	lt, ok := r.word("data length")
	if !ok {
		return "", false, r.err
	}
	n, err := strconv.ParseUint(lt.text, 10, 16)
	if err != nil {
		return "", false, &dataError{tok: lt, msg: fmt.Sprintf(`invalid data length %q in the generic data of the %s record; write it as \# LENGTH HEX with LENGTH from 0 to 65535`, lt.text, r.typ)}
	}
	var h strings.Builder
	for r.more() {
		t, _ := r.word("data")
		h.WriteString(t.text)
	}
	if r.err != nil {
		return "", false, r.err
	}
	wire, err := hex.DecodeString(h.String())
	if err != nil {
		return "", false, &dataError{tok: r.toks[2], msg: fmt.Sprintf(`invalid generic data of the %s record: %q is not hexadecimal`, r.typ, h.String())}
	}
	if len(wire) != int(n) {
		at := lt
		if len(r.toks) > 2 {
			at = r.toks[2]
		}
		return "", false, &dataError{tok: at, msg: fmt.Sprintf(`the generic data of the %s record is %d bytes, but its length says %d; make them agree`, r.typ, len(wire), n)}
	}
	if _, known := mdns.TypeToRR[code]; !known || metaTypes[code] {
		var b strings.Builder
		b.WriteString(`\# `)
		b.WriteString(strconv.Itoa(len(wire)))
		if len(wire) > 0 {
			b.WriteByte(' ')
			b.WriteString(strings.ToUpper(hex.EncodeToString(wire)))
		}
		return b.String(), false, nil
	}
	hdr := mdns.RR_Header{Name: ".", Rrtype: code, Class: mdns.ClassINET, Rdlength: uint16(len(wire))}
	rr, _, err := mdns.UnpackRRWithHeader(hdr, wire, 0)
	if err != nil || rr == nil {
		return "", false, &dataError{tok: lt, msg: fmt.Sprintf(`the generic data of the %s record (%d bytes) is not valid %s data: %v; check the length and the bytes`, r.typ, len(wire), r.typ, errText(err))}
	}
	text, ok := rdataText(rr)
	if !ok {
		return "", false, &dataError{tok: lt, msg: fmt.Sprintf(`the generic data of the %s record cannot be read`, r.typ)}
	}
	if _, ours := typesByCode[code]; !ours {
		return text, false, nil
	}
	v, idn, derr := readRdataText(code, text, ".")
	if derr != nil {
		return "", false, &dataError{tok: lt, msg: fmt.Sprintf("the generic data of the %s record decodes to %q, which is not valid: %s", r.typ, text, derr.msg)}
	}
	return v, idn, nil
}

func errText(err error) string {
	if err == nil {
		return "no data"
	}
	return err.Error()
}

// readRdataText reads record data given as text (one line).
func readRdataText(code uint16, text, origin string) (string, bool, *dataError) {
	l := newLexer([]byte(text))
	toks, _ := l.restOfLine(nil)
	end := token{line: 1, col: len(text) + 1}
	if l.err != nil {
		return "", false, &dataError{tok: token{line: l.err.line, col: l.err.col}, msg: l.err.msg}
	}
	if t := l.next(); t.kind != tokEOF {
		return "", false, &dataError{tok: t, msg: "the data spans lines; give it on one line"}
	}
	return readRdata(code, toks, origin, end)
}

// rdataText returns the data part of a miekg/dns record's text.
func rdataText(rr mdns.RR) (string, bool) {
	// rr.String() is "NAME\tTTL\tCLASS\tTYPE\tRDATA"; a tab in a name is
	// escaped as \009, so the data starts after the fourth tab.
	s := rr.String()
	for range 4 {
		i := strings.IndexByte(s, '\t')
		if i < 0 {
			return "", false
		}
		s = s[i+1:]
	}
	return s, true
}

// readFallback reads the data of a type BIND knows but plumb does not read
// itself, through miekg/dns, and returns miekg's presentation of it.
func readFallback(r *rdataReader, code uint16) (string, bool, *dataError) {
	if _, known := mdns.TypeToRR[code]; !known {
		return "", false, &dataError{tok: r.toks[0], msg: fmt.Sprintf(`plumb cannot read the data of %s records in text form; write it in the generic form: %s \# LENGTH HEX`, r.typ, r.typ)}
	}
	var b strings.Builder
	b.WriteString(". 0 IN ")
	b.WriteString(r.typ)
	for _, t := range r.toks {
		b.WriteByte(' ')
		if t.kind == tokQuoted {
			b.WriteByte('"')
			b.WriteString(t.text)
			b.WriteByte('"')
		} else {
			b.WriteString(t.text)
		}
	}
	b.WriteByte('\n')
	zp := mdns.NewZoneParser(strings.NewReader(b.String()), r.origin, "")
	rr, ok := zp.Next()
	if !ok || rr == nil {
		msg := "no data"
		if err := zp.Err(); err != nil {
			msg = parseErrorText(err)
		}
		return "", false, &dataError{tok: r.toks[0], msg: fmt.Sprintf("invalid %s record data: %s", r.typ, msg)}
	}
	text, ok := rdataText(rr)
	if !ok {
		return "", false, &dataError{tok: r.toks[0], msg: fmt.Sprintf("invalid %s record data", r.typ)}
	}
	return text, false, nil
}

// parseErrorText strips the location and prefix from a miekg/dns parse
// error, leaving what was wrong.
func parseErrorText(err error) string {
	s := err.Error()
	if i := strings.Index(s, "dns: "); i >= 0 {
		s = s[i+len("dns: "):]
	}
	if i := strings.LastIndex(s, " at line: "); i >= 0 {
		s = s[:i]
	}
	return s
}
