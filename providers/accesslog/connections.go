package accesslog

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// DefaultProcNet is where this process's network namespace lists its
// sockets.
const DefaultProcNet = "/proc/net"

// connectionsSource is the data source tcp_connections.
type connectionsSource struct {
	host   *host.Slot
	schema providers.Schema
	null   cty.Value
}

var (
	_ providers.DataSource      = (*connectionsSource)(nil)
	_ providers.ConfigValidator = (*connectionsSource)(nil)
)

func newConnectionsSource(h *host.Slot) *connectionsSource {
	attrs := exported("remote addresses (or networks, by = \"prefix\")")
	for k, v := range map[string]*providers.Attribute{
		"port": {Type: cty.Number, Optional: true,
			Description: "Count only connections to this local port, such as 80."},
		"states": {Type: cty.List(cty.String), Optional: true,
			Description: "Count only connections in these states (ESTABLISHED, SYN_RECV, TIME_WAIT, ...); by default every state but LISTEN."},
		"threshold": {Type: cty.Number, Optional: true,
			Description: "A remote address with at least this many connections is an offender, such as 50. It must be set: there is no default, since a low one would block every connected client."},
		"by": {Type: cty.String, Optional: true,
			Description: "\"ip\" (the default) counts each address; \"prefix\" counts each /24 (IPv4) and /64 (IPv6) network."},
		"proc_net": {Type: cty.String, Optional: true,
			Description: "The directory holding tcp and tcp6; default \"/proc/net\" (this host). \"/proc/PID/net\" reads the network namespace of process PID."},
		"total_connections": {Type: cty.Number, Computed: true,
			Description: "Connections that matched port and states, from every address."},
	} {
		attrs[k] = v
	}
	s := providers.Schema{
		Description: "Live TCP connections per remote address, from /proc/net/tcp and /proc/net/tcp6.",
		Attributes:  attrs,
	}
	return &connectionsSource{host: h, schema: s, null: cty.NullVal(s.ImpliedType())}
}

// Schema describes tcp_connections.
func (d *connectionsSource) Schema() providers.Schema { return d.schema }

type connectionsConfig struct {
	filter    ConnFilter
	threshold int64
	procNet   string
}

func (d *connectionsSource) decode(v cty.Value) (connectionsConfig, bool, hcl.Diagnostics) {
	c := connectionsConfig{procNet: DefaultProcNet}
	if !v.IsWhollyKnown() {
		return c, false, nil
	}
	var diags hcl.Diagnostics
	if p := v.GetAttr("port"); !p.IsNull() {
		n, acc := p.AsBigFloat().Int64()
		if acc != big.Exact || n < 1 || n > 65535 {
			diags = diags.Extend(providers.AttributeErrorf("port", "Invalid port",
				"port must be a TCP port number from 1 to 65535, such as 80."))
		}
		c.filter.Port = uint16(n)
	}
	c.filter.States = providers.Strings(v.GetAttr("states"))
	for _, s := range c.filter.States {
		if !ValidState(s) {
			diags = diags.Extend(providers.AttributeErrorf("states", "Unknown TCP state",
				"%q is not a TCP state; use ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING or NEW_SYN_RECV.", s))
		}
	}
	if t := v.GetAttr("threshold"); t.IsNull() {
		diags = diags.Extend(providers.Errorf("Missing threshold",
			"tcp_connections needs threshold: the number of live connections that makes an address an offender, such as threshold = 50. There is no default: a threshold of 1 would list, and a block list would then drop, every connected client."))
	} else {
		c.threshold, _ = t.AsBigFloat().Int64()
		if c.threshold < 2 {
			diags = diags.Extend(providers.AttributeErrorf("threshold", "Invalid threshold",
				"threshold = %d would list every connected client; give the number of live connections that makes an address an offender, such as 50.", c.threshold))
		}
	}
	if b := v.GetAttr("by"); !b.IsNull() {
		switch b.AsString() {
		case "ip":
		case "prefix":
			c.filter.ByPrefix = true
		default:
			diags = diags.Extend(providers.AttributeErrorf("by", "Invalid by",
				"by = %q; use \"ip\" to count each address or \"prefix\" to count each /24 and /64 network.", b.AsString()))
		}
	}
	if p := v.GetAttr("proc_net"); !p.IsNull() {
		c.procNet = p.AsString()
	}
	return c, true, diags
}

// ValidateConfig checks port, states, threshold and by.
func (d *connectionsSource) ValidateConfig(_ context.Context, config cty.Value) hcl.Diagnostics {
	if config.IsNull() {
		return nil
	}
	_, _, diags := d.decode(config)
	return diags
}

// Read counts the live connections.
func (d *connectionsSource) Read(ctx context.Context, req providers.DataReadRequest) providers.DataReadResponse {
	c, known, diags := d.decode(req.Config)
	if diags.HasErrors() || !known {
		return providers.DataReadResponse{State: d.null, Diagnostics: diags}
	}
	conns, err := ReadConnectionsOn(ctx, d.host.Get(), c.procNet)
	if err != nil {
		return providers.DataReadResponse{State: d.null, Diagnostics: providers.AttributeErrorf("proc_net", "Cannot read TCP connections",
			"%v. On Linux, /proc/net/tcp lists this host's sockets; check proc_net.", err)}
	}
	all := CountConnections(conns, c.filter)
	var total int64
	for _, a := range all {
		total += a.Count
	}
	what := describeFilter(c.filter)
	m := req.Config.AsValueMap()
	setExported(m, Over(all, c.threshold), func(o Count) string {
		noun := "connections"
		if o.Count == 1 {
			noun = "connection"
		}
		return fmt.Sprintf("%d %s%s", o.Count, noun, what)
	})
	m["total_connections"] = cty.NumberIntVal(total)
	return providers.DataReadResponse{State: cty.ObjectVal(m), Diagnostics: diags}
}

// describeFilter says which connections were counted: " (ESTABLISHED) to
// port 80".
func describeFilter(f ConnFilter) string {
	var b strings.Builder
	if len(f.States) > 0 {
		up := make([]string, len(f.States))
		for i, s := range f.States {
			up[i] = strings.ToUpper(s)
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(up, ", "))
	}
	if f.Port != 0 {
		fmt.Fprintf(&b, " to port %d", f.Port)
	}
	return b.String()
}
