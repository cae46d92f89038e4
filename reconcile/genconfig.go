package reconcile

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/state"
)

// GeneratedHeader starts a file written by GenerateConfig.
const GeneratedHeader = "# __generated__ by plumb from import blocks (plumb plan -generate-config-out).\n# Review it, keep what you mean to manage, and move it where it belongs.\n"

// dropUndeclaredImports removes the errors of import blocks whose
// resources are not declared: GenerateConfig writes those resources.
func dropUndeclaredImports(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if _, ok := d.Extra.(config.UndeclaredImport); !ok {
			out = append(out, d)
		}
	}
	return out
}

// GenerateConfig imports, through their providers, the objects that
// import blocks name for resources the configuration does not declare, and
// returns resource blocks for them, as terraform plan
// -generate-config-out does: every argument the object has a value for,
// except those only the provider sets. A sensitive value is never written:
// the argument is null with a comment saying to set it. It returns nil
// when no import block needs a resource.
func (e *Engine) GenerateConfig(ctx context.Context) ([]byte, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	n := 0
	w := e.newWalk()
	for _, im := range e.cfg.Imports {
		if _, declared := e.nodes[im.To.ConfigResource()]; declared {
			continue
		}
		if im.ForEach != nil || !im.To.Module.IsRoot() {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot generate configuration for this import",
				Detail: "plumb writes configuration for import blocks without for_each that import into the root module; write this resource block by hand.", Subject: im.DeclRange.Ptr()})
			continue
		}
		v, rt, d := e.importForGeneration(ctx, w, im)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		if n > 0 {
			body.AppendNewline()
		}
		block := body.AppendNewBlock("resource", []string{im.To.Type, im.To.Name})
		writeSchemaBody(block.Body(), rt.schema, v, schemaPaths(rt.secret))
		n++
	}
	if n == 0 || diags.HasErrors() {
		return nil, diags
	}
	return append([]byte(GeneratedHeader+"\n"), hclwrite.Format(f.Bytes())...), diags
}

// importForGeneration imports one object through the default (or named)
// configuration of the provider serving its type.
func (e *Engine) importForGeneration(ctx context.Context, w *walk, im *config.Import) (cty.Value, *resourceType, hcl.Diagnostics) {
	rt := e.typeOf(&state.Instance{Type: im.To.Type, Mode: string(config.Managed)})
	if rt == nil {
		return cty.NilVal, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown resource type " + im.To.Type,
			Detail: "No provider of this plumb serves it; check the to address of the import block.", Subject: im.DeclRange.Ptr()}}
	}
	name, alias := rt.provider, ""
	if im.Provider != nil {
		name, alias = im.Provider.Name, im.Provider.Alias
	}
	conf, _, msg := e.resolveConf(e.cfg, name, alias)
	if conf == nil {
		return cty.NilVal, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No provider configuration for the import", Detail: msg, Subject: im.DeclRange.Ptr()}}
	}
	if !w.prepareProviders(ctx, []*providerConfig{conf}) {
		return cty.NilVal, nil, w.diags
	}
	pi := conf.instance(cty.NilVal)
	if pi == nil {
		return cty.NilVal, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot generate configuration for this import",
			Detail: fmt.Sprintf("%s has for_each; name one of its instances with the provider argument of the import block.", conf.node), Subject: im.DeclRange.Ptr()}}
	}
	if d := w.configured(ctx, pi); d.HasErrors() {
		return cty.NilVal, nil, d
	}
	idv, d := im.ID.Value(w.root.evalContext(im.ID.Variables()))
	if d.HasErrors() {
		return cty.NilVal, nil, d
	}
	idv, _ = idv.Unmark()
	if idv.Type() != cty.String || idv.IsNull() || !idv.IsKnown() || idv.AsString() == "" {
		return cty.NilVal, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid import id", Detail: "The id of an import block must be a non-empty string known before apply.", Subject: im.ID.Range().Ptr()}}
	}
	resp := pi.resources[im.To.Type].Import(ctx, providers.ImportRequest{ID: idv.AsString()})
	d = locate(resp.Diagnostics, im.To.String(), im.DeclRange.Ptr())
	if d.HasErrors() {
		return cty.NilVal, nil, d
	}
	if resp.State == cty.NilVal || resp.State.IsNull() {
		return cty.NilVal, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: im.To.String() + ": nothing to import",
			Detail: fmt.Sprintf("No object with ID %q exists. Check the id of the import block.", idv.AsString()), Subject: im.DeclRange.Ptr()}}
	}
	return resp.State, rt, d
}

// writeSchemaBody writes the arguments of v a configuration sets: the
// required and optional attributes with a value, and nested blocks.
func writeSchemaBody(body *hclwrite.Body, s providers.Schema, v cty.Value, secret []cty.Path) {
	for _, name := range keys(s.Attributes) {
		a := s.Attributes[name]
		if !a.Required && !a.Optional {
			continue
		}
		av := v.GetAttr(name)
		if av.IsNull() || !av.IsKnown() {
			continue
		}
		if pathsCover(secret, name) {
			body.SetAttributeValue(name, cty.NullVal(av.Type()))
			body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte("# sensitive: set it from a variable, never in this file\n")}})
			continue
		}
		body.SetAttributeValue(name, av)
	}
	for _, name := range keys(s.Blocks) {
		b := s.Blocks[name]
		bv := v.GetAttr(name)
		if bv.IsNull() || !bv.IsKnown() {
			continue
		}
		if !bv.Type().IsListType() && !bv.Type().IsSetType() && !bv.Type().IsTupleType() {
			writeSchemaBody(body.AppendNewBlock(name, nil).Body(), b.Schema, bv, nil)
			continue
		}
		for it := bv.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			writeSchemaBody(body.AppendNewBlock(name, nil).Body(), b.Schema, ev, nil)
		}
	}
}

// pathsCover reports whether the top-level attribute name is sensitive.
func pathsCover(paths []cty.Path, name string) bool {
	for _, p := range paths {
		if len(p) > 0 {
			if ga, ok := p[0].(cty.GetAttrStep); ok && ga.Name == name {
				return true
			}
		}
	}
	return false
}
