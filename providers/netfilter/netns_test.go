package netfilter

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/netnstest"
	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/providertest"
)

// lab is a server namespace whose nftables plumb manages, and a client
// namespace with two addresses on the link between them.
type lab struct {
	srv, cli *netnstest.NS
	res      *blocklist
}

const (
	srvAddr     = "10.232.0.1"
	allowedAddr = "10.232.0.2"
	blockedAddr = "10.232.0.3"
)

func newLab(t *testing.T) *lab { return newLabOver(t, "local") }

// newLabOver makes the lab with the provider reaching the server's
// namespace over the transport: "local" (the provider's netns), or "ssh"
// (an sshd running in the server's namespace, logged into as a user
// working through sudo; the provider knows no namespace).
func newLabOver(t *testing.T, transport string) *lab {
	t.Helper()
	netnstest.Require(t, "nft:nftables")
	l := &lab{cli: netnstest.New(t, "cli")}
	p := New()
	if transport == "ssh" {
		srv := sshtest.Start(t, "srv", sshtest.Options{Netns: true, SudoUser: true})
		l.srv = srv.NS
		providertest.Configure(t, p, providertest.Transport{Name: "ssh", Server: srv, Dir: srv.Dir}, nil)
	} else {
		l.srv = netnstest.New(t, "srv")
		cfg := cty.ObjectVal(map[string]cty.Value{"netns": cty.StringVal(l.srv.Name), "ssh": cty.NullVal(p.Schema().ImpliedType().AttributeType("ssh"))})
		if d := p.Configure(context.Background(), providers.ConfigureRequest{Config: cfg}).Diagnostics; d.HasErrors() {
			t.Fatalf("configure: %v", d)
		}
	}
	netnstest.Link(t, l.srv, []string{srvAddr + "/24"}, l.cli, []string{allowedAddr + "/24", blockedAddr + "/24"})
	l.res = p.Resources()["nftables_blocklist"].(*blocklist)
	return l
}

// cfg builds a configuration from attribute values.
func cfg(attrs map[string]cty.Value) cty.Value { return cty.ObjectVal(attrs) }

func strs(ss ...string) cty.Value {
	if len(ss) == 0 {
		return cty.SetValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.SetVal(vals)
}

func strMap(kv ...string) cty.Value {
	m := map[string]cty.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = cty.StringVal(kv[i+1])
	}
	return cty.MapVal(m)
}

// elements lists what the set holds, as nft prints it.
func (l *lab) elements(t providertest.TB, table, set string) string {
	t.Helper()
	out, err := l.srv.Command(context.Background(), "nft", "list", "set", "inet", table, set).CombinedOutput()
	if err != nil {
		t.Fatalf("nft list set: %v\n%s", err, out)
	}
	return string(out)
}

// TestConformance drives nftables_blocklist through the harness in a
// namespace: create, add and expire, prune, timeout change, drift, a
// rename of the sets, import and delete; locally (nft through ip netns
// exec) and over SSH (nft run by an sshd inside the namespace).
func TestConformance(t *testing.T) {
	for _, transport := range []string{"local", "ssh"} {
		t.Run(transport, func(t *testing.T) { conformance(t, newLabOver(t, transport)) })
	}
}

func conformance(t *testing.T, l *lab) {
	const table = "plumb_conf"
	base := func(extra map[string]cty.Value) cty.Value {
		m := map[string]cty.Value{"table": cty.StringVal(table), "timeout": cty.StringVal("1h")}
		for k, v := range extra {
			m[k] = v
		}
		return cfg(m)
	}
	hasElem := func(key string, want bool) func(providertest.TB, cty.Value) {
		return func(t providertest.TB, s cty.Value) {
			t.Helper()
			set := s.GetAttr("set_v4").AsString()
			if strings.Contains(key, ":") {
				set = s.GetAttr("set_v6").AsString()
			}
			if got := strings.Contains(l.elements(t, table, set), key); got != want {
				t.Errorf("set %s holds %s = %v, want %v:\n%s", set, key, got, want, l.elements(t, table, set))
			}
		}
	}
	providertest.Run(t, providertest.Case{
		Resource: l.res,
		Steps: []providertest.Step{
			{Name: "create", Config: base(map[string]cty.Value{
				"addresses": strs(blockedAddr, "2001:db8::5", "198.51.100.0/24"),
				"evidence":  strMap(blockedAddr, "312 requests in access.log"),
			}), Check: hasElem(blockedAddr, true)},
			{Name: "drop one without prune: it stays until it expires", Config: base(map[string]cty.Value{
				"addresses": strs(blockedAddr, "198.51.100.0/24"),
			}), Check: func(t providertest.TB, s cty.Value) {
				hasElem("2001:db8::5", true)(t, s)
				if v := s.GetAttr("blocked").Index(cty.StringVal("2001:db8::5")).AsString(); v != leftToExpire {
					t.Errorf("blocked[2001:db8::5] = %q, want %q", v, leftToExpire)
				}
			}},
			{Name: "prune removes it", Config: base(map[string]cty.Value{
				"addresses": strs(blockedAddr, "198.51.100.0/24"), "prune": cty.True,
			}), Check: func(t providertest.TB, s cty.Value) {
				hasElem("2001:db8::5", false)(t, s)
				// Drift: an element deleted by hand comes back.
				l.srv.Run("nft", "delete", "element", "inet", table, "blocked_v4", "{ "+blockedAddr+" }")
			}},
			{Name: "repair a deleted element", Config: base(map[string]cty.Value{
				"addresses": strs(blockedAddr, "198.51.100.0/24"), "prune": cty.True,
			}), PlanCheck: func(t providertest.TB, refreshed, _ cty.Value) {
				if refreshed.GetAttr("blocked").HasIndex(cty.StringVal(blockedAddr)).True() {
					t.Errorf("refresh still shows the element deleted by hand")
				}
			}, Check: func(t providertest.TB, s cty.Value) {
				hasElem(blockedAddr, true)(t, s)
				// Drift: the chain's rules flushed by hand.
				l.srv.Run("nft", "flush", "chain", "inet", table, "input")
			}},
			{Name: "repair the flushed chain", Config: base(map[string]cty.Value{
				"addresses": strs(blockedAddr, "198.51.100.0/24"), "prune": cty.True,
			}), PlanCheck: func(t providertest.TB, refreshed, _ cty.Value) {
				if c := refreshed.GetAttr("chain").AsString(); c != "" {
					t.Errorf("refreshed chain = %q, want empty for a chain without its rules", c)
				}
			}, Check: hasElem(blockedAddr, true)},
			{Name: "rename sets and change timeout", Config: base(map[string]cty.Value{
				"addresses": strs(blockedAddr), "prune": cty.True, "set_v4": cty.StringVal("bad4"), "set_v6": cty.StringVal("bad6"),
				"timeout": cty.StringVal("2h"), "priority": cty.NumberIntVal(-5),
			}), Check: func(t providertest.TB, s cty.Value) {
				if got := l.elements(t, table, "bad4"); !strings.Contains(got, blockedAddr) || !strings.Contains(got, "timeout 2h") {
					t.Errorf("set bad4 after the rename:\n%s", got)
				}
			}},
		},
		ImportID:     func(s cty.Value) string { return s.GetAttr("table").AsString() },
		ImportIgnore: []string{"addresses", "evidence", "counts", "timeout", "never_block", "prune", "blocked", "withheld", "max_entries", "trusted_proxies", "allow_mass_change", "bans", "repeat_factor", "max_ban", "offences", "unbanned", "expires"},
		Gone: func(t providertest.TB, last cty.Value) {
			out, _ := l.srv.Command(context.Background(), "nft", "list", "tables").CombinedOutput()
			if strings.Contains(string(out), table) {
				t.Errorf("table %s left behind:\n%s", table, out)
			}
		},
	})
}

// TestBlockDropsTraffic shows the rule working: from the blocked address
// a connection times out, from the allowed one it succeeds; and the
// host's own address and loopback are never blocked even when listed.
// Over SSH the server's own address is learnt on the server.
func TestBlockDropsTraffic(t *testing.T) {
	for _, transport := range []string{"local", "ssh"} {
		t.Run(transport, func(t *testing.T) { blockDropsTraffic(t, newLabOver(t, transport)) })
	}
}

func blockDropsTraffic(t *testing.T, l *lab) {
	l.srv.Listen(srvAddr + ":8080")
	dial := func(from string) error {
		c, err := l.cli.Dial(from, srvAddr+":8080", 1500*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err
	}
	for _, from := range []string{allowedAddr, blockedAddr} {
		if err := dial(from); err != nil {
			t.Fatalf("before blocking, dial from %s: %v", from, err)
		}
	}
	config := cfg(map[string]cty.Value{
		"table":       cty.StringVal("plumb_drop"),
		"addresses":   strs(blockedAddr, srvAddr, "127.0.0.1", "192.0.2.7"),
		"never_block": cty.ListVal([]cty.Value{cty.StringVal("192.0.2.0/24")}),
	})
	state := applyConfig(t, l.res, cty.NullVal(l.res.schema.ImpliedType()), config)
	t.Cleanup(func() { l.res.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: l.res.null}) })
	if err := dial(allowedAddr); err != nil {
		t.Errorf("dial from the allowed %s: %v", allowedAddr, err)
	}
	if err := dial(blockedAddr); !netnstest.IsTimeout(err) {
		t.Errorf("dial from the blocked %s: %v, want a timeout (packets dropped)", blockedAddr, err)
	}
	withheld := providers.StringMap(state.GetAttr("withheld"))
	for addr, why := range map[string]string{srvAddr: "this host's address", "127.0.0.1": "loopback", "192.0.2.7": "never_block"} {
		if !strings.Contains(withheld[addr], why) {
			t.Errorf("withheld[%s] = %q, want it to say %q", addr, withheld[addr], why)
		}
	}
	if blocked := providers.StringMap(state.GetAttr("blocked")); len(blocked) != 1 {
		t.Errorf("blocked = %v, want only %s", blocked, blockedAddr)
	}
}

// applyConfig plans and applies config over prior, failing on errors.
func applyConfig(t *testing.T, r *blocklist, prior, config cty.Value) cty.Value {
	t.Helper()
	ctx := context.Background()
	config = r.schema.Complete(config)
	p := r.Plan(ctx, providers.PlanRequest{Prior: prior, Config: config})
	if p.Diagnostics.HasErrors() {
		t.Fatalf("plan: %v", p.Diagnostics)
	}
	a := r.Apply(ctx, providers.ApplyRequest{Prior: prior, Planned: p.Planned, Config: config})
	if a.Diagnostics.HasErrors() {
		t.Fatalf("apply: %v", a.Diagnostics)
	}
	return a.State
}
