package accesslog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

func offendersCfg(attrs map[string]cty.Value) (providers.DataSource, cty.Value) {
	ds := New().DataSources()["access_log_offenders"]
	return ds, ds.Schema().Complete(cty.ObjectVal(attrs))
}

func TestOffendersRead(t *testing.T) {
	dir := t.TempDir()
	p, tr := writeLog(t, dir, "access.log", smallLog)
	ds, cfg := offendersCfg(map[string]cty.Value{
		"paths":     cty.ListVal([]cty.Value{cty.StringVal(filepath.Join(dir, "access.log*"))}),
		"threshold": cty.NumberIntVal(500),
	})
	resp := ds.Read(context.Background(), providers.DataReadRequest{Config: cfg})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics)
	}
	s := resp.State
	if errs := s.Type().TestConformance(ds.Schema().ImpliedType()); len(errs) > 0 {
		t.Fatalf("state does not conform: %v", errs)
	}
	addrs := s.GetAttr("addresses").AsValueSlice()
	if len(addrs) != 5 {
		t.Fatalf("addresses = %#v, want the 5 attackers", addrs)
	}
	var last int64 = 1 << 62
	for _, a := range addrs {
		ip := a.AsString()
		n, _ := s.GetAttr("counts").Index(a).AsBigFloat().Int64()
		if !strings.HasPrefix(ip, "203.0.113.") || n != tr.clients[ip] || n > last {
			t.Errorf("%s: count %d (want %d), order after %d", ip, n, tr.clients[ip], last)
		}
		last = n
		ev := s.GetAttr("evidence").Index(a).AsString()
		if want := fmt.Sprintf("%d requests (", n); !strings.HasPrefix(ev, want) || !strings.Contains(ev, p) {
			t.Errorf("evidence %q, want it to start %q and name %s", ev, want, p)
		}
	}
	if m, _ := s.GetAttr("malformed_lines").AsBigFloat().Int64(); m != int64(len(tr.garbage)) {
		t.Errorf("malformed_lines = %d, want %d", m, len(tr.garbage))
	}

	// By prefix, within a window, excluding the attack URI: nothing left.
	_, cfg = offendersCfg(map[string]cty.Value{
		"paths":        cty.ListVal([]cty.Value{cty.StringVal(p)}),
		"threshold":    cty.NumberIntVal(100),
		"by":           cty.StringVal("prefix"),
		"window":       cty.StringVal("10m"),
		"exclude_uris": cty.ListVal([]cty.Value{cty.StringVal("/wp-login")}),
	})
	resp = ds.Read(context.Background(), providers.DataReadRequest{Config: cfg})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics)
	}
	if n := resp.State.GetAttr("addresses").LengthInt(); n != 0 {
		t.Errorf("with the attack URI excluded: %#v", resp.State.GetAttr("addresses"))
	}
	_, cfg = offendersCfg(map[string]cty.Value{
		"paths": cty.ListVal([]cty.Value{cty.StringVal(p)}), "threshold": cty.NumberIntVal(100), "by": cty.StringVal("prefix"),
	})
	resp = ds.Read(context.Background(), providers.DataReadRequest{Config: cfg})
	if got := resp.State.GetAttr("addresses"); !got.RawEquals(cty.ListVal([]cty.Value{cty.StringVal("203.0.113.0/24")})) {
		t.Errorf("by prefix: %#v", got)
	}
}

func TestOffendersInvalid(t *testing.T) {
	paths := cty.ListVal([]cty.Value{cty.StringVal("access.log")})
	cases := []struct {
		name  string
		attrs map[string]cty.Value
		attr  string
	}{
		{"zero threshold", map[string]cty.Value{"paths": paths, "threshold": cty.NumberIntVal(0)}, "threshold"},
		{"bad window", map[string]cty.Value{"paths": paths, "threshold": cty.NumberIntVal(5), "window": cty.StringVal("ten minutes")}, "window"},
		{"window and since", map[string]cty.Value{"paths": paths, "threshold": cty.NumberIntVal(5), "window": cty.StringVal("10m"), "since": cty.StringVal("2024-11-23T22:00:00Z")}, "window"},
		{"bad since", map[string]cty.Value{"paths": paths, "threshold": cty.NumberIntVal(5), "since": cty.StringVal("yesterday")}, "since"},
		{"bad by", map[string]cty.Value{"paths": paths, "threshold": cty.NumberIntVal(5), "by": cty.StringVal("asn")}, "by"},
		{"no paths", map[string]cty.Value{"paths": cty.ListValEmpty(cty.String), "threshold": cty.NumberIntVal(5)}, "paths"},
	}
	for _, c := range cases {
		ds, cfg := offendersCfg(c.attrs)
		diags := ds.(providers.ConfigValidator).ValidateConfig(context.Background(), cfg)
		if !diags.HasErrors() || diags[0].Extra != providers.AttributePath(c.attr) || diags[0].Detail == "" {
			t.Errorf("%s: diagnostics %v, want an error about %s saying what to do", c.name, diags, c.attr)
		}
	}
	ds, cfg := offendersCfg(map[string]cty.Value{"paths": cty.ListVal([]cty.Value{cty.StringVal(filepath.Join(t.TempDir(), "nope.log"))}), "threshold": cty.NumberIntVal(5)})
	if resp := ds.Read(context.Background(), providers.DataReadRequest{Config: cfg}); !resp.Diagnostics.HasErrors() {
		t.Error("reading a missing log succeeded")
	}
}

// TestOffendersByPrefixShowsWhoIsInside: by prefix, a network is listed
// only when its requests are spread over several of its addresses; one
// heavy address with quiet neighbours is listed as the address.
func TestOffendersByPrefixShowsWhoIsInside(t *testing.T) {
	var b strings.Builder
	line := func(ip string, n int) {
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "%s - - [23/Nov/2024:22:00:%02d +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n", ip, i%60)
		}
	}
	line("203.0.113.7", 500) // one heavy address
	line("203.0.113.8", 5)
	line("203.0.113.9", 5)
	for i := 1; i <= 20; i++ { // a flood spread over a network
		line(fmt.Sprintf("198.51.100.%d", i), 30)
	}
	line("192.0.2.1", 60) // two addresses, neither enough alone
	line("192.0.2.2", 60)
	p := filepath.Join(t.TempDir(), "access.log")
	os.WriteFile(p, []byte(b.String()), 0o644)
	ds, cfg := offendersCfg(map[string]cty.Value{
		"paths": cty.ListVal([]cty.Value{cty.StringVal(p)}), "threshold": cty.NumberIntVal(100), "by": cty.StringVal("prefix"),
	})
	resp := ds.Read(context.Background(), providers.DataReadRequest{Config: cfg})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics)
	}
	want := cty.ListVal([]cty.Value{cty.StringVal("198.51.100.0/24"), cty.StringVal("203.0.113.7")})
	if got := resp.State.GetAttr("addresses"); !got.RawEquals(want) {
		t.Errorf("addresses = %#v, want the spread network and the heavy address", got)
	}
	ev := resp.State.GetAttr("evidence")
	if e := ev.Index(cty.StringVal("198.51.100.0/24")).AsString(); !strings.HasPrefix(e, "600 requests (") || !strings.Contains(e, "from 20 addresses of the network, the most from 198.51.100.") {
		t.Errorf("network evidence %q", e)
	}
	if e := ev.Index(cty.StringVal("203.0.113.7")).AsString(); !strings.Contains(e, "500 requests") || !strings.Contains(e, "not spread") {
		t.Errorf("address evidence %q", e)
	}
	r := scanFiles(t, Options{Top: 10}, p)
	nets := map[string]Network{}
	for _, n := range r.Prefixes {
		nets[n.Key] = n
	}
	if n := nets["203.0.113.0/24"]; n.Clients != 3 || n.Spread || len(n.Members) != 3 || n.Members[0] != (Count{"203.0.113.7", 500}) {
		t.Errorf("203.0.113.0/24 = %+v, want 3 addresses, not spread, 203.0.113.7 first", n)
	}
	if n := nets["198.51.100.0/24"]; n.Clients != 20 || !n.Spread {
		t.Errorf("198.51.100.0/24 = %+v, want 20 addresses, spread", n)
	}
	if n := nets["192.0.2.0/24"]; n.Clients != 2 || n.Spread {
		t.Errorf("192.0.2.0/24 = %+v, want 2 addresses: too few to call spread", n)
	}
}
