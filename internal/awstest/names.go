package awstest

import (
	"strings"
)

// canonicalName returns a DNS name the way Route 53 stores and returns it:
// fully qualified with a trailing dot, letters in lower case, and every byte
// other than a-z, 0-9, hyphen and underscore written as a backslash and
// three octal digits (so "*.Example.com" becomes "\052.example.com.").
// Escapes in the input (\052, \*) are decoded first, so a name given either
// way comes out the same.
func canonicalName(name string) string {
	var b strings.Builder
	b.Grow(len(name) + 8)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '.' {
			b.WriteByte('.')
			continue
		}
		if c == '\\' && i+1 < len(name) {
			if i+3 < len(name) && isOctal(name[i+1]) && isOctal(name[i+2]) && isOctal(name[i+3]) {
				c = (name[i+1]-'0')<<6 | (name[i+2]-'0')<<3 | (name[i+3] - '0')
				i += 3
			} else {
				c = name[i+1]
				i++
			}
			writeLabelByte(&b, c)
			continue
		}
		writeLabelByte(&b, c)
	}
	s := b.String()
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// writeLabelByte writes one byte of a label in Route 53's stored form.
func writeLabelByte(b *strings.Builder, c byte) {
	switch {
	case c >= 'A' && c <= 'Z':
		b.WriteByte(c + 'a' - 'A')
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		b.WriteByte(c)
	default:
		b.WriteByte('\\')
		b.WriteByte('0' + c>>6)
		b.WriteByte('0' + (c>>3)&7)
		b.WriteByte('0' + c&7)
	}
}

// sortKey is the key Route 53 sorts names by: the labels of the canonical
// name in reverse order, joined by dots, with a trailing dot
// ("www.example.com." sorts as "com.example.www.").
func sortKey(canonical string) string {
	labels := strings.Split(strings.TrimSuffix(canonical, "."), ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	return strings.Join(labels, ".") + "."
}

// inZone reports whether the canonical record name lies in the zone with
// the canonical name zone (the apex or below it).
func inZone(name, zone string) bool {
	return name == zone || strings.HasSuffix(name, "."+zone)
}
