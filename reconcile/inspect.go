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
	if err == nil && a.IsModule() {
		err = fmt.Errorf("%s names a module; import adopts one resource instance, such as %s.TYPE.NAME", a, a)
	}
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid address", Detail: err.Error()}}
	}
	n := e.nodes[a.ConfigResource()]
	if n == nil || n.kind != nodeResource || n.res.Mode != config.Managed {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Import into an undeclared resource",
			Detail: fmt.Sprintf("No resource block declares %s. Write the resource block first, then import the object into it.", a.ConfigResource())}}
	}
	r, rt := n.res, n.rt
	if _, exists := st.Resources[a.String()]; exists {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Already managed",
			Detail: fmt.Sprintf("%s is already in state. Remove it first with plumb state rm %s if you mean to adopt another object.", a, a)}}
	}
	if (r.Count != nil) != (a.Key != cty.NilVal && a.Key.Type() == cty.Number) || (r.ForEach != nil) != (a.Key != cty.NilVal && a.Key.Type() == cty.String) {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Wrong instance key",
			Detail: fmt.Sprintf("%s does not match how %s is declared: a resource with count takes [N], one with for_each takes [\"KEY\"], and one with neither takes no key.", a, a.ConfigResource())}}
	}
	pi, d := e.importProvider(ctx, n, a)
	if d.HasErrors() {
		return nil, d
	}
	resp := pi.resources[r.Type].Import(ctx, providers.ImportRequest{ID: id})
	if d := locate(resp.Diagnostics, a.String(), nil); d.HasErrors() {
		return nil, d
	}
	if resp.State == cty.NilVal || resp.State.IsNull() {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Nothing to import", Detail: fmt.Sprintf("No object with ID %q exists for %s.", id, r.Type)}}
	}
	read := pi.resources[r.Type].Read(ctx, providers.ReadRequest{Prior: resp.State})
	if d := locate(read.Diagnostics, a.String(), nil); d.HasErrors() {
		return nil, d
	}
	inst := &state.Instance{Addr: a.String(), Mode: string(config.Managed), Type: r.Type, Name: r.Name, Provider: pi.addr, Dependencies: e.deps[n.name]}
	if err := inst.SetValue(read.State, rt.ty); err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot encode the imported object", Detail: err.Error()}}
	}
	return inst, nil
}

// importProvider configures the provider instance the instance at a would
// be handled by. The values it depends on — its provider configuration,
// and for a provider with for_each the values the key refers to — are
// evaluated first; resources are not, so a key that depends on one is
// refused as unknown.
func (e *Engine) importProvider(ctx context.Context, n *node, a config.Addr) (*providerInstance, hcl.Diagnostics) {
	w := e.newWalk()
	w.resource = func(context.Context, *node) error { return nil }
	only := e.graph.Reachable(n.name)
	for name := range only {
		if nd := e.nodes[name]; nd != nil && nd.kind == nodeResource {
			delete(only, name)
		}
	}
	if d := w.run(ctx, only); d.HasErrors() {
		return nil, d
	}
	s := w.moduleScope(a.Module)
	if s == nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No such module instance",
			Detail: fmt.Sprintf("The configuration declares no module instance %s: check the module's count or for_each.", a.Module)}}
	}
	ch := choose(n.res, n.rt, s)
	if !ch.keyed {
		return w.boundInstance(ctx, n.res, n.rt, ch, a.String(), nil)
	}
	evalCtx := s.evalContext(n.refs)
	insts, d := expand(n.res, s.prefix, evalCtx)
	if d.HasErrors() {
		return nil, d
	}
	for _, in := range insts {
		if in.addr == a.String() {
			return w.boundInstance(ctx, n.res, n.rt, ch, in.addr, instanceContext(evalCtx, in.key, in.each))
		}
	}
	return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No such instance",
		Detail: fmt.Sprintf("The configuration declares no instance %s: its count or for_each has no such key.", a)}}
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
