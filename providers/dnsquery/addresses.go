package dnsquery

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/miekg/dns"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// DefaultTimeout bounds a dns_addresses lookup unless timeout says
// otherwise.
const DefaultTimeout = 5 * time.Second

// maxTimeout is the longest timeout accepted.
const maxTimeout = 5 * time.Minute

// addresses is the data source dns_addresses.
type addresses struct {
	schema providers.Schema
	res    *resolver
}

var (
	_ providers.DataSource      = (*addresses)(nil)
	_ providers.ConfigValidator = (*addresses)(nil)
)

func newAddresses(res *resolver) *addresses {
	list := cty.List(cty.String)
	return &addresses{res: res, schema: providers.Schema{
		Description: "The addresses a name resolves to at plan time.",
		Attributes: map[string]*providers.Attribute{
			"name": {Type: cty.String, Required: true,
				Description: "The name to resolve, such as office.example.org."},
			"types": {Type: list, Optional: true,
				Description: `Record types to ask for: "A", "AAAA" or both; default both.`},
			"server": {Type: cty.String, Optional: true,
				Description: `The DNS server to ask, as IP or IP:PORT, such as "127.0.0.1:5353" or "[2001:db8::53]:53"; default the system resolver.`},
			"timeout": {Type: cty.String, Optional: true,
				Description: `How long the lookup may take, as a duration such as "5s" (the default) or "500ms".`},
			"ipv4": {Type: list, Computed: true,
				Description: "The IPv4 addresses (A records), sorted."},
			"ipv6": {Type: list, Computed: true,
				Description: "The IPv6 addresses (AAAA records), sorted."},
			"addresses": {Type: list, Computed: true,
				Description: "ipv4 followed by ipv6. Never empty: finding no address is an error."},
		},
	}}
}

// Schema describes dns_addresses.
func (d *addresses) Schema() providers.Schema { return d.schema }

// settings is a decoded, checked configuration.
type settings struct {
	name    string // fully qualified, lower case
	qtypes  []uint16
	server  string // host:port, or systemServer
	timeout time.Duration
}

// ValidateConfig checks the name, types, server and timeout. Unknown
// values are not checked.
func (d *addresses) ValidateConfig(_ context.Context, config cty.Value) hcl.Diagnostics {
	_, diags := decode(config)
	return diags
}

// decode checks a configuration and returns its settings; ok is false when
// a value is unknown or wrong.
func decode(config cty.Value) (settings, hcl.Diagnostics) {
	s := settings{server: systemServer, timeout: DefaultTimeout, qtypes: []uint16{dns.TypeA, dns.TypeAAAA}}
	if config.IsNull() || !config.IsWhollyKnown() {
		return s, nil
	}
	var diags hcl.Diagnostics
	if v := config.GetAttr("name"); !v.IsNull() {
		name, err := checkName(v.AsString())
		if err != nil {
			diags = diags.Extend(providers.AttributeErrorf("name", "Invalid dns_addresses name", "%v.", err))
		}
		s.name = name
	}
	if v := config.GetAttr("types"); !v.IsNull() {
		qtypes, err := checkTypes(v)
		if err != nil {
			diags = diags.Extend(providers.AttributeErrorf("types", "Invalid dns_addresses types", `%v. Write types = ["A"], ["AAAA"] or ["A", "AAAA"].`, err))
		}
		s.qtypes = qtypes
	}
	if v := config.GetAttr("server"); !v.IsNull() {
		server, err := checkServer(v.AsString())
		if err != nil {
			diags = diags.Extend(providers.AttributeErrorf("server", "Invalid dns_addresses server",
				`server = %q: %v. Give an IP address with an optional port, such as "127.0.0.1:5353" or "[2001:db8::53]:53", or leave server out to use the system resolver.`, v.AsString(), err))
		}
		s.server = server
	}
	if v := config.GetAttr("timeout"); !v.IsNull() {
		t, d := providers.DurationAttr(config, "timeout", "timeout")
		diags = diags.Extend(d)
		if !d.HasErrors() && (t <= 0 || t > maxTimeout) {
			diags = diags.Extend(providers.AttributeErrorf("timeout", "Invalid dns_addresses timeout",
				`timeout = %q: it must be more than 0 and at most %s, such as "5s" or "500ms".`, v.AsString(), maxTimeout))
		}
		s.timeout = t
	}
	return s, diags
}

// checkName returns name fully qualified and in lower case.
func checkName(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("name is empty; give the name to resolve, such as office.example.org")
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return "", fmt.Errorf("%q is already an IP address; use it directly instead of resolving it", name)
	}
	if _, ok := dns.IsDomainName(name); !ok || strings.ContainsAny(name, " \t\n") {
		return "", fmt.Errorf("%q is not a valid DNS name", name)
	}
	return dns.CanonicalName(name), nil
}

// checkTypes reads a list of record types.
func checkTypes(v cty.Value) ([]uint16, error) {
	if v.LengthInt() == 0 {
		return nil, fmt.Errorf("types is empty")
	}
	var out []uint16
	seen := map[uint16]bool{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			return nil, fmt.Errorf("types holds a null")
		}
		var t uint16
		switch e.AsString() {
		case "A":
			t = dns.TypeA
		case "AAAA":
			t = dns.TypeAAAA
		default:
			return nil, fmt.Errorf("%q is not a record type this data source resolves", e.AsString())
		}
		if seen[t] {
			return nil, fmt.Errorf("%q is listed twice", e.AsString())
		}
		seen[t] = true
		out = append(out, t)
	}
	return out, nil
}

// checkServer returns the server as IP:PORT, port 53 by default.
func checkServer(s string) (string, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return "", fmt.Errorf("zones are not supported")
		}
		return netip.AddrPortFrom(a, 53).String(), nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		host, _, serr := net.SplitHostPort(s)
		if _, perr := netip.ParseAddr(host); serr == nil && host != "" && perr != nil {
			return "", fmt.Errorf("%q is not an IP address; name the server by its address", host)
		}
		return "", fmt.Errorf("not an IP address or IP:PORT")
	}
	if ap.Port() == 0 {
		return "", fmt.Errorf("port 0 is not a server's port")
	}
	return ap.String(), nil
}

// Read resolves the name, asking for each type at once, and returns the
// addresses found. Finding none, and any failure other than a type the
// name has no records of, is an error.
func (d *addresses) Read(ctx context.Context, req providers.DataReadRequest) providers.DataReadResponse {
	null := cty.NullVal(d.schema.ImpliedType())
	s, diags := decode(req.Config)
	if diags.HasErrors() {
		return providers.DataReadResponse{State: null, Diagnostics: diags}
	}
	if !req.Config.IsWhollyKnown() || s.name == "" {
		return providers.DataReadResponse{State: null, Diagnostics: providers.Errorf("dns_addresses is not known",
			"The name, types, server and timeout must be known before the lookup; they depend on values known only after apply.")}
	}
	found := make([][]netip.Addr, len(s.qtypes))
	errs := make([]error, len(s.qtypes))
	var wg sync.WaitGroup
	for i, t := range s.qtypes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			found[i], errs[i] = d.res.lookup(ctx, query{server: s.server, name: s.name, qtype: t, timeout: s.timeout})
		}()
	}
	wg.Wait()
	var v4, v6 []netip.Addr
	var empty []string
	for i, err := range errs {
		if le, ok := err.(*lookupError); ok && (le.kind == errNoData || le.kind == errNotFound) {
			if msg := le.Error(); len(empty) == 0 || empty[len(empty)-1] != msg {
				empty = append(empty, msg)
			}
			continue
		}
		if err != nil {
			diags = diags.Extend(lookupDiag(err))
			continue
		}
		for _, a := range found[i] {
			if a.Is4() {
				v4 = append(v4, a)
			} else {
				v6 = append(v6, a)
			}
		}
	}
	if diags.HasErrors() {
		return providers.DataReadResponse{State: null, Diagnostics: diags}
	}
	if len(v4)+len(v6) == 0 {
		return providers.DataReadResponse{State: null, Diagnostics: providers.AttributeErrorf("name",
			"No addresses for "+strings.TrimSuffix(s.name, "."),
			"%s. plumb never treats a lookup that finds nothing as an empty list, so nothing built from these addresses was planned. %s",
			strings.Join(empty, "; "), errNotFound.advice())}
	}
	v4, v6 = sortUnique(v4), sortUnique(v6)
	all := append(append([]netip.Addr(nil), v4...), v6...)
	m := req.Config.AsValueMap()
	m["ipv4"], m["ipv6"], m["addresses"] = addrList(v4), addrList(v6), addrList(all)
	return providers.DataReadResponse{State: cty.ObjectVal(m)}
}

// lookupDiag turns a failed lookup into an error diagnostic saying what to
// do.
func lookupDiag(err error) hcl.Diagnostics {
	attr, kind := "name", errFailed
	if le, ok := err.(*lookupError); ok {
		kind = le.kind
		if (kind == errTimeout || kind == errFailed) && le.q.server != systemServer {
			attr = "server"
		}
	}
	summary := "DNS lookup failed"
	if kind == errNotAddress {
		summary = "DNS answer is not an address"
	}
	return providers.AttributeErrorf(attr, summary,
		"%v. plumb never treats a failed lookup as an empty list, so nothing built from these addresses was planned. %s", err, kind.advice())
}

func sortUnique(addrs []netip.Addr) []netip.Addr {
	sort.Slice(addrs, func(i, j int) bool { return addrs[i].Less(addrs[j]) })
	out := addrs[:0]
	for i, a := range addrs {
		if i == 0 || a != addrs[i-1] {
			out = append(out, a)
		}
	}
	return out
}

func addrList(addrs []netip.Addr) cty.Value {
	if len(addrs) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(addrs))
	for i, a := range addrs {
		vals[i] = cty.StringVal(a.String())
	}
	return cty.ListVal(vals)
}
