package reconcile

import (
	"context"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// planDelete records the deletion of an instance in state; gone means
// refresh found it already deleted, so apply only forgets it.
func (p *planner) planDelete(r *config.Resource, rt *resourceType, si *state.Instance, reason string, gone bool) hcl.Diagnostics {
	if gone {
		reason = strings.TrimPrefix(reason+"; ", "; ") + "it is already gone (deleted outside plumb), so apply only forgets it"
	}
	before := cty.DynamicVal
	var secret []string
	var keys map[string][]string
	if rt != nil {
		if v, err := si.Value(rt.ty); err == nil {
			before = v
		}
		secret, keys = rt.secret, rt.keys
	}
	if before == cty.DynamicVal {
		before = decodeLoose(si)
	}
	secret = mergeNames(secret, si.Sensitive.TopNames())
	if rt != nil {
		secret = mergeNames(secret, rt.schema.DerivedSensitive(secret, before))
	}
	p.add(&plan.Change{
		Addr: si.Addr, Mode: plan.Mode(si.Mode), Type: si.Type, Name: si.Name, Provider: si.Provider,
		Action: plan.Delete, Before: before, After: cty.NullVal(before.Type()), Sensitive: secret, Keys: keys, Reason: reason, Gone: gone,
	})
	if gone {
		return nil
	}
	if r != nil && r.Lifecycle.PreventDestroy {
		return hcl.Diagnostics{preventDestroy(si.Addr, r)}
	}
	return nil
}

// doomed is an instance in state that the plan deletes, and why.
type doomed struct {
	r      *config.Resource // nil when no longer declared
	si     *state.Instance
	reason string
}

// planOrphans deletes what state holds for resources no longer declared.
func (p *planner) planOrphans(ctx context.Context, only map[string]bool) hcl.Diagnostics {
	var list []doomed
	for _, res := range keys(p.byRes) {
		if _, declared := p.e.cfg.Resources[res]; declared || strings.HasPrefix(res, "data.") {
			continue
		}
		if only != nil && !only[res] {
			continue
		}
		for _, si := range p.byRes[res] {
			list = append(list, doomed{si: si, reason: "it is no longer in the configuration"})
		}
	}
	return p.planDeletes(ctx, list)
}

// planDestroy deletes every managed instance in state (or those targeted).
func (p *planner) planDestroy(ctx context.Context, only map[string]bool) hcl.Diagnostics {
	var list []doomed
	for _, res := range keys(p.byRes) {
		if strings.HasPrefix(res, "data.") || only != nil && !only[res] {
			continue
		}
		picked := p.picked[res]
		for _, si := range p.byRes[res] {
			if picked == nil || selectsRecorded(picked, si.Addr) {
				list = append(list, doomed{r: p.e.cfg.Resources[res], si: si})
			}
		}
	}
	return p.planDeletes(ctx, list)
}

// planDeletes refreshes the instances to delete (unless -refresh=false),
// so one already gone is only forgotten, and records their deletion.
func (p *planner) planDeletes(ctx context.Context, list []doomed) hcl.Diagnostics {
	types := make([]*resourceType, len(list))
	var provs []string
	for i, d := range list {
		if types[i] = p.e.typeOf(d.si); types[i] != nil {
			provs = append(provs, types[i].provider)
		}
	}
	var diags hcl.Diagnostics
	gone := make([]bool, len(list))
	if !p.e.opts.NoRefresh && len(provs) > 0 {
		before := len(p.diags)
		ok := p.configureProviders(ctx, provs)
		diags = append(diags, p.diags[before:]...)
		if !ok {
			return diags
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i, d := range list {
			rt := types[i]
			if rt == nil {
				continue
			}
			wg.Add(1)
			p.e.sem <- struct{}{}
			go func() {
				defer func() { <-p.e.sem; wg.Done() }()
				v, err := d.si.Value(rt.ty)
				if err != nil {
					return
				}
				done := p.e.observe(d.si.Addr, plan.Read)
				resp := rt.managed.Read(ctx, providers.ReadRequest{Prior: v})
				rd := locate(redactDiags(resp.Diagnostics, secretStrings(v, joinPaths(schemaPaths(rt.secret), d.si.Sensitive))), d.si.Addr, nil)
				done(diagErr(rd))
				mu.Lock()
				defer mu.Unlock()
				diags = append(diags, rd...)
				gone[i] = !rd.HasErrors() && (resp.State == cty.NilVal || resp.State.IsNull())
			}()
		}
		wg.Wait()
	}
	for i, d := range list {
		diags = append(diags, p.planDelete(d.r, types[i], d.si, d.reason, gone[i])...)
	}
	return diags
}

// typeOf finds the type of an instance in state, declared or not.
// Types no longer declared are worked out once per engine and kept, since
// deletions ask for every instance, concurrently.
func (e *Engine) typeOf(si *state.Instance) *resourceType {
	if rt, ok := e.types[resourceOf(si)]; ok {
		return rt
	}
	e.confMu.Lock()
	defer e.confMu.Unlock()
	if rt, ok := e.undeclared[si.Type]; ok {
		return rt
	}
	var rt *resourceType
	if name, ok := e.opts.Registry.ResourceProvider(si.Type); ok {
		res := e.provider(name).Resources()[si.Type]
		s := res.Schema()
		rt = &resourceType{provider: name, managed: res, schema: s, spec: s.DecoderSpec(), ty: s.ImpliedType(), keys: s.ElementKeys(), secret: s.SensitivePaths()}
	}
	e.undeclared[si.Type] = rt
	return rt
}
