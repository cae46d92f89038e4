package netfilter

import (
	"context"
	"fmt"
	"math/big"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// Defaults of the optional attributes.
const (
	defaultChain      = "input"
	defaultPriority   = -10
	defaultSetV4      = "blocked_v4"
	defaultSetV6      = "blocked_v6"
	defaultMaxEntries = 10000
)

// blocklist is the resource type nftables_blocklist.
type blocklist struct {
	nft    *nft
	verify *verifier
	schema providers.Schema
	null   cty.Value
	// now is the clock, which tests may set.
	now func() time.Time
}

var (
	_ providers.Resource        = (*blocklist)(nil)
	_ providers.ConfigValidator = (*blocklist)(nil)
)

func newBlocklist(n *nft, v *verifier) *blocklist {
	str := func(desc string) *providers.Attribute {
		return &providers.Attribute{Type: cty.String, Optional: true, Computed: true, Description: desc}
	}
	s := providers.Schema{
		Description: "An nftables table of the inet family that drops traffic from listed addresses and networks.",
		Attributes: map[string]*providers.Attribute{
			"table": {Type: cty.String, Required: true,
				Description: "Name of the inet table plumb creates and owns, such as \"plumb_blocklist\". plumb refuses to take over a table it did not create."},
			"chain":  str("Name of the chain (hook input) holding the drop rules; default \"input\"."),
			"set_v4": str("Name of the set of IPv4 addresses and networks; default \"blocked_v4\"."),
			"set_v6": str("Name of the set of IPv6 addresses and networks; default \"blocked_v6\"."),
			"priority": {Type: cty.Number, Optional: true, Computed: true,
				Description: "Priority of the input hook; default -10, before the usual filter chains."},
			"addresses": {Type: cty.Set(cty.String), Required: true,
				Description: "Addresses and networks (CIDR) to block, IPv4 and IPv6; such as data.access_log_offenders.web.addresses."},
			"evidence": {Type: cty.Map(cty.String), Optional: true,
				Description: "Why each address is listed, keyed by address; the plan shows it beside each address added."},
			"counts": {Type: cty.Map(cty.Number), Optional: true,
				Description: "How bad each address is (requests, connections), keyed by address: when there are more than max_entries, the highest are kept."},
			"timeout": {Type: cty.String, Optional: true,
				Description: "How long a block lasts, such as \"1h\"; an address listed again when apply runs is blocked for another timeout. Without it blocks last until removed."},
			"bans": {Type: cty.Map(cty.String), Optional: true,
				Description: "How long to block particular addresses, keyed by address, instead of timeout: such as data.access_log_offenders.web.bans (each rule's ban)."},
			"repeat_factor": {Type: cty.Number, Optional: true,
				Description: "A repeat offender (an address blocked again after its block ended) is blocked this many times longer for each earlier offence, as fail2ban's bantime.factor; default 2, and 1 keeps every ban the same."},
			"max_ban": {Type: cty.String, Optional: true,
				Description: "The longest a repeat offender's ban grows, such as \"1w\"; default a week (fail2ban's recidive jail)."},
			"never_block": {Type: cty.List(cty.String), Optional: true,
				Description: "Networks never to block, such as your office, and search-engine crawlers by name (googlebot, bingbot, applebot, yandexbot): an address is let through as one only when forward-confirmed reverse DNS proves it. Loopback, this host's own addresses, the next hops of its default routes and its name servers (resolv.conf) are always protected."},
			"trusted_proxies": {Type: cty.List(cty.String), Optional: true,
				Description: "Reverse proxies and load balancers in front of this host (addresses or networks): never blocked, since blocking one blocks everyone behind it. Give the same list to access_log_offenders so it counts the clients behind them."},
			"allow_mass_change": {Type: cty.Bool, Optional: true,
				Description: "Allow networks wider than /16 (IPv4) or /32 (IPv6) and multicast, broadcast, unspecified or reserved addresses, which are refused otherwise (as -allow-mass-change does for the whole run)."},
			"max_entries": {Type: cty.Number, Optional: true, Computed: true,
				Description: "The most addresses the sets hold; default 10000. Past it the addresses with the highest counts are kept."},
			"prune": {Type: cty.Bool, Optional: true,
				Description: "Remove addresses no longer listed at once; by default they stay until their timeout ends."},
			"blocked": {Type: cty.Map(cty.String), Computed: true, DerivedFrom: []string{"addresses"},
				Description: "What the sets hold: each address with its evidence, or why it is still there."},
			"withheld": {Type: cty.Map(cty.String), Computed: true, DerivedFrom: []string{"addresses"},
				Description: "Listed addresses that are not blocked, each with the reason (never_block, max_entries, inside a listed network)."},
			"offences": {Type: cty.Map(cty.Number), Computed: true, DerivedFrom: []string{"addresses"},
				Description: "How many times each address has been blocked: the memory of repeat offenders, kept after their blocks end."},
			"unbanned": {Type: cty.Map(cty.String), Computed: true, DerivedFrom: []string{"addresses"},
				Description: "Addresses lifted with plumb unban, with when: not blocked again until a run no longer lists them (their old requests left the log's window) and they offend anew."},
			"expires": {Type: cty.Map(cty.String), Computed: true, DerivedFrom: []string{"addresses"},
				Description: "When each block ends (RFC 3339; \"never\" without a timeout): what plumb restore puts back after a reboot."},
		},
	}
	return &blocklist{nft: n, verify: v, schema: s, null: cty.NullVal(s.ImpliedType()), now: time.Now}
}

// Schema describes nftables_blocklist.
func (b *blocklist) Schema() providers.Schema { return b.schema }

// settings is a decoded configuration (or state).
type settings struct {
	table, chain, setV4, setV6 string
	priority                   int64
	timeout                    int64 // seconds; 0 for none
	maxEntries                 int
	prune                      bool
	want                       []wanted
	neverBlock                 []netip.Prefix
	trustedProxies             []netip.Prefix
	allowMassChange            bool
	crawlers                   []crawler
	bans                       map[string]int64 // seconds, by address key
	repeatFactor               float64
	maxBan                     int64 // seconds
}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// decode reads the configuration, applying defaults.
func (b *blocklist) decode(v cty.Value) (settings, hcl.Diagnostics) {
	s := settings{chain: defaultChain, setV4: defaultSetV4, setV6: defaultSetV6, priority: defaultPriority, maxEntries: defaultMaxEntries,
		repeatFactor: defaultRepeatFactor, maxBan: defaultMaxBan, bans: map[string]int64{}}
	var diags hcl.Diagnostics
	for _, f := range []struct {
		attr string
		dst  *string
	}{{"table", &s.table}, {"chain", &s.chain}, {"set_v4", &s.setV4}, {"set_v6", &s.setV6}} {
		a := v.GetAttr(f.attr)
		if a.IsNull() {
			continue
		}
		*f.dst = a.AsString()
		if !nameRE.MatchString(*f.dst) {
			diags = diags.Extend(providers.AttributeErrorf(f.attr, "Invalid "+f.attr,
				"%s = %q: use letters, digits and underscores, starting with a letter, at most 64 characters.", f.attr, *f.dst))
		}
	}
	if s.setV4 == s.setV6 {
		diags = diags.Extend(providers.AttributeErrorf("set_v6", "set_v4 and set_v6 are the same",
			"The IPv4 and IPv6 addresses need a set each; give them different names."))
	}
	if p := v.GetAttr("priority"); !p.IsNull() {
		n, acc := p.AsBigFloat().Int64()
		if acc != big.Exact || n < -400 || n > 400 {
			diags = diags.Extend(providers.AttributeErrorf("priority", "Invalid priority",
				"priority must be a whole number from -400 to 400; -10 runs before the usual filter chains (priority 0)."))
		}
		s.priority = n
	}
	if t := v.GetAttr("timeout"); !t.IsNull() {
		d, dd := providers.DurationAttr(v, "timeout", "timeout")
		diags = diags.Extend(dd)
		if !dd.HasErrors() && (d < time.Second || d%time.Second != 0) {
			diags = diags.Extend(providers.AttributeErrorf("timeout", "Invalid timeout",
				"timeout = %q: nftables counts timeouts in whole seconds; give 1s or more in whole seconds, such as \"90s\", \"30m\" or \"1d\".", t.AsString()))
		}
		s.timeout = int64(d / time.Second)
	}
	if m := v.GetAttr("max_entries"); !m.IsNull() {
		n, acc := m.AsBigFloat().Int64()
		if acc != big.Exact || n < 1 || n > 1<<20 {
			diags = diags.Extend(providers.AttributeErrorf("max_entries", "Invalid max_entries",
				"max_entries must be a whole number from 1 to 1048576."))
		}
		s.maxEntries = int(n)
	}
	s.prune = v.GetAttr("prune").True()
	s.allowMassChange = v.GetAttr("allow_mass_change").True()
	for _, l := range []struct {
		attr string
		dst  *[]netip.Prefix
	}{{"never_block", &s.neverBlock}, {"trusted_proxies", &s.trustedProxies}} {
		for _, e := range providers.Strings(v.GetAttr(l.attr)) {
			if c, ok := crawlerNamed(e); ok && l.attr == "never_block" {
				s.crawlers = append(s.crawlers, c)
				continue
			}
			p, err := parsePrefix(e)
			if err != nil {
				also := ""
				if l.attr == "never_block" {
					also = ", or a crawler: " + crawlerNames()
				}
				diags = diags.Extend(providers.AttributeErrorf(l.attr, "Invalid "+l.attr+" entry",
					"%v. Give addresses or networks in CIDR form, such as \"192.0.2.0/24\"%s.", err, also))
				continue
			}
			*l.dst = append(*l.dst, p)
		}
	}
	if f := v.GetAttr("repeat_factor"); !f.IsNull() {
		x, _ := f.AsBigFloat().Float64()
		if x < 1 || x > 100 {
			diags = diags.Extend(providers.AttributeErrorf("repeat_factor", "Invalid repeat_factor",
				"repeat_factor must be from 1 (every ban the same) to 100; 2 doubles a ban at each repeat."))
		}
		s.repeatFactor = x
	}
	if m := v.GetAttr("max_ban"); !m.IsNull() {
		d, dd := providers.DurationAttr(v, "max_ban", "max_ban")
		diags = diags.Extend(dd)
		if !dd.HasErrors() && d < time.Second {
			diags = diags.Extend(providers.AttributeErrorf("max_ban", "Invalid max_ban", "max_ban must be at least a second, such as \"1w\"."))
		}
		s.maxBan = int64(d / time.Second)
	}
	if bans := v.GetAttr("bans"); !bans.IsNull() {
		for k, e := range providers.StringMap(bans) {
			p, err := parsePrefix(k)
			d, derr := providers.ParseDuration(e)
			if err != nil || derr != nil || d < time.Second || d%time.Second != 0 {
				diags = diags.Extend(providers.AttributeErrorf("bans", "Invalid bans entry",
					"bans[%q] = %q: give an address or network and a whole number of seconds or more, such as \"2h\".", k, e))
				continue
			}
			s.bans[prefixKey(p)] = int64(d / time.Second)
		}
	}
	evidence, counts := v.GetAttr("evidence"), v.GetAttr("counts")
	lookup := func(m cty.Value, keys ...string) (cty.Value, bool) {
		if m.IsNull() {
			return cty.NilVal, false
		}
		for _, k := range keys {
			if e := cty.StringVal(k); m.HasIndex(e).True() {
				return m.Index(e), true
			}
		}
		return cty.NilVal, false
	}
	var bad []string
	seen := map[string]bool{}
	for it := v.GetAttr("addresses").ElementIterator(); it.Next(); {
		_, e := it.Element()
		raw := e.AsString()
		p, err := parsePrefix(raw)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		w := wanted{key: prefixKey(p), net: p, evidence: "listed in configuration"}
		if seen[w.key] {
			continue
		}
		seen[w.key] = true
		if ev, ok := lookup(evidence, raw, w.key); ok && !ev.IsNull() {
			w.evidence = ev.AsString()
		}
		if c, ok := lookup(counts, raw, w.key); ok && !c.IsNull() {
			w.count, _ = c.AsBigFloat().Int64()
		}
		s.want = append(s.want, w)
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		diags = diags.Extend(providers.AttributeErrorf("addresses", "Invalid addresses",
			"%s. List IPv4 or IPv6 addresses, or networks in CIDR form such as \"203.0.113.0/24\".", strings.Join(bad, "; ")))
	}
	return s, diags
}

// ValidateConfig checks names, durations, numbers and addresses.
func (b *blocklist) ValidateConfig(_ context.Context, config cty.Value) hcl.Diagnostics {
	if config.IsNull() || !config.IsWhollyKnown() {
		return nil
	}
	_, diags := b.decode(config)
	return diags
}

// Plan proposes the block list: the configured attributes, defaults, and
// blocked and withheld as desire works them out against the prior
// state. It warns about addresses newly withheld, naming why.
func (b *blocklist) Plan(ctx context.Context, req providers.PlanRequest) providers.PlanResponse {
	if req.Config.IsNull() {
		return providers.PlanResponse{Planned: b.null}
	}
	if !req.Config.IsWhollyKnown() {
		resp := providers.DefaultPlan(b.schema, req)
		m := resp.Planned.AsValueMap()
		for _, k := range []string{"blocked", "withheld", "unbanned", "expires"} {
			m[k] = cty.UnknownVal(cty.Map(cty.String))
		}
		m["offences"] = cty.UnknownVal(cty.Map(cty.Number))
		resp.Planned = cty.ObjectVal(m)
		return resp
	}
	s, diags := b.decode(req.Config)
	if diags.HasErrors() {
		return providers.PlanResponse{Planned: b.null, Diagnostics: diags}
	}
	// A refusal goes with the full plan: the engine lets it through as a
	// warning under -allow-mass-change.
	diags = diags.Extend(guard(s.want, s.allowMassChange))
	facts, err := b.nft.hostFacts(ctx)
	if err != nil {
		return providers.PlanResponse{Planned: b.null, Diagnostics: providers.Errorf("Cannot list this host's addresses and routes",
			"%v. plumb needs them to be sure it never cuts the host off: its own addresses, default gateways and name servers.", err)}
	}
	prior := map[string]string{}
	priorWithheld := map[string]string{}
	offences, unbanned, expires := map[string]int64{}, map[string]string{}, map[string]string{}
	if !req.Prior.IsNull() {
		prior = providers.StringMap(req.Prior.GetAttr("blocked"))
		priorWithheld = providers.StringMap(req.Prior.GetAttr("withheld"))
		offences = numberMap(req.Prior.GetAttr("offences"))
		unbanned = providers.StringMap(req.Prior.GetAttr("unbanned"))
		expires = providers.StringMap(req.Prior.GetAttr("expires"))
	}
	// Lifted by plumb unban: withheld while still listed, gone from the
	// sets now, and forgotten once a run no longer lists them.
	var want []wanted
	lifted := map[string]string{}
	for _, w := range s.want {
		if at, ok := unbanned[w.key]; ok {
			lifted[w.key] = at
			continue
		}
		want = append(want, w)
	}
	live := maps(prior)
	for k := range unbanned {
		delete(live, k)
	}
	verified := b.verify.verifyCrawlers(ctx, want, s.crawlers)
	o := desire(filterWanted(want, verified), live, protections(facts, s.trustedProxies, s.neverBlock), s.maxEntries, s.prune, s.timeout > 0)
	for k, why := range verified {
		o.withheld[k] = why
	}
	for k, at := range lifted {
		o.withheld[k] = fmt.Sprintf("not blocked: lifted with plumb unban at %s; blocked again once a run no longer lists it and it offends anew", at)
	}
	offences = s.countOffences(o.blocked, live, offences, expires, b.now())
	m := req.Config.AsValueMap()
	m["chain"] = cty.StringVal(s.chain)
	m["set_v4"] = cty.StringVal(s.setV4)
	m["set_v6"] = cty.StringVal(s.setV6)
	m["priority"] = cty.NumberIntVal(s.priority)
	m["max_entries"] = cty.NumberIntVal(int64(s.maxEntries))
	m["blocked"] = providers.StringMapVal(o.blocked)
	m["withheld"] = providers.StringMapVal(o.withheld)
	m["offences"] = numberMapVal(offences)
	m["unbanned"] = providers.StringMapVal(lifted)
	// expires is known when nothing else changes: then no block starts
	// or is renewed. Otherwise the clock decides it.
	m["expires"] = cty.UnknownVal(cty.Map(cty.String))
	if !req.Prior.IsNull() {
		pm := req.Prior.AsValueMap()
		m["expires"] = pm["expires"]
		if cty.ObjectVal(m).RawEquals(req.Prior) {
			m["expires"] = providers.StringMapVal(keepKeys(expires, o.blocked))
		} else {
			m["expires"] = cty.UnknownVal(cty.Map(cty.String))
		}
	}
	planned := cty.ObjectVal(m)
	if !req.Prior.IsNull() && planned.RawEquals(req.Prior) {
		planned = req.Prior
	}
	return providers.PlanResponse{Planned: planned, Diagnostics: diags.Extend(withheldWarning(o.withheld, priorWithheld))}
}

// filterWanted leaves out the addresses in drop.
func filterWanted(want []wanted, drop map[string]string) []wanted {
	if len(drop) == 0 {
		return want
	}
	out := make([]wanted, 0, len(want))
	for _, w := range want {
		if _, ok := drop[w.key]; !ok {
			out = append(out, w)
		}
	}
	return out
}

// keepKeys returns the entries of m whose keys are in keys.
func keepKeys(m, keys map[string]string) map[string]string {
	out := map[string]string{}
	for k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// withheldWarning names the addresses newly withheld and why.
func withheldWarning(now, before map[string]string) hcl.Diagnostics {
	var lines []string
	for k, why := range now {
		if before[k] != why {
			lines = append(lines, k+": "+why)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	sort.Strings(lines)
	return providers.Warnf(fmt.Sprintf("%d listed address(es) will not be blocked", len(now)),
		"%s", providers.JoinFirst(lines, 10, " (see withheld in the plan)"))
}
