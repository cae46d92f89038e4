package apache

import (
	"fmt"
	"net/netip"
	"strings"
)

// checkAddress accepts what an allow or deny list may hold: an IP address
// (203.0.113.7, 2001:db8::7) or a CIDR block with no host bits set
// (198.51.100.0/24). Apache's other forms (partial addresses such as
// "10.1", netmasks, host names) are refused: they are easy to get wrong
// and host names make Apache do DNS lookups on every request.
func checkAddress(s string) error {
	const want = "write an address such as 203.0.113.7 or 2001:db8::7, or a block such as 198.51.100.0/24"
	if s == "" {
		return fmt.Errorf("it is empty; %s", want)
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return fmt.Errorf("it contains white space; give one address per element")
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("it is not a CIDR block (%v); %s", err, want)
		}
		if m := p.Masked(); m != p {
			return fmt.Errorf("it has host bits set; did you mean %s?", m)
		}
		return nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return fmt.Errorf("it is not an IP address or CIDR block; %s", want)
	}
	switch {
	case a.Zone() != "":
		return fmt.Errorf("zoned addresses (%%%s) cannot be matched by Apache; leave the zone out", a.Zone())
	case a.IsUnspecified():
		return fmt.Errorf("%s is the unspecified address: no client connects from it", a)
	}
	return nil
}

// opensToAll reports whether an allow entry lets in every client of its
// family (0.0.0.0/0 or ::/0).
func opensToAll(s string) bool {
	p, err := netip.ParsePrefix(s)
	return err == nil && p.Bits() == 0
}

// localRanges are the addresses a client never arrives from across a
// network: loopback (where a reverse proxy on the same machine connects
// from), link-local, and "this network" (0.0.0.0/8, ::). In an allow list
// behind a local proxy, 127.0.0.1 lets every client in.
var localRanges = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("::1/128"), "the loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("0.0.0.0/8"), `an address of "this network" (0.0.0.0/8)`},
	{netip.MustParsePrefix("::/128"), "the unspecified address"},
	{netip.MustParsePrefix("::ffff:127.0.0.0/104"), "a loopback address (IPv4-mapped)"},
	{netip.MustParsePrefix("::ffff:169.254.0.0/112"), "a link-local address (IPv4-mapped)"},
	{netip.MustParsePrefix("::ffff:0.0.0.0/104"), `an address of "this network" (IPv4-mapped)`},
}

// localAddress says what local range an allow entry reaches into ("" for
// none). An entry open to a whole family (0.0.0.0/0, ::/0) is left to
// the open-to-everyone warning.
func localAddress(s string) string {
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil || p.Bits() == 0 {
			return ""
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return ""
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	for _, r := range localRanges {
		if r.prefix.Overlaps(p) {
			if p.Bits() == p.Addr().BitLen() {
				return r.what
			}
			return fmt.Sprintf("a block that reaches %s (%s)", r.what, r.prefix)
		}
	}
	return ""
}
