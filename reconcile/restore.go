package reconcile

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/state"
)

// Restored is one instance Restore put back.
type Restored struct {
	// Addr is the instance; Summary what its provider put back.
	Addr, Summary string
	// Instance is the instance to record.
	Instance *state.Instance
}

// Restore puts back, from state alone, the live objects of every managed
// instance whose type implements providers.Restorer (an nftables block
// list after a reboot), among those only accepts (nil: all). It reads no
// data source and plans nothing: only the providers the instances were
// recorded with are configured. It returns the instances to record; it
// does not write state.
func (e *Engine) Restore(ctx context.Context, st *state.State, only func(addr string) bool) ([]Restored, hcl.Diagnostics) {
	type item struct {
		si *state.Instance
		rt *resourceType
	}
	var items []item
	for addr, si := range st.Resources {
		if si.Mode != string(config.Managed) || only != nil && !only(addr) {
			continue
		}
		rt := e.typeOf(si)
		if rt == nil {
			continue
		}
		if _, ok := rt.managed.(providers.Restorer); !ok {
			continue
		}
		items = append(items, item{si, rt})
	}
	slices.SortFunc(items, func(a, b item) int {
		if a.si.Addr < b.si.Addr {
			return -1
		}
		return 1
	})
	w := e.newWalk()
	var diags hcl.Diagnostics
	confs := make([]*providerConfig, len(items))
	keys := make([]cty.Value, len(items))
	var needed []*providerConfig
	for i, it := range items {
		var want string
		confs[i], keys[i], want = e.recordedConf(it.si, it.rt.provider)
		if confs[i] == nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Provider configuration not present",
				Detail: fmt.Sprintf("To restore %s plumb needs %s, which the configuration no longer declares.", it.si.Addr, want)})
			continue
		}
		needed = append(needed, confs[i])
	}
	if !w.prepareProviders(ctx, needed) {
		return nil, append(diags, w.diags...)
	}
	var out []Restored
	for i, it := range items {
		if confs[i] == nil {
			continue
		}
		pi := confs[i].instance(keys[i])
		if pi == nil {
			diags = append(diags, notPresent(it.si.Addr, it.si.Provider))
			continue
		}
		if d := w.configured(ctx, pi); d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		prior, err := it.si.Value(it.rt.ty)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read state", Detail: fmt.Sprintf("%s: %v", it.si.Addr, err)})
			continue
		}
		res := pi.resources[it.si.Type].(providers.Restorer)
		resp := res.Restore(ctx, providers.RestoreRequest{Addr: it.si.Addr, Prior: prior})
		diags = append(diags, locate(resp.Diagnostics, it.si.Addr, nil)...)
		if resp.Diagnostics.HasErrors() || resp.State == cty.NilVal {
			continue
		}
		inst := *it.si
		if err := inst.SetValue(resp.State, it.rt.ty); err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot encode the restored object", Detail: err.Error()})
			continue
		}
		out = append(out, Restored{Addr: it.si.Addr, Summary: resp.Summary, Instance: &inst})
	}
	return out, diags
}
