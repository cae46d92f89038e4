package netfilter

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/providers"
)

// The widest networks a block list takes without -allow-mass-change: a
// /16 of IPv4 is 65,536 addresses, a /32 of IPv6 a whole provider's
// allocation. Anything wider is more likely a typo or a poisoned log than
// a decision.
const (
	minBits4 = 16
	minBits6 = 32
)

// special are addresses no client sends from: blocking them is a mistake
// (multicast and broadcast are never sources; 0.0.0.0/8 and :: only
// appear before a host has an address), and listing them hints that the
// list is not what it seems.
var special = []struct {
	net netip.Prefix
	why string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified (\"this network\", 0.0.0.0/8)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast (224.0.0.0/4)"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast (255.255.255.255)"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (240.0.0.0/4)"},
	{netip.MustParsePrefix("::/128"), "unspecified (::)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast (ff00::/8)"},
}

// risky returns why blocking n needs -allow-mass-change, or "" when it
// does not: a network wider than /16 (IPv4) or /32 (IPv6), or one that
// overlaps a multicast, broadcast, unspecified or reserved range.
func risky(n netip.Prefix) string {
	min := minBits4
	if n.Addr().Is6() {
		min = minBits6
	}
	if n.Bits() < min {
		return fmt.Sprintf("a network wider than /%d (%s addresses)", min, addressCount(n))
	}
	for _, s := range special {
		if s.net.Overlaps(n) {
			return s.why
		}
	}
	return ""
}

// addressCount says how many addresses n holds, for messages.
func addressCount(n netip.Prefix) string {
	host := n.Addr().BitLen() - n.Bits()
	if host >= 63 {
		return fmt.Sprintf("2^%d", host)
	}
	return fmt.Sprint(uint64(1) << host)
}

// guard refuses a list holding risky elements unless allowed; the engine
// lets the refusal through as a warning under -allow-mass-change.
func guard(want []wanted, allowed bool) hcl.Diagnostics {
	var lines []string
	for _, w := range want {
		if why := risky(w.net); why != "" {
			lines = append(lines, fmt.Sprintf("%s: %s", w.key, why))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	sort.Strings(lines)
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Mass change refused",
		Detail: fmt.Sprintf("The block list holds %d element(s) that would block far more than one client, or addresses no client sends from:\n%s\n\nA list like this usually comes from a typo or a poisoned log. If you mean it, review the plan and run again with -allow-mass-change, or set allow_mass_change = true.",
			len(lines), providers.JoinFirst(lines, 10, "")),
		Extra: providers.MassChange{Changed: len(lines), Total: len(want), Of: "entries of the block list", Verb: "block far more than one client, or no client at all"},
	}
	if allowed {
		d.Severity = hcl.DiagWarning
		d.Summary = "Mass change allowed by allow_mass_change"
		d.Extra = providers.MassChange{Changed: len(lines), Total: len(want), Of: "entries of the block list", Verb: "block far more than one client, or no client at all", AllowedBy: "allow_mass_change = true"}
	}
	return hcl.Diagnostics{d}
}
