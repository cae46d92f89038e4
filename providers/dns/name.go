package dns

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Domain names in presentation form.
//
// A name is read as BIND reads it: labels separated by unescaped dots, a
// backslash escaping the next byte or giving one as three decimal digits
// (\DDD), "@" alone meaning the origin, and a name that does not end in an
// unescaped dot completed with the origin. The canonical form plumb keeps
// is fully qualified and lower-case, with each byte written as BIND writes
// it (the special characters . \ " ( ) ; @ $ escaped with a backslash,
// other bytes outside printable ASCII as \DDD), except that a label of
// UTF-8 text is converted to its punycode form ("bücher" becomes
// "xn--bcher-kva"), which is what resolvers ask for.

// maxNameWire is the largest domain name in wire form, in bytes.
const maxNameWire = 255

// maxLabel is the largest label, in bytes.
const maxLabel = 63

// errEmptyName is returned for an empty name.
var errEmptyName = errors.New("empty domain name; give a name such as www.example.org")

// NormalizeName returns name in canonical form: lower-case, fully
// qualified with a trailing dot, escapes in canonical form, labels of
// UTF-8 text in punycode ("bücher.example." becomes
// "xn--bcher-kva.example."). A name without a trailing dot is taken as
// fully qualified. It fails when name is empty or not a valid domain name.
func NormalizeName(name string) (string, error) {
	if name == "" {
		return "", errEmptyName
	}
	if name == "@" {
		return "", errors.New(`"@" names the zone's apex only inside a zone file; write the zone's name, such as example.org.`)
	}
	n, _, err := parseName(name, ".")
	return n, err
}

// parseName reads a name in presentation form relative to origin (a
// canonical absolute name) and returns it in canonical form. idn reports
// whether a label was converted to punycode.
func parseName(text, origin string) (name string, idn bool, err error) {
	if text == "" {
		return "", false, errEmptyName
	}
	if text == "@" {
		return origin, false, nil
	}
	if n, ok := plainName(text, origin); ok {
		return n, false, nil
	}
	labels, abs, err := splitLabels(text)
	if err != nil {
		return "", false, err
	}
	var b strings.Builder
	b.Grow(len(text) + len(origin) + 1)
	wire := 1
	for _, l := range labels {
		if needsPunycode(l) {
			a, err := idna.Lookup.ToASCII(l)
			if err != nil {
				return "", false, fmt.Errorf("%q is not a valid internationalised domain name: %v; check the spelling of label %q", text, err, l)
			}
			l, idn = a, true
		}
		if len(l) > maxLabel {
			return "", false, fmt.Errorf("label %q of %q is %d bytes long; labels are at most 63 bytes", l, text, len(l))
		}
		wire += 1 + len(l)
		writeLabel(&b, l)
		b.WriteByte('.')
	}
	if len(labels) == 0 {
		b.WriteByte('.')
	}
	if !abs && origin != "." {
		b.WriteString(origin)
		wire += originWire(origin) - 1
	}
	if wire > maxNameWire {
		return "", false, fmt.Errorf("%q is too long: a domain name is at most 255 bytes in wire form (this one is %d)", strings.TrimSuffix(b.String(), "."), wire)
	}
	return b.String(), idn, nil
}

// plainName is parseName's fast path for a name of lower-case letters,
// digits, '-', '_' and '*' with nonempty labels of at most 63 bytes
// (upper-case letters are lowered).
func plainName(text, origin string) (string, bool) {
	label, upper := 0, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '*':
		case 'A' <= c && c <= 'Z':
			upper = true
		case c == '.':
			if label == 0 {
				return "", false
			}
			label = 0
			continue
		default:
			return "", false
		}
		label++
		if label > maxLabel {
			return "", false
		}
	}
	if upper {
		text = strings.ToLower(text)
	}
	var n string
	switch {
	case label == 0: // ends in a dot
		n = text
	case origin == ".":
		n = text + "."
	default:
		n = text + "." + origin
	}
	if len(n)+1 > maxNameWire {
		return "", false
	}
	return n, true
}

// originWire is the wire length of a canonical absolute name: one byte
// per label length, the label bytes, and the root's zero.
func originWire(origin string) int {
	if origin == "." {
		return 1
	}
	n := 1
	for i := 0; i < len(origin); i++ {
		if origin[i] == '\\' {
			if i+3 < len(origin) && isDigit(origin[i+1]) {
				i += 3
			} else {
				i++
			}
		}
		n++
	}
	return n
}

// splitLabels reads the labels of a name in presentation form as raw
// bytes, lower-cased; abs reports a final unescaped dot.
func splitLabels(text string) (labels []string, abs bool, err error) {
	if text == "." {
		return nil, true, nil
	}
	var cur []byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case '.':
			if len(cur) == 0 {
				return nil, false, fmt.Errorf("%q has an empty label; check for two dots in a row or a leading dot", text)
			}
			labels = append(labels, string(cur))
			cur = cur[:0]
			if i == len(text)-1 {
				return labels, true, nil
			}
			continue
		case '\\':
			if i+1 >= len(text) {
				return nil, false, fmt.Errorf("%q ends with a lone backslash", text)
			}
			if isDigit(text[i+1]) {
				if i+3 >= len(text) || !isDigit(text[i+2]) || !isDigit(text[i+3]) {
					return nil, false, fmt.Errorf("%q has an incomplete escape %q; write a byte as \\DDD with three decimal digits", text, text[i:min(i+4, len(text))])
				}
				v := int(text[i+1]-'0')*100 + int(text[i+2]-'0')*10 + int(text[i+3]-'0')
				if v > 255 {
					return nil, false, fmt.Errorf("%q has the escape %q, which is above 255", text, text[i:i+4])
				}
				c = byte(v)
				i += 3
			} else {
				c = text[i+1]
				i++
			}
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		cur = append(cur, c)
		if len(cur) > 4*maxLabel {
			return nil, false, fmt.Errorf("%q has a label longer than 63 bytes", text)
		}
	}
	labels = append(labels, string(cur))
	return labels, false, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// needsPunycode reports whether a raw label holds UTF-8 text outside
// ASCII, which is written in punycode.
func needsPunycode(l string) bool {
	ascii := true
	for i := 0; i < len(l); i++ {
		if l[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	return !ascii && utf8.ValidString(l)
}

// writeLabel writes a raw label in canonical presentation form.
func writeLabel(b *strings.Builder, l string) {
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c > 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			writeDDD(b, c)
		}
	}
}

// writeDDD writes c as a \DDD escape.
func writeDDD(b *strings.Builder, c byte) {
	b.WriteByte('\\')
	b.WriteByte('0' + c/100)
	b.WriteByte('0' + c/10%10)
	b.WriteByte('0' + c%10)
}

// nameLabels returns the number of labels of a canonical absolute name,
// not counting the root, and whether its first label is "*".
func nameLabels(name string) (n int, wild bool) {
	if name == "." {
		return 0, false
	}
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '\\':
			if i+1 < len(name) && isDigit(name[i+1]) {
				i += 3
			} else {
				i++
			}
		case '.':
			n++
		}
	}
	return n, strings.HasPrefix(name, "*.")
}

// isHostname reports whether a canonical name is a host name as BIND's
// check-names means it: labels of letters, digits and hyphens, a leading
// "*" label allowed when wildcard is true.
func isHostname(name string, wildcard bool) bool {
	if wildcard && strings.HasPrefix(name, "*.") {
		name = name[2:]
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
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '-' && label > 0 && i+1 < len(name) && name[i+1] != '.':
		default:
			return false
		}
		label++
	}
	return true
}
