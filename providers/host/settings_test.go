package host

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
)

func sshBlock(attrs map[string]cty.Value) cty.Value {
	ty := Block().Schema.ImpliedType()
	m := map[string]cty.Value{}
	for name, at := range ty.AttributeTypes() {
		m[name] = cty.NullVal(at)
	}
	for k, v := range attrs {
		m[k] = v
	}
	return cty.ObjectVal(m)
}

func TestDecodeSettings(t *testing.T) {
	base := map[string]cty.Value{"host": cty.StringVal("web1"), "user": cty.StringVal("deploy"), "known_hosts_file": cty.StringVal("/kh")}
	with := func(k string, v cty.Value) map[string]cty.Value {
		m := map[string]cty.Value{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	t.Run("defaults", func(t *testing.T) {
		s, diags := DecodeSettings(sshBlock(base))
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		want := Settings{Host: "web1", Port: 22, User: "deploy", Agent: true, KnownHostsFile: "/kh",
			ConnectTimeout: 10 * time.Second, CommandTimeout: 10 * time.Minute, MaxSessions: 8}
		if s != want {
			t.Errorf("got %+v, want %+v", s, want)
		}
		if s.Addr() != "web1:22" {
			t.Errorf("Addr = %q", s.Addr())
		}
	})
	t.Run("key file turns the agent off", func(t *testing.T) {
		s, _ := DecodeSettings(sshBlock(with("private_key_file", cty.StringVal("/k"))))
		if s.Agent || s.PrivateKeyFile != "/k" {
			t.Errorf("got %+v", s)
		}
	})
	bad := []struct {
		name  string
		attrs map[string]cty.Value
		want  string
	}{
		{"empty host", with("host", cty.StringVal("")), "host is empty"},
		{"port", with("port", cty.NumberIntVal(70000)), "not a TCP port"},
		{"both trust sources", with("host_key", cty.StringVal("ssh-ed25519 AAAA")), "Both known_hosts_file and host_key"},
		{"timeout", with("connect_timeout", cty.StringVal("soon")), `connect_timeout = "soon"`},
		{"no way to log in", with("agent", cty.False), "no way to log in"},
		{"sessions", with("max_sessions", cty.NumberIntVal(0)), "max_sessions"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, diags := DecodeSettings(sshBlock(c.attrs))
			if !diags.HasErrors() || !strings.Contains(diags.Error(), c.want) {
				t.Errorf("diagnostics %v, want one saying %q", diags, c.want)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		_, diags := DecodeSettings(sshBlock(with("host", cty.UnknownVal(cty.String))))
		if !diags.HasErrors() || !strings.Contains(diags.Error(), "not known before apply") {
			t.Errorf("diagnostics %v", diags)
		}
	})
}

// TestFromConfigWithoutBlock: no ssh block means this machine.
func TestFromConfigWithoutBlock(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{"ssh": Block().Schema.ImpliedType(), "x": cty.String})
	for _, v := range []cty.Value{cty.NullVal(ty), cty.ObjectVal(map[string]cty.Value{"ssh": cty.NullVal(ty.AttributeType("ssh")), "x": cty.StringVal("y")})} {
		h, diags := FromConfig(context.Background(), v)
		if diags.HasErrors() || h.String() != "this machine" {
			t.Errorf("FromConfig(%#v) = %v, %v", v, h, diags)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain":          "plain",
		"/usr/sbin/nft":  "/usr/sbin/nft",
		"":               "''",
		"two words":      "'two words'",
		"it's":           `'it'\''s'`,
		"$HOME;rm -rf /": `'$HOME;rm -rf /'`,
		"LC_ALL=C.UTF-8": "LC_ALL=C.UTF-8",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
