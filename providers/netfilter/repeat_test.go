package netfilter

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/dnstest"
	"github.com/plumbhq/plumb/providers"
)

func TestBanFor(t *testing.T) {
	s := settings{timeout: 3600, repeatFactor: 2, maxBan: 6 * 3600, bans: map[string]int64{"b": 600}}
	for _, c := range []struct {
		key     string
		offence int64
		want    int64
		note    string
	}{
		{"a", 1, 3600, ""},
		{"a", 2, 7200, "repeat offence 2: blocked for 2h (1h × 2^1)"},
		{"a", 3, 4 * 3600, "repeat offence 3: blocked for 4h (1h × 2^2)"},
		{"a", 4, 6 * 3600, "blocked for 6h (1h × 2^3, the most max_ban allows)"},
		{"a", 60, 6 * 3600, "the most max_ban allows"},
		{"b", 1, 600, ""},
		{"b", 2, 1200, "blocked for 20m (10m × 2^1)"},
	} {
		if got := s.banFor(c.key, c.offence); got != c.want {
			t.Errorf("banFor(%s, %d) = %d, want %d", c.key, c.offence, got, c.want)
		}
		if got := s.escalation(c.key, c.offence); !strings.Contains(got, c.note) || c.note == "" && got != "" {
			t.Errorf("escalation(%s, %d) = %q, want %q", c.key, c.offence, got, c.note)
		}
	}
	if got := (settings{repeatFactor: 2, maxBan: 100}).banFor("x", 5); got != 0 {
		t.Errorf("without a timeout: %d, want 0 (for good)", got)
	}
}

// elemTimeout returns the timeout nft shows for key, such as "2h".
func (l *lab) elemTimeout(t *testing.T, table, key string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(key) + ` timeout (\w+)`).FindStringSubmatch(l.elements(t, table, defaultSetV4))
	if m == nil {
		return ""
	}
	return m[1]
}

// TestRepeatOffenders: an address blocked again after its block ended is
// blocked longer each time, up to max_ban; one removed by hand before its
// end is put back at the same level; bans give an address its own base.
func TestRepeatOffenders(t *testing.T) {
	l := newLab(t)
	const table = "plumb_repeat"
	clock := time.Date(2024, 11, 23, 22, 0, 0, 0, time.UTC)
	l.res.now = func() time.Time { return clock }
	t.Cleanup(func() { l.res.now = time.Now })
	config := cfg(map[string]cty.Value{
		"table": cty.StringVal(table), "addresses": strs("192.0.2.5", "192.0.2.6"), "timeout": cty.StringVal("1h"), "max_ban": cty.StringVal("6h"),
		"bans": cty.MapVal(map[string]cty.Value{"192.0.2.6": cty.StringVal("10m")}),
	})
	state := applyConfig(t, l.res, l.res.null, config)
	t.Cleanup(func() { l.res.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: l.res.null}) })
	if got := l.elemTimeout(t, table, "192.0.2.6"); got != "10m" {
		t.Errorf("a ban of 10m: timeout %s", got)
	}
	for i, want := range []struct {
		offence  int64
		timeout  string
		evidence string
	}{
		{2, "2h", "repeat offence 2: blocked for 2h (1h × 2^1)"},
		{3, "4h", "repeat offence 3: blocked for 4h (1h × 2^2)"},
		{4, "6h", "repeat offence 4: blocked for 6h (1h × 2^3, the most max_ban allows)"},
	} {
		// The block ends: the kernel drops the element when its time is up.
		clock = clock.Add(7 * time.Hour)
		l.srv.Run("nft", "delete element inet "+table+" "+defaultSetV4+" { 192.0.2.5 }")
		state = l.res.Read(context.Background(), providers.ReadRequest{Prior: state}).State
		state = applyConfig(t, l.res, state, config)
		if n := numberMap(state.GetAttr("offences"))["192.0.2.5"]; n != want.offence {
			t.Errorf("round %d: offences = %d, want %d", i, n, want.offence)
		}
		if got := l.elemTimeout(t, table, "192.0.2.5"); got != want.timeout {
			t.Errorf("round %d: timeout %s, want %s", i, got, want.timeout)
		}
		if ev := providers.StringMap(state.GetAttr("blocked"))["192.0.2.5"]; !strings.HasSuffix(ev, want.evidence) {
			t.Errorf("round %d: evidence %q, want it to end %q", i, ev, want.evidence)
		}
	}
	// Removed by hand before its end: back at the same level.
	l.srv.Run("nft", "delete element inet "+table+" "+defaultSetV4+" { 192.0.2.5 }")
	state = l.res.Read(context.Background(), providers.ReadRequest{Prior: state}).State
	state = applyConfig(t, l.res, state, config)
	if n := numberMap(state.GetAttr("offences"))["192.0.2.5"]; n != 4 {
		t.Errorf("after a removal by hand before the end: offences = %d, want 4 still", n)
	}
	// Still blocked and still listed: no new offence, no renewal.
	before := l.elements(t, table, defaultSetV4)
	state = applyConfig(t, l.res, l.res.Read(context.Background(), providers.ReadRequest{Prior: state}).State, config)
	if n := numberMap(state.GetAttr("offences"))["192.0.2.5"]; n != 4 {
		t.Errorf("listed again while blocked: offences = %d, want 4", n)
	}
	if after := l.elements(t, table, defaultSetV4); after != before && !strings.Contains(after, "expires 5h59m") {
		t.Errorf("a block still running was renewed:\nbefore %s\nafter %s", before, after)
	}
}

// TestUnban: an address lifted with plumb unban (its state marked, as the
// command does) leaves the sets at the next apply and stays out while a
// run lists it; once a run no longer lists it, listing it again is a new
// offence.
func TestUnban(t *testing.T) {
	l := newLab(t)
	const table = "plumb_unban"
	with := cfg(map[string]cty.Value{"table": cty.StringVal(table), "addresses": strs("192.0.2.5", "192.0.2.7"), "timeout": cty.StringVal("1h")})
	without := cfg(map[string]cty.Value{"table": cty.StringVal(table), "addresses": strs("192.0.2.7"), "timeout": cty.StringVal("1h")})
	state := applyConfig(t, l.res, l.res.null, with)
	t.Cleanup(func() { l.res.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: l.res.null}) })
	m := state.AsValueMap()
	m["unbanned"] = cty.MapVal(map[string]cty.Value{"192.0.2.5": cty.StringVal("2024-11-23T22:30:00Z")})
	state = cty.ObjectVal(m)
	for round := 0; round < 2; round++ {
		state = applyConfig(t, l.res, l.res.Read(context.Background(), providers.ReadRequest{Prior: state}).State, with)
		if strings.Contains(l.elements(t, table, defaultSetV4), "192.0.2.5 ") {
			t.Errorf("round %d: the unbanned address is still in the set", round)
		}
		if why := providers.StringMap(state.GetAttr("withheld"))["192.0.2.5"]; !strings.Contains(why, "lifted with plumb unban at 2024-11-23T22:30:00Z") {
			t.Errorf("round %d: withheld %q", round, why)
		}
	}
	state = applyConfig(t, l.res, l.res.Read(context.Background(), providers.ReadRequest{Prior: state}).State, without)
	if u := providers.StringMap(state.GetAttr("unbanned")); len(u) != 0 {
		t.Errorf("after a run without it: unbanned = %v, want it forgotten", u)
	}
	state = applyConfig(t, l.res, l.res.Read(context.Background(), providers.ReadRequest{Prior: state}).State, with)
	if !strings.Contains(l.elements(t, table, defaultSetV4), "192.0.2.5 ") {
		t.Error("offending anew, the address is not blocked again")
	}
	if n := numberMap(state.GetAttr("offences"))["192.0.2.5"]; n != 2 {
		t.Errorf("offences = %d, want 2", n)
	}
}

// TestRestoreAfterReboot: the kernel's sets come up empty after a reboot;
// Restore puts back, from state alone, every block that has not ended,
// with the time it has left, one without a timeout for good, and drops
// the ones whose end passed.
func TestRestoreAfterReboot(t *testing.T) {
	l := newLab(t)
	const table = "plumb_reboot"
	config := cfg(map[string]cty.Value{"table": cty.StringVal(table), "addresses": strs("192.0.2.5", "192.0.2.6", "2001:db8::9"), "timeout": cty.StringVal("1h")})
	state := applyConfig(t, l.res, l.res.null, config)
	t.Cleanup(func() { l.res.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: l.res.null}) })
	// One block ended while the machine was down; one has no timeout.
	m := state.AsValueMap()
	exp := providers.StringMap(m["expires"])
	exp["192.0.2.6"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	exp["2001:db8::9"] = never
	exp["192.0.2.5"] = time.Now().Add(20 * time.Minute).UTC().Format(time.RFC3339)
	m["expires"] = providers.StringMapVal(exp)
	state = cty.ObjectVal(m)
	l.srv.Run("nft", "flush", "ruleset") // what a reboot leaves
	resp := l.res.Restore(context.Background(), providers.RestoreRequest{Addr: "nftables_blocklist.x", Prior: state})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics)
	}
	if !strings.Contains(resp.Summary, "2 block(s) in place") || !strings.Contains(resp.Summary, "1 had ended") {
		t.Errorf("summary %q", resp.Summary)
	}
	v4 := l.elements(t, table, defaultSetV4)
	if !regexp.MustCompile(`192\.0\.2\.5 timeout 1h expires (19|20)m`).MatchString(v4) || strings.Contains(v4, "192.0.2.6") {
		t.Errorf("after restore, IPv4 set:\n%s\nwant 192.0.2.5 with about 20m left and no 192.0.2.6", v4)
	}
	if v6 := l.elements(t, table, defaultSetV6); !strings.Contains(v6, "2001:db8::9") || strings.Contains(v6, "2001:db8::9 timeout") {
		t.Errorf("after restore, IPv6 set:\n%s\nwant 2001:db8::9 without a timeout", v6)
	}
	if b := providers.StringMap(resp.State.GetAttr("blocked")); len(b) != 2 || b["192.0.2.6"] != "" {
		t.Errorf("restored state blocks %v", b)
	}
	// The next plan changes nothing but what the log says.
	state = resp.State
	read := l.res.Read(context.Background(), providers.ReadRequest{Prior: state})
	if !read.State.GetAttr("blocked").RawEquals(state.GetAttr("blocked")) {
		t.Errorf("read after restore: %#v", read.State.GetAttr("blocked"))
	}
	// Restoring again adds nothing and renews nothing.
	noExpiry := regexp.MustCompile(` expires [0-9hms]+`)
	before := noExpiry.ReplaceAllString(l.elements(t, table, defaultSetV4), "")
	r := l.res.Restore(context.Background(), providers.RestoreRequest{Prior: state})
	after := l.elements(t, table, defaultSetV4)
	if r.Diagnostics.HasErrors() || noExpiry.ReplaceAllString(after, "") != before || !regexp.MustCompile(`expires (19|20)m`).MatchString(after) {
		t.Errorf("a second restore: %v\n%s", r.Diagnostics, after)
	}
}

// TestVerifiedCrawlers: never_block names crawlers; an address is let
// through as one only when forward-confirmed reverse DNS proves it (the
// test's DNS server plays the search engines'), and an address that only
// claims to be one is blocked like anyone else.
func TestVerifiedCrawlers(t *testing.T) {
	l := newLab(t)
	d := dnstest.Start(t)
	ptr := func(addr, name string) {
		rev, _ := dns.ReverseAddr(addr)
		d.SetAnswer(rev, dns.TypePTR, &dns.PTR{Hdr: dns.RR_Header{Name: rev, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: 60}, Ptr: dns.Fqdn(name)})
	}
	ptr("66.249.66.1", "crawl-66-249-66-1.googlebot.com")
	d.SetAddresses("crawl-66-249-66-1.googlebot.com", "66.249.66.1")
	ptr("157.55.39.1", "msnbot-157-55-39-1.search.msn.com")
	d.SetAddresses("msnbot-157-55-39-1.search.msn.com", "157.55.39.1")
	ptr("203.0.113.66", "crawl-66-249-66-1.googlebot.com") // claims a Google name that does not point back
	ptr("203.0.113.67", "googlebot.com.evil.example")      // not Google's domain
	d.SetAddresses("googlebot.com.evil.example", "203.0.113.67")
	l.res.verify.resolver = newResolver(d.Addr)
	t.Cleanup(func() { l.res.verify.resolver = newResolver("") })
	config := cfg(map[string]cty.Value{
		"table":       cty.StringVal("plumb_bots"),
		"addresses":   strs("66.249.66.1", "157.55.39.1", "203.0.113.66", "203.0.113.67", "198.51.100.1"),
		"never_block": cty.ListVal([]cty.Value{cty.StringVal("googlebot"), cty.StringVal("bingbot")}),
	})
	state := applyConfig(t, l.res, l.res.null, config)
	t.Cleanup(func() { l.res.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: l.res.null}) })
	withheld := providers.StringMap(state.GetAttr("withheld"))
	for addr, want := range map[string]string{
		"66.249.66.1": "verified Googlebot (crawl-66-249-66-1.googlebot.com resolves back to it",
		"157.55.39.1": "verified Bingbot (msnbot-157-55-39-1.search.msn.com",
	} {
		if !strings.Contains(withheld[addr], want) {
			t.Errorf("withheld[%s] = %q, want %q", addr, withheld[addr], want)
		}
	}
	set := l.elements(t, "plumb_bots", defaultSetV4)
	for _, addr := range []string{"203.0.113.66", "203.0.113.67", "198.51.100.1"} {
		if !strings.Contains(set, addr) {
			t.Errorf("%s (no crawler) is not blocked:\n%s", addr, set)
		}
	}
	if strings.Contains(set, "66.249.66.1") {
		t.Errorf("the verified Googlebot is blocked:\n%s", set)
	}
	bad := l.res.schema.Complete(cfg(map[string]cty.Value{"table": cty.StringVal("x"), "addresses": strs("192.0.2.1"),
		"never_block": cty.ListVal([]cty.Value{cty.StringVal("googlebott")})}))
	if d := l.res.ValidateConfig(context.Background(), bad); !d.HasErrors() || !strings.Contains(d.Error(), "googlebot, bingbot") {
		t.Errorf("a misspelt crawler: %v", d)
	}
}
