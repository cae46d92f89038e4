package reconcile

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/state"
)

// Import adopts the live object with the given provider-specific ID as
// the instance at addr, which configuration must declare. It returns the
// instance to record; it does not write state.
func (e *Engine) Import(ctx context.Context, st *state.State, addr, id string) (*state.Instance, hcl.Diagnostics) {
	a, err := config.ParseAddr(addr)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid address", Detail: err.Error()}}
	}
	r, ok := e.cfg.Resources[a.ConfigResource()]
	if !ok || r.Mode != config.Managed {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Import into an undeclared resource",
			Detail: fmt.Sprintf("No resource block declares %s. Write the resource block first, then import the object into it.", a.ConfigResource())}}
	}
	if _, exists := st.Resources[a.String()]; exists {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Already managed",
			Detail: fmt.Sprintf("%s is already in state. Remove it first with plumb state rm %s if you mean to adopt another object.", a, a)}}
	}
	if (r.Count != nil) != (a.Key != cty.NilVal && a.Key.Type() == cty.Number) || (r.ForEach != nil) != (a.Key != cty.NilVal && a.Key.Type() == cty.String) {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Wrong instance key",
			Detail: fmt.Sprintf("%s does not match how %s is declared: a resource with count takes [N], one with for_each takes [\"KEY\"], and one with neither takes no key.", a, a.ConfigResource())}}
	}
	rt := e.types[a.ConfigResource()]
	w := e.newWalk()
	w.resource = func(context.Context, *config.Resource, *resourceType) error { return nil }
	if d := w.run(ctx, e.graph.Reachable("provider."+rt.provider)); d.HasErrors() {
		return nil, d
	}
	resp := rt.managed.Import(ctx, providers.ImportRequest{ID: id})
	if d := locate(resp.Diagnostics, a.String(), nil); d.HasErrors() {
		return nil, d
	}
	if resp.State == cty.NilVal || resp.State.IsNull() {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Nothing to import", Detail: fmt.Sprintf("No object with ID %q exists for %s.", id, r.Type)}}
	}
	read := rt.managed.Read(ctx, providers.ReadRequest{Prior: resp.State})
	if d := locate(read.Diagnostics, a.String(), nil); d.HasErrors() {
		return nil, d
	}
	inst := &state.Instance{Addr: a.String(), Mode: string(config.Managed), Type: r.Type, Name: r.Name, Provider: rt.provider, Dependencies: e.deps[a.ConfigResource()]}
	if err := inst.SetValue(read.State, rt.ty); err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot encode the imported object", Detail: err.Error()}}
	}
	return inst, nil
}

// DecodeInstance decodes an instance in state with the schema of its
// type, for display; it needs no configuration.
func DecodeInstance(reg *providers.Registry, inst *state.Instance) (cty.Value, providers.Schema, error) {
	var schema providers.Schema
	if inst.Mode == string(config.Data) {
		name, ok := reg.DataSourceProvider(inst.Type)
		if !ok {
			return decodeLoose(inst), schema, nil
		}
		f, _ := reg.Factory(name)
		schema = f().DataSources()[inst.Type].Schema()
	} else {
		name, ok := reg.ResourceProvider(inst.Type)
		if !ok {
			return decodeLoose(inst), schema, nil
		}
		f, _ := reg.Factory(name)
		schema = f().Resources()[inst.Type].Schema()
	}
	v, err := inst.Value(schema.ImpliedType())
	return v, schema, err
}

// SensitiveNames names the top-level attributes of an instance in state
// that must print as (sensitive): those its schema declares sensitive,
// those state recorded as holding a sensitive value, and those derived
// from either (providers.Attribute.DerivedFrom).
func SensitiveNames(schema providers.Schema, inst *state.Instance) []string {
	names := mergeNames(schema.SensitivePaths(), inst.Sensitive.TopNames())
	v, err := inst.Value(schema.ImpliedType())
	if err != nil {
		v = cty.DynamicVal // unreadable: count every source as holding a value
	}
	return mergeNames(names, schema.DerivedSensitive(names, v))
}
