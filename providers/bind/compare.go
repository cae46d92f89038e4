package bind

import (
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ctyconv"
	"github.com/plumbhq/plumb/providers/dns"
)

// The comparisons in this file recognise an unchanged zone in a few
// microseconds: cty's RawEquals checks types and marks at every level and
// compares numbers through big.Int conversions, which costs tens of
// microseconds for a zone's records. They know the shapes they compare
// (the schema's), answer false for anything unexpected (unknown, marked,
// of another type), and so may only be used where false means "look
// closer", never "different".

// plainString returns a known, unmarked, non-null string's text.
func plainString(v cty.Value) (string, bool) {
	if !v.IsKnown() || v.IsMarked() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// sameString reports whether two values are the same known string, or
// both known nulls.
func sameString(a, b cty.Value) bool {
	if bothNull(a, b) {
		return true
	}
	sa, ok := plainString(a)
	if !ok {
		return false
	}
	sb, ok := plainString(b)
	return ok && sa == sb
}

// sameUint32 reports whether two values are the same whole number from 0
// to 2³²-1, or both known nulls.
func sameUint32(a, b cty.Value) bool {
	if bothNull(a, b) {
		return true
	}
	if a.IsMarked() || b.IsMarked() {
		return false
	}
	na, ok := uint32Of(a)
	if !ok {
		return false
	}
	nb, ok := uint32Of(b)
	return ok && na == nb
}

// sameBool reports whether two values are the same known bool, or both
// known nulls.
func sameBool(a, b cty.Value) bool {
	if bothNull(a, b) {
		return true
	}
	if !a.IsKnown() || !b.IsKnown() || a.IsMarked() || b.IsMarked() || a.IsNull() || b.IsNull() ||
		a.Type() != cty.Bool || b.Type() != cty.Bool {
		return false
	}
	return a.True() == b.True()
}

// bothNull reports whether a and b are both known, unmarked nulls.
func bothNull(a, b cty.Value) bool {
	return a.IsKnown() && b.IsKnown() && !a.IsMarked() && !b.IsMarked() && a.IsNull() && b.IsNull()
}

// sameRecords reports whether two lists of record sets are the same,
// element by element, as written, except that a (config) may hold one
// more element: the apex SOA of a zone file, returned as soa (NilVal when
// there is none). On the way it finds the apex NS set of origin (a
// normalised name) and returns its first value in sorted order,
// normalised, or "" when it finds none (the default SOA mname).
func sameRecords(a, b cty.Value, origin string) (same bool, firstNS string, soa cty.Value) {
	if bothNull(a, b) {
		return true, "", cty.NilVal
	}
	if !a.IsKnown() || !b.IsKnown() || a.IsMarked() || b.IsMarked() || a.IsNull() || b.IsNull() ||
		!a.Type().Equals(recordsType) || !b.Type().Equals(recordsType) {
		return false, "", cty.NilVal
	}
	na, nb := a.LengthInt(), b.LengthInt()
	if na != nb && na != nb+1 {
		return false, "", cty.NilVal
	}
	bs, ok := ctyconv.ElementsOf(b)
	if !ok {
		return false, "", cty.NilVal // compared the slow way
	}
	foundSOA, j := false, 0
	for _, ea := range ctyconv.All(a) {
		if !foundSOA && na == nb+1 && isApexSOA(ea, origin) {
			soa, foundSOA = ea, true
			continue
		}
		if j == bs.Len() || !sameRecord(ea, bs.At(j)) {
			return false, "", cty.NilVal
		}
		j++
		if ns, ok := apexNS(ea, origin); ok && (firstNS == "" || ns < firstNS) {
			firstNS = ns
		}
	}
	if na == nb+1 && !foundSOA {
		return false, "", cty.NilVal
	}
	return true, firstNS, soa
}

// recordsType is the type of the records attribute.
var recordsType = cty.List(dns.RecordType)

// sameRecord compares two record set objects of dns.RecordType.
func sameRecord(a, b cty.Value) bool {
	if ctyconv.Identical(a, b) {
		return true // the prior state shares the configuration's element
	}
	if a.IsNull() || b.IsNull() || !a.IsKnown() || !b.IsKnown() || a.IsMarked() || b.IsMarked() {
		return false
	}
	if !sameString(ctyconv.GetAttr(a, "name"), ctyconv.GetAttr(b, "name")) || !sameString(ctyconv.GetAttr(a, "type"), ctyconv.GetAttr(b, "type")) ||
		!sameUint32(ctyconv.GetAttr(a, "ttl"), ctyconv.GetAttr(b, "ttl")) {
		return false
	}
	va, vb := ctyconv.GetAttr(a, "values"), ctyconv.GetAttr(b, "values")
	if !va.IsKnown() || !vb.IsKnown() || va.IsMarked() || vb.IsMarked() || va.IsNull() || vb.IsNull() ||
		!va.CanIterateElements() || !vb.CanIterateElements() || va.LengthInt() != vb.LengthInt() {
		return false
	}
	ia, ib := va.ElementIterator(), vb.ElementIterator()
	for ia.Next() && ib.Next() {
		_, sa := ia.Element()
		_, sb := ib.Element()
		if !sameString(sa, sb) || sa.IsNull() {
			return false
		}
	}
	return true
}

// apexNS returns, for a record set object that is origin's NS set, its
// smallest value normalised. Names are matched as written or without
// regard to case and a missing trailing dot; a set that needs more (an
// internationalised name) is not found, which sends the caller the slow
// way.
func apexNS(e cty.Value, origin string) (string, bool) {
	t, _ := plainString(ctyconv.GetAttr(e, "type"))
	if t != "NS" && t != "ns" && t != "Ns" && t != "nS" {
		return "", false
	}
	name, _ := plainString(ctyconv.GetAttr(e, "name"))
	if name != origin && !strings.EqualFold(strings.TrimSuffix(name, "."), strings.TrimSuffix(origin, ".")) {
		return "", false
	}
	best := ""
	for it := e.GetAttr("values").ElementIterator(); it.Next(); {
		_, v := it.Element()
		s, _ := plainString(v)
		ns, err := dns.NormalizeName(strings.TrimSpace(s))
		if err != nil {
			return "", false
		}
		if best == "" || ns < best {
			best = ns
		}
	}
	return best, best != ""
}
