package reconcile_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// guardedProvider serves test_guarded, a resource whose plan refuses
// any change to "size" as a mass change, the way a DNS zone provider
// refuses to rewrite most of a zone.
type guardedProvider struct{}

func (guardedProvider) Schema() providers.Schema { return providers.Schema{} }
func (guardedProvider) Configure(context.Context, providers.ConfigureRequest) providers.ConfigureResponse {
	return providers.ConfigureResponse{}
}
func (guardedProvider) Resources() map[string]providers.Resource {
	return map[string]providers.Resource{"test_guarded": guarded{}}
}
func (guardedProvider) DataSources() map[string]providers.DataSource { return nil }

type guarded struct{}

func (guarded) Schema() providers.Schema {
	return providers.Schema{Attributes: map[string]*providers.Attribute{
		"size": {Type: cty.Number, Required: true},
	}}
}
func (guarded) Read(_ context.Context, req providers.ReadRequest) providers.ReadResponse {
	return providers.ReadResponse{State: req.Prior}
}
func (g guarded) Plan(_ context.Context, req providers.PlanRequest) providers.PlanResponse {
	resp := providers.DefaultPlan(g.Schema(), req)
	if !req.Prior.IsNull() && !req.Config.IsNull() && !req.Prior.RawEquals(req.Config) {
		resp.Diagnostics = providers.MassChangeError("the guarded object", 8, 10)
	}
	return resp
}
func (guarded) Apply(_ context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	return providers.ApplyResponse{State: req.Planned}
}
func (guarded) Import(context.Context, providers.ImportRequest) providers.ImportResponse {
	return providers.ImportResponse{}
}

func TestMassChangeNeedsPermission(t *testing.T) {
	reg := testRegistry()
	reg.Register("test", func() providers.Provider { return guardedProvider{} })
	dir := writeConfig(t, map[string]string{"main.hcl": `resource "test_guarded" "z" { size = 1 }`})
	b := state.NewLocal("plumb.state")
	apply := func(allow bool) error {
		e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: reg, AllowMassChange: allow})
		if diags.HasErrors() {
			return diags
		}
		st, err := b.Read(context.Background())
		if err != nil {
			return err
		}
		p, diags := e.Plan(context.Background(), st)
		if diags.HasErrors() {
			return diags
		}
		if _, diags := e.Apply(context.Background(), st, p, b); diags.HasErrors() {
			return diags
		}
		return nil
	}
	if err := apply(false); err != nil {
		t.Fatalf("create: %v", err)
	}
	writeFile(t, "main.hcl", `resource "test_guarded" "z" { size = 2 }`)
	err := apply(false)
	if err == nil || !strings.Contains(err.Error(), "-allow-mass-change") {
		t.Fatalf("a mass change went through without permission: %v", err)
	}
	if err := apply(true); err != nil {
		t.Fatalf("with -allow-mass-change: %v", err)
	}
}

// TestAllowedMassChangeIsRecorded: a mass change let through by
// -allow-mass-change is recorded in the plan, with the provider's
// numbers, survives the plan file, and every review format shows it with
// the numbers of the refusal.
func TestAllowedMassChangeIsRecorded(t *testing.T) {
	reg := testRegistry()
	reg.Register("test", func() providers.Provider { return guardedProvider{} })
	dir := writeConfig(t, map[string]string{"main.hcl": `resource "test_guarded" "z" { size = 1 }`})
	b := state.NewLocal("plumb.state")
	planWith := func(allow bool) (*plan.Plan, error) {
		e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: reg, AllowMassChange: allow})
		if diags.HasErrors() {
			return nil, diags
		}
		st, err := b.Read(context.Background())
		if err != nil {
			return nil, err
		}
		p, diags := e.Plan(context.Background(), st)
		if diags.HasErrors() {
			return nil, diags
		}
		if _, diags := e.Apply(context.Background(), st, p, b); diags.HasErrors() {
			return nil, diags
		}
		return p, nil
	}
	if _, err := planWith(false); err != nil {
		t.Fatal(err)
	}
	writeFile(t, "main.hcl", `resource "test_guarded" "z" { size = 2 }`)
	_, refusal := planWith(false)
	if refusal == nil || !strings.Contains(refusal.Error(), "8 of the 10 records of the guarded object") {
		t.Fatalf("refusal: %v", refusal)
	}
	p, err := planWith(true)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := plan.Encode(&buf, p); err != nil {
		t.Fatal(err)
	}
	saved, err := plan.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !saved.AllowMassChange || saved.Changes[0].MassChange == nil || saved.Changes[0].MassChange.AllowedBy != "-allow-mass-change" {
		t.Fatalf("the saved plan does not record the mass change: %+v", saved.Changes[0].MassChange)
	}
	for format, out := range renderAll(t, saved) {
		want := "8 of the 10 records of the guarded object change or go (80%)"
		if format == "json" {
			want = `"mass_change":{"changed":8,"total":10,"of":"records of the guarded object"`
		}
		if !strings.Contains(out, want) {
			t.Errorf("the %s plan does not show the refusal's numbers:\n%s", format, out)
		}
	}
}
