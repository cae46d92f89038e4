package netfilter

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// setKeys lists the elements of both sets of a plumb table, as plumb keys
// them, sorted.
func (l *lab) setKeys(t *testing.T, table string) []string {
	t.Helper()
	out := l.srv.Run("nft", "-j", "list", "table", "inet", table)
	live, err := parseTable([]byte(out), table)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range live.elems(settings{setV4: defaultSetV4, setV6: defaultSetV6}) {
		keys = append(keys, e.key)
	}
	slices.Sort(keys)
	return keys
}

// TestOverlapsInOneTransaction walks a block list through every way its
// elements can overlap: an address widening to its network and back, a
// network widening and narrowing, both at once, IPv6, elements kept until
// they expire and elements added by hand. Each step is one nft
// transaction, and the sets hold exactly what the plan said.
func TestOverlapsInOneTransaction(t *testing.T) {
	l := newLab(t)
	type step struct {
		addrs []string
		prune bool
		hand  string   // an element to add by hand before the step
		want  []string // the sets afterwards
		kept  map[string]string
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"address widens to its network, listed together", []step{
			{addrs: []string{"192.0.2.5"}, want: []string{"192.0.2.5"}},
			{addrs: []string{"192.0.2.5", "192.0.2.0/24"}, want: []string{"192.0.2.0/24"}},
		}},
		{"address replaced by its network", []step{
			{addrs: []string{"192.0.2.5", "198.51.100.1"}, want: []string{"192.0.2.5", "198.51.100.1"}},
			{addrs: []string{"192.0.2.0/24", "198.51.100.1"}, want: []string{"192.0.2.0/24", "198.51.100.1"}},
		}},
		{"network narrows to an address", []step{
			{addrs: []string{"192.0.2.5", "192.0.2.0/24"}, want: []string{"192.0.2.0/24"}},
			{addrs: []string{"192.0.2.5"}, want: []string{"192.0.2.5"}},
		}},
		{"network narrows to two addresses", []step{
			{addrs: []string{"192.0.2.0/24"}, want: []string{"192.0.2.0/24"}},
			{addrs: []string{"192.0.2.5", "192.0.2.77"}, want: []string{"192.0.2.5", "192.0.2.77"}},
		}},
		{"network widens", []step{
			{addrs: []string{"192.0.2.0/25"}, want: []string{"192.0.2.0/25"}},
			{addrs: []string{"192.0.2.0/24"}, want: []string{"192.0.2.0/24"}},
		}},
		{"network narrows", []step{
			{addrs: []string{"192.0.2.0/24"}, want: []string{"192.0.2.0/24"}},
			{addrs: []string{"192.0.2.128/25"}, want: []string{"192.0.2.128/25"}},
		}},
		{"one widens while another narrows", []step{
			{addrs: []string{"192.0.2.5", "198.51.100.0/24"}, want: []string{"192.0.2.5", "198.51.100.0/24"}},
			{addrs: []string{"192.0.2.0/24", "198.51.100.9"}, want: []string{"192.0.2.0/24", "198.51.100.9"}},
		}},
		{"IPv6 address widens to its /64 and narrows back", []step{
			{addrs: []string{"2001:db8::5"}, want: []string{"2001:db8::5"}},
			{addrs: []string{"2001:db8::/64"}, want: []string{"2001:db8::/64"}},
			{addrs: []string{"2001:db8::5", "2001:db8::6"}, want: []string{"2001:db8::5", "2001:db8::6"}},
		}},
		{"kept until it expires unless a new element overlaps it", []step{
			{addrs: []string{"192.0.2.5", "203.0.113.9"}, want: []string{"192.0.2.5", "203.0.113.9"}},
			{addrs: []string{"192.0.2.0/24"}, want: []string{"192.0.2.0/24", "203.0.113.9"},
				kept: map[string]string{"203.0.113.9": leftToExpire}},
		}},
		{"a range added by hand gives way", []step{
			{addrs: []string{"198.51.100.1"}, hand: "192.0.2.10-192.0.2.20", want: []string{"192.0.2.10-192.0.2.20", "198.51.100.1"},
				kept: map[string]string{"192.0.2.10-192.0.2.20": outsideNoExpiry}},
			{addrs: []string{"198.51.100.1", "192.0.2.0/24"}, want: []string{"192.0.2.0/24", "198.51.100.1"}},
		}},
		{"an address added by hand inside a new network gives way", []step{
			{addrs: []string{"198.51.100.1"}, hand: "192.0.2.99 timeout 1h", want: []string{"192.0.2.99", "198.51.100.1"},
				kept: map[string]string{"192.0.2.99": outsideExpiring}},
			{addrs: []string{"192.0.2.0/24"}, prune: true, want: []string{"192.0.2.0/24"}},
		}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			table := "plumb_ov" + string(rune('a'+i))
			var transactions []string
			l.res.nft.applied = func(s string) { transactions = append(transactions, s) }
			t.Cleanup(func() { l.res.nft.applied = nil })
			state := l.res.null
			t.Cleanup(func() { l.res.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: l.res.null}) })
			for n, s := range c.steps {
				if s.hand != "" {
					if n == 0 {
						state = applyConfig(t, l.res, state, overlapConfig(table, nil, false))
					}
					l.srv.Run("nft", "add element inet "+table+" "+defaultSetV4+" { "+s.hand+" }")
					state = l.res.Read(context.Background(), providers.ReadRequest{Prior: state}).State
				}
				transactions = nil
				state = applyConfig(t, l.res, state, overlapConfig(table, s.addrs, s.prune))
				if len(transactions) != 1 {
					t.Errorf("step %d: %d nft transactions, want 1:\n%s", n+1, len(transactions), strings.Join(transactions, "\n---\n"))
				}
				if d := cmp.Diff(s.want, l.setKeys(t, table)); d != "" {
					t.Errorf("step %d: sets (-want +got):\n%s", n+1, d)
				}
				blocked := providers.StringMap(state.GetAttr("blocked"))
				var keys []string
				for k := range blocked {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				if d := cmp.Diff(s.want, keys); d != "" {
					t.Errorf("step %d: state's blocked (-kernel +state):\n%s", n+1, d)
				}
				for k, v := range s.kept {
					if blocked[k] != v {
						t.Errorf("step %d: blocked[%s] = %q, want %q", n+1, k, blocked[k], v)
					}
				}
				// A second plan changes nothing.
				read := l.res.Read(context.Background(), providers.ReadRequest{Prior: state})
				p := l.res.Plan(context.Background(), providers.PlanRequest{Prior: read.State, Config: l.res.schema.Complete(overlapConfig(table, s.addrs, s.prune))})
				if !p.Planned.RawEquals(read.State) {
					t.Errorf("step %d: a second plan is not empty:\n%#v", n+1, p.Planned.GetAttr("blocked"))
				}
			}
		})
	}
}

func overlapConfig(table string, addrs []string, prune bool) cty.Value {
	return cfg(map[string]cty.Value{"table": cty.StringVal(table), "addresses": strs(addrs...), "timeout": cty.StringVal("1h"), "prune": cty.BoolVal(prune)})
}

// TestNftErrorShowsTheLine: a rejected transaction of 100 KB is reported
// with the offending line cut around the mark, its neighbours, and a hint
// that matches nft's complaint.
func TestNftErrorShowsTheLine(t *testing.T) {
	l := newLab(t)
	state := applyConfig(t, l.res, l.res.null, overlapConfig("plumb_err", []string{"192.0.2.5"}, false))
	t.Cleanup(func() { l.res.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: l.res.null}) })
	var ops []elemOp
	for i := 0; i < 8000; i++ {
		ops = append(ops, elemOp{key: "10." + itoa(i>>8) + "." + itoa(i&255) + ".1", timeout: 3600})
	}
	ops = append(ops, elemOp{key: "192.0.2.0/24", timeout: 3600})
	var sc script
	sc.linef("# plumb")
	sc.addElems(stateSettings(state), ops)
	sc.linef("# end")
	if len(sc.String()) < 100_000 {
		t.Fatalf("script of %d bytes; the test wants one over 100 KB", len(sc.String()))
	}
	err := l.res.nft.apply(context.Background(), sc.String())
	if err == nil {
		t.Fatal("adding a network over an address in it succeeded")
	}
	msg := err.Error()
	for _, want := range []string{"nft rejected line 2 of the transaction: interval overlaps with an existing one", "192.0.2.0/24", "   1 | # plumb", ">    2 | … ", "   3 | # end"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if len(msg) > 2000 {
		t.Errorf("error is %d bytes long; want the lines around the mark only:\n%.3000s", len(msg), msg)
	}
	if h := hint(err); !strings.Contains(h, "overlap") || strings.Contains(h, "root") {
		t.Errorf("hint %q does not match the error", h)
	}
	d := l.res.failed(state, err).Diagnostics
	if strings.Contains(d[0].Detail, "installed") {
		t.Errorf("the diagnostic blames the installation:\n%s", d[0].Detail)
	}
	// An element gone before its delete is a race Apply retries.
	var del script
	del.deleteElems(stateSettings(state), []elemOp{{key: "198.51.100.99"}})
	if err := l.res.nft.apply(context.Background(), del.String()); !raced(err) {
		t.Errorf("deleting a missing element: %v, want it seen as a race", err)
	}
	if out, _ := json.Marshal(l.setKeys(t, "plumb_err")); string(out) != `["192.0.2.5"]` {
		t.Errorf("failed transactions changed the set: %s", out)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestKeptElementsSayWhatHappens: an element plumb keeps says what plumb
// will do with it, and does it: one blocked before the table had a
// timeout gets one when it is left to expire.
func TestKeptElementsSayWhatHappens(t *testing.T) {
	l := newLab(t)
	const table = "plumb_kept"
	noTimeout := cfg(map[string]cty.Value{"table": cty.StringVal(table), "addresses": strs("192.0.2.5", "192.0.2.6")})
	state := applyConfig(t, l.res, l.res.null, noTimeout)
	t.Cleanup(func() { l.res.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: l.res.null}) })
	if got := l.elements(t, table, defaultSetV4); strings.Contains(got, "192.0.2.5 timeout") {
		t.Fatalf("elements have a timeout without one configured:\n%s", got)
	}
	state = applyConfig(t, l.res, state, overlapConfig(table, []string{"192.0.2.6"}, false))
	if v := providers.StringMap(state.GetAttr("blocked"))["192.0.2.5"]; v != leftToExpire {
		t.Errorf("blocked[192.0.2.5] = %q, want %q", v, leftToExpire)
	}
	if got := l.elements(t, table, defaultSetV4); !strings.Contains(got, "192.0.2.5 timeout 1h") {
		t.Errorf("the element left to expire has no timeout:\n%s", got)
	}
	l.srv.Run("nft", "add element inet "+table+" "+defaultSetV4+" { 198.51.100.1 }")
	read := l.res.Read(context.Background(), providers.ReadRequest{Prior: state})
	if v := providers.StringMap(read.State.GetAttr("blocked"))["198.51.100.1"]; v != outsideNoExpiry || !strings.Contains(v, "stays until prune = true") {
		t.Errorf("an element added by hand without a timeout is labelled %q", v)
	}
}
