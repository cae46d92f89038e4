package netfilter

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// span is the range of addresses one set element covers, both ends
// included: one address, a network, or a range "a-b" (which plumb never
// writes, but someone may add by hand). Two elements of an interval set
// may not overlap; spans are how plumb finds the ones that would.
type span struct{ lo, hi netip.Addr }

// parseSpan reads an element key: "a", "a/len" or "a-b".
func parseSpan(key string) (span, error) {
	if lo, hi, ok := strings.Cut(key, "-"); ok {
		a, err1 := netip.ParseAddr(lo)
		b, err2 := netip.ParseAddr(hi)
		if err1 != nil || err2 != nil || a.Unmap().Is4() != b.Unmap().Is4() || b.Unmap().Less(a.Unmap()) {
			return span{}, fmt.Errorf("%q is not an address range", key)
		}
		return span{a.Unmap(), b.Unmap()}, nil
	}
	p, err := parsePrefix(key)
	if err != nil {
		return span{}, err
	}
	return prefixSpan(p), nil
}

// prefixSpan returns the addresses of a network, first to last.
func prefixSpan(p netip.Prefix) span {
	p = p.Masked()
	lo := p.Addr()
	if lo.Is4() {
		b := lo.As4()
		setHostBits(b[:], p.Bits())
		return span{lo, netip.AddrFrom4(b)}
	}
	b := lo.As16()
	setHostBits(b[:], p.Bits())
	return span{lo, netip.AddrFrom16(b)}
}

// setHostBits sets every bit of b after the first bits.
func setHostBits(b []byte, bits int) {
	for i := range b {
		switch {
		case bits >= 8*(i+1):
		case bits <= 8*i:
			b[i] = 0xff
		default:
			b[i] |= 0xff >> (bits - 8*i)
		}
	}
}

// overlaps reports whether s and o share an address.
func (s span) overlaps(o span) bool {
	return s.lo.Is4() == o.lo.Is4() && s.lo.Compare(o.hi) <= 0 && o.lo.Compare(s.hi) <= 0
}

// spanSet holds disjoint spans sorted by their first address, to ask
// quickly whether a span overlaps any of them.
type spanSet struct{ spans []keyedSpan }

type keyedSpan struct {
	span
	key string
}

// newSpanSet sorts spans, which must not overlap one another.
func newSpanSet(spans []keyedSpan) spanSet {
	slices.SortFunc(spans, func(a, b keyedSpan) int { return cmp.Compare(sortKey(a.lo), sortKey(b.lo)) })
	return spanSet{spans}
}

// sortKey orders IPv4 before IPv6, then by address.
func sortKey(a netip.Addr) string {
	b := a.As16()
	if a.Is4() {
		return "4" + string(b[:])
	}
	return "6" + string(b[:])
}

// overlapping returns the key of a span of the set that overlaps s.
func (ss spanSet) overlapping(s span) (string, bool) {
	// The first span that does not end before s starts: spans are
	// disjoint and sorted, so their last addresses are sorted too.
	i, _ := slices.BinarySearchFunc(ss.spans, s.lo, func(k keyedSpan, lo netip.Addr) int {
		if k.lo.Is4() != lo.Is4() {
			return cmp.Compare(sortKey(k.lo), sortKey(lo))
		}
		return k.hi.Compare(lo)
	})
	if i < len(ss.spans) && ss.spans[i].overlaps(s) {
		return ss.spans[i].key, true
	}
	return "", false
}
