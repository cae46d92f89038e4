package dnsquery

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/dnstest"
	"github.com/plumbhq/plumb/providers"
)

// TestSystemResolverHosts resolves localhost through the real system
// resolver, which finds it in the hosts file without any network.
func TestSystemResolverHosts(t *testing.T) {
	_, ds := source(t)
	resp := ds.Read(context.Background(), providers.DataReadRequest{Config: config(ds, map[string]cty.Value{
		"name": cty.StringVal("localhost"), "types": strs("A")})})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(diagText(resp.Diagnostics))
	}
	found := false
	for _, v := range resp.State.GetAttr("ipv4").AsValueSlice() {
		found = found || v.AsString() == "127.0.0.1"
	}
	if !found {
		t.Errorf("localhost resolves to %#v through the system resolver; want 127.0.0.1 among them", resp.State.GetAttr("ipv4"))
	}
}

// withSystemServer makes the provider's system resolver the pure-Go one,
// talking to the test's server instead of the machine's.
func withSystemServer(p *provider, s *dnstest.Server) {
	p.res.system = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, s.Addr)
	}}
}

func TestSystemResolverPath(t *testing.T) {
	s := dnstest.Start(t)
	s.SetAddresses("office.example.test", "192.0.2.7", "2001:db8::7")
	tests := []struct {
		name   string
		qname  string
		silent bool
		want   []string // addresses; nil when an error is expected
		errHas string
	}{
		{"found", "office.example.test", false, []string{"192.0.2.7", "2001:db8::7"}, ""},
		{"not found", "nowhere.example.test", false, nil, "No addresses for nowhere.example.test"},
		{"no answer", "office.example.test", true, nil, "no answer from system resolver"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.SetSilent(tt.silent)
			p, ds := source(t)
			withSystemServer(p, s)
			resp := ds.Read(context.Background(), providers.DataReadRequest{Config: config(ds, map[string]cty.Value{
				"name": cty.StringVal(tt.qname), "timeout": cty.StringVal("300ms")})})
			if tt.want == nil {
				if !resp.Diagnostics.HasErrors() {
					t.Fatalf("Read succeeded with %#v; want an error", resp.State)
				}
				if text := diagText(resp.Diagnostics); !strings.Contains(text, tt.errHas) {
					t.Errorf("error does not say %q: %s", tt.errHas, text)
				}
				return
			}
			if resp.Diagnostics.HasErrors() {
				t.Fatal(diagText(resp.Diagnostics))
			}
			if got := resp.State.GetAttr("addresses"); !got.RawEquals(strs(tt.want...)) {
				t.Errorf("addresses = %#v, want %q", got, tt.want)
			}
		})
	}
}
