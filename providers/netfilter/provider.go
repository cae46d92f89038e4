// Package netfilter is the provider named "netfilter": block lists kept
// in the kernel's nftables.
//
// Its one resource type, nftables_blocklist, owns one table of the inet
// family: an input chain with a drop rule for each of two sets (IPv4 and
// IPv6) of addresses and networks. Every change is one `nft -f`
// transaction, so a failure changes nothing. Addresses may carry a
// timeout and then expire by themselves; an address listed again is
// refreshed. The host's own addresses, loopback and never_block are never
// blocked, and max_entries keeps the worst offenders when there are more;
// the plan says for each address why it was added (its evidence) or why
// it was not (withheld).
//
// plumb marks the sets it creates with a comment and never deletes or
// changes a table that lacks that mark.
package netfilter

import (
	"context"
	"net/netip"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Name is the provider's name, under which cmd/plumb registers New.
const Name = "netfilter"

type provider struct {
	host   *host.Slot
	nft    *nft
	verify *verifier
	res    map[string]providers.Resource
}

var (
	_ providers.Provider = (*provider)(nil)
	_ providers.Closer   = (*provider)(nil)
)

// New returns the provider named "netfilter" (Name), serving the resource
// type nftables_blocklist. Its optional configuration is netns, the
// network namespace (as `ip netns` names it) whose nftables to manage,
// and the ssh block naming the host (package host).
func New() providers.Provider {
	h := &host.Slot{}
	p := &provider{host: h, nft: &nft{host: h}, verify: &verifier{resolver: newResolver("")}}
	p.res = map[string]providers.Resource{"nftables_blocklist": newBlocklist(p.nft, p.verify)}
	return p
}

// Schema describes the provider's configuration.
func (p *provider) Schema() providers.Schema {
	return providers.Schema{
		Description: "Block lists in the kernel's nftables, changed with the nft command (Debian package nftables), on this machine or one reached over SSH (which needs root there: log in as root, or set sudo).",
		Blocks:      map[string]*providers.Block{host.BlockName: host.Block()},
		Attributes: map[string]*providers.Attribute{
			"netns": {Type: cty.String, Optional: true,
				Description: "Manage the nftables of this network namespace (as `ip netns list` names it) instead of the host's; nft then runs through `ip netns exec`."},
			"dns_server": {Type: cty.String, Optional: true,
				Description: "The DNS server (IP:PORT) that verifies crawlers named in never_block; default the system resolver of the machine plumb runs on."},
		},
	}
}

// Configure reads netns, and connects to the host the ssh block names, if
// any.
func (p *provider) Configure(ctx context.Context, req providers.ConfigureRequest) providers.ConfigureResponse {
	if req.Config.IsNull() || !req.Config.IsKnown() {
		return providers.ConfigureResponse{}
	}
	if ns := req.Config.GetAttr("netns"); ns.IsKnown() && !ns.IsNull() {
		if ns.AsString() == "" {
			return providers.ConfigureResponse{Diagnostics: providers.AttributeErrorf("netns", "Empty netns",
				"netns is the empty string; name a network namespace from `ip netns list`, or leave netns out to manage this host.")}
		}
		p.nft.netns = ns.AsString()
	}
	if !req.Config.Type().HasAttribute("dns_server") {
		return providers.ConfigureResponse{Diagnostics: p.host.Configure(ctx, req.Config)}
	}
	if d := req.Config.GetAttr("dns_server"); d.IsKnown() && !d.IsNull() {
		if _, err := netip.ParseAddrPort(d.AsString()); err != nil {
			return providers.ConfigureResponse{Diagnostics: providers.AttributeErrorf("dns_server", "Invalid dns_server",
				"dns_server = %q: give the server as IP:PORT, such as \"192.0.2.53:53\" or \"[2001:db8::53]:53\".", d.AsString())}
		}
		p.verify.resolver = newResolver(d.AsString())
	}
	return providers.ConfigureResponse{Diagnostics: p.host.Configure(ctx, req.Config)}
}

// Close lets go of the host.
func (p *provider) Close() error { return p.host.Close() }

// Resources returns the provider's resource types. The map is shared;
// callers must not change it.
func (p *provider) Resources() map[string]providers.Resource { return p.res }

// DataSources returns none.
func (p *provider) DataSources() map[string]providers.DataSource { return nil }
