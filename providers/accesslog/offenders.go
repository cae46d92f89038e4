package accesslog

import (
	"context"
	"fmt"
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
		"paths": {Type: cty.List(cty.String), Required: true,
			Description: "Access logs to read: paths or glob patterns (\"/var/log/apache2/access.log*\" reads a rotated set, .gz included)."},
		"window": {Type: cty.String, Optional: true,
			Description: "Count only the last stretch of the log, such as \"10m\", measured back from the newest timestamp in it. Not with since or until."},
		"since": {Type: cty.String, Optional: true,
			Description: "Count requests at or after this time (RFC 3339, such as \"2024-11-23T22:00:00Z\")."},
		"until": {Type: cty.String, Optional: true,
			Description: "Count requests before this time (RFC 3339)."},
		"threshold": {Type: cty.Number, Required: true,
			Description: "A client with at least this many requests in the window is an offender."},
		"by": {Type: cty.String, Optional: true,
			Description: "\"ip\" (the default) counts each address; \"prefix\" counts each /24 (IPv4) and /64 (IPv6) network, to catch a source spread over many addresses."},
		"exclude_uris": {Type: cty.List(cty.String), Optional: true,
			Description: "Requests whose URI starts with one of these are not counted (health checks, static files)."},
		"exclude_agents": {Type: cty.List(cty.String), Optional: true,
			Description: "Requests whose user agent contains one of these (case-sensitively) are not counted (your own monitoring)."},
		"total_requests": {Type: cty.Number, Computed: true,
			Description: "Requests counted in the window, from every client."},
		"malformed_lines": {Type: cty.Number, Computed: true,
			Description: "Lines that are not access-log lines; they are skipped."},
		"newest": {Type: cty.String, Computed: true,
			Description: "The newest timestamp counted (RFC 3339); empty when nothing was counted."},
	} {
		attrs[k] = v
	}
	s := providers.Schema{
		Description: "Clients with at least threshold requests in an Apache or nginx access log (common or combined format).",
		Attributes:  attrs,
	}
	return &offendersSource{host: h, schema: s, null: cty.NullVal(s.ImpliedType())}
}

// Schema describes access_log_offenders.
func (d *offendersSource) Schema() providers.Schema { return d.schema }

// offendersConfig is the decoded configuration.
type offendersConfig struct {
	paths     []string
	opts      Options
	threshold int64
	byPrefix  bool
	window    string
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
	if len(c.paths) == 0 {
		diags = diags.Extend(providers.AttributeErrorf("paths", "No access log to read",
			"paths is empty; list the log files or patterns to read, such as [\"/var/log/apache2/access.log*\"]."))
	}
	if w := v.GetAttr("window"); !w.IsNull() {
		c.window = w.AsString()
		dur, err := time.ParseDuration(c.window)
		if err != nil || dur <= 0 {
			diags = diags.Extend(providers.AttributeErrorf("window", "Invalid window",
				"window = %q is not a positive duration; write it as \"10m\", \"1h\" or \"90s\".", c.window))
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
	th, _ := v.GetAttr("threshold").AsBigFloat().Int64()
	if th < 1 {
		diags = diags.Extend(providers.AttributeErrorf("threshold", "Invalid threshold",
			"threshold must be at least 1: the number of requests that makes a client an offender (45 is a common start)."))
	}
	c.threshold = th
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
	sources, err := FileSourcesOn(ctx, d.host.Get(), c.paths)
	if err != nil {
		return providers.DataReadResponse{State: d.null, Diagnostics: providers.AttributeErrorf("paths", "Cannot read access log",
			"%v. Check the path, and that plumb may read the file.", err)}
	}
	r, err := Scan(ctx, sources, c.opts)
	if err != nil {
		return providers.DataReadResponse{State: d.null, Diagnostics: providers.Errorf("Cannot scan access log", "%v.", err)}
	}
	for _, w := range r.Warnings {
		diags = diags.Extend(providers.Warnf("Access log not read to its end", "%s", w))
	}
	list := r.Clients
	if c.byPrefix {
		list = r.Prefixes
	}
	offenders := Over(list, c.threshold)
	m := req.Config.AsValueMap()
	setExported(m, offenders, func(o Count) string { return r.Evidence(o, c.window) })
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
	n := fmt.Sprintf("%d requests", c.Count)
	if c.Err > 0 {
		n = "at least " + n
	}
	return fmt.Sprintf("%s (%.1f%%) in %s%s", n, 100*r.Share(c.Count), sourceNames(r.Sources), describeWindow(r, window))
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
