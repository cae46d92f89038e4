package netfilter

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// TestForeignTableUntouched: plumb neither takes over, changes, deletes
// nor imports a table it did not create, and a failed create changes
// nothing.
func TestForeignTableUntouched(t *testing.T) {
	l := newLab(t)
	l.srv.Run("nft", "add table inet theirs")
	l.srv.Run("nft", "add set inet theirs s { type ipv4_addr; }")
	before := l.srv.Run("nft", "list", "ruleset")
	ctx := context.Background()
	config := l.res.schema.Complete(cfg(map[string]cty.Value{"table": cty.StringVal("theirs"), "addresses": strs(blockedAddr)}))
	p := l.res.Plan(ctx, providers.PlanRequest{Prior: l.res.null, Config: config})
	if p.Diagnostics.HasErrors() {
		t.Fatalf("plan: %v", p.Diagnostics)
	}
	a := l.res.Apply(ctx, providers.ApplyRequest{Prior: l.res.null, Planned: p.Planned, Config: config})
	if !a.Diagnostics.HasErrors() || !a.State.IsNull() {
		t.Fatalf("creating over a foreign table: state %#v, diagnostics %v; want an error and no state", a.State, a.Diagnostics)
	}
	// A state that claims the table (as after a bad import) must not let
	// plumb delete it.
	d := l.res.Apply(ctx, providers.ApplyRequest{Prior: p.Planned, Planned: l.res.null})
	if d.Diagnostics.HasErrors() {
		t.Fatalf("delete: %v", d.Diagnostics)
	}
	if imp := l.res.Import(ctx, providers.ImportRequest{ID: "theirs"}); !imp.Diagnostics.HasErrors() {
		t.Errorf("import of a foreign table succeeded: %#v", imp.State)
	}
	if after := l.srv.Run("nft", "list", "ruleset"); after != before {
		t.Errorf("the foreign table changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestTransactionAllOrNothing: a transaction whose last line fails leaves
// the table exactly as it was.
func TestTransactionAllOrNothing(t *testing.T) {
	l := newLab(t)
	state := applyConfig(t, l.res, l.res.null, cfg(map[string]cty.Value{"table": cty.StringVal("plumb_tx"), "addresses": strs(blockedAddr)}))
	t.Cleanup(func() { l.res.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: l.res.null}) })
	before := l.srv.Run("nft", "list", "table", "inet", "plumb_tx")
	var sc script
	w := stateSettings(state)
	sc.addElems(w, []elemOp{{key: "192.0.2.1"}, {key: "2001:db8::1"}})
	sc.deleteElems(w, []elemOp{{key: blockedAddr}})
	sc.linef("add element inet plumb_tx no_such_set { 192.0.2.2 }")
	if err := l.res.nft.apply(context.Background(), sc.String()); err == nil {
		t.Fatal("a transaction naming a missing set succeeded")
	}
	if after := l.srv.Run("nft", "list", "table", "inet", "plumb_tx"); after != before {
		t.Errorf("a failed transaction changed the table:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

var expiresRE = regexp.MustCompile(`expires (\d+)m`)

// TestRefreshAndExpiry: an element about to expire shows as refreshDue
// and is refreshed by the next apply; an element whose timeout passes
// leaves the set by itself and the state follows.
func TestRefreshAndExpiry(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	config := cfg(map[string]cty.Value{"table": cty.StringVal("plumb_ttl"), "timeout": cty.StringVal("1h"), "addresses": strs(blockedAddr)})
	state := applyConfig(t, l.res, l.res.null, config)
	t.Cleanup(func() { l.res.Apply(ctx, providers.ApplyRequest{Prior: state, Planned: l.res.null}) })
	// Age the element: 2 minutes left of its hour.
	l.srv.Run("nft", "delete element inet plumb_ttl blocked_v4 { "+blockedAddr+" }")
	l.srv.Run("nft", "add element inet plumb_ttl blocked_v4 { "+blockedAddr+" timeout 3600s expires 120s }")
	read := l.res.Read(ctx, providers.ReadRequest{Prior: state})
	if got := read.State.GetAttr("blocked").Index(cty.StringVal(blockedAddr)).AsString(); got != refreshDue {
		t.Fatalf("blocked[%s] after ageing = %q, want %q", blockedAddr, got, refreshDue)
	}
	state = applyConfig(t, l.res, read.State, config)
	m := expiresRE.FindStringSubmatch(l.elements(t, "plumb_ttl", "blocked_v4"))
	if m == nil {
		t.Fatalf("no expiry in:\n%s", l.elements(t, "plumb_ttl", "blocked_v4"))
	}
	if mins, _ := strconv.Atoi(m[1]); mins < 50 {
		t.Errorf("after the refresh the element expires in %s minutes, want about 60", m[1])
	}
	// A short timeout runs out by itself.
	short := cfg(map[string]cty.Value{"table": cty.StringVal("plumb_ttl"), "timeout": cty.StringVal("1s"), "addresses": strs("192.0.2.9")})
	state = applyConfig(t, l.res, state, short)
	time.Sleep(2500 * time.Millisecond)
	read = l.res.Read(ctx, providers.ReadRequest{Prior: state})
	if read.State.GetAttr("blocked").HasIndex(cty.StringVal("192.0.2.9")).True() {
		t.Errorf("an element past its 1s timeout is still blocked: %s", l.elements(t, "plumb_ttl", "blocked_v4"))
	}
	if strings.Contains(l.elements(t, "plumb_ttl", "blocked_v4"), "192.0.2.9") {
		t.Error("the kernel still holds the expired element")
	}
}

// TestMaxEntriesKeepsWorst: with counts, the highest are kept and the
// rest withheld with their rank.
func TestMaxEntriesKeepsWorst(t *testing.T) {
	l := newLab(t)
	config := cfg(map[string]cty.Value{
		"table":       cty.StringVal("plumb_max"),
		"addresses":   strs("192.0.2.1", "192.0.2.2", "192.0.2.3"),
		"counts":      cty.MapVal(map[string]cty.Value{"192.0.2.1": cty.NumberIntVal(50), "192.0.2.2": cty.NumberIntVal(900), "192.0.2.3": cty.NumberIntVal(300)}),
		"max_entries": cty.NumberIntVal(2),
	})
	state := applyConfig(t, l.res, l.res.null, config)
	t.Cleanup(func() { l.res.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: l.res.null}) })
	got := l.elements(t, "plumb_max", "blocked_v4")
	if !strings.Contains(got, "192.0.2.2") || !strings.Contains(got, "192.0.2.3") || strings.Contains(got, "192.0.2.1") {
		t.Errorf("set holds:\n%s\nwant the two worst, 192.0.2.2 and 192.0.2.3", got)
	}
	if why := providers.StringMap(state.GetAttr("withheld"))["192.0.2.1"]; !strings.Contains(why, "max_entries = 2") || !strings.Contains(why, "ranks 3 of 3") {
		t.Errorf("withheld[192.0.2.1] = %q", why)
	}
}
