// Package dns is the DNS core shared by every DNS provider: one record model
// (a record set: every value of one name and type), its normalised form and
// its cty encoding, a BIND zone-file reader and writer, and the record-set
// diff that Route 53, BIND and any later provider call, so that they all
// agree on what "changed" means.
//
// Providers translate between their API and Record and nothing else. Every
// Record that enters a comparison must be normalised (Normalize, FromValue
// and the zone-file reader all return normalised records): names are
// lower-case, fully qualified and in punycode, values are in presentation
// form, sorted and without duplicates.
package dns

import (
	"slices"
	"strings"
)

// Record is a record set: all the values of one owner name and type.
type Record struct {
	// Name is fully qualified, lower-case, punycode, with a trailing dot:
	// "www.example.org.". A wildcard is "*.example.org.".
	Name string
	// Type is the upper-case mnemonic: "A", "MX", "TXT", ….
	Type string
	// TTL is the time to live in seconds, shared by every value.
	TTL uint32
	// Values hold the RDATA of each record in presentation form with fully
	// qualified names, sorted and without duplicates: "10 mail.example.org.",
	// and for TXT the quoted 255-byte chunks: "\"chunk1\" \"chunk2\"".
	Values []string
}

// Key identifies the record set within a zone: its name and type, as
// "www.example.org. A".
func (r Record) Key() string { return r.Name + " " + r.Type }

// Equal reports whether two normalised records have the same name, type,
// TTL and values.
func (r Record) Equal(o Record) bool {
	return r.Name == o.Name && r.Type == o.Type && r.TTL == o.TTL && slices.Equal(r.Values, o.Values)
}

// Sort orders records the way a zone file reads: by name in DNS order (the
// apex first, then each subtree together: "example.org.", "*.example.org.",
// "a.example.org.", "x.a.example.org.", "b.example.org."), and at one name
// SOA first, then NS, then the other types alphabetically.
func Sort(rs []Record) {
	slices.SortFunc(rs, compareRecords)
}

// compareRecords orders records by name (compareNames), then type
// (compareTypes).
func compareRecords(a, b Record) int {
	if c := compareNames(a.Name, b.Name); c != 0 {
		return c
	}
	return compareTypes(a.Type, b.Type)
}

// compareTypes puts SOA first and NS second, then sorts alphabetically.
func compareTypes(a, b string) int {
	if a == b {
		return 0
	}
	ra, rb := typeRank(a), typeRank(b)
	if ra != rb {
		return ra - rb
	}
	return strings.Compare(a, b)
}

func typeRank(t string) int {
	switch t {
	case "SOA":
		return 0
	case "NS":
		return 1
	}
	return 2
}

// compareNames orders fully qualified names label by label from the root,
// so a zone's apex comes first and each subtree stays together. It
// allocates nothing; an escaped dot ("\.") inside a label is not a label
// boundary.
//
// Only the label that holds the last difference decides, so it skips the
// common suffix and compares that label; an escape near the difference
// sends it the label-by-label way.
func compareNames(a, b string) int {
	if a == b {
		return 0
	}
	i, j := len(a), len(b)
	for i > 0 && j > 0 && a[i-1] == b[j-1] {
		i--
		j--
	}
	// a[i:] == b[j:]; the deciding labels end at its first dot.
	ea, eb := len(a), len(b)
	if k := strings.IndexByte(a[i:], '.'); k >= 0 {
		ea, eb = i+k, j+k
	}
	if strings.IndexByte(a[:ea], '\\') >= 0 || strings.IndexByte(b[:eb], '\\') >= 0 {
		return compareNamesByLabel(a, b)
	}
	// A name used up at a label boundary is an ancestor of the other.
	if i == 0 && (j == 0 || b[j-1] == '.') {
		return -1
	}
	if j == 0 && a[i-1] == '.' {
		return 1
	}
	sa := strings.LastIndexByte(a[:i], '.') + 1
	sb := strings.LastIndexByte(b[:j], '.') + 1
	return strings.Compare(a[sa:ea], b[sb:eb])
}

// compareNamesByLabel is compareNames walking every label from the root.
func compareNamesByLabel(a, b string) int {
	if a == b {
		return 0
	}
	ea, eb := len(a), len(b)
	for {
		sa, sb := labelStart(a, ea), labelStart(b, eb)
		la, lb := a[sa:ea], b[sb:eb]
		// A trailing dot gives an empty last label; skip it on both.
		if c := strings.Compare(la, lb); c != 0 {
			return c
		}
		aDone, bDone := sa == 0, sb == 0
		switch {
		case aDone && bDone:
			return 0
		case aDone:
			return -1
		case bDone:
			return 1
		}
		ea, eb = sa-1, sb-1
	}
}

// labelStart returns the index where the label ending at end starts: one
// past the closest unescaped dot before end, or 0.
func labelStart(s string, end int) int {
	for i := end - 1; i >= 0; i-- {
		if s[i] != '.' {
			continue
		}
		// Count the backslashes before the dot: an odd number escapes it.
		n := 0
		for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return i + 1
		}
	}
	return 0
}

// RelativeName returns name relative to origin for display and for zone
// files: "@" for the apex, "www" for "www.example.org." in "example.org.",
// and the fully qualified name unchanged when it is outside origin. Both
// are compared without regard to case or a missing trailing dot.
func RelativeName(name, origin string) string {
	// Canonical names, as records hold them, need no work.
	if isPlainName(name) && isPlainName(origin) {
		switch {
		case name == origin:
			return "@"
		case origin == ".":
			return name[:len(name)-1]
		case len(name) > len(origin) && strings.HasSuffix(name, origin) && name[len(name)-len(origin)-1] == '.':
			return name[:len(name)-len(origin)-1]
		}
		return name
	}
	name, origin = strings.ToLower(fqdn(name)), strings.ToLower(fqdn(origin))
	switch {
	case name == origin:
		return "@"
	case origin == ".":
		return name[:len(name)-1]
	case strings.HasSuffix(name, "."+origin):
		return name[:len(name)-len(origin)-1]
	}
	return name
}

// fqdn adds a trailing dot when name lacks one (an escaped final dot, as
// in `a\.`, is part of the last label and does not count).
func fqdn(name string) string {
	if name == "" {
		return "."
	}
	if labelStart(name, len(name)) == len(name) {
		return name
	}
	return name + "."
}

// inZone reports whether the normalised name is origin or below it.
func inZone(name, origin string) bool {
	if origin == "." || name == origin {
		return true
	}
	return len(name) > len(origin) && strings.HasSuffix(name, origin) && name[len(name)-len(origin)-1] == '.'
}

// Apex returns the SOA and NS record sets at origin's apex, or nil for
// either when rs has none. The records returned are copies.
func Apex(rs []Record, origin string) (soa *Record, ns *Record) {
	origin = strings.ToLower(fqdn(origin))
	for i := range rs {
		if rs[i].Name != origin {
			continue
		}
		switch rs[i].Type {
		case "SOA":
			r := rs[i]
			soa = &r
		case "NS":
			r := rs[i]
			ns = &r
		}
	}
	return soa, ns
}

// WithoutApexSOANS returns the records of rs except the SOA and NS sets at
// origin's apex, which a hosted zone's provider manages itself. NS sets
// below the apex (delegations) are kept. rs is not changed.
func WithoutApexSOANS(rs []Record, origin string) []Record {
	origin = strings.ToLower(fqdn(origin))
	out := make([]Record, 0, len(rs))
	for _, r := range rs {
		if r.Name == origin && (r.Type == "SOA" || r.Type == "NS") {
			continue
		}
		out = append(out, r)
	}
	return out
}

// isPlainName reports whether name is canonical and needs no work:
// lower-case letters, digits, '-', '_' and '*' in labels of 1 to 63 bytes,
// ending in a dot.
func isPlainName(name string) bool {
	if name == "." {
		return true
	}
	if len(name) > 254 || len(name) == 0 || name[len(name)-1] != '.' {
		return false
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
		if label > maxLabel {
			return false
		}
	}
	return true
}
