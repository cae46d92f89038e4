package reconcile

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/plan"
)

// Replacements asked for: -replace=ADDR and lifecycle {
// replace_triggered_by }. Either replaces an object that would otherwise
// be left alone or updated in place, as Terraform does; the plan says
// why (replace_by_request, replace_by_triggers).

// trigger is one entry of replace_triggered_by, taken apart: the resource
// it names (TYPE.NAME, in the same module), the key of one instance
// (literal or an expression of count.index or each.key; nil for every
// instance) and the path of an attribute within it (none for the whole
// object).
type trigger struct {
	res  string
	key  hcl.Expression
	path hcl.Traversal
	expr hcl.Expression
}

// parseTrigger reads a replace_triggered_by entry: plumb_data.x,
// plumb_data.x[0], plumb_data.x[each.key], plumb_data.x[each.key].output.
func parseTrigger(expr hcl.Expression) (trigger, *hcl.Diagnostic) {
	t := trigger{expr: expr}
	bad := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid replace_triggered_by entry",
		Detail:   "An entry names a managed resource of the same module (plumb_data.x), one instance of it (plumb_data.x[0], plumb_data.x[each.key]) or an attribute of one (plumb_data.x[each.key].output). Only count.index and each.key may appear inside it; to trigger on a variable or a local, pass it through a plumb_data resource's input.",
		Subject:  expr.Range().Ptr(),
	}
	var base hcl.Traversal
	switch e := expr.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		base = e.Traversal
	case *hclsyntax.IndexExpr:
		st, ok := e.Collection.(*hclsyntax.ScopeTraversalExpr)
		if !ok {
			return t, bad
		}
		base, t.key = st.Traversal, e.Key
	case *hclsyntax.RelativeTraversalExpr:
		switch src := e.Source.(type) {
		case *hclsyntax.IndexExpr:
			st, ok := src.Collection.(*hclsyntax.ScopeTraversalExpr)
			if !ok {
				return t, bad
			}
			base, t.key = st.Traversal, src.Key
		case *hclsyntax.ScopeTraversalExpr:
			base = src.Traversal
		default:
			return t, bad
		}
		t.path = e.Traversal
	default:
		return t, bad
	}
	root := base.RootName()
	name, ok := stepName(base, 1)
	if !ok || root == "var" || root == "local" || root == "data" || root == "module" || root == "count" || root == "each" || root == "path" || root == "self" {
		return t, bad
	}
	t.res = root + "." + name
	rest := base[2:]
	if t.key == nil && len(rest) > 0 {
		if ix, ok := rest[0].(hcl.TraverseIndex); ok {
			t.key = hcl.StaticExpr(ix.Key, ix.SrcRange)
			rest = rest[1:]
		}
	}
	t.path = append(append(hcl.Traversal{}, rest...), t.path...)
	if t.key != nil {
		for _, v := range t.key.Variables() {
			if r := v.RootName(); r != "count" && r != "each" {
				return t, bad
			}
		}
	}
	return t, nil
}

// replaceReason says why an object that exists must be replaced although
// nothing forces it: -replace names it, or a replace_triggered_by entry
// changes in this plan. "" when neither.
func (p *planner) replaceReason(r *config.Resource, prefix, addr string, ictx *hcl.EvalContext) (reason, code string, diags hcl.Diagnostics) {
	for _, want := range p.replace {
		if want == addr {
			return "-replace asks for it", plan.ReasonReplaceByRequest, nil
		}
	}
	for _, e := range r.Lifecycle.ReplaceTriggeredBy {
		t, d := parseTrigger(e)
		if d != nil {
			return "", "", hcl.Diagnostics{d}
		}
		hit, d := p.triggered(t, prefix, ictx)
		if d != nil {
			return "", "", hcl.Diagnostics{d}
		}
		if hit != "" {
			return "replace_triggered_by: " + hit + " changes", plan.ReasonReplaceByTriggers, nil
		}
	}
	return "", "", nil
}

// triggered returns the address (and attribute) that makes t fire: an
// instance of its resource with an update or a replacement planned, or,
// for an attribute, one whose value changes.
func (p *planner) triggered(t trigger, prefix string, ictx *hcl.EvalContext) (string, *hcl.Diagnostic) {
	base := prefix + t.res
	var key cty.Value
	if t.key != nil {
		k, diags := t.key.Value(ictx)
		if diags.HasErrors() || !k.IsKnown() || k.IsNull() {
			return "", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid replace_triggered_by key", Detail: "The key must be known at plan time: count.index, each.key or a literal.", Subject: t.expr.Range().Ptr()}
		}
		key = k
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for addr, c := range p.byAddr {
		switch {
		case key != cty.NilVal && addr != base+config.KeyString(key):
			continue
		case key == cty.NilVal && addr != base && !strings.HasPrefix(addr, base+"["):
			continue
		}
		if len(t.path) == 0 {
			if c.Action == plan.Update || c.Action.IsReplace() {
				return addr, nil
			}
			continue
		}
		if c.Action == plan.NoOp || c.Action == plan.Create || c.Action == plan.Delete {
			continue
		}
		before, errB := t.path.TraverseRel(c.Before)
		after, errA := t.path.TraverseRel(c.After)
		if errB != nil || errA != nil {
			return "", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid replace_triggered_by attribute", Detail: fmt.Sprintf("%s has no such attribute: %v.", addr, firstErr(errB, errA)), Subject: t.expr.Range().Ptr()}
		}
		if !after.IsWhollyKnown() || !before.RawEquals(after) {
			return addr + pathSuffix(t.path), nil
		}
	}
	return "", nil
}

func firstErr(a, b hcl.Diagnostics) error {
	if a != nil {
		return a
	}
	return b
}

// pathSuffix prints a relative traversal as it is written: .output,
// ["k"], [0].
func pathSuffix(t hcl.Traversal) string {
	var b strings.Builder
	for _, s := range t {
		switch s := s.(type) {
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			b.WriteString(config.KeyString(s.Key))
		}
	}
	return b.String()
}

// parseReplace reads the -replace addresses: each must name one resource
// instance (with its key when the resource has count or for_each).
func parseReplace(addrs []string) ([]string, hcl.Diagnostics) {
	var out []string
	var diags hcl.Diagnostics
	for _, s := range addrs {
		a, err := config.ParseAddr(s)
		if err == nil && (a.IsModule() || a.Mode != config.Managed) {
			err = fmt.Errorf("%s is not a managed resource instance", s)
		}
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -replace",
				Detail: fmt.Sprintf("%v. -replace names one resource instance, such as -replace='local_file.site[\"a\"]'.", err)})
			continue
		}
		out = append(out, a.String())
	}
	return out, diags
}

// unusedReplace warns of -replace addresses the plan did not replace:
// no such instance exists, or it is being created or deleted anyway.
func (p *planner) unusedReplace() []string {
	var out []string
	for _, addr := range p.replace {
		c := p.byAddr[addr]
		if c == nil || c.ActionReason != plan.ReasonReplaceByRequest {
			out = append(out, fmt.Sprintf("-replace=%s matches no object this plan could replace (it does not exist yet, is not in the configuration, or is deleted); nothing was replaced for it.", addr))
		}
	}
	return out
}
