package providertest

import (
	"context"
	"os"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Transport is one way a host-side provider reaches the machine it
// manages, for running the same conformance case over each.
type Transport struct {
	// Name is "local" or "ssh".
	Name string
	// Dir is a folder on that machine for the test's files. The SSH
	// server runs on the test's own machine, so the test can look at (and
	// change) what the provider did there directly.
	Dir string
	// Server is the sshd, nil for the local transport.
	Server *sshtest.Server
}

// Transports returns the local machine and, when running as root, an
// sshd started for the test (logging in as a user who is not root and
// works through sudo, as production logins should). o shapes the sshd
// (a network namespace of its own, for nftables).
func Transports(t *testing.T, o sshtest.Options) []Transport {
	t.Helper()
	out := []Transport{{Name: "local", Dir: t.TempDir()}}
	if os.Geteuid() != 0 {
		t.Log("not root: the SSH transport is not tested (it starts sshd)")
		return out
	}
	o.SudoUser = true
	srv := sshtest.Start(t, "conformance", o)
	return append(out, Transport{Name: "ssh", Dir: srv.Dir, Server: srv})
}

// Configure configures p for the transport, with the given provider
// attributes besides the ssh block, and closes it when the test ends.
// It returns p.
func Configure(t testing.TB, p providers.Provider, tr Transport, attrs map[string]cty.Value) providers.Provider {
	t.Helper()
	schema := p.Schema()
	ty := schema.ImpliedType()
	m := map[string]cty.Value{}
	for name, at := range ty.AttributeTypes() {
		m[name] = cty.NullVal(at)
	}
	for k, v := range attrs {
		m[k] = v
	}
	if tr.Server != nil {
		m[host.BlockName] = sshBlock(schema, tr.Server)
	}
	resp := p.Configure(context.Background(), providers.ConfigureRequest{Config: cty.ObjectVal(m)})
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("configuring the provider over %s: %s", tr.Name, diagText(resp.Diagnostics))
	}
	if c, ok := p.(providers.Closer); ok {
		t.Cleanup(func() { c.Close() })
	}
	return p
}

// sshBlock is the value of the ssh block that reaches srv.
func sshBlock(schema providers.Schema, srv *sshtest.Server) cty.Value {
	b, ok := schema.Blocks[host.BlockName]
	if !ok {
		panic("providertest: the provider's schema has no ssh block")
	}
	m := map[string]cty.Value{}
	for name, at := range b.Schema.ImpliedType().AttributeTypes() {
		m[name] = cty.NullVal(at)
	}
	s := srv.Settings()
	m["host"] = cty.StringVal(s.Host)
	m["port"] = cty.NumberIntVal(int64(s.Port))
	m["user"] = cty.StringVal(s.User)
	m["private_key_file"] = cty.StringVal(s.PrivateKeyFile)
	m["known_hosts_file"] = cty.StringVal(s.KnownHostsFile)
	m["sudo"] = cty.BoolVal(s.Sudo)
	return cty.ObjectVal(m)
}
