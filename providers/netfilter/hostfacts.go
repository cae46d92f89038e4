package netfilter

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/plumbhq/plumb/providers/host"
)

// The facts about the host that a block list must never cut it off from,
// besides its own addresses (hostAddrs): the next hops of its default
// routes, and the name servers it asks.

// gateways returns the next hop of every default route, IPv4 and IPv6
// (each hop of a multipath route), with the device it leaves by.
func (n *nft) gateways(ctx context.Context) ([]hostAddr, error) {
	var out []hostAddr
	for _, family := range []string{"-4", "-6"} {
		b, err := n.output(ctx, "ip", "-j", family, "route", "show", "default")
		if err != nil {
			return nil, fmt.Errorf("listing the default routes%s with ip -j route: %w", n.where(), err)
		}
		hops, err := parseDefaultRoutes(b)
		if err != nil {
			return nil, err
		}
		out = append(out, hops...)
	}
	return out, nil
}

// parseDefaultRoutes reads `ip -j route show default`.
func parseDefaultRoutes(b []byte) ([]hostAddr, error) {
	type hop struct {
		Gateway string `json:"gateway"`
		Dev     string `json:"dev"`
		Via     *struct {
			Host string `json:"host"`
		} `json:"via"`
	}
	var routes []struct {
		hop
		Nexthops []hop `json:"nexthops"`
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(b, &routes); err != nil {
		return nil, fmt.Errorf("reading ip -j route output: %w", err)
	}
	var out []hostAddr
	add := func(h hop) {
		g := h.Gateway
		if g == "" && h.Via != nil {
			g = h.Via.Host
		}
		if a, err := netip.ParseAddr(g); err == nil {
			out = append(out, hostAddr{a.Unmap().WithZone(""), h.Dev})
		}
	}
	for _, r := range routes {
		add(r.hop)
		for _, h := range r.Nexthops {
			add(h)
		}
	}
	return out, nil
}

// resolvConfs are the files that name the host's DNS servers: the usual
// one, and the upstream servers behind systemd-resolved's stub.
var resolvConfs = []string{"/etc/resolv.conf", "/run/systemd/resolve/resolv.conf"}

// resolvers returns the name servers of the host's resolver
// configuration (inside the namespace when there is one: `ip netns exec`
// shows /etc/netns/NAME/resolv.conf there). A missing file names none.
func (n *nft) resolvers(ctx context.Context) ([]hostAddr, error) {
	var out []hostAddr
	for _, path := range resolvConfs {
		b, err := n.output(ctx, "cat", path)
		var exit *host.ExitError
		if errors.As(err, &exit) {
			continue // no such file: nothing named there
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s%s: %w", path, n.where(), err)
		}
		out = append(out, parseResolvConf(b, path)...)
	}
	return out, nil
}

// parseResolvConf reads the nameserver lines of a resolv.conf.
func parseResolvConf(b []byte, path string) []hostAddr {
	var out []hostAddr
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "nameserver" {
			continue
		}
		if a, err := netip.ParseAddr(f[1]); err == nil {
			out = append(out, hostAddr{a.Unmap().WithZone(""), path})
		}
	}
	return out
}

// where names the host and namespace in messages: " of network
// namespace X on HOST", " on HOST" or nothing for this machine.
func (n *nft) where() string {
	at := ""
	if h := n.host.Get().String(); h != host.Local().String() {
		at = " on " + h
	}
	if n.netns == "" {
		return at
	}
	return " of network namespace " + n.netns + at
}

// hostFacts gathers the host's addresses, default gateways and name
// servers.
func (n *nft) hostFacts(ctx context.Context) (hostFacts, error) {
	var h hostFacts
	var err error
	if h.addrs, err = n.hostAddrs(ctx); err != nil {
		return h, err
	}
	if h.gateways, err = n.gateways(ctx); err != nil {
		return h, err
	}
	h.resolvers, err = n.resolvers(ctx)
	return h, err
}
