package reconcile

import (
	"context"
	"fmt"
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
func (p *planner) planDelete(d doomed, rt *resourceType, provider string, gone bool) hcl.Diagnostics {
	si, reason := d.si, d.reason
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
	name := si.Provider
	if rt != nil {
		name = rt.provider
	} else if a, err := config.ParseProviderAddr(provider); err == nil {
		name = a.Name
	}
	p.add(&plan.Change{
		Addr: si.Addr, PrevAddr: p.movedFrom[si.Addr], Mode: plan.Mode(si.Mode), Type: si.Type, Name: si.Name, Provider: name, ProviderConfig: provider,
		Action: plan.Delete, Before: before, After: cty.NullVal(before.Type()), Sensitive: secret, Keys: keys, Reason: reason, Gone: gone,
	})
	if gone {
		return nil
	}
	if d.r != nil && d.r.Lifecycle.PreventDestroy {
		return hcl.Diagnostics{preventDestroy(si.Addr, d.r)}
	}
	return nil
}

// doomed is an instance in state that the plan deletes, and why.
type doomed struct {
	r      *config.Resource // nil when no longer declared
	si     *state.Instance
	reason string
}

// planOrphans plans the deletion of what state holds beyond what the walk
// planned: instances whose keys are gone (found by the walk), and
// resources no longer declared.
func (p *planner) planOrphans(ctx context.Context, only map[string]bool) hcl.Diagnostics {
	list := p.doomed
	for _, res := range keys(p.byRes) {
		if p.handled[res] || strings.HasPrefix(res, "data.") {
			continue
		}
		insts := p.byRes[res]
		reason, declared := p.orphanReason(insts[0])
		cres := configResourceOf(insts[0])
		if declared || len(p.e.opts.Targets) > 0 && !only[cres] {
			continue
		}
		for _, si := range insts {
			if !p.excl.excludesRecorded(cres, si.Addr) {
				list = append(list, doomed{si: si, reason: reason})
			}
		}
	}
	return p.planDeletes(ctx, p.forgetRemoved(list))
}

// forgetRemoved plans, for the instances to delete that a removed block
// with lifecycle { destroy = false } covers, that plumb forgets them
// instead, and returns the others; a removed block that lets them be
// destroyed gives its reason.
func (p *planner) forgetRemoved(list []doomed) []doomed {
	if len(p.removed) == 0 {
		return list
	}
	var out []doomed
	for _, d := range list {
		a, err := config.ParseAddr(d.si.Addr)
		rb := (*config.Removed)(nil)
		if err == nil {
			rb = removedFor(p.removed, a)
		}
		switch {
		case rb == nil:
			out = append(out, d)
		case rb.Destroy:
			d.reason = fmt.Sprintf("a removed block says %s has left the configuration", rb.From)
			out = append(out, d)
		default:
			p.planForget(d.si, rb)
		}
	}
	return out
}

// planForget records that plumb forgets an instance and leaves its object
// as it is.
func (p *planner) planForget(si *state.Instance, rb *config.Removed) {
	before := decodeLoose(si)
	var secret []string
	name := si.Provider
	if rt := p.e.typeOf(si); rt != nil {
		if v, err := si.Value(rt.ty); err == nil {
			before = v
		}
		secret, name = rt.secret, rt.provider
	}
	p.add(&plan.Change{
		Addr: si.Addr, PrevAddr: p.movedFrom[si.Addr], Mode: plan.Mode(si.Mode), Type: si.Type, Name: si.Name,
		Provider: name, ProviderConfig: recordedProviderAddr(si.Provider, name),
		Action: plan.Forget, Before: before, After: cty.NullVal(before.Type()),
		Sensitive: mergeNames(secret, si.Sensitive.TopNames()),
		Reason:    fmt.Sprintf("a removed block for %s says lifecycle { destroy = false }: plumb forgets it and leaves the object as it is", rb.From),
	})
}

// orphanReason says why a resource in state that no resource node planned
// is to be deleted; declared is true when its block exists after all (a
// -target run that did not walk it).
func (p *planner) orphanReason(si *state.Instance) (string, bool) {
	name := configResourceOf(si)
	if _, ok := p.e.nodes[name]; !ok {
		return "it is no longer in the configuration", false
	}
	if !p.visited[name] {
		return "", true // not walked: outside -target, or skipped
	}
	// Its block was planned, in other module instances than this one.
	if a, err := config.ParseAddr(si.Addr); err == nil {
		return fmt.Sprintf("its module instance %s is no longer in the configuration (count or for_each of the module call)", a.Module), false
	}
	return "its module instance is no longer in the configuration", false
}

// configResourceOf is the configuration address of the resource block an
// instance in state was made from (module.a.t.n).
func configResourceOf(si *state.Instance) string {
	if strings.HasPrefix(si.Addr, "module.") {
		if a, err := config.ParseAddr(si.Addr); err == nil {
			return a.ConfigResource()
		}
	}
	return resourceOf(si)
}

// planDestroy deletes every managed instance in state (or those targeted).
func (p *planner) planDestroy(ctx context.Context, only map[string]bool) hcl.Diagnostics {
	var list []doomed
	for _, res := range keys(p.byRes) {
		insts := p.byRes[res]
		cres := configResourceOf(insts[0])
		if strings.HasPrefix(res, "data.") || len(p.e.opts.Targets) > 0 && !only[cres] {
			continue
		}
		picked := p.picked[cres]
		var r *config.Resource
		if n := p.e.nodes[cres]; n != nil && n.kind == nodeResource {
			r = n.res
		}
		for _, si := range insts {
			if si.Mode == string(config.Data) {
				continue
			}
			if (picked == nil || selectsRecorded(picked, si.Addr)) && !p.excl.excludesRecorded(cres, si.Addr) {
				list = append(list, doomed{r: r, si: si})
			}
		}
	}
	return p.planDeletes(ctx, p.forgetRemoved(list))
}

// planDeletes finds the provider instance state recorded for each instance
// to delete — refusing the plan when its configuration is gone, since
// nothing could delete it — refreshes them (unless -refresh=false), so
// one already gone is only forgotten, and records their deletion.
func (p *planner) planDeletes(ctx context.Context, list []doomed) hcl.Diagnostics {
	if len(list) == 0 {
		return nil
	}
	types := make([]*resourceType, len(list))
	confs := make([]*providerConfig, len(list))
	keys := make([]cty.Value, len(list))
	wants := make([]string, len(list))
	var diags hcl.Diagnostics
	var needed []*providerConfig
	for i, d := range list {
		if types[i] = p.e.typeOf(d.si); types[i] == nil {
			continue
		}
		confs[i], keys[i], wants[i] = p.e.recordedConf(d.si, types[i].provider)
		if confs[i] == nil {
			diags = append(diags, notPresent(d.si.Addr, wants[i]))
			continue
		}
		needed = append(needed, confs[i])
	}
	refresh := !p.e.opts.NoRefresh
	before := len(p.diags)
	ok := p.prepareProviders(ctx, needed)
	diags = append(diags, p.diags[before:]...)
	p.diags = p.diags[:before]
	if !ok {
		return diags
	}
	insts := make([]*providerInstance, len(list))
	for i, d := range list {
		if confs[i] == nil {
			continue
		}
		if insts[i] = confs[i].instance(keys[i]); insts[i] == nil {
			diags = append(diags, notPresent(d.si.Addr, wants[i]))
		}
	}
	if diags.HasErrors() {
		return diags
	}
	gone := make([]bool, len(list))
	if refresh {
		var mu sync.Mutex
		p.forEachIndex(ctx, len(list), func(i int) {
			d, rt, pi := list[i], types[i], insts[i]
			if rt == nil {
				return
			}
			var rd hcl.Diagnostics
			if p.configured(ctx, pi) != nil {
				rd = hcl.Diagnostics{pi.unavailable(d.si.Addr, nil)}
			} else if v, err := d.si.Value(rt.ty); err == nil {
				done := p.e.observe(d.si.Addr, plan.Read)
				resp := pi.resources[d.si.Type].Read(ctx, providers.ReadRequest{Prior: v})
				rd = locate(redactDiags(resp.Diagnostics, secretStrings(v, joinPaths(schemaPaths(rt.secret), d.si.Sensitive))), d.si.Addr, nil)
				done(diagErr(rd))
				gone[i] = !rd.HasErrors() && (resp.State == cty.NilVal || resp.State.IsNull())
			}
			mu.Lock()
			diags = append(diags, rd...)
			mu.Unlock()
		})
	}
	for i, d := range list {
		provider := wants[i]
		if insts[i] != nil {
			provider = insts[i].addr
		}
		diags = append(diags, p.planDelete(d, types[i], provider, gone[i])...)
	}
	return diags
}

// typeOf finds the type of an instance in state from its type name alone:
// deletions need only its schema, and go to the provider instance state
// recorded. Types are worked out once per engine and kept, since
// deletions ask for every instance, concurrently.
func (e *Engine) typeOf(si *state.Instance) *resourceType {
	e.schemaMu.Lock()
	rt, ok := e.undeclared[si.Type]
	e.schemaMu.Unlock()
	if ok {
		return rt
	}
	if name, ok := e.opts.Registry.ResourceProvider(si.Type); ok {
		res := e.schemaProvider(name).Resources()[si.Type]
		s := res.Schema()
		d := s.Decoder()
		rt = &resourceType{provider: name, managed: res, schema: s, spec: d.Spec(), decoder: d, ty: s.ImpliedType(), keys: s.ElementKeys(), secret: s.SensitivePaths()}
	}
	e.schemaMu.Lock()
	e.undeclared[si.Type] = rt
	e.schemaMu.Unlock()
	return rt
}
