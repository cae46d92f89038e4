package reconcile

import (
	"context"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// Validate evaluates the whole configuration without reading or changing
// anything live: every reference, function call, argument name and type is
// checked, with values that only a plan would know left unknown.
func (e *Engine) Validate(ctx context.Context) hcl.Diagnostics {
	w := e.newWalk()
	w.validating = true
	w.resource = w.validateResource
	diags := append(e.checkMoved(e.movedBlocks()), e.checkRemoved(e.removedBlocks())...)
	diags = append(diags, w.run(ctx, nil)...)
	return append(diags, e.funcWarnings.Drain()...)
}

func (w *walk) validateResource(ctx context.Context, n *node) error {
	r, rt := n.res, n.rt
	for _, s := range w.scopes(n.mod) {
		evalCtx := s.evalContext(n.refs)
		var diags hcl.Diagnostics
		key, each := cty.NilVal, cty.NilVal
		switch {
		case r.Count != nil:
			key = cty.UnknownVal(cty.Number)
			_, d := r.Count.Value(evalCtx)
			diags = append(diags, d...)
		case r.ForEach != nil:
			key, each = cty.UnknownVal(cty.String), cty.DynamicVal
			_, d := r.ForEach.Value(evalCtx)
			diags = append(diags, d...)
		}
		ictx := evalCtx
		if key != cty.NilVal {
			ictx = evalCtx.NewChild()
			if r.Count != nil {
				ictx.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": key})}
			} else {
				ictx.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": key, "value": each})}
			}
		}
		if r.Provider != nil && r.Provider.Key != nil {
			_, d := r.Provider.Key.Value(ictx)
			diags = append(diags, d...)
		}
		cfgVal, secret, d := decodeConfig(r, rt, ictx)
		diags = append(diags, d...)
		if !d.HasErrors() && cfgVal.IsWhollyKnown() {
			var v providers.ConfigValidator
			var ok bool
			if rt.managed != nil {
				v, ok = rt.managed.(providers.ConfigValidator)
			} else {
				v, ok = rt.data.(providers.ConfigValidator)
			}
			if ok {
				diags = append(diags, locateIn(redactDiags(v.ValidateConfig(ctx, cfgVal), secretStrings(cfgVal, joinPaths(schemaPaths(rt.secret), secret))), s.prefix+r.Addr(), r)...)
			}
		}
		s.setResource(r.Addr(), cty.DynamicVal)
		// Report every mistake: a failed resource does not stop the
		// validation of what refers to it.
		w.addDiags(diags)
	}
	return nil
}
