package reconcile

import (
	"context"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// resourceGroup is the instances of one resource block in one module
// instance.
type resourceGroup struct {
	s       *scope
	evalCtx *hcl.EvalContext
	insts   []instance
	vals    []cty.Value
	// choice is how its instances find their provider instance.
	choice providerChoice
}

// expandGroups expands a resource block in every instance of its module.
func (w *walk) expandGroups(n *node) ([]*resourceGroup, int, hcl.Diagnostics) {
	var groups []*resourceGroup
	var diags hcl.Diagnostics
	total := 0
	for _, s := range w.scopes(n.mod) {
		evalCtx := s.evalContext(n.refs)
		insts, d := expand(n.res, s.prefix, evalCtx)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		groups = append(groups, &resourceGroup{s: s, evalCtx: evalCtx, insts: insts, vals: make([]cty.Value, len(insts)), choice: choose(n.res, n.rt, s)})
		total += len(insts)
	}
	return groups, total, diags
}

// eachGroupInstance runs fn for every instance of every group, in
// parallel under the engine's bound.
func (w *walk) eachGroupInstance(ctx context.Context, groups []*resourceGroup, total int, fn func(g *resourceGroup, i int)) {
	if len(groups) == 1 {
		g := groups[0]
		w.forEachIndex(ctx, len(g.insts), func(i int) { fn(g, i) })
		return
	}
	type ref struct{ g, i int }
	flat := make([]ref, 0, total)
	for gi, g := range groups {
		for i := range g.insts {
			flat = append(flat, ref{gi, i})
		}
	}
	w.forEachIndex(ctx, len(flat), func(k int) { fn(groups[flat[k].g], flat[k].i) })
}
