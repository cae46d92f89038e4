package netfilter

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// protected is a network plumb never blocks, and why.
type protected struct {
	net netip.Prefix
	why string
}

// alwaysProtected are loopback's networks: never blocked, whatever the
// configuration says.
var alwaysProtected = []protected{
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
}

// hostFacts are the addresses a block list must leave alone so that the
// host keeps its network: its own addresses, the next hops of its default
// routes and its name servers.
type hostFacts struct {
	addrs, gateways, resolvers []hostAddr
}

// protections returns every network that must not be blocked, each with
// the reason the plan gives: loopback, the host's own addresses, its
// default gateways and name servers, trusted proxies and never_block.
func protections(h hostFacts, trustedProxies, neverBlock []netip.Prefix) []protected {
	out := slices.Clone(alwaysProtected)
	single := func(a netip.Addr) netip.Prefix { return netip.PrefixFrom(a, a.BitLen()) }
	for _, a := range h.addrs {
		if a.addr.IsLoopback() {
			continue
		}
		out = append(out, protected{single(a.addr), "this host's address on " + a.ifc})
	}
	for _, g := range h.gateways {
		out = append(out, protected{single(g.addr), "default gateway via " + g.ifc})
	}
	for _, r := range h.resolvers {
		if r.addr.IsLoopback() {
			continue
		}
		out = append(out, protected{single(r.addr), "name server in " + r.ifc})
	}
	for _, p := range trustedProxies {
		out = append(out, protected{p, "trusted proxy"})
	}
	for _, p := range neverBlock {
		out = append(out, protected{p, "never_block"})
	}
	return out
}

// wanted is one address the configuration asks to block.
type wanted struct {
	key      string
	net      netip.Prefix
	count    int64
	evidence string
}

// Markers are the values blocked holds for an element plumb keeps without
// the configuration listing it: one it blocked before (kept until it
// expires, or for good without a timeout), or one someone added by hand.
// Each says what plumb will do with it.
const (
	leftToExpire    = "no longer listed; left to expire"
	leftNoExpiry    = "no longer listed; no timeout, so it stays until prune = true removes it"
	outsideExpiring = "added outside plumb; left to expire"
	outsideNoExpiry = "added outside plumb; no timeout, so it stays until prune = true removes it"
	refreshDue      = "refresh due: expires within a quarter of its timeout"
)

// isRetained reports whether a blocked value marks an element that is
// kept only until it expires (or prune removes it): apply neither adds nor
// refreshes it.
func isRetained(v string) bool {
	return strings.HasPrefix(v, "no longer listed") || strings.HasPrefix(v, "added outside plumb")
}

// retainedLabel says what plumb does with a kept element, from whether
// someone else added it and whether it has a timeout in the kernel.
func retainedLabel(outside, expires bool) string {
	switch {
	case outside && expires:
		return outsideExpiring
	case outside:
		return outsideNoExpiry
	case expires:
		return leftToExpire
	}
	return leftNoExpiry
}

// outcome is the block list a configuration asks for against what was
// blocked before.
type outcome struct {
	blocked  map[string]string
	withheld map[string]string
}

// desire works out which addresses to block and which not, and why:
//   - an address that overlaps a protected network is withheld;
//   - an address inside another listed network is withheld (the network
//     is blocked as a whole, and a set cannot hold both);
//   - past max, the lowest counts are withheld;
//   - an address blocked before and no longer listed is kept (until it
//     expires) unless prune is set, it is now protected, it overlaps an
//     address now blocked, or the set is full.
func desire(want []wanted, prior map[string]string, protect []protected, max int, prune bool, hasTimeout bool) outcome {
	o := outcome{blocked: map[string]string{}, withheld: map[string]string{}}
	var ok []wanted
	for _, w := range want {
		if p, hit := overlapsProtected(prefixSpan(w.net), protect); hit {
			o.withheld[w.key] = fmt.Sprintf("not blocked: overlaps %s (%s)", prefixKey(p.net), p.why)
			continue
		}
		ok = append(ok, w)
	}
	// A network listed together with addresses inside it wins.
	nets := make(map[netip.Prefix]string, len(ok))
	for _, w := range ok {
		nets[w.net] = w.key
	}
	var flat []wanted
	for _, w := range ok {
		if outer, inside := supernetIn(w.net, nets); inside {
			o.withheld[w.key] = fmt.Sprintf("not blocked on its own: inside %s, which is listed too", outer)
			continue
		}
		flat = append(flat, w)
	}
	slices.SortFunc(flat, func(a, b wanted) int {
		if a.count != b.count {
			return cmp.Compare(b.count, a.count)
		}
		return cmp.Compare(a.key, b.key)
	})
	for i, w := range flat {
		if i >= max {
			o.withheld[w.key] = fmt.Sprintf("not blocked: max_entries = %d keeps the %d worst, and this one ranks %d of %d (count %d)",
				max, max, i+1, len(flat), w.count)
			continue
		}
		o.blocked[w.key] = w.evidence
	}
	// Addresses blocked before and no longer listed. One that overlaps an
	// address or network now blocked goes at once, in the same transaction
	// that adds the new one: that is how a block widens from an address to
	// its network, or narrows back.
	var blockedSpans []keyedSpan
	for _, w := range flat[:min(len(flat), max)] {
		blockedSpans = append(blockedSpans, keyedSpan{prefixSpan(w.net), w.key})
	}
	now := newSpanSet(blockedSpans)
	var keep []string
	for k, v := range prior {
		if _, listed := o.blocked[k]; listed || prune {
			continue
		}
		if sp, err := parseSpan(k); err == nil {
			if _, hit := overlapsProtected(sp, protect); hit {
				continue
			}
			if _, hit := now.overlapping(sp); hit {
				continue
			}
		}
		if !isRetained(v) {
			v = leftNoExpiry
			if hasTimeout {
				v = leftToExpire
			}
		}
		o.blocked[k] = v
		keep = append(keep, k)
	}
	// Kept addresses never push the set past max_entries.
	if over := len(o.blocked) - max; over > 0 {
		slices.Sort(keep)
		for _, k := range keep[len(keep)-over:] {
			delete(o.blocked, k)
		}
	}
	return o
}

// overlapsProtected returns the protected network s overlaps, if any.
func overlapsProtected(s span, protect []protected) (protected, bool) {
	for _, p := range protect {
		if prefixSpan(p.net).overlaps(s) {
			return p, true
		}
	}
	return protected{}, false
}

// supernetIn reports whether a network strictly wider than n, holding
// it, is in nets, and returns its key.
func supernetIn(n netip.Prefix, nets map[netip.Prefix]string) (string, bool) {
	for bits := n.Bits() - 1; bits >= 0; bits-- {
		p, _ := n.Addr().Prefix(bits)
		if k, ok := nets[p]; ok {
			return k, true
		}
	}
	return "", false
}
