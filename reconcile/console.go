package reconcile

import (
	"context"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/state"
)

// Console evaluates expressions the way the configuration's root module
// sees them, with the values state holds: variables, locals, resources
// (as last recorded), module outputs, path and every function. It reads
// nothing live and changes nothing: data sources, which state does not
// keep, and objects not created yet are unknown.
type Console struct {
	w *walk
}

// Console walks the configuration once with the values of st.
func (e *Engine) Console(ctx context.Context, st *state.State) (*Console, hcl.Diagnostics) {
	w := e.newWalk()
	byRes := groupByResource(st)
	w.resource = func(ctx context.Context, n *node) error {
		groups, _, diags := w.expandGroups(n)
		w.addDiags(diags)
		for _, g := range groups {
			for i, in := range g.insts {
				g.vals[i] = cty.DynamicVal
				if n.res.Mode != config.Managed {
					continue
				}
				for _, si := range byRes[g.s.prefix+n.res.Addr()] {
					if si.Addr != in.addr {
						continue
					}
					if v, err := si.Value(n.rt.ty); err == nil {
						g.vals[i] = markPaths(v, joinPaths(schemaPaths(n.rt.secret), si.Sensitive))
					}
				}
			}
			g.s.setResource(n.res.Addr(), aggregate(n.res, g.insts, g.vals))
		}
		return nil
	}
	// Errors of the walk (an output that cannot be evaluated yet) do not
	// stop the console: what they concern is unknown.
	diags := w.run(ctx, nil)
	var warnings hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			c := *d
			c.Severity = hcl.DiagWarning
			warnings = append(warnings, &c)
		}
	}
	return &Console{w: w}, warnings
}

// Eval evaluates one expression; its diagnostics name "<console>".
func (c *Console) Eval(src string) (cty.Value, hcl.Diagnostics) {
	expr, diags := hclsyntax.ParseExpression([]byte(src), "<console>", hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	for _, t := range expr.Variables() {
		if _, d := refTargets(c.w.e.cfg, t, false); d != nil {
			return cty.NilVal, hcl.Diagnostics{d}
		}
	}
	return expr.Value(c.w.root.evalContext(expr.Variables()))
}
