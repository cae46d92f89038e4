package netfilter

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/netnstest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/accesslog"
	"github.com/plumbhq/plumb/providers/builtin"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// TestNeverCutsTheHostOff: in a namespace with default routes (IPv4 and
// IPv6) and a resolv.conf of its own, a log in which the gateway, a name
// server and the reverse proxy are the busiest clients blocks none of
// them: the plan withholds each with its reason, and after apply the
// gateway still gets through while the real offender does not.
func TestNeverCutsTheHostOff(t *testing.T) {
	netnstest.Require(t, "nft:nftables")
	const (
		host     = "10.236.0.1"
		gateway  = "10.236.0.4"
		resolver = "10.236.0.5"
		proxy    = "10.236.0.6"
		offender = "10.236.0.9"
		gateway6 = "fd00:236::4"
	)
	srv, cli := netnstest.New(t, "srv"), netnstest.New(t, "cli")
	netnstest.Link(t, srv, []string{host + "/24", "fd00:236::1/64"},
		cli, []string{gateway + "/24", resolver + "/24", proxy + "/24", offender + "/24", gateway6 + "/64"})
	srv.Run("ip", "route", "add", "default", "via", gateway)
	srv.Run("ip", "-6", "route", "add", "default", "via", gateway6)
	srv.SetResolvConf("# written by the test\nnameserver " + resolver + "\nnameserver 2001:db8::53\n")
	srv.Listen(host + ":8080")

	dir := t.TempDir()
	t.Chdir(dir)
	end := time.Date(2024, 11, 23, 22, 0, 0, 0, time.UTC)
	var log strings.Builder
	floodLog(&log, gateway, 3000, end)
	floodLog(&log, gateway6, 400, end)
	floodLog(&log, resolver, 500, end)
	floodLog(&log, "2001:db8::53", 90, end)
	floodLog(&log, proxy, 900, end)
	floodLog(&log, offender, 312, end)
	os.WriteFile("access.log", []byte(log.String()), 0o644)
	os.WriteFile("main.hcl", []byte(fmt.Sprintf(`
provider "netfilter" {
  netns = %q
}

data "access_log_offenders" "web" {
  paths     = ["access.log"]
  threshold = 45
}

resource "nftables_blocklist" "web" {
  table           = "plumb_cutoff"
  addresses       = data.access_log_offenders.web.addresses
  evidence        = data.access_log_offenders.web.evidence
  trusted_proxies = [%q]
  timeout         = "1h"
}
`, srv.Name, proxy)), 0o644)
	reg := providers.NewRegistry()
	reg.Register("plumb", builtin.New)
	reg.Register(accesslog.Name, accesslog.New)
	reg.Register(Name, New)
	backend := state.NewLocal(filepath.Join(dir, "plumb.state"))
	ctx := context.Background()
	e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: reg})
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	st, err := backend.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, diags := e.Plan(ctx, st)
	if diags.HasErrors() {
		t.Fatalf("plan: %v", diags)
	}
	var text bytes.Buffer
	if err := plan.RenderText(&text, p, plan.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for addr, why := range map[string]string{
		gateway:        "default gateway via",
		gateway6:       "default gateway via",
		resolver:       "name server in /etc/resolv.conf",
		"2001:db8::53": "name server in /etc/resolv.conf",
		proxy:          "trusted proxy",
	} {
		want := fmt.Sprintf(`= "not blocked: overlaps %s (%s`, addr, why)
		found := false
		for _, line := range strings.Split(text.String(), "\n") {
			found = found || strings.Contains(line, fmt.Sprintf("+ %q ", addr)) && strings.Contains(line, want)
		}
		if !found {
			t.Errorf("plan does not withhold %s saying %s:\n%s", addr, want, text.String())
		}
	}
	t.Cleanup(func() { srv.Command(ctx, "nft", "delete", "table", "inet", "plumb_cutoff").Run() })
	final, diags := e.Apply(ctx, st, p, backend)
	if diags.HasErrors() {
		t.Fatalf("apply: %v", diags)
	}
	v, err := final.Resources["nftables_blocklist.web"].Value(New().Resources()["nftables_blocklist"].Schema().ImpliedType())
	if err != nil {
		t.Fatal(err)
	}
	if blocked := providers.StringMap(v.GetAttr("blocked")); len(blocked) != 1 || blocked[offender] == "" {
		t.Errorf("blocked = %v, want only the offender %s", blocked, offender)
	}
	for _, from := range []string{gateway, resolver, proxy} {
		c, err := cli.Dial(from, host+":8080", 1500*time.Millisecond)
		if err != nil {
			t.Errorf("%s is cut off after apply: %v", from, err)
			continue
		}
		c.Close()
	}
	if _, err := cli.Dial(offender, host+":8080", 1500*time.Millisecond); !netnstest.IsTimeout(err) {
		t.Errorf("the offender: %v, want a timeout", err)
	}
}

// TestWideAndSpecialNeedPermission: a list holding a network wider than
// /16 or /32, or multicast, broadcast, unspecified or reserved addresses,
// is refused as a mass change unless allow_mass_change is set.
func TestWideAndSpecialNeedPermission(t *testing.T) {
	l := newLab(t)
	for _, addr := range []string{"128.0.0.0/1", "2000::/3", "224.0.0.1", "255.255.255.255", "0.0.0.0", "::"} {
		config := l.res.schema.Complete(cfg(map[string]cty.Value{"table": cty.StringVal("plumb_wide"), "addresses": strs(addr, blockedAddr)}))
		p := l.res.Plan(context.Background(), providers.PlanRequest{Prior: l.res.null, Config: config})
		var mass bool
		for _, d := range p.Diagnostics {
			_, ok := d.Extra.(providers.MassChange)
			mass = mass || ok && d.Severity == hcl.DiagError && strings.Contains(d.Detail, addr)
		}
		if !mass {
			t.Errorf("%s: diagnostics %v, want a mass-change refusal naming it", addr, p.Diagnostics)
		}
		if p.Planned.IsNull() {
			t.Errorf("%s: no plan beside the refusal, so -allow-mass-change could not let it through", addr)
		}
		config = l.res.schema.Complete(cfg(map[string]cty.Value{"table": cty.StringVal("plumb_wide"), "addresses": strs(addr, blockedAddr), "allow_mass_change": cty.True}))
		if p := l.res.Plan(context.Background(), providers.PlanRequest{Prior: l.res.null, Config: config}); p.Diagnostics.HasErrors() {
			t.Errorf("%s with allow_mass_change: %v", addr, p.Diagnostics)
		}
	}
}
