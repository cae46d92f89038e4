package netfilter

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbhq/plumb/providers"
)

func TestParsePrefix(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{in: "203.0.113.5", want: "203.0.113.5"},
		{in: "::ffff:203.0.113.5", want: "203.0.113.5"},
		{in: "203.0.113.77/24", want: "203.0.113.0/24"},
		{in: "2001:DB8::1", want: "2001:db8::1"},
		{in: "2001:db8::1/64", want: "2001:db8::/64"},
		{in: "::ffff:198.51.100.0/120", want: "198.51.100.0/24"},
		{in: "203.0.113.5/32", want: "203.0.113.5"},
		{in: "fe80::1%eth0", err: "zone"},
		{in: "example.org", err: "not an address"},
		{in: "10.0.0.0/33", err: "not an address"},
	} {
		got, err := canonical(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("canonical(%q) = %q, %v; want an error containing %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("canonical(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func want(key string, count int64) wanted {
	p, err := parsePrefix(key)
	if err != nil {
		panic(err)
	}
	return wanted{key: prefixKey(p), net: p, count: count, evidence: key + " evidence"}
}

func TestDesire(t *testing.T) {
	protect := protections(hostFacts{
		addrs:     []hostAddr{{netip.MustParseAddr("10.0.0.5"), "eth0"}, {netip.MustParseAddr("127.0.0.1"), "lo"}},
		gateways:  []hostAddr{{netip.MustParseAddr("10.0.0.1"), "eth0"}, {netip.MustParseAddr("fe80::1"), "eth0"}},
		resolvers: []hostAddr{{netip.MustParseAddr("198.18.0.53"), "/etc/resolv.conf"}, {netip.MustParseAddr("127.0.0.53"), "/etc/resolv.conf"}},
	}, []netip.Prefix{netip.MustParsePrefix("198.19.0.0/24")}, []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")})
	cases := []struct {
		name       string
		want       []wanted
		prior      map[string]string
		max        int
		prune      bool
		timeout    bool
		blocked    map[string]string
		withheldBy map[string]string // key → a word the reason must hold
	}{
		{name: "plain", want: []wanted{want("203.0.113.5", 10)}, max: 10,
			blocked: map[string]string{"203.0.113.5": "203.0.113.5 evidence"}},
		{name: "protected: host, loopback, never_block, a network holding the host",
			want: []wanted{want("10.0.0.5", 1), want("127.0.0.9", 1), want("192.0.2.44", 1), want("10.0.0.0/8", 1), want("::1", 1)}, max: 10,
			blocked:    map[string]string{},
			withheldBy: map[string]string{"10.0.0.5": "eth0", "127.0.0.9": "loopback", "192.0.2.44": "never_block", "10.0.0.0/8": "host's address", "::1": "loopback"}},
		{name: "protected: default gateways, name servers, trusted proxies",
			want: []wanted{want("10.0.0.1", 1), want("fe80::1", 1), want("198.18.0.53", 1), want("198.19.0.7", 1), want("198.18.0.0/24", 1), want("203.0.113.5", 1)}, max: 10,
			blocked: map[string]string{"203.0.113.5": "203.0.113.5 evidence"},
			withheldBy: map[string]string{"10.0.0.1": "default gateway via eth0", "fe80::1": "default gateway via eth0",
				"198.18.0.53": "name server in /etc/resolv.conf", "198.19.0.7": "trusted proxy", "198.18.0.0/24": "overlaps 198.18.0.53 (name server"}},
		{name: "inside a listed network", want: []wanted{want("198.51.100.7", 99), want("198.51.100.0/24", 1)}, max: 10,
			blocked:    map[string]string{"198.51.100.0/24": "198.51.100.0/24 evidence"},
			withheldBy: map[string]string{"198.51.100.7": "inside 198.51.100.0/24"}},
		{name: "max keeps the worst", want: []wanted{want("203.0.113.1", 5), want("203.0.113.2", 50), want("203.0.113.3", 20)}, max: 2,
			blocked:    map[string]string{"203.0.113.2": "203.0.113.2 evidence", "203.0.113.3": "203.0.113.3 evidence"},
			withheldBy: map[string]string{"203.0.113.1": "ranks 3 of 3"}},
		{name: "unlisted stays until it expires", want: []wanted{want("203.0.113.1", 5)}, max: 10, timeout: true,
			prior:   map[string]string{"203.0.113.9": "old evidence"},
			blocked: map[string]string{"203.0.113.1": "203.0.113.1 evidence", "203.0.113.9": leftToExpire}},
		{name: "unlisted without timeout stays for good", want: nil, max: 10,
			prior:   map[string]string{"203.0.113.9": "old evidence"},
			blocked: map[string]string{"203.0.113.9": leftNoExpiry}},
		{name: "prune removes the unlisted", want: []wanted{want("203.0.113.1", 5)}, max: 10, prune: true, timeout: true,
			prior:   map[string]string{"203.0.113.9": "old evidence"},
			blocked: map[string]string{"203.0.113.1": "203.0.113.1 evidence"}},
		{name: "an unlisted address now protected goes at once", max: 10, timeout: true,
			prior: map[string]string{"192.0.2.9": "old"}, blocked: map[string]string{}},
		{name: "an unlisted address inside a network now blocked goes", want: []wanted{want("203.0.113.0/24", 5)}, max: 10, timeout: true,
			prior:   map[string]string{"203.0.113.9": "old"},
			blocked: map[string]string{"203.0.113.0/24": "203.0.113.0/24 evidence"}},
		{name: "kept addresses never exceed max", want: []wanted{want("203.0.113.1", 5)}, max: 1, timeout: true,
			prior:   map[string]string{"203.0.113.9": "old"},
			blocked: map[string]string{"203.0.113.1": "203.0.113.1 evidence"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := desire(c.want, c.prior, protect, c.max, c.prune, c.timeout)
			if d := cmp.Diff(c.blocked, o.blocked); d != "" {
				t.Errorf("blocked (-want +got):\n%s", d)
			}
			if len(o.withheld) != len(c.withheldBy) {
				t.Errorf("withheld = %v, want keys %v", o.withheld, c.withheldBy)
			}
			for k, word := range c.withheldBy {
				if !strings.Contains(o.withheld[k], word) {
					t.Errorf("withheld[%s] = %q, want it to mention %q", k, o.withheld[k], word)
				}
			}
		})
	}
}

func TestParseTable(t *testing.T) {
	b, err := os.ReadFile("testdata/table.json")
	if err != nil {
		t.Fatal(err)
	}
	live, err := parseTable(b, "t")
	if err != nil {
		t.Fatal(err)
	}
	s := settings{table: "t", chain: "input", setV4: "blocked_v4", setV6: "blocked_v6", priority: -10}
	if !live.owned || !live.hasChain(s) || !live.hasSet("blocked_v4", "ipv4_addr") || !live.hasSet("blocked_v6", "ipv6_addr") {
		t.Fatalf("owned %v chain %v sets %v", live.owned, live.hasChain(s), live.sets)
	}
	got := map[string]liveElem{}
	for _, e := range live.elems(s) {
		got[e.key] = e
	}
	wantElems := map[string]liveElem{
		"203.0.113.5":         {key: "203.0.113.5", timeout: 3600, expires: 3000},
		"198.51.100.0/24":     {key: "198.51.100.0/24"},
		"192.0.2.1-192.0.2.9": {key: "192.0.2.1-192.0.2.9"},
		"2001:db8::/64":       {key: "2001:db8::/64", timeout: 600, expires: 3000},
	}
	if d := cmp.Diff(wantElems, got, cmp.AllowUnexported(liveElem{})); d != "" {
		t.Errorf("elements (-want +got):\n%s", d)
	}
	s.priority = 0
	if live.hasChain(s) {
		t.Error("hasChain accepts a chain of another priority")
	}
}

func TestScriptCreate(t *testing.T) {
	var sc script
	w := settings{table: "tb", chain: "input", setV4: "b4", setV6: "b6", priority: -10}
	sc.create(w)
	sc.addElems(w, []elemOp{{key: "2001:db8::1", timeout: 60}, {key: "203.0.113.5", timeout: 60, expires: 30}, {key: "198.51.100.0/24"}})
	want := `create table inet tb { comment "managed by plumb"; }
add chain inet tb input { type filter hook input priority -10; policy accept; }
add set inet tb b4 { type ipv4_addr; flags interval, timeout; comment "managed by plumb"; }
add set inet tb b6 { type ipv6_addr; flags interval, timeout; comment "managed by plumb"; }
add rule inet tb input ip saddr @b4 counter drop comment "managed by plumb"
add rule inet tb input ip6 saddr @b6 counter drop comment "managed by plumb"
add element inet tb b4 { 198.51.100.0/24, 203.0.113.5 timeout 60s expires 30s }
add element inet tb b6 { 2001:db8::1 timeout 60s }
`
	if d := cmp.Diff(want, sc.String()); d != "" {
		t.Errorf("script (-want +got):\n%s", d)
	}
}

func TestRisky(t *testing.T) {
	for _, c := range []struct{ key, want string }{
		{"203.0.113.5", ""},
		{"203.0.113.0/24", ""},
		{"198.18.0.0/16", ""},
		{"2001:db8::/32", ""},
		{"2001:db8::/64", ""},
		{"10.0.0.0/15", "wider than /16"},
		{"128.0.0.0/1", "wider than /16 (2147483648 addresses"},
		{"0.0.0.0/0", "wider than /16"},
		{"2000::/3", "wider than /32 (2^125 addresses"},
		{"2001:db8::/31", "wider than /32"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"255.255.255.255", "broadcast"},
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "unspecified"},
		{"240.0.0.1", "reserved"},
		{"::", "unspecified"},
		{"ff02::1", "multicast"},
	} {
		p, err := parsePrefix(c.key)
		if err != nil {
			t.Fatal(err)
		}
		got := risky(p)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("risky(%s) = %q, want %q", c.key, got, c.want)
		}
	}
	d := guard([]wanted{want("203.0.113.5", 1), want("2000::/3", 1), want("224.0.0.1", 1)}, false)
	if !d.HasErrors() || !strings.Contains(d[0].Detail, "2000::/3") || !strings.Contains(d[0].Detail, "-allow-mass-change") {
		t.Errorf("guard: %v", d)
	}
	if _, ok := d[0].Extra.(providers.MassChange); !ok {
		t.Errorf("guard's refusal is not a mass change the engine can allow: %#v", d[0].Extra)
	}
	if d := guard([]wanted{want("2000::/3", 1)}, true); d.HasErrors() || len(d) != 1 {
		t.Errorf("guard with allow_mass_change: %v, want one warning", d)
	}
	// Past ten risky elements the detail lists ten, but the count and the
	// mass-change figures are of all of them.
	var many []wanted
	for i := range 12 {
		many = append(many, want(fmt.Sprintf("224.0.0.%d", i+1), 1))
	}
	many = append(many, want("203.0.113.5", 1))
	d = guard(many, false)
	if !d.HasErrors() || !strings.Contains(d[0].Detail, "holds 12 element(s)") || !strings.Contains(d[0].Detail, "… and 2 more") {
		t.Errorf("guard of 12 risky elements: %v", d)
	}
	if m, _ := d[0].Extra.(providers.MassChange); m.Changed != 12 || m.Total != 13 {
		t.Errorf("guard of 12 risky of 13 elements: mass change %+v", d[0].Extra)
	}
}
