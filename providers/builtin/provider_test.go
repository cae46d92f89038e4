package builtin

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestProviderTypes(t *testing.T) {
	p := New()
	if got, want := keys(p.Resources()), []string{"local_file", "plumb_data"}; !slices.Equal(got, want) {
		t.Errorf("resource types %v, want %v", got, want)
	}
	if got, want := keys(p.DataSources()), []string{"local_file"}; !slices.Equal(got, want) {
		t.Errorf("data source types %v, want %v", got, want)
	}
	if n := len(p.Schema().Attributes) + len(p.Schema().Blocks); n != 1 || p.Schema().Blocks["ssh"] == nil {
		t.Errorf("provider schema has %d attributes and blocks, want only the ssh block", n)
	}
	resp := p.Configure(context.Background(), providers.ConfigureRequest{Config: cty.NullVal(p.Schema().ImpliedType())})
	if resp.Diagnostics.HasErrors() {
		t.Errorf("Configure: %s", resp.Diagnostics.Error())
	}
}

func TestProviderRegisters(t *testing.T) {
	reg := providers.NewRegistry()
	reg.Register(Name, New)
	for _, typ := range []string{"plumb_data", "local_file"} {
		if got, ok := reg.ResourceProvider(typ); !ok || got != "plumb" {
			t.Errorf("ResourceProvider(%q) = %q, %v; want \"plumb\"", typ, got, ok)
		}
	}
	if got, ok := reg.DataSourceProvider("local_file"); !ok || got != "plumb" {
		t.Errorf("DataSourceProvider(local_file) = %q, %v; want \"plumb\"", got, ok)
	}
}

func TestSchemasAreWellFormed(t *testing.T) {
	p := New()
	schemas := map[string]providers.Schema{}
	for name, r := range p.Resources() {
		schemas["resource "+name] = r.Schema()
	}
	for name, d := range p.DataSources() {
		schemas["data "+name] = d.Schema()
	}
	for name, s := range schemas {
		if s.Description == "" {
			t.Errorf("%s has no description", name)
		}
		for attr, a := range s.Attributes {
			if a.Description == "" {
				t.Errorf("%s.%s has no description", name, attr)
			}
			if n := btoi(a.Required) + btoi(a.Optional) + btoi(a.Computed && !a.Optional); n != 1 {
				t.Errorf("%s.%s must be exactly one of required, optional, computed (optional+computed counts as optional)", name, attr)
			}
			if a.ForceNew && a.Computed && !a.Optional {
				t.Errorf("%s.%s is computed-only but ForceNew", name, attr)
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
