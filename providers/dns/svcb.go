package dns

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// SVCB and HTTPS data (RFC 9460): PRIORITY TARGET, then parameters
// KEY=VALUE or KEY, each key at most once, written back in key order.
// Values are read into their wire form first, so "key3=..." and "port=..."
// mean the same and are checked the same way.

// svcKeyNames are the parameter keys with names.
var svcKeyNames = []string{"mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint", "dohpath", "ohttp"}

// svcParam is one parameter in wire form.
type svcParam struct {
	key   uint16
	value []byte
	tok   token
}

func parseSVCB(r *rdataReader) {
	r.u16("priority")
	r.name("target")
	var params []svcParam
	for r.more() {
		t, _ := r.word("parameter")
		if r.err != nil {
			return
		}
		keyText, val, hasValue := strings.Cut(t.text, "=")
		if hasValue && val == "" && r.i < len(r.toks) && r.toks[r.i].kind == tokQuoted {
			val = r.toks[r.i].text
			r.i++
		}
		key, ok := svcKey(keyText)
		if !ok {
			r.fail(t, "unknown parameter %q in the %s record: use mandatory, alpn, no-default-alpn, port, ipv4hint, ech, ipv6hint, dohpath or keyNNNNN", keyText, r.typ)
			return
		}
		for _, p := range params {
			if p.key == key {
				r.fail(t, "the %s record gives the parameter %s twice; give it once", r.typ, svcKeyName(key))
				return
			}
		}
		raw, err := unescapeText(val)
		if err != nil {
			r.fail(t, "invalid value of %s in the %s record: %v", keyText, r.typ, err)
			return
		}
		var wire []byte
		if strings.HasPrefix(strings.ToLower(keyText), "key") {
			wire = []byte(raw) // the generic form gives the wire value
		} else if wire, err = svcValueWire(key, raw, hasValue); err != nil {
			r.fail(t, "invalid value of %s in the %s record: %v", keyText, r.typ, err)
			return
		}
		if err := checkSvcWire(key, wire); err != nil {
			r.fail(t, "invalid value of %s in the %s record: %v", keyText, r.typ, err)
			return
		}
		params = append(params, svcParam{key: key, value: wire, tok: t})
	}
	slices.SortFunc(params, func(a, b svcParam) int { return int(a.key) - int(b.key) })
	if len(params) > 0 && params[0].key == 0 {
		m := params[0]
		for i := 0; i+1 < len(m.value); i += 2 {
			k := binary.BigEndian.Uint16(m.value[i:])
			if !slices.ContainsFunc(params, func(p svcParam) bool { return p.key == k }) {
				r.fail(m.tok, "the %s record's mandatory list names %s, which the record does not give; add %s or take it out of mandatory", r.typ, svcKeyName(k), svcKeyName(k))
				return
			}
		}
	}
	for _, p := range params {
		r.sep()
		writeSvcParam(&r.b, p.key, p.value)
	}
}

// svcKey reads a key name or keyNNNNN.
func svcKey(s string) (uint16, bool) {
	s = strings.ToLower(s)
	if i := slices.Index(svcKeyNames, s); i >= 0 {
		return uint16(i), true
	}
	if rest, ok := strings.CutPrefix(s, "key"); ok && allDigits(rest) && (len(rest) == 1 || rest[0] != '0') {
		n, err := strconv.ParseUint(rest, 10, 16)
		return uint16(n), err == nil && n != 65535
	}
	return 0, false
}

func svcKeyName(k uint16) string {
	if int(k) < len(svcKeyNames) {
		return svcKeyNames[k]
	}
	return "key" + strconv.Itoa(int(k))
}

// svcValueWire turns a named parameter's value (escapes already read) into
// its wire form.
func svcValueWire(key uint16, v string, hasValue bool) ([]byte, error) {
	switch key {
	case 2, 8: // no-default-alpn, ohttp
		if hasValue {
			return nil, fmt.Errorf("%s takes no value", svcKeyNames[key])
		}
		return nil, nil
	}
	if !hasValue || v == "" {
		return nil, fmt.Errorf("%s needs a value", svcKeyNames[key])
	}
	var out []byte
	switch key {
	case 0: // mandatory
		for _, k := range strings.Split(v, ",") {
			n, ok := svcKey(k)
			if !ok {
				return nil, fmt.Errorf("unknown key %q", k)
			}
			out = binary.BigEndian.AppendUint16(out, n)
		}
	case 1: // alpn
		ids, err := splitValueList(v)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if id == "" || len(id) > 255 {
				return nil, fmt.Errorf("an ALPN identifier is 1 to 255 bytes")
			}
			out = append(out, byte(len(id)))
			out = append(out, id...)
		}
	case 3: // port
		n, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("%q is not a port number (0 to 65535)", v)
		}
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	case 4: // ipv4hint
		for _, a := range strings.Split(v, ",") {
			if !isDottedQuad(a) {
				return nil, fmt.Errorf("%q is not an IPv4 address", a)
			}
			ip := netip.MustParseAddr(a).As4()
			out = append(out, ip[:]...)
		}
	case 5: // ech
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("it is not base64")
		}
		out = b
	case 6: // ipv6hint
		for _, a := range strings.Split(v, ",") {
			ip, err := netip.ParseAddr(a)
			if err != nil || !ip.Is6() || ip.Zone() != "" {
				return nil, fmt.Errorf("%q is not an IPv6 address", a)
			}
			b := ip.As16()
			out = append(out, b[:]...)
		}
	case 7: // dohpath
		out = []byte(v)
	}
	return out, nil
}

// checkSvcWire checks a parameter's wire value as BIND does.
func checkSvcWire(key uint16, w []byte) error {
	switch key {
	case 0:
		if len(w) == 0 || len(w)%2 != 0 {
			return fmt.Errorf("mandatory lists one or more keys")
		}
		var seen []uint16
		for i := 0; i < len(w); i += 2 {
			k := binary.BigEndian.Uint16(w[i:])
			if k == 0 {
				return fmt.Errorf("mandatory may not list itself")
			}
			if slices.Contains(seen, k) {
				return fmt.Errorf("mandatory lists %s twice", svcKeyName(k))
			}
			seen = append(seen, k)
		}
	case 1:
		if len(w) == 0 {
			return fmt.Errorf("alpn lists one or more identifiers")
		}
		for i := 0; i < len(w); {
			n := int(w[i])
			if n == 0 || i+1+n > len(w) {
				return fmt.Errorf("malformed ALPN identifiers")
			}
			i += 1 + n
		}
	case 2, 8:
		if len(w) != 0 {
			return fmt.Errorf("%s takes no value", svcKeyName(key))
		}
	case 3:
		if len(w) != 2 {
			return fmt.Errorf("a port is 2 bytes")
		}
	case 4:
		if len(w) == 0 || len(w)%4 != 0 {
			return fmt.Errorf("ipv4hint lists one or more IPv4 addresses")
		}
	case 5:
		if len(w) == 0 {
			return fmt.Errorf("ech needs a value")
		}
	case 6:
		if len(w) == 0 || len(w)%16 != 0 {
			return fmt.Errorf("ipv6hint lists one or more IPv6 addresses")
		}
	case 7:
		s := string(w)
		if !strings.HasPrefix(s, "/") || !strings.Contains(s, "{?dns}") {
			return fmt.Errorf(`dohpath is a path starting with / that holds {?dns}, such as "/dns-query{?dns}"`)
		}
	}
	return nil
}

// splitValueList splits a value list (RFC 9460, appendix A) at commas; a
// backslash escapes a comma or a backslash inside an item.
func splitValueList(v string) ([]string, error) {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			if i+1 >= len(v) {
				return nil, fmt.Errorf("the value ends with a lone backslash")
			}
			cur.WriteByte(v[i+1])
			i++
		case ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, cur.String()), nil
}

// writeSvcParam writes one parameter in canonical form.
func writeSvcParam(b *strings.Builder, key uint16, w []byte) {
	b.WriteString(svcKeyName(key))
	switch key {
	case 0:
		b.WriteByte('=')
		for i := 0; i < len(w); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(svcKeyName(binary.BigEndian.Uint16(w[i:])))
		}
	case 1:
		var list strings.Builder
		for i := 0; i < len(w); {
			n := int(w[i])
			if i > 0 {
				list.WriteByte(',')
			}
			for _, c := range w[i+1 : i+1+n] {
				if c == ',' || c == '\\' {
					list.WriteByte('\\')
				}
				list.WriteByte(c)
			}
			i += 1 + n
		}
		b.WriteByte('=')
		writeQuoted(b, list.String())
	case 2, 8:
	case 3:
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(int(binary.BigEndian.Uint16(w))))
	case 4:
		b.WriteByte('=')
		for i := 0; i < len(w); i += 4 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(netip.AddrFrom4([4]byte(w[i : i+4])).String())
		}
	case 5:
		b.WriteByte('=')
		b.WriteString(base64.StdEncoding.EncodeToString(w))
	case 6:
		b.WriteByte('=')
		for i := 0; i < len(w); i += 16 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(formatIPv6(netip.AddrFrom16([16]byte(w[i : i+16]))))
		}
	default:
		if len(w) > 0 {
			b.WriteByte('=')
			writeQuoted(b, string(w))
		}
	}
}
