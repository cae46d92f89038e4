package dns

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	mdns "github.com/miekg/dns"
	"golang.org/x/net/idna"
)

// SupportedTypes lists the record types plumb manages: the ones Route 53
// supports, in alphabetical order.
var SupportedTypes = []string{
	"A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR",
	"SOA", "SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT",
}

// rrTypes maps each supported mnemonic to its numeric type.
var rrTypes = func() map[string]uint16 {
	m := make(map[string]uint16, len(SupportedTypes))
	for _, t := range SupportedTypes {
		m[t] = mdns.StringToType[t]
	}
	return m
}()

// typeNames maps each supported numeric type to its mnemonic.
var typeNames = func() map[uint16]string {
	m := make(map[uint16]string, len(rrTypes))
	for t, n := range rrTypes {
		m[n] = t
	}
	return m
}()

// maxTTL is the largest TTL Route 53 and RFC 2181 allow.
const maxTTL = 1<<31 - 1

// NormalizeName returns name in normalised form: lower-case, fully
// qualified with a trailing dot, internationalised labels in punycode
// ("bücher.example." becomes "xn--bcher-kva.example."). It fails when name
// is empty or not a valid domain name.
func NormalizeName(name string) (string, error) {
	if name == "" {
		return "", errors.New("empty domain name; give a name such as www.example.org")
	}
	if isPlainName(name) {
		return name, nil
	}
	n := fqdn(strings.ToLower(name))
	if needsIDNA(n) {
		var err error
		if n, err = toPunycode(n); err != nil {
			return "", err
		}
	}
	if _, ok := mdns.IsDomainName(n); !ok {
		return "", fmt.Errorf("%q is not a valid domain name; labels are at most 63 bytes and the name at most 255", name)
	}
	return n, nil
}

// isPlainName reports whether name is already normalised and needs no
// work: lower-case letters, digits, '-', '_', '*' and '.', ending in a dot,
// with labels of 1 to 63 bytes.
func isPlainName(name string) bool {
	if len(name) > 254 || name[len(name)-1] != '.' {
		return false
	}
	if name == "." {
		return true
	}
	label := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
			continue
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '*':
		default:
			return false
		}
		label++
		if label > 63 {
			return false
		}
	}
	return true
}

// needsIDNA reports whether name holds non-ASCII bytes, raw or escaped as
// \DDD with DDD of 128 or more.
func needsIDNA(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return true
		}
		if name[i] == '\\' && i+4 <= len(name) && isDigits(name[i+1:i+4]) {
			if v, _ := strconv.Atoi(name[i+1 : i+4]); v >= utf8.RuneSelf {
				return true
			}
			i += 3
		} else if name[i] == '\\' {
			i++
		}
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// toPunycode converts each label of the fully qualified name that holds
// UTF-8 text to its ASCII (punycode) form; other labels are kept as they
// are.
func toPunycode(name string) (string, error) {
	labels := mdns.SplitDomainName(name)
	for i, l := range labels {
		if !needsIDNA(l) {
			continue
		}
		raw, ok := unescapeLabel(l)
		if !ok || !utf8.ValidString(raw) {
			continue // binary label: keep its escaped form
		}
		a, err := idna.Lookup.ToASCII(raw)
		if err != nil {
			return "", fmt.Errorf("%q is not a valid internationalised domain name: %w; check the spelling of label %q", name, err, raw)
		}
		labels[i] = a
	}
	return strings.Join(labels, ".") + ".", nil
}

// unescapeLabel turns a label in presentation form (\DDD and \X escapes)
// into its raw bytes. It reports false for a label that holds an escaped
// dot, which punycode cannot carry.
func unescapeLabel(l string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(l); i++ {
		c := l[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+4 <= len(l) && isDigits(l[i+1:i+4]) {
			v, _ := strconv.Atoi(l[i+1 : i+4])
			if v == '.' || v > 255 {
				return "", false
			}
			b.WriteByte(byte(v))
			i += 3
			continue
		}
		if i+1 < len(l) {
			if l[i+1] == '.' {
				return "", false
			}
			b.WriteByte(l[i+1])
			i++
		}
	}
	return b.String(), true
}

// NormalizeType returns the upper-case mnemonic of a supported type, or an
// error naming the supported types.
func NormalizeType(t string) (string, error) {
	u, ok := typeStrings[t]
	if !ok {
		if u, ok = typeStrings[strings.ToUpper(t)]; !ok {
			return "", fmt.Errorf("record type %q is not supported; use one of %s", t, strings.Join(SupportedTypes, ", "))
		}
	}
	return u, nil
}

// typeStrings maps each supported mnemonic to itself, so that every Record
// shares one copy of each type string and comparing types is cheap.
var typeStrings = func() map[string]string {
	m := make(map[string]string, len(SupportedTypes))
	for _, t := range SupportedTypes {
		m[t] = t
	}
	return m
}()

// Normalize returns r in normalised form, or an error saying what is wrong
// with it. Names inside values (MX, CNAME, SRV targets, …) are taken as
// fully qualified: "mail" means "mail.". A TXT or SPF value that does not
// start with a double quote is taken as one string, and split into 255-byte
// chunks when longer. Values are sorted and de-duplicated.
func Normalize(r Record) (Record, error) {
	name, err := NormalizeName(r.Name)
	if err != nil {
		return Record{}, fmt.Errorf("record name: %w", err)
	}
	typ, err := NormalizeType(r.Type)
	if err != nil {
		return Record{}, fmt.Errorf("record %s: %w", name, err)
	}
	out := Record{Name: name, Type: typ, TTL: r.TTL}
	if r.TTL > maxTTL {
		return Record{}, fmt.Errorf("record %s %s: TTL %d is too large; use at most %d seconds", name, typ, r.TTL, maxTTL)
	}
	if len(r.Values) == 0 {
		return Record{}, fmt.Errorf("record %s %s has no values; give at least one", name, typ)
	}
	out.Values = make([]string, 0, len(r.Values))
	for _, v := range r.Values {
		nv, err := NormalizeValue(typ, v)
		if err != nil {
			return Record{}, fmt.Errorf("record %s %s: %w", name, typ, err)
		}
		out.Values = append(out.Values, nv)
	}
	out.Values = sortValues(out.Values)
	if typ == "CNAME" && len(out.Values) > 1 {
		return Record{}, fmt.Errorf("record %s CNAME has %d values; a name can have only one CNAME target", name, len(out.Values))
	}
	return out, nil
}

// sortValues sorts vs and drops duplicates, in place.
func sortValues(vs []string) []string {
	if len(vs) > 1 {
		slices.Sort(vs)
		vs = slices.Compact(vs)
	}
	return vs
}

// NormalizeValue returns one value of a record of type typ (a supported
// upper-case mnemonic) in presentation form, as the zone-file reader
// produces it.
func NormalizeValue(typ, value string) (string, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", fmt.Errorf("empty %s value: the record has no data; write it as %s", typ, typeFormat(typ))
	}
	if strings.ContainsAny(value, "\n\r") {
		return "", fmt.Errorf("%s value %q spans lines; give each record as its own value", typ, value)
	}
	switch typ {
	case "A", "AAAA":
		if a, err := netip.ParseAddr(value); err == nil && a.Zone() == "" && (typ == "A" && a.Is4() || typ == "AAAA" && a.Is6() && !a.Is4In6()) {
			return a.String(), nil
		}
		if typ == "A" {
			return "", fmt.Errorf("invalid A value %q; want an IPv4 address such as 192.0.2.1", value)
		}
	case "CNAME", "NS", "PTR":
		n, err := NormalizeName(value)
		if err != nil {
			return "", fmt.Errorf("invalid %s value: %w", typ, err)
		}
		return n, nil
	case "TXT", "SPF":
		if !strings.HasPrefix(value, `"`) {
			value = quoteText(value)
		}
	}
	rr, err := mdns.NewRR(". 0 IN " + typ + " " + value)
	if err != nil {
		return "", fmt.Errorf("invalid %s value %q: %s; write it as %s", typ, value, parseErrorText(err), typeFormat(typ))
	}
	if rr == nil {
		return "", fmt.Errorf("empty %s value; write it as %s", typ, typeFormat(typ))
	}
	v, err := rdata(rr)
	if err != nil {
		return "", fmt.Errorf("invalid %s value %q: %w", typ, value, err)
	}
	return v, nil
}

// quoteText quotes s as one character string of a TXT record.
func quoteText(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// parseErrorText strips the location and prefix from a miekg/dns parse
// error, leaving what was wrong.
func parseErrorText(err error) string {
	if p, ok := splitParseError(err); ok {
		return fmt.Sprintf("%s at %q", p.msg, p.token)
	}
	return err.Error()
}

// rdata normalises the domain names inside rr (lower case, punycode) and
// returns its RDATA in presentation form. It fails for a record without
// data.
func rdata(rr mdns.RR) (string, error) {
	if isEmpty(rr) {
		return "", fmt.Errorf("the record has no data; write it as %s", typeFormat(typeNames[rr.Header().Rrtype]))
	}
	var err error
	canon := func(s *string) {
		if err == nil && *s != "" {
			*s, err = NormalizeName(*s)
		}
	}
	switch v := rr.(type) {
	case *mdns.CNAME:
		canon(&v.Target)
	case *mdns.NS:
		canon(&v.Ns)
	case *mdns.PTR:
		canon(&v.Ptr)
	case *mdns.MX:
		canon(&v.Mx)
	case *mdns.SRV:
		canon(&v.Target)
	case *mdns.SOA:
		canon(&v.Ns)
		canon(&v.Mbox)
	case *mdns.NAPTR:
		canon(&v.Replacement)
	case *mdns.SVCB:
		canon(&v.Target)
	case *mdns.HTTPS:
		canon(&v.Target)
	case *mdns.TLSA:
		// miekg/dns upper-cases the hex of DS and SSHFP but keeps TLSA's.
		v.Certificate = strings.ToUpper(v.Certificate)
	}
	if err != nil {
		return "", err
	}
	// rr.String() is "NAME\tTTL\tCLASS\tTYPE\tRDATA"; a tab in a name is
	// escaped as \009, so the data starts after the fourth tab.
	s := rr.String()
	for range 4 {
		i := strings.IndexByte(s, '\t')
		if i < 0 {
			return "", fmt.Errorf("unexpected record text %q", s)
		}
		s = s[i+1:]
	}
	return s, nil
}

// isEmpty reports whether rr has no data: miekg/dns returns a record with
// only its header for a line like "www IN A" (the form dynamic updates
// use), which prints as zero values.
func isEmpty(rr mdns.RR) bool {
	newRR, ok := mdns.TypeToRR[rr.Header().Rrtype]
	if !ok {
		return false
	}
	zero := newRR()
	*zero.Header() = *rr.Header()
	return mdns.IsDuplicate(rr, zero)
}

// typeFormats shows how to write the data of each type.
var typeFormats = map[string]string{
	"A":     `an IPv4 address, e.g. 192.0.2.1`,
	"AAAA":  `an IPv6 address, e.g. 2001:db8::1`,
	"CAA":   `FLAGS TAG "VALUE", e.g. 0 issue "letsencrypt.org"`,
	"CNAME": `a domain name, e.g. target.example.org.`,
	"DS":    `KEYTAG ALGORITHM DIGESTTYPE DIGEST, e.g. 12345 13 2 8A9F…`,
	"HTTPS": `PRIORITY TARGET [KEY=VALUE …], e.g. 1 . alpn=h2`,
	"MX":    `PREFERENCE EXCHANGE, e.g. 10 mail.example.org.`,
	"NAPTR": `ORDER PREFERENCE "FLAGS" "SERVICE" "REGEXP" REPLACEMENT, e.g. 100 10 "U" "E2U+sip" "!^.*$!sip:info@example.org!" .`,
	"NS":    `a name server's domain name, e.g. ns1.example.org.`,
	"PTR":   `a domain name, e.g. host.example.org.`,
	"SOA":   `MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM, e.g. ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 3600`,
	"SPF":   `one or more quoted strings, e.g. "v=spf1 mx -all"`,
	"SRV":   `PRIORITY WEIGHT PORT TARGET, e.g. 10 60 5060 sip.example.org.`,
	"SSHFP": `ALGORITHM TYPE FINGERPRINT, e.g. 4 2 123456789ABCDEF…`,
	"SVCB":  `PRIORITY TARGET [KEY=VALUE …], e.g. 1 svc.example.org. port=8443`,
	"TLSA":  `USAGE SELECTOR MATCHINGTYPE DATA, e.g. 3 1 1 0123456789ABCDEF…`,
	"TXT":   `one or more quoted strings, e.g. "v=spf1 mx -all"`,
}

// typeFormat returns how to write the data of typ.
func typeFormat(typ string) string {
	if f, ok := typeFormats[typ]; ok {
		return f
	}
	return "the record's data in zone-file form"
}
