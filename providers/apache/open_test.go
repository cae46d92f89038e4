package apache

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// TestLocalAddressesRefused: loopback, link-local and "this network"
// addresses (and blocks reaching them) are refused in allow unless
// allow_local says they are meant; ordinary addresses are not.
func TestLocalAddressesRefused(t *testing.T) {
	refused := []string{"127.0.0.1", "127.8.9.10", "::1", "fe80::1", "169.254.1.1", "127.0.0.0/8", "0.0.0.0/1",
		"169.254.0.0/16", "fe80::/64", "::ffff:127.0.0.1", "0.1.2.3", "::/8"}
	accepted := []string{"192.0.2.1", "2001:db8::1", "10.0.0.0/8", "192.0.0.0/2", "::ffff:192.0.2.1", "fec0::1"}
	r := resourceUnderTest()
	for _, a := range refused {
		d := r.ValidateConfig(t.Context(), cfg("/srv/.htaccess", map[string]cty.Value{"allow": strs("192.0.2.9", a)}))
		if !d.HasErrors() || !strings.Contains(diagText(d), "Local address in the allow list") || !strings.Contains(diagText(d), "allow_local = true") {
			t.Errorf("allow %s: %s; want it refused, saying how to accept it", a, diagText(d))
		}
		d = r.ValidateConfig(t.Context(), cfg("/srv/.htaccess", map[string]cty.Value{"allow": strs(a), "allow_local": cty.True}))
		if d.HasErrors() {
			t.Errorf("allow %s with allow_local: %s", a, diagText(d))
		}
	}
	for _, a := range accepted {
		if d := r.ValidateConfig(t.Context(), cfg("/srv/.htaccess", map[string]cty.Value{"allow": strs(a)})); d.HasErrors() {
			t.Errorf("allow %s refused: %s", a, diagText(d))
		}
	}
	// deny may hold anything: keeping loopback out is harmless.
	if d := r.ValidateConfig(t.Context(), cfg("/srv/.htaccess", map[string]cty.Value{"allow": strs("192.0.2.1"), "deny": strs("127.0.0.1")})); d.HasErrors() {
		t.Errorf("deny 127.0.0.1: %s", diagText(d))
	}
}

// TestOutsideGrantsRefused: a hand-written line that lets everyone in at
// the block's level of the file stops the plan, whether the plan would
// change the block or not, unless accept_outside_grants says it is meant.
// The same line scoped to a <Files> section is only what it is.
func TestOutsideGrantsRefused(t *testing.T) {
	tests := []struct {
		name    string
		content string
		refused bool
	}{
		{"top level", "Require all granted\n", true},
		{"inside IfModule", "<IfModule mod_authz_core.c>\n  require ALL granted\n</IfModule>\n", true},
		{"inside a top-level RequireAny", "<RequireAny>\n  Require all granted\n  Require ip 198.51.100.1\n</RequireAny>\n", true},
		{"Apache 2.2 syntax", "Order allow,deny\nAllow from all\n", true},
		{"scoped to some files", "<Files robots.txt>\n  Require all granted\n</Files>\n", false},
		{"inside RequireAll", "<RequireAll>\n  Require all granted\n  Require ip 198.51.100.1\n</RequireAll>\n", false},
		{"a comment", "# Require all granted\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := htdir(t) + "/.htaccess"
			r := resourceUnderTest()
			null := cty.NullVal(r.Schema().ImpliedType())
			config := allowCfg(file, "192.0.2.1")
			// The block is in place before the grant is written, so the
			// plan that meets the grant has nothing to change.
			created := apply(t, r, "", null, config)
			writeFile(t, file, tt.content+readFile(t, file), 0o644)
			resp := plan(t, r, "", created, config)
			if got := resp.Diagnostics.HasErrors(); got != tt.refused {
				t.Fatalf("refused = %v, want %v: %s", got, tt.refused, diagText(resp.Diagnostics))
			}
			if tt.refused {
				if !strings.Contains(diagText(resp.Diagnostics), "accept_outside_grants = true") {
					t.Errorf("the error does not say how to accept it: %s", diagText(resp.Diagnostics))
				}
				accepted := cfg(file, map[string]cty.Value{"allow": strs("192.0.2.1"), "accept_outside_grants": cty.True})
				if resp := plan(t, r, "", created, accepted); resp.Diagnostics.HasErrors() {
					t.Errorf("accepted, still refused: %s", diagText(resp.Diagnostics))
				}
				// A plan that changes the block says so too, as an error.
				changed := allowCfg(file, "192.0.2.2")
				resp := plan(t, r, "", created, changed)
				if !resp.Diagnostics.HasErrors() {
					t.Errorf("a changing plan let the grant through")
				}
				for _, d := range resp.Diagnostics {
					if d.Severity == hcl.DiagError && !strings.Contains(d.Summary, "Everyone is let in") {
						t.Errorf("unexpected error: %s", d.Summary)
					}
				}
			}
		})
	}
}

// TestEmptyAllowWithDenyConverges: with allow_empty and a deny list, the
// block lets nobody in and writes no deny lines; reading it back keeps
// the deny list, so the next plan is empty. (FuzzParseFile found that
// the deny list read back as [] and every plan changed it again.)
func TestEmptyAllowWithDenyConverges(t *testing.T) {
	file := htdir(t) + "/.htaccess"
	r := resourceUnderTest()
	null := cty.NullVal(r.Schema().ImpliedType())
	for _, syntax := range []string{Syntax24, Syntax22} {
		config := cfg(file, map[string]cty.Value{"allow": cty.ListValEmpty(cty.String), "allow_empty": cty.True, "deny": strs("192.0.2.5"), "syntax": cty.StringVal(syntax)})
		st := apply(t, r, "", null, config)
		read := r.Read(t.Context(), providers.ReadRequest{Prior: st})
		if read.Diagnostics.HasErrors() {
			t.Fatal(diagText(read.Diagnostics))
		}
		if p := plan(t, r, "", read.State, config); !p.Planned.RawEquals(read.State) {
			t.Errorf("%s: the plan after apply changes the block again", syntax)
		}
		null = read.State
	}
}
