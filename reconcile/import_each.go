package reconcile

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/reconcile/config"
)

// importRefs lists what an import block with for_each refers to, in the
// root module: its for_each, the keys of its to address and its id.
func importRefs(im *config.Import) []hcl.Traversal {
	var out []hcl.Traversal
	out = append(out, im.ForEach.Variables()...)
	out = append(out, im.ToExpr.Variables()...)
	return append(out, im.ID.Variables()...)
}

// expandImports turns the import blocks with for_each that import into
// resource node n into one import per element, as Terraform 1.7 does:
//
//	import {
//	  for_each = var.zones
//	  to       = aws_route53_zone.z[each.key]
//	  id       = each.value
//	}
//
// They are evaluated in the root module, with each.key and each.value.
func (p *planner) expandImports(n *node) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, im := range p.e.cfg.Imports {
		if im.ForEach == nil || im.To.ConfigResource() != n.name {
			continue
		}
		ctx := p.root.evalContext(importRefs(im))
		insts, d := expandMeta(nil, im.ForEach, "import", ctx)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		for _, in := range insts {
			ictx := instanceContext(ctx, in.key, in.each)
			trav, d := config.ResolveTraversal(im.ToExpr, ictx)
			diags = append(diags, d...)
			if d.HasErrors() {
				continue
			}
			to, err := config.AddrFromTraversal(trav)
			if err != nil || to.ConfigResource() != n.name {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid import address",
					Detail:  fmt.Sprintf("For key %s the to argument gives %s, which is not an instance of %s.", config.KeyString(in.key), to, n.name),
					Subject: im.ToExpr.Range().Ptr()})
				continue
			}
			id, d := im.ID.Value(ictx)
			diags = append(diags, d...)
			if d.HasErrors() {
				continue
			}
			id, _ = id.Unmark()
			p.mu.Lock()
			prev, dup := p.imports[to.String()]
			if !dup {
				p.imports[to.String()] = &config.Import{To: to, ID: hcl.StaticExpr(id, im.ID.Range()), Provider: im.Provider, DeclRange: im.DeclRange}
			}
			p.mu.Unlock()
			if dup {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate import",
					Detail: fmt.Sprintf("%s is already imported by the block at %s.", to, prev.DeclRange), Subject: im.DeclRange.Ptr()})
			}
		}
	}
	return diags
}
