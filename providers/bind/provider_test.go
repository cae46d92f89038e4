package bind

import (
	"context"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

func TestProvider(t *testing.T) {
	p := New()
	if n := len(p.Schema().Attributes) + len(p.Schema().Blocks); n != 1 || p.Schema().Blocks["ssh"] == nil {
		t.Errorf("provider schema has %d attributes and blocks, want only the ssh block", n)
	}
	if resp := p.Configure(context.Background(), providers.ConfigureRequest{Config: cty.NullVal(p.Schema().ImpliedType())}); resp.Diagnostics.HasErrors() {
		t.Errorf("Configure: %s", resp.Diagnostics.Error())
	}
	if _, ok := p.Resources()["bind_zone"]; !ok || len(p.Resources()) != 1 {
		t.Errorf("resource types %v, want bind_zone", p.Resources())
	}
	if len(p.DataSources()) != 0 {
		t.Errorf("data sources %v, want none", p.DataSources())
	}
	reg := providers.NewRegistry()
	reg.Register(Name, New)
	if got, ok := reg.ResourceProvider("bind_zone"); !ok || got != "bind" {
		t.Errorf("ResourceProvider(bind_zone) = %q, %v; want \"bind\"", got, ok)
	}
}

func TestZoneSchema(t *testing.T) {
	s := New().Resources()["bind_zone"].Schema()
	for name, a := range s.Attributes {
		if a.Description == "" {
			t.Errorf("attribute %s has no description", name)
		}
		if !a.Required && !a.Optional && !a.Computed {
			t.Errorf("attribute %s is neither required, optional nor computed", name)
		}
	}
	for _, name := range []string{"name", "directory", "filename"} {
		if !s.Attributes[name].ForceNew {
			t.Errorf("%s should force a new zone", name)
		}
	}
	if keys := s.ElementKeys()["records"]; len(keys) != 2 || keys[0] != "name" || keys[1] != "type" {
		t.Errorf("records are keyed by %v, want name and type", keys)
	}
	soa := s.Blocks["soa"]
	if soa == nil || soa.Nesting != providers.NestingSingle {
		t.Fatalf("soa should be a single nested block")
	}
	for _, name := range soaAttrs {
		if a := soa.Schema.Attributes[name]; a == nil || !a.Optional || !a.Computed {
			t.Errorf("soa.%s should be optional and computed", name)
		}
	}
}
