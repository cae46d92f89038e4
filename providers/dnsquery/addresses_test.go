package dnsquery

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/miekg/dns"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/dnstest"
	"github.com/plumbhq/plumb/providers"
)

// source returns a fresh provider's dns_addresses, as a new run has.
func source(t *testing.T) (*provider, providers.DataSource) {
	t.Helper()
	p := New().(*provider)
	return p, p.DataSources()["dns_addresses"]
}

// config builds a dns_addresses configuration, computed attributes null.
func config(ds providers.DataSource, attrs map[string]cty.Value) cty.Value {
	return ds.Schema().Complete(cty.ObjectVal(attrs))
}

func strs(ss ...string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

// diagText renders diagnostics as "summary: detail; ...".
func diagText(diags hcl.Diagnostics) string {
	var parts []string
	for _, d := range diags {
		parts = append(parts, d.Summary+": "+d.Detail)
	}
	return strings.Join(parts, "; ")
}

func TestReadAddresses(t *testing.T) {
	s := dnstest.Start(t)
	s.SetAddresses("office.example.test", "192.0.2.10", "2001:db8::2", "192.0.2.9", "2001:db8::1", "192.0.2.10")
	s.SetAddresses("v6only.example.test", "2001:db8::6")
	s.SetAddresses("target.example.test", "198.51.100.7")
	s.SetAnswer("alias.example.test", dns.TypeA,
		mustRR(t, "alias.example.test. 60 IN CNAME Target.Example.Test."),
		mustRR(t, "target.example.test. 60 IN A 198.51.100.7"))
	tests := []struct {
		name          string
		attrs         map[string]cty.Value
		ipv4, ipv6    []string
		wantAddresses []string
	}{
		{"both families, sorted and without duplicates",
			map[string]cty.Value{"name": cty.StringVal("office.example.test")},
			[]string{"192.0.2.9", "192.0.2.10"}, []string{"2001:db8::1", "2001:db8::2"},
			[]string{"192.0.2.9", "192.0.2.10", "2001:db8::1", "2001:db8::2"}},
		{"A only", map[string]cty.Value{"name": cty.StringVal("OFFICE.example.test."), "types": strs("A")},
			[]string{"192.0.2.9", "192.0.2.10"}, nil, []string{"192.0.2.9", "192.0.2.10"}},
		{"a family without records is an empty list when the other has some",
			map[string]cty.Value{"name": cty.StringVal("v6only.example.test")},
			nil, []string{"2001:db8::6"}, []string{"2001:db8::6"}},
		{"CNAME chain", map[string]cty.Value{"name": cty.StringVal("alias.example.test"), "types": strs("A")},
			[]string{"198.51.100.7"}, nil, []string{"198.51.100.7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := source(t)
			tt.attrs["server"] = cty.StringVal(s.Addr)
			resp := ds.Read(context.Background(), providers.DataReadRequest{Config: config(ds, tt.attrs)})
			if resp.Diagnostics.HasErrors() {
				t.Fatalf("Read: %s", diagText(resp.Diagnostics))
			}
			for attr, want := range map[string][]string{"ipv4": tt.ipv4, "ipv6": tt.ipv6, "addresses": tt.wantAddresses} {
				if got := resp.State.GetAttr(attr); !got.RawEquals(strs(want...)) {
					t.Errorf("%s = %#v, want %q", attr, got, want)
				}
			}
			if got := resp.State.GetAttr("server"); !got.RawEquals(cty.StringVal(s.Addr)) {
				t.Errorf("server = %#v, want the configured %q kept", got, s.Addr)
			}
		})
	}
}

func mustRR(t *testing.T, text string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(text)
	if err != nil {
		t.Fatalf("dns.NewRR(%q): %v", text, err)
	}
	return rr
}

func TestReadErrors(t *testing.T) {
	s := dnstest.Start(t)
	s.SetAddresses("v6only.example.test", "2001:db8::6")
	s.SetRcode("broken.example.test", dns.RcodeServerFailure)
	s.SetAnswer("txt.example.test", dns.TypeA, mustRR(t, `txt.example.test. 60 IN TXT "203.0.113.7"`))
	s.SetAnswer("garbled.example.test", dns.TypeA, &dns.RFC3597{
		Hdr: dns.RR_Header{Name: "garbled.example.test.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, Rdata: "c000"})
	s.SetAnswer("offline.example.test", dns.TypeA, mustRR(t, "offline.example.test. 60 IN A 0.0.0.0"))
	s.SetAnswer("dangling.example.test", dns.TypeA, mustRR(t, "dangling.example.test. 60 IN CNAME gone.example.test."))
	s.SetAnswer("stranger.example.test", dns.TypeA,
		mustRR(t, "stranger.example.test. 60 IN A 192.0.2.1"), mustRR(t, "other.example.test. 60 IN A 192.0.2.66"))
	tests := []struct {
		name     string
		qname    string
		types    []string
		summary  string
		attr     string
		contains []string
	}{
		{"name does not exist", "nowhere.example.test", nil, "No addresses for nowhere.example.test", "name",
			[]string{"does not exist (NXDOMAIN from " + s.Addr + ")", "never treats a lookup that finds nothing as an empty list", "dynamic-DNS client"}},
		{"no records of the type asked", "v6only.example.test", []string{"A"}, "No addresses for v6only.example.test", "name",
			[]string{"has no A records"}},
		{"server failure", "broken.example.test", nil, "DNS lookup failed", "server",
			[]string{"the server answered SERVFAIL", "never treats a failed lookup as an empty list"}},
		{"TXT record for an A query", "txt.example.test", []string{"A"}, "DNS answer is not an address", "name",
			[]string{`which is not an A record`, `TXT`}},
		{"A record whose data is not an address", "garbled.example.test", []string{"A"}, "DNS lookup failed", "server",
			[]string{"failed"}},
		{"unspecified address", "offline.example.test", []string{"A"}, "DNS answer is not an address", "name",
			[]string{"0.0.0.0 is the unspecified address"}},
		{"CNAME to a name without addresses", "dangling.example.test", []string{"A"}, "No addresses for dangling.example.test", "name",
			[]string{"alias of gone.example.test."}},
		{"record for another name", "stranger.example.test", []string{"A"}, "DNS answer is not an address", "name",
			[]string{"record for another name", "192.0.2.66"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := source(t)
			attrs := map[string]cty.Value{"name": cty.StringVal(tt.qname), "server": cty.StringVal(s.Addr)}
			if tt.types != nil {
				attrs["types"] = strs(tt.types...)
			}
			resp := ds.Read(context.Background(), providers.DataReadRequest{Config: config(ds, attrs)})
			if !resp.Diagnostics.HasErrors() {
				t.Fatalf("Read succeeded with %#v; want an error", resp.State)
			}
			if !resp.State.IsNull() {
				t.Errorf("State = %#v with an error, want null (never an empty list)", resp.State)
			}
			d := resp.Diagnostics[0]
			if d.Summary != tt.summary {
				t.Errorf("summary %q, want %q (%s)", d.Summary, tt.summary, diagText(resp.Diagnostics))
			}
			if d.Extra != providers.AttributePath(tt.attr) {
				t.Errorf("diagnostic is about %v, want attribute %q", d.Extra, tt.attr)
			}
			for _, want := range tt.contains {
				if !strings.Contains(d.Detail, want) {
					t.Errorf("detail does not mention %q:\n%s", want, d.Detail)
				}
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	s := dnstest.Start(t)
	s.SetAddresses("office.example.test", "192.0.2.1")
	s.SetSilent(true)
	_, ds := source(t)
	cfg := config(ds, map[string]cty.Value{"name": cty.StringVal("office.example.test"), "server": cty.StringVal(s.Addr), "timeout": cty.StringVal("300ms")})
	start := time.Now()
	resp := ds.Read(context.Background(), providers.DataReadRequest{Config: cfg})
	elapsed := time.Since(start)
	if !resp.Diagnostics.HasErrors() {
		t.Fatalf("Read of a silent server succeeded: %#v", resp.State)
	}
	if elapsed < 250*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("the lookup gave up after %v; want about the 300ms timeout", elapsed)
	}
	text := diagText(resp.Diagnostics)
	for _, want := range []string{"no answer from " + s.Addr, "within 300ms", "raise timeout"} {
		if !strings.Contains(text, want) {
			t.Errorf("error does not mention %q:\n%s", want, text)
		}
	}
	if s.Queries() == 0 {
		t.Error("the server saw no query: the timeout was not tested against it")
	}
}

func TestValidateConfig(t *testing.T) {
	_, ds := source(t)
	v := ds.(providers.ConfigValidator)
	tests := []struct {
		name  string
		attrs map[string]cty.Value
		attr  string
		want  string
	}{
		{"empty name", map[string]cty.Value{"name": cty.StringVal("")}, "name", "name is empty"},
		{"IP address as name", map[string]cty.Value{"name": cty.StringVal("203.0.113.7")}, "name", "already an IP address"},
		{"invalid name", map[string]cty.Value{"name": cty.StringVal("bad name.example")}, "name", "not a valid DNS name"},
		{"unknown type", map[string]cty.Value{"name": cty.StringVal("a.test"), "types": strs("MX")}, "types", `"MX" is not a record type`},
		{"lower-case type", map[string]cty.Value{"name": cty.StringVal("a.test"), "types": strs("a")}, "types", `"a" is not a record type`},
		{"duplicate type", map[string]cty.Value{"name": cty.StringVal("a.test"), "types": strs("A", "A")}, "types", "listed twice"},
		{"no types", map[string]cty.Value{"name": cty.StringVal("a.test"), "types": strs()}, "types", "types is empty"},
		{"server by name", map[string]cty.Value{"name": cty.StringVal("a.test"), "server": cty.StringVal("ns1.example:53")}, "server", "not an IP address"},
		{"server garbage", map[string]cty.Value{"name": cty.StringVal("a.test"), "server": cty.StringVal("127.0.0.1:dns")}, "server", "not an IP address or IP:PORT"},
		{"bad timeout", map[string]cty.Value{"name": cty.StringVal("a.test"), "timeout": cty.StringVal("5")}, "timeout", `timeout = "5"`},
		{"negative timeout", map[string]cty.Value{"name": cty.StringVal("a.test"), "timeout": cty.StringVal("-1s")}, "timeout", `timeout = "-1s" is not a duration`},
		{"zero timeout", map[string]cty.Value{"name": cty.StringVal("a.test"), "timeout": cty.StringVal("0s")}, "timeout", "more than 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := v.ValidateConfig(context.Background(), config(ds, tt.attrs))
			if !diags.HasErrors() {
				t.Fatal("accepted; want an error")
			}
			if diags[0].Extra != providers.AttributePath(tt.attr) {
				t.Errorf("error is about %v, want %q", diags[0].Extra, tt.attr)
			}
			if !strings.Contains(diagText(diags), tt.want) {
				t.Errorf("error does not say %q: %s", tt.want, diagText(diags))
			}
		})
	}
	ok := config(ds, map[string]cty.Value{"name": cty.StringVal("a.test"), "server": cty.StringVal("[::1]:5353"), "timeout": cty.StringVal("2s"), "types": strs("AAAA", "A")})
	if diags := v.ValidateConfig(context.Background(), ok); diags.HasErrors() {
		t.Errorf("a valid configuration is refused: %s", diagText(diags))
	}
	unknown := config(ds, map[string]cty.Value{"name": cty.UnknownVal(cty.String)})
	if diags := v.ValidateConfig(context.Background(), unknown); diags.HasErrors() {
		t.Errorf("an unknown name is refused before it is known: %s", diagText(diags))
	}
}

// TestAnswerFollowsServer changes the server's answer between runs: a
// new run (a new provider) sees the new address, while within one run the
// first answer is kept, so every data source asking agrees.
func TestAnswerFollowsServer(t *testing.T) {
	s := dnstest.Start(t)
	s.SetAddresses("office.example.test", "192.0.2.1")
	read := func(ds providers.DataSource) cty.Value {
		t.Helper()
		cfg := config(ds, map[string]cty.Value{"name": cty.StringVal("office.example.test"), "types": strs("A"), "server": cty.StringVal(s.Addr)})
		resp := ds.Read(context.Background(), providers.DataReadRequest{Config: cfg})
		if resp.Diagnostics.HasErrors() {
			t.Fatal(diagText(resp.Diagnostics))
		}
		return resp.State.GetAttr("ipv4")
	}
	_, first := source(t)
	if got := read(first); !got.RawEquals(strs("192.0.2.1")) {
		t.Fatalf("first run: %#v", got)
	}
	s.SetAddresses("office.example.test", "192.0.2.2")
	if got := read(first); !got.RawEquals(strs("192.0.2.1")) {
		t.Errorf("the same run asked again and saw %#v; want its first answer kept", got)
	}
	if s.Queries() != 1 {
		t.Errorf("the server saw %d queries for one question in one run, want 1", s.Queries())
	}
	_, second := source(t)
	if got := read(second); !got.RawEquals(strs("192.0.2.2")) {
		t.Errorf("a new run sees %#v, want the changed address", got)
	}
}

// TestPerServerBound reads many names at once from a slow server and
// checks that the server never had more queries in flight than the bound,
// and that the lookups did overlap.
func TestPerServerBound(t *testing.T) {
	s := dnstest.Start(t)
	const names = 12
	for i := 0; i < names; i++ {
		s.SetAddresses(hostName(i), "192.0.2.1")
	}
	s.SetDelay(40 * time.Millisecond)
	p, ds := source(t)
	cresp := p.Configure(context.Background(), providers.ConfigureRequest{Config: cty.ObjectVal(map[string]cty.Value{"max_queries_per_server": cty.NumberIntVal(3)})})
	if cresp.Diagnostics.HasErrors() {
		t.Fatal(diagText(cresp.Diagnostics))
	}
	var wg sync.WaitGroup
	for i := 0; i < names; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := config(ds, map[string]cty.Value{"name": cty.StringVal(hostName(i)), "types": strs("A"), "server": cty.StringVal(s.Addr)})
			if resp := ds.Read(context.Background(), providers.DataReadRequest{Config: cfg}); resp.Diagnostics.HasErrors() {
				t.Error(diagText(resp.Diagnostics))
			}
		}()
	}
	wg.Wait()
	if got := s.MaxConcurrent(); got > 3 || got < 2 {
		t.Errorf("the server had up to %d queries in flight; want lookups in parallel, but never more than the bound of 3", got)
	}
}

func hostName(i int) string { return "site" + string(rune('a'+i)) + ".example.test" }

func TestConfigureRejectsBadBound(t *testing.T) {
	for _, n := range []cty.Value{cty.NumberIntVal(0), cty.NumberFloatVal(2.5), cty.NumberIntVal(100000)} {
		p := New()
		resp := p.Configure(context.Background(), providers.ConfigureRequest{Config: cty.ObjectVal(map[string]cty.Value{"max_queries_per_server": n})})
		if !resp.Diagnostics.HasErrors() || !strings.Contains(diagText(resp.Diagnostics), "whole number from 1") {
			t.Errorf("max_queries_per_server = %#v: %s; want an error", n, diagText(resp.Diagnostics))
		}
	}
	if resp := New().Configure(context.Background(), providers.ConfigureRequest{Config: cty.NullVal(New().Schema().ImpliedType())}); resp.Diagnostics.HasErrors() {
		t.Errorf("no provider block: %s", diagText(resp.Diagnostics))
	}
}
