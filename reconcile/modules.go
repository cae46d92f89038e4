package reconcile

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/config"
)

// expandModule runs a module call's node: in every instance of the
// calling module it evaluates count or for_each and makes a scope for
// each instance of the called module, with the provider instance keys its
// providers map picks.
func (w *walk) expandModule(n *node) hcl.Diagnostics {
	call, child := n.call, n.mod
	var diags hcl.Diagnostics
	var all []*scope
	for _, ps := range w.scopes(child.Parent) {
		evalCtx := ps.evalContext(n.refs)
		var insts []instance
		if w.validating {
			insts = []instance{placeholder(call.Count, call.ForEach)}
		} else {
			var d hcl.Diagnostics
			insts, d = expandMeta(call.Count, call.ForEach, ps.prefix+"module."+call.Name, evalCtx)
			diags = append(diags, d...)
			if d.HasErrors() {
				continue
			}
		}
		kids := make([]*scope, len(insts))
		for i, in := range insts {
			key := in.key
			if w.validating {
				key = cty.NilVal
			}
			kid := ps.newChild(child, key, in.each)
			kid.key = in.key
			ictx := instanceContext(evalCtx, in.key, in.each)
			for _, pass := range call.Providers {
				if pass.Parent.Key == nil || w.validating {
					continue
				}
				k, d := providerKey(pass.Parent, ictx)
				diags = append(diags, d...)
				if !d.HasErrors() {
					kid.provKeys[pass.In()] = k
				}
			}
			kids[i] = kid
		}
		ps.setChildren(call.Name, kids)
		all = append(all, kids...)
	}
	w.modMu.Lock()
	w.mods[child.Path.String()] = all
	w.modMu.Unlock()
	return diags
}

// placeholder is the one instance a validation walk gives a module call:
// its key, when it has count or for_each, is unknown.
func placeholder(count, forEach hcl.Expression) instance {
	switch {
	case count != nil:
		return instance{key: cty.UnknownVal(cty.Number)}
	case forEach != nil:
		return instance{key: cty.UnknownVal(cty.String), each: cty.DynamicVal}
	}
	return instance{key: cty.NilVal}
}

// setModuleVariable runs a module variable's node: in every instance of
// the module it evaluates the call's argument in the caller's scope (with
// the instance's count.index or each), or takes the default, makes it the
// variable's value as root variables are made (config.Variable.Value:
// optional attribute defaults, nullable = false, the type) and checks its
// validation blocks.
func (w *walk) setModuleVariable(n *node) hcl.Diagnostics {
	v, call := n.variable, n.call
	var diags hcl.Diagnostics
	for _, s := range w.scopes(n.mod) {
		val := v.Default
		var where hcl.Range
		if a, ok := call.Inputs[v.Name]; ok {
			ctx := instanceContext(s.parent.evalContext(n.refs), s.key, s.each)
			var d hcl.Diagnostics
			val, d = a.Expr.Value(ctx)
			diags = append(diags, d...)
			if d.HasErrors() {
				s.setVar(v.Name, cty.DynamicVal)
				continue
			}
			where = a.Expr.Range()
		}
		if val == cty.NilVal {
			val = cty.NullVal(v.Type)
		}
		conv, err := v.Value(val)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for module variable " + v.Name,
				Detail:   fmt.Sprintf("%s wants variable %q of type %s: %s.", s.addr, v.Name, typeexpr.TypeString(v.Type), err),
				Subject:  where.Ptr(),
			})
			s.setVar(v.Name, cty.DynamicVal)
			continue
		}
		if v.Sensitive {
			conv = conv.Mark(sensitiveMark)
		}
		if conv.IsWhollyKnown() {
			ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.Name: conv})}, Functions: w.e.funcs}
			for _, val := range v.Validations {
				if validatesInWalk(val, v.Name, false) {
					continue
				}
				d := checkValidation(ctx, v.Name, val)
				for _, x := range d {
					x.Summary = fmt.Sprintf("%s (in %s)", x.Summary, s.addr)
				}
				diags = append(diags, d...)
			}
		}
		s.setVar(v.Name, conv)
	}
	return diags
}

// moduleScope finds the scope of one module instance in a walk, or nil.
func (w *walk) moduleScope(addr config.ModuleInstance) *scope {
	mod := w.e.cfg.Descendant(addr.Path())
	if mod == nil {
		return nil
	}
	for _, s := range w.scopes(mod) {
		if s.addr.Equal(addr) {
			return s
		}
	}
	return nil
}
