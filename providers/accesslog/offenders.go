package accesslog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// offendersSource is the data source access_log_offenders.
type offendersSource struct {
	host   *host.Slot
	schema providers.Schema
	null   cty.Value
}

var (
	_ providers.DataSource      = (*offendersSource)(nil)
	_ providers.ConfigValidator = (*offendersSource)(nil)
)

// exported are the computed attributes both data sources share.
func exported(what string) map[string]*providers.Attribute {
	return map[string]*providers.Attribute{
		"addresses": {Type: cty.List(cty.String), Computed: true,
			Description: "The offending " + what + ", worst first: the order nftables_blocklist keeps when max_entries cuts the list."},
		"counts": {Type: cty.Map(cty.Number), Computed: true,
			Description: "The count of each offender, keyed by address: nftables_blocklist ranks by it."},
		"evidence": {Type: cty.Map(cty.String), Computed: true,
			Description: "A sentence per offender saying what put it on the list, such as \"312 requests (6.9%) in access.log, 10m to 2024-11-23T23:16:26Z\"; nftables_blocklist shows it in the plan."},
	}
}

func newOffendersSource(h *host.Slot) *offendersSource {
	attrs := exported("client addresses (or networks, by = \"prefix\")")
	for k, v := range map[string]*providers.Attribute{
		"paths": {Type: cty.List(cty.String), Optional: true,
			Description: "Access logs to read: paths or glob patterns (\"/var/log/apache2/access.log*\" reads a rotated set, .gz included). A file written by journalctl -o export or -o cat is read too. Give paths, journal_units or both."},
		"journal_units": {Type: cty.List(cty.String), Optional: true,
			Description: "Read the access log from journald: the entries of these systemd units, such as [\"nginx.service\"] (for nginx's access_log syslog:..., or Apache piping to logger), through journalctl -o export."},
		"journal_directory": {Type: cty.String, Optional: true,
			Description: "With journal_units, read the journal files in this directory (journalctl --directory) instead of the system's journal."},
		"window": {Type: cty.String, Optional: true,
			Description: "Count only the last stretch of the log, such as \"10m\", measured back from the newest timestamp in it. Not with since or until."},
		"since": {Type: cty.String, Optional: true,
			Description: "Count requests at or after this time (RFC 3339, such as \"2024-11-23T22:00:00Z\")."},
		"until": {Type: cty.String, Optional: true,
			Description: "Count requests before this time (RFC 3339)."},
		"threshold": {Type: cty.Number, Optional: true,
			Description: "A client with at least this many requests in the window is an offender, whatever it asked for. Give a threshold, rule blocks, or both."},
		"by": {Type: cty.String, Optional: true,
			Description: "\"ip\" (the default) counts each address; \"prefix\" counts each /24 (IPv4) and /64 (IPv6) network, to catch a source spread over many addresses: a network at the threshold is listed when its requests come from at least 3 addresses and none sent more than half of them, otherwise its addresses at the threshold are listed one by one."},
		"trusted_proxies": {Type: cty.List(cty.String), Optional: true,
			Description: "Reverse proxies in front of the server (addresses or networks). A request from one is counted for the client its X-Forwarded-For header names (read from the right: the first address that is not a trusted proxy), which the log must record as the first quoted field after the user agent, as nginx's \"main\" format does."},
		"exclude_uris": {Type: cty.List(cty.String), Optional: true,
			Description: "Requests whose URI starts with one of these are not counted (health checks, static files)."},
		"exclude_agents": {Type: cty.List(cty.String), Optional: true,
			Description: "Requests whose user agent contains one of these (case-sensitively) are not counted (your own monitoring)."},
		"total_requests": {Type: cty.Number, Computed: true,
			Description: "Requests counted in the window, from every client."},
		"rules": {Type: cty.Map(cty.String), Computed: true,
			Description: "The rules that caught each address (comma-separated), keyed by address; absent for an address only the threshold caught."},
		"bans": {Type: cty.Map(cty.String), Computed: true,
			Description: "How long to block each address a rule with a ban caught (the longest of its rules), keyed by address: give it to nftables_blocklist's bans."},
		"malformed_lines": {Type: cty.Number, Computed: true,
			Description: "Lines that are not access-log lines; they are skipped."},
		"newest": {Type: cty.String, Computed: true,
			Description: "The newest timestamp counted (RFC 3339); empty when nothing was counted."},
	} {
		attrs[k] = v
	}
	s := providers.Schema{
		Description: "Clients with at least threshold requests in an Apache or nginx access log, or caught by an attack rule (rule blocks).",
		Attributes:  attrs,
		Blocks:      map[string]*providers.Block{"rule": RuleBlock},
	}
	return &offendersSource{host: h, schema: s, null: cty.NullVal(s.ImpliedType())}
}

// Schema describes access_log_offenders.
func (d *offendersSource) Schema() providers.Schema { return d.schema }

// offendersConfig is the decoded configuration.
type offendersConfig struct {
	paths     []string
	journal   Journal
	opts      Options
	threshold int64
	rules     []Rule
	byPrefix  bool
	window    string
}

// parseNets reads a list of addresses and networks (CIDR).
func parseNets(attr string, v cty.Value) ([]netip.Prefix, hcl.Diagnostics) {
	var out []netip.Prefix
	var diags hcl.Diagnostics
	for _, e := range providers.Strings(v) {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			a, err2 := netip.ParseAddr(e)
			if err2 != nil || a.Zone() != "" {
				diags = diags.Extend(providers.AttributeErrorf(attr, "Invalid "+attr+" entry",
					"%q is not an address or a network; write it as \"10.0.0.5\" or \"10.0.0.0/24\".", e))
				continue
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		out = append(out, p.Masked())
	}
	return out, diags
}

// decode reads the configuration; known is false when a value is not
// known yet (nothing to check or read).
func (d *offendersSource) decode(v cty.Value) (offendersConfig, bool, hcl.Diagnostics) {
	var c offendersConfig
	if !v.IsWhollyKnown() {
		return c, false, nil
	}
	var diags hcl.Diagnostics
	c.paths = providers.Strings(v.GetAttr("paths"))
	c.journal.Units = providers.Strings(v.GetAttr("journal_units"))
	if d := v.GetAttr("journal_directory"); !d.IsNull() {
		c.journal.Directory = d.AsString()
		if len(c.journal.Units) == 0 {
			diags = diags.Extend(providers.AttributeErrorf("journal_directory", "journal_directory without journal_units",
				"journal_directory says where the journal files are; name the units whose entries to read with journal_units, such as [\"nginx.service\"]."))
		}
	}
	if len(c.paths) == 0 && len(c.journal.Units) == 0 {
		diags = diags.Extend(providers.AttributeErrorf("paths", "No access log to read",
			"Give paths, the log files or patterns to read, such as [\"/var/log/apache2/access.log*\"], or journal_units, the systemd units whose journal holds the log, such as [\"nginx.service\"]."))
	}
	if w := v.GetAttr("window"); !w.IsNull() {
		c.window = w.AsString()
		dur, d := providers.DurationAttr(v, "window", "window")
		diags = diags.Extend(d)
		if !d.HasErrors() && dur <= 0 {
			diags = diags.Extend(providers.AttributeErrorf("window", "Invalid window",
				"window = %q: it must be more than zero, such as \"10m\", \"1h\" or \"90s\".", c.window))
		}
		c.opts.Window = dur
	}
	for _, name := range []string{"since", "until"} {
		a := v.GetAttr(name)
		if a.IsNull() {
			continue
		}
		t, err := time.Parse(time.RFC3339, a.AsString())
		if err != nil {
			diags = diags.Extend(providers.AttributeErrorf(name, "Invalid "+name,
				"%s = %q is not an RFC 3339 time; write it as \"2024-11-23T22:00:00Z\".", name, a.AsString()))
			continue
		}
		if name == "since" {
			c.opts.Since = t
		} else {
			c.opts.Until = t
		}
	}
	if c.opts.Window > 0 && (!c.opts.Since.IsZero() || !c.opts.Until.IsZero()) {
		diags = diags.Extend(providers.AttributeErrorf("window", "window with since or until",
			"window counts back from the newest request in the log; since and until give a fixed period. Use one or the other."))
	}
	rules, err := DecodeRules(v.GetAttr("rule"))
	if err != nil {
		path := "rule"
		var re *RuleError
		if errors.As(err, &re) {
			path = re.Path()
		}
		diags = diags.Extend(providers.AttributeErrorf(path, "Invalid rule", "%v.", err))
	}
	c.rules = rules
	c.opts.Rules = rules
	if t := v.GetAttr("threshold"); !t.IsNull() {
		th, _ := t.AsBigFloat().Int64()
		if th < 1 {
			diags = diags.Extend(providers.AttributeErrorf("threshold", "Invalid threshold",
				"threshold must be at least 1: the number of requests that makes a client an offender (45 is a common start)."))
		}
		c.threshold = th
	} else if len(rules) == 0 && err == nil {
		diags = diags.Extend(providers.AttributeErrorf("threshold", "No threshold and no rules",
			"Give threshold, the number of requests that makes a client an offender (45 is a common start), or rule blocks that say which requests to count, or both."))
	}
	if b := v.GetAttr("by"); !b.IsNull() {
		switch b.AsString() {
		case "ip":
		case "prefix":
			c.byPrefix = true
		default:
			diags = diags.Extend(providers.AttributeErrorf("by", "Invalid by",
				"by = %q; use \"ip\" to count each address or \"prefix\" to count each /24 and /64 network.", b.AsString()))
		}
	}
	proxies, pd := parseNets("trusted_proxies", v.GetAttr("trusted_proxies"))
	diags = diags.Extend(pd)
	c.opts.TrustedProxies = proxies
	c.opts.Threshold = c.threshold
	c.opts.ExcludeURIPrefixes = providers.Strings(v.GetAttr("exclude_uris"))
	c.opts.ExcludeAgents = providers.Strings(v.GetAttr("exclude_agents"))
	return c, true, diags
}

// ValidateConfig checks the window, times, threshold and by.
func (d *offendersSource) ValidateConfig(_ context.Context, config cty.Value) hcl.Diagnostics {
	if config.IsNull() {
		return nil
	}
	_, _, diags := d.decode(config)
	return diags
}

// Read scans the logs and lists the offenders.
func (d *offendersSource) Read(ctx context.Context, req providers.DataReadRequest) providers.DataReadResponse {
	c, known, diags := d.decode(req.Config)
	if diags.HasErrors() || !known {
		return providers.DataReadResponse{State: d.null, Diagnostics: diags}
	}
	var sources []Source
	if len(c.paths) > 0 {
		var err error
		sources, err = FileSourcesOn(ctx, d.host.Get(), c.paths)
		if err != nil {
			return providers.DataReadResponse{State: d.null, Diagnostics: providers.AttributeErrorf("paths", "Cannot read access log",
				"%v. Check the path, and that plumb may read the file.", err)}
		}
	}
	if len(c.journal.Units) > 0 {
		sources = append(sources, JournalSourceOn(d.host.Get(), c.journal))
	}
	r, err := Scan(ctx, sources, c.opts)
	if err != nil {
		return providers.DataReadResponse{State: d.null, Diagnostics: providers.Errorf("Cannot scan access log", "%v.", err)}
	}
	for _, w := range r.Warnings {
		diags = diags.Extend(providers.Warnf("Access log not read to its end", "%s", w))
	}
	if r.ListCut {
		diags = diags.Extend(providers.Warnf("Offenders list cut",
			"More than %d clients or networks reached threshold = %d; those with the most requests are listed. Raise the threshold.", maxListed, c.threshold))
	}
	var offenders []Count
	evidence := map[string]string{}
	if c.threshold > 0 {
		offenders, evidence = r.Offenders(c.threshold, c.byPrefix, c.window)
	}
	caught := r.Caught()
	offenders = MergeOffenders(offenders, caught, evidence)
	m := req.Config.AsValueMap()
	setExported(m, offenders, func(o Count) string { return evidence[o.Key] })
	m["rules"], m["bans"] = caught.maps()
	m["total_requests"] = cty.NumberIntVal(r.Requests)
	m["malformed_lines"] = cty.NumberIntVal(r.Malformed)
	m["newest"] = cty.StringVal("")
	if r.Requests > 0 {
		m["newest"] = cty.StringVal(r.Newest.Format(time.RFC3339))
	}
	return providers.DataReadResponse{State: cty.ObjectVal(m), Diagnostics: diags}
}

// Evidence is the sentence that says why c is an offender: "312
// requests (6.9%) in access.log, 10m to 2024-11-23T23:16:26Z". window is
// the relative window as the user wrote it, or empty.
func (r *Report) Evidence(c Count, window string) string {
	return fmt.Sprintf("%d requests (%.1f%%) in %s%s", c.Count, 100*r.Share(c.Count), sourceNames(r.Sources), describeWindow(r, window))
}

// Caught are the clients the rules caught: for each address, the rules
// and their catches.
type Caught map[string][]RuleCatch

// RuleCatch is one rule's catch of a client.
type RuleCatch struct {
	Rule RuleResult
	Catch
}

// Caught collects who the report's rules caught.
func (r *Report) Caught() Caught {
	out := Caught{}
	for _, rr := range r.Rules {
		for _, c := range rr.Caught {
			out[c.Key] = append(out[c.Key], RuleCatch{Rule: rr, Catch: c})
		}
	}
	return out
}

// Evidence joins the evidence of the rules that caught key.
func (c Caught) Evidence(key string) string {
	var parts []string
	for _, rc := range c[key] {
		parts = append(parts, rc.Catch.Evidence(rc.Rule))
	}
	return strings.Join(parts, "; ")
}

// Bans returns the longest ban of the rules that caught each address,
// for the addresses a rule with a ban caught.
func (c Caught) Bans() map[string]string {
	out := map[string]string{}
	for key, list := range c {
		var ban time.Duration
		for _, rc := range list {
			ban = max(ban, rc.Rule.Ban)
		}
		if ban > 0 {
			out[key] = shortDuration(ban)
		}
	}
	return out
}

// maps returns, as configuration values, the rules that caught each
// address and the longest ban among them.
func (c Caught) maps() (rules, bans cty.Value) {
	rm, bm := map[string]cty.Value{}, map[string]cty.Value{}
	for key, list := range c {
		var names []string
		var ban time.Duration
		for _, rc := range list {
			names = append(names, rc.Rule.Name)
			ban = max(ban, rc.Rule.Ban)
		}
		rm[key] = cty.StringVal(strings.Join(names, ", "))
		if ban > 0 {
			bm[key] = cty.StringVal(shortDuration(ban))
		}
	}
	rules, bans = cty.MapValEmpty(cty.String), cty.MapValEmpty(cty.String)
	if len(rm) > 0 {
		rules = cty.MapVal(rm)
	}
	if len(bm) > 0 {
		bans = cty.MapVal(bm)
	}
	return rules, bans
}

// MergeOffenders adds the addresses rules caught to the offenders (with
// their matching requests as their count, unless listed already),
// extending the evidence; worst first.
func MergeOffenders(offenders []Count, caught Caught, evidence map[string]string) []Count {
	listed := map[string]bool{}
	for _, o := range offenders {
		listed[o.Key] = true
	}
	for key, list := range caught {
		if e := caught.Evidence(key); evidence[key] != "" {
			evidence[key] += "; " + e
		} else {
			evidence[key] = e
		}
		if listed[key] {
			continue
		}
		var n int64
		for _, rc := range list {
			n = max(n, rc.Total)
		}
		offenders = append(offenders, Count{Key: key, Count: n})
	}
	slices.SortStableFunc(offenders, func(a, b Count) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return offenders
}

// NetworkEvidence says why a network is an offender, naming who is
// inside: "912 requests (4.2%) from 37 addresses, none over 9%, in
// access.log, ...".
func (r *Report) NetworkEvidence(n Network, window string) string {
	top := ""
	if len(n.Members) > 0 {
		top = fmt.Sprintf(", the most from %s (%d)", n.Members[0].Key, n.Members[0].Count)
	}
	return fmt.Sprintf("%d requests (%.1f%%) from %d addresses of the network%s, in %s%s",
		n.Count.Count, 100*r.Share(n.Count.Count), n.Clients, top, sourceNames(r.Sources), describeWindow(r, window))
}

// Offenders lists what a block list should take at threshold, worst
// first, with the evidence for each. By address, every client at the
// threshold. By prefix, every network at the threshold whose requests
// are spread over its members (Network.Spread); in a network that is
// not, its addresses at the threshold instead, one by one.
func (r *Report) Offenders(threshold int64, byPrefix bool, window string) ([]Count, map[string]string) {
	evidence := map[string]string{}
	clients := Over(r.Clients, threshold)
	if !byPrefix {
		for _, c := range clients {
			evidence[c.Key] = r.Evidence(c, window)
		}
		return clients, evidence
	}
	var out []Count
	taken := map[string]bool{}
	for _, n := range OverNetworks(r.Prefixes, threshold) {
		if n.Spread {
			out = append(out, n.Count)
			evidence[n.Key] = r.NetworkEvidence(n, window)
			taken[n.Key] = true
		}
	}
	for _, c := range clients {
		a, err := netip.ParseAddr(c.Key)
		if err != nil {
			continue
		}
		if taken[prefixOf(a).String()] {
			continue
		}
		out = append(out, c)
		evidence[c.Key] = r.Evidence(c, window) + "; its network's requests are not spread over several addresses, so the address is listed alone"
	}
	slices.SortStableFunc(out, func(a, b Count) int { return cmp.Compare(b.Count, a.Count) })
	return out, evidence
}

// describeWindow says which part of the log was counted.
func describeWindow(r *Report, window string) string {
	switch {
	case r.Requests == 0:
		return ""
	case window != "":
		return fmt.Sprintf(", %s to %s", window, r.Newest.Format(time.RFC3339))
	case !r.From.IsZero() || !r.Until.IsZero():
		return fmt.Sprintf(", %s to %s", r.Oldest.Format(time.RFC3339), r.Newest.Format(time.RFC3339))
	}
	return ""
}

// sourceNames lists inputs for evidence: all of up to three, else the
// first and how many more.
func sourceNames(names []string) string {
	if len(names) <= 3 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", names[0], len(names)-1)
}

// setExported fills addresses, counts and evidence from offenders.
func setExported(m map[string]cty.Value, offenders []Count, evidence func(Count) string) {
	if len(offenders) == 0 {
		m["addresses"] = cty.ListValEmpty(cty.String)
		m["counts"] = cty.MapValEmpty(cty.Number)
		m["evidence"] = cty.MapValEmpty(cty.String)
		return
	}
	addrs := make([]cty.Value, len(offenders))
	counts := make(map[string]cty.Value, len(offenders))
	ev := make(map[string]cty.Value, len(offenders))
	for i, o := range offenders {
		addrs[i] = cty.StringVal(o.Key)
		counts[o.Key] = cty.NumberIntVal(o.Count)
		ev[o.Key] = cty.StringVal(evidence(o))
	}
	m["addresses"] = cty.ListVal(addrs)
	m["counts"] = cty.MapVal(counts)
	m["evidence"] = cty.MapVal(ev)
}
