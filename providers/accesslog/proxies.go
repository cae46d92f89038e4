package accesslog

import (
	"bytes"
	"net/netip"
)

// trustedProxies finds the real client of a request that came through
// reverse proxies: behind a proxy, the access log's first field is the
// proxy, and the client is in the X-Forwarded-For header, which each proxy
// extends with the address it got the request from. The header's left
// part is whatever the client sent, so it is read from the right: the
// first address that is not a trusted proxy is the client (the address
// the first trusted proxy saw). A request that does not come from a
// trusted proxy is counted for its own address, whatever its header
// says, since anyone can send one.
type trustedProxies struct{ nets []netip.Prefix }

func newTrustedProxies(nets []netip.Prefix) trustedProxies { return trustedProxies{nets: nets} }

// trusted reports whether a is a trusted proxy.
func (t trustedProxies) trusted(a netip.Addr) bool {
	for _, p := range t.nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// client returns the address a request is counted for.
func (t trustedProxies) client(l *line) addrKey {
	if len(t.nets) == 0 || len(l.forwarded) == 0 || !t.trusted(l.client.addr()) {
		return l.client
	}
	found := l.client
	rest := l.forwarded
	for len(rest) > 0 {
		part := rest
		if i := bytes.LastIndexByte(rest, ','); i >= 0 {
			part, rest = rest[i+1:], rest[:i]
		} else {
			rest = nil
		}
		k, ok := parseAddr(bytes.TrimSpace(part))
		if !ok {
			// "unknown", "-" or garbage: the request reached the last
			// trusted proxy from nobody plumb can name; count it there.
			return found
		}
		if !t.trusted(k.addr()) {
			return k
		}
		found = k
	}
	return found
}
