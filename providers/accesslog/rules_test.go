package accesslog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

func TestJudge(t *testing.T) {
	for _, c := range []struct {
		times          []int64
		within         int64
		most, from, to int64
	}{
		{[]int64{0, 1, 2}, 60, 3, 0, 2},
		{[]int64{0, 59, 60}, 60, 2, 0, 59},            // 60 is a minute after 0: another window
		{[]int64{0, 30, 61, 62, 63}, 60, 4, 30, 63},   // the window slides
		{[]int64{5, 5, 5, 100, 100}, 10, 3, 5, 5},     // many in one second
		{[]int64{0, 100, 200, 300, 400}, 60, 1, 0, 0}, // spread thin
	} {
		most, from, to := judge(c.times, c.within)
		if most != c.most || from != c.from || to != c.to {
			t.Errorf("judge(%v, %d) = %d (%d to %d), want %d (%d to %d)", c.times, c.within, most, from, to, c.most, c.from, c.to)
		}
	}
}

func TestCheckRule(t *testing.T) {
	good := Rule{Name: "x", URI: regexp.MustCompile("^/a"), Requests: 5, Within: time.Minute}
	if err := CheckRule(&good); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		r    Rule
		want string
	}{
		{Rule{Name: "all", Requests: 5, Within: time.Minute}, "matches every request"},
		{Rule{Name: "n", Methods: []string{"GET"}, Requests: 0, Within: time.Minute}, "requests must be at least 1"},
		{Rule{Name: "w", Methods: []string{"GET"}, Requests: 1, Within: time.Millisecond}, "within"},
		{Rule{Name: "s", Statuses: []string{"4x"}, Requests: 1, Within: time.Minute}, "status \"4x\""},
		{Rule{Name: "m", Methods: []string{"GET /"}, Requests: 1, Within: time.Minute}, "not an HTTP method"},
	} {
		if err := CheckRule(&c.r); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckRule(%s) = %v, want %q", c.r.Name, err, c.want)
		}
	}
	r := Rule{Name: "m", Methods: []string{"post"}, Statuses: []string{"4xx", "200"}, URI: regexp.MustCompile(`^/wp-login\.php`), Agent: regexp.MustCompile("(?i)bot"), Requests: 1, Within: time.Minute}
	CheckRule(&r)
	for _, c := range []struct {
		method, uri, agent string
		status             uint16
		want               bool
	}{
		{"POST", "/wp-login.php", "EvilBot", 401, true},
		{"POST", "/wp-login.php?x=1", "a bot", 200, true},
		{"GET", "/wp-login.php", "bot", 401, false},
		{"POST", "/wp-login.php", "bot", 500, false},
		{"POST", "/x/wp-login.php", "bot", 401, false},
		{"POST", "/wp-login.php", "curl", 401, false},
	} {
		if got := r.matches([]byte(c.method), c.status, []byte(c.uri), []byte(c.agent)); got != c.want {
			t.Errorf("matches(%s %s %d %q) = %v, want %v", c.method, c.uri, c.status, c.agent, got, c.want)
		}
	}
}

// TestScanRulesSlide holds the rules to a naive count: for every client,
// every window starting at each of its matching requests. The log has
// bursts that straddle minute boundaries (a window fixed to clock minutes
// or to the newest line would miss them), clients spread too thin, a
// burst early in the log, and clients that match several rules.
func TestScanRulesSlide(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2024, 11, 23, 22, 0, 0, 0, time.UTC)
	type req struct {
		ip, method, uri, agent string
		status                 int
		at                     int
	}
	var reqs []req
	burst := func(ip, method, uri, agent string, status, start, n, every int) {
		for i := 0; i < n; i++ {
			reqs = append(reqs, req{ip, method, uri, agent, status, start + i*every})
		}
	}
	burst("203.0.113.1", "POST", "/wp-login.php", "x", 200, 55, 6, 2)  // straddles 22:01:00
	burst("203.0.113.2", "POST", "/wp-login.php", "x", 200, 0, 6, 60)  // one a minute: never 5 in a minute
	burst("203.0.113.3", "POST", "/wp-login.php", "x", 200, 30, 20, 1) // early in the log
	burst("203.0.113.4", "POST", "/xmlrpc.php", "WordPress", 200, 600, 40, 3)
	burst("2001:db8::4", "GET", "/nope", "sqlmap/1.7", 404, 900, 25, 1) // a 404 scanner and a bad bot
	burst("198.51.100.7", "GET", "/missing", "Mozilla", 404, 100, 9, 7) // 9 404s over a minute
	for i := 0; i < 2000; i++ {
		ip := fmt.Sprintf("198.51.100.%d", rng.IntN(40)+10)
		uris := []string{"/", "/about", "/wp-login.php", "/missing", "/xmlrpc.php"}
		methods := []string{"GET", "GET", "POST"}
		statuses := []int{200, 200, 404}
		reqs = append(reqs, req{ip, methods[rng.IntN(3)], uris[rng.IntN(5)], "Mozilla", statuses[rng.IntN(3)], rng.IntN(1200)})
	}
	rng.Shuffle(len(reqs), func(i, j int) { reqs[i], reqs[j] = reqs[j], reqs[i] }) // lines out of order
	var b strings.Builder
	for _, q := range reqs {
		fmt.Fprintf(&b, "%s - - [%s] \"%s %s HTTP/1.1\" %d 5 \"-\" \"%s\"\n", q.ip, t0.Add(time.Duration(q.at)*time.Second).Format("02/Jan/2006:15:04:05 -0700"), q.method, q.uri, q.status, q.agent)
	}
	rules, diags := ParseRulesFile("rules.hcl", []byte(`
rule {
  name     = "wp_login"
  method   = ["POST"]
  uri      = "^/wp-login\\.php"
  requests = 5
  within   = "1m"
  ban      = "1h"
}
rule {
  name     = "not_found"
  status   = ["404"]
  requests = 10
  within   = "1m"
}
rule {
  name     = "xmlrpc"
  uri      = "^/xmlrpc\\.php"
  requests = 20
  within   = "2m"
  ban      = "6h"
}
rule {
  name     = "bad_bots"
  agent    = "(?i)sqlmap|nikto|masscan"
  requests = 1
  within   = "1h"
  ban      = "24h"
}
`))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p := filepath.Join(t.TempDir(), "access.log")
	os.WriteFile(p, []byte(b.String()), 0o644)
	for _, budget := range []int64{0, 200 << 10} {
		r := scanFiles(t, Options{Rules: rules, Top: 10, Workers: 3, MemoryBudget: budget}, p)
		if len(r.Rules) != len(rules) {
			t.Fatalf("%d rule results", len(r.Rules))
		}
		for i, rule := range rules {
			// The naive answer.
			times := map[string][]int64{}
			for _, q := range reqs {
				if rule.matches([]byte(q.method), uint16(q.status), []byte(q.uri), []byte(q.agent)) {
					times[q.ip] = append(times[q.ip], t0.Unix()+int64(q.at))
				}
			}
			want := map[string]int64{}
			var matched int64
			for ip, ts := range times {
				matched += int64(len(ts))
				slices.Sort(ts)
				best := int64(0)
				for a := range ts {
					n := int64(0)
					for _, x := range ts[a:] {
						if x-ts[a] < int64(rule.Within/time.Second) {
							n++
						}
					}
					best = max(best, n)
				}
				if best >= rule.Requests {
					want[ip] = best
				}
			}
			got := r.Rules[i]
			if got.Name != rule.Name || got.Matched != matched || got.Clients != int64(len(times)) {
				t.Errorf("budget %d, rule %s: %d matched from %d clients, want %d from %d", budget, got.Name, got.Matched, got.Clients, matched, len(times))
			}
			if len(got.Caught) != len(want) {
				t.Errorf("budget %d, rule %s caught %v, want %v", budget, rule.Name, got.Caught, want)
			}
			for _, c := range got.Caught {
				if want[c.Key] != c.InWindow || c.Total != int64(len(times[c.Key])) || c.To.Sub(c.From) >= rule.Within {
					t.Errorf("budget %d, rule %s: %+v, want %d in a window", budget, rule.Name, c, want[c.Key])
				}
			}
		}
		caught := r.Caught()
		for ip, rule := range map[string]string{"203.0.113.1": "wp_login", "203.0.113.3": "wp_login", "2001:db8::4": "bad_bots", "203.0.113.4": "xmlrpc"} {
			if !strings.Contains(caught.Evidence(ip), "rule "+rule+":") {
				t.Errorf("%s not caught by %s: %q", ip, rule, caught.Evidence(ip))
			}
		}
		if ev := caught.Evidence("203.0.113.2"); strings.Contains(ev, "wp_login") {
			t.Errorf("one request a minute caught by wp_login: %q", ev)
		}
		if ev := caught.Evidence("203.0.113.1"); !strings.Contains(ev, "6 matching requests within 1m (2024-11-23T22:00:55Z to 22:01:05)") {
			t.Errorf("evidence of the burst across 22:01: %q", ev)
		}
	}
}

// TestOffendersRules: rule blocks in access_log_offenders list what they
// catch, with the rule in the evidence, rules and bans exported.
func TestOffendersRules(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "203.0.113.7 - - [23/Nov/2024:22:00:%02d +0000] \"POST /wp-login.php HTTP/1.1\" 200 5 \"-\" \"x\"\n", i)
		fmt.Fprintf(&b, "198.51.100.1 - - [23/Nov/2024:22:00:%02d +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"\n", i)
	}
	fmt.Fprintf(&b, "192.0.2.9 - - [23/Nov/2024:22:00:00 +0000] \"GET /.env HTTP/1.1\" 404 5 \"-\" \"sqlmap/1.7\"\n")
	p := filepath.Join(t.TempDir(), "access.log")
	os.WriteFile(p, []byte(b.String()), 0o644)
	rule := func(attrs map[string]cty.Value) cty.Value {
		return RuleBlock.Schema.Complete(cty.ObjectVal(attrs))
	}
	ds, cfg := offendersCfg(map[string]cty.Value{
		"paths": cty.ListVal([]cty.Value{cty.StringVal(p)}),
		"rule": cty.ListVal([]cty.Value{
			rule(map[string]cty.Value{"name": cty.StringVal("wp_login"), "method": cty.ListVal([]cty.Value{cty.StringVal("POST")}),
				"uri": cty.StringVal(`^/wp-login\.php`), "requests": cty.NumberIntVal(10), "within": cty.StringVal("1m"), "ban": cty.StringVal("2h")}),
			rule(map[string]cty.Value{"name": cty.StringVal("bad_bots"), "agent": cty.StringVal("(?i)sqlmap"),
				"requests": cty.NumberIntVal(1), "within": cty.StringVal("1h"), "ban": cty.StringVal("24h")}),
		}),
	})
	resp := ds.Read(context.Background(), providers.DataReadRequest{Config: cfg})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics)
	}
	s := resp.State
	if got := s.GetAttr("addresses"); !got.RawEquals(cty.ListVal([]cty.Value{cty.StringVal("203.0.113.7"), cty.StringVal("192.0.2.9")})) {
		t.Errorf("addresses %#v", got)
	}
	if got := s.GetAttr("rules").Index(cty.StringVal("203.0.113.7")).AsString(); got != "wp_login" {
		t.Errorf("rules[203.0.113.7] = %q", got)
	}
	if got := s.GetAttr("bans"); !got.RawEquals(cty.MapVal(map[string]cty.Value{"203.0.113.7": cty.StringVal("2h"), "192.0.2.9": cty.StringVal("24h")})) {
		t.Errorf("bans %#v", got)
	}
	if ev := s.GetAttr("evidence").Index(cty.StringVal("203.0.113.7")).AsString(); !strings.HasPrefix(ev, "rule wp_login: 30 matching requests within 1m") {
		t.Errorf("evidence %q", ev)
	}
	// A bad expression is reported with what to write.
	_, cfg = offendersCfg(map[string]cty.Value{
		"paths": cty.ListVal([]cty.Value{cty.StringVal(p)}),
		"rule": cty.ListVal([]cty.Value{rule(map[string]cty.Value{"name": cty.StringVal("bad"), "uri": cty.StringVal("(unclosed"),
			"requests": cty.NumberIntVal(1), "within": cty.StringVal("1m")})}),
	})
	if d := ds.(providers.ConfigValidator).ValidateConfig(context.Background(), cfg); !d.HasErrors() || !strings.Contains(d.Error(), "RE2") {
		t.Errorf("a bad regular expression: %v", d)
	}
}

func TestParseRulesFileErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"", "holds no rule blocks"},
		{"rule {\n  name = \"a\"\n  requests = 5\n}\n", `rules.hcl:1,6-6: Missing required argument; The argument "within" is required`},
		{"rule {\n  name = \"a\"\n  uri = \"[\"\n  requests = 5\n  within = \"1m\"\n}\n", "rules.hcl:3,9-12: Invalid rule"}, // at the uri
		{"rule {\n  name = \"a\"\n  agent = \"x\"\n  requests = 5\n  within = \"1m\"\n}\nrule {\n  name = \"a\"\n  agent = \"y\"\n  requests = 5\n  within = \"1m\"\n}\n", "rules.hcl:7,1-5: Invalid rule; two rules are named"},
		{"rule {\n  name = \"a\"\n  agent = \"x\"\n  requests = 5\n  within = \"soon\"\n}\n", "not a duration"},
	} {
		_, d := ParseRulesFile("rules.hcl", []byte(c.src))
		if !d.HasErrors() || !strings.Contains(d.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.src, d, c.want)
		}
	}
}
