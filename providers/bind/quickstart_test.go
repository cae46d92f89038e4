package bind

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers/providertest"
)

// quickstart is the demo configuration that shows bind_zone.
const quickstart = "../../examples/quickstart/main.hcl"

// TestQuickstartZone runs the quickstart's bind_zone through the
// conformance harness, in a scratch directory as `make demo` does, and
// checks the zone it writes with named-checkzone.
func TestQuickstartZone(t *testing.T) {
	src, err := os.ReadFile(quickstart)
	if err != nil {
		t.Fatal(err)
	}
	if formatted := hclwrite.Format(src); string(formatted) != string(src) {
		t.Errorf("%s is not in canonical format (plumb fmt would change it)", quickstart)
	}
	f, diags := hclsyntax.ParseConfig(src, quickstart, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	r := testResource()
	var cfg cty.Value
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type == "resource" && b.Labels[0] == "bind_zone" {
			if cfg != cty.NilVal {
				t.Fatalf("%s has more than one bind_zone; keep the example small", quickstart)
			}
			var diags hcl.Diagnostics
			if cfg, diags = hcldec.Decode(b.Body, r.schema.DecoderSpec(), nil); diags.HasErrors() {
				t.Fatalf("the quickstart's bind_zone: %s", diags.Error())
			}
		}
	}
	if cfg == cty.NilVal {
		t.Fatalf("%s has no bind_zone", quickstart)
	}
	origin := cfg.GetAttr("name").AsString()
	t.Chdir(t.TempDir())
	providertest.Run(t, providertest.Case{
		Resource: r,
		Steps: []providertest.Step{{Name: "the quickstart zone", Config: cfg, Check: func(t providertest.TB, s cty.Value) {
			t.Helper()
			path := s.GetAttr("path").AsString()
			if filepath.IsAbs(path) || filepath.Dir(path) != filepath.Clean(cfg.GetAttr("directory").AsString()) {
				t.Errorf("the zone file is at %s, want it in the configured directory", path)
			}
			checkZone(t, origin, path)
		}}},
	})
}
