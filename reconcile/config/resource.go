package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

var resourceMetaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "count"}, {Name: "for_each"}, {Name: "depends_on"}, {Name: "provider"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "lifecycle"}},
}

var lifecycleSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "prevent_destroy"}, {Name: "create_before_destroy"}, {Name: "ignore_changes"}, {Name: "replace_triggered_by"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "precondition"}, {Type: "postcondition"}},
}

var conditionSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "condition", Required: true}, {Name: "error_message", Required: true}},
}

// decodeCondition reads a precondition, postcondition or assert block.
func decodeCondition(b *hcl.Block) (*Condition, hcl.Diagnostics) {
	content, diags := b.Body.Content(conditionSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	return &Condition{
		Condition:    content.Attributes["condition"].Expr,
		ErrorMessage: content.Attributes["error_message"].Expr,
		DeclRange:    b.DefRange,
	}, diags
}

func (c *Config) addResource(b *hcl.Block, mode Mode) hcl.Diagnostics {
	r := &Resource{Mode: mode, Type: b.Labels[0], Name: b.Labels[1], DeclRange: b.DefRange, TypeRange: b.LabelRanges[0]}
	diags := checkName("resource type", r.Type, b.LabelRanges[0])
	diags = append(diags, checkName("resource", r.Name, b.LabelRanges[1])...)
	if prev, ok := c.Resources[r.Addr()]; ok {
		kind := "resource"
		if mode == Data {
			kind = "data source"
		}
		return append(diags, duplicate(kind, r.Addr(), prev.DeclRange, b))
	}
	content, remain, cdiags := b.Body.PartialContent(resourceMetaSchema)
	diags = append(diags, cdiags...)
	r.Config = remain
	if a, ok := content.Attributes["count"]; ok {
		r.Count = a.Expr
	}
	if a, ok := content.Attributes["for_each"]; ok {
		r.ForEach = a.Expr
	}
	if r.Count != nil && r.ForEach != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "count and for_each together",
			Detail:   "A resource may use count or for_each, not both. Keep the one that says how many instances you want.",
			Subject:  content.Attributes["for_each"].NameRange.Ptr(),
		})
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		deps, ddiags := decodeTraversals(a.Expr)
		diags = append(diags, ddiags...)
		r.DependsOn = deps
	}
	if a, ok := content.Attributes["provider"]; ok {
		ref, pdiags := decodeProviderRef(a.Expr)
		diags = append(diags, pdiags...)
		r.Provider = ref
	}
	for _, lb := range content.Blocks {
		diags = append(diags, decodeLifecycle(lb, r)...)
	}
	c.Resources[r.Addr()] = r
	return diags
}

func decodeLifecycle(b *hcl.Block, r *Resource) hcl.Diagnostics {
	content, diags := b.Body.Content(lifecycleSchema)
	if a, ok := content.Attributes["prevent_destroy"]; ok {
		diags = append(diags, decodeBool(a, &r.Lifecycle.PreventDestroy)...)
	}
	if a, ok := content.Attributes["create_before_destroy"]; ok {
		diags = append(diags, decodeBool(a, &r.Lifecycle.CreateBeforeDestroy)...)
	}
	for _, cb := range content.Blocks {
		cond, cdiags := decodeCondition(cb)
		diags = append(diags, cdiags...)
		if cond == nil {
			continue
		}
		if cb.Type == "precondition" {
			r.Lifecycle.Preconditions = append(r.Lifecycle.Preconditions, cond)
		} else {
			r.Lifecycle.Postconditions = append(r.Lifecycle.Postconditions, cond)
		}
	}
	if a, ok := content.Attributes["replace_triggered_by"]; ok {
		exprs, ediags := hcl.ExprList(a.Expr)
		diags = append(diags, ediags...)
		// The engine checks each entry's shape, with the resources known.
		r.Lifecycle.ReplaceTriggeredBy = append(r.Lifecycle.ReplaceTriggeredBy, exprs...)
	}
	if a, ok := content.Attributes["ignore_changes"]; ok {
		if hcl.ExprAsKeyword(a.Expr) == "all" {
			r.Lifecycle.IgnoreAllChanges = true
			return diags
		}
		travs, tdiags := decodeTraversals(a.Expr)
		diags = append(diags, tdiags...)
		for _, t := range travs {
			path, err := traversalPath(t)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Unsupported ignore_changes entry",
					Detail:   fmt.Sprintf("ignore_changes takes attribute names and paths into them with literal keys, such as [content, tags[\"owner\"], soa.refresh], or the keyword all: %v.", err),
					Subject:  t.SourceRange().Ptr(),
				})
				continue
			}
			r.Lifecycle.IgnoreChanges = append(r.Lifecycle.IgnoreChanges, path)
		}
	}
	return diags
}

// traversalPath turns an attribute path written as a traversal
// (tags["owner"], lint[0].timeout) into a cty.Path.
func traversalPath(t hcl.Traversal) (cty.Path, error) {
	path := cty.GetAttrPath(t.RootName())
	for _, step := range t[1:] {
		switch s := step.(type) {
		case hcl.TraverseAttr:
			path = path.GetAttr(s.Name)
		case hcl.TraverseIndex:
			path = path.Index(s.Key)
		default:
			return nil, fmt.Errorf("%T is not a step plumb can follow", step)
		}
	}
	return path, nil
}
