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
