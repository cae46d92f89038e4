package reconcile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile"
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
