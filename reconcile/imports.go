package reconcile

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/plan"
)

// checkImportProvider refuses an import block whose provider argument
// names another provider instance than the resource it imports into
// uses: the object would be adopted through one and managed through the
// other.
func (p *planner) checkImportProvider(im *config.Import, rt *resourceType, pi *providerInstance, ictx *hcl.EvalContext) *hcl.Diagnostic {
	if im.Provider == nil {
		return nil
	}
	mismatch := func(named string) *hcl.Diagnostic {
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Import through another provider configuration",
			Detail:   fmt.Sprintf("The import block names %s, but %s is managed by %s. Name the same provider configuration in both, or leave provider out of the import block.", named, im.To, pi.addr),
			Subject:  im.Provider.Range.Ptr(),
		}
	}
	conf, _, msg := p.e.resolveConf(p.e.cfg, im.Provider.Name, im.Provider.Alias)
	if conf == nil {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared provider configuration " + im.Provider.Local(), Detail: msg, Subject: im.Provider.Range.Ptr()}
	}
	if conf != rt.conf {
		return mismatch(conf.node)
	}
	if im.Provider.Key != nil {
		key, d := providerKey(im.Provider, ictx)
		if d.HasErrors() {
			return d[0]
		}
		if !key.RawEquals(pi.key) {
			return mismatch(conf.node + config.KeyString(key))
		}
	}
	return nil
}

type imported struct {
	id    string
	state cty.Value
}

func (p *planner) importObject(ctx context.Context, res providers.Resource, im *config.Import, ictx *hcl.EvalContext, addr string) (imported, hcl.Diagnostics) {
	idv, diags := im.ID.Value(ictx)
	if diags.HasErrors() {
		return imported{}, diags
	}
	if idv.Type() != cty.String || idv.IsNull() || !idv.IsKnown() || idv.AsString() == "" {
		return imported{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid import id", Detail: "The id of an import block must be a non-empty string known before apply.", Subject: im.ID.Range().Ptr()}}
	}
	id := idv.AsString()
	done := p.e.observe(addr, plan.Read)
	resp := res.Import(ctx, providers.ImportRequest{ID: id})
	d := locate(resp.Diagnostics, addr, im.DeclRange.Ptr())
	done(diagErr(d))
	if d.HasErrors() {
		return imported{}, d
	}
	if resp.State.IsNull() {
		return imported{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: addr + ": nothing to import", Detail: fmt.Sprintf("No object with ID %q exists. Check the id of the import block.", id), Subject: im.DeclRange.Ptr()}}
	}
	return imported{id: id, state: resp.State}, d
}
