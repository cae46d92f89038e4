package reconcile

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/plumbhq/plumb/internal/ctyconv"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/graph"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// applier carries out one plan.
type applier struct {
	*walk
	p       *plan.Plan
	before  map[string]*state.Instance // the state as it was when the apply began
	pending map[string]*state.Instance // the creates a dead run began (state.State.Pending)
	rec     state.Recorder
	changes map[string]*plan.Change  // by instance address
	picked  map[string][]config.Addr // targets naming part of a resource, by resource
	// deleters are the provider instances of the deletions, by instance
	// address: the ones state recorded.
	deleters map[string]*providerInstance
}

// Apply carries out p against st, recording every finished change through
// the backend's recorder as it happens, and returns the state as finally
// written. It first deletes, dependents before what they depend on, then
// creates and updates in dependency order, evaluating configuration with
// the values just made. A failure stops only what depends on it. Whatever
// happens, what was done is folded into the stored state before Apply
// returns; saving is not cancelled with ctx.
func (e *Engine) Apply(ctx context.Context, st *state.State, p *plan.Plan, b state.Backend) (*state.State, hcl.Diagnostics) {
	if d := CheckFresh(st, p); d.HasErrors() {
		return nil, d
	}
	// The recorder owns st until Close and changes its map as changes are
	// recorded; the apply reads the state as it was, from a copy.
	before := maps.Clone(st.Resources)
	pending := maps.Clone(st.Pending)
	st.PlumbVersion = Version
	rec, err := b.Recorder(ctx, st)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot open the state journal", Detail: fmt.Sprintf("%v. Nothing was changed.", err)}}
	}
	var d hcl.Diagnostics
	if p.RefreshOnly {
		d = e.applyRefreshOnly(ctx, before, p, rec)
	} else {
		d = e.apply(ctx, before, pending, p, rec)
	}
	if e.interrupted(ctx) {
		d = append(d, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Apply interrupted",
			Detail: "plumb stopped starting new operations when interrupted. Everything that finished is saved in state; run plumb apply again to finish the rest."})
	}
	final, err := rec.Close(context.WithoutCancel(ctx))
	if err != nil {
		d = append(d, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot save state",
			Detail: fmt.Sprintf("%v. Everything applied is recorded in the journal beside the state file; the next plumb run folds it in.", err)})
	}
	return final, d
}

// CheckFresh refuses a saved plan made against another state than st. A
// plan made before any state existed fits a state that still does not
// exist, which then takes the plan's lineage.
func CheckFresh(st *state.State, p *plan.Plan) hcl.Diagnostics {
	if st.Serial == 0 && p.Serial == 0 && len(st.Resources) == 0 {
		st.Lineage = p.Lineage
		return nil
	}
	if p.Lineage != st.Lineage || p.Serial != st.Serial {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Saved plan is stale",
			Detail:   fmt.Sprintf("%v: the plan was made against state serial %d of lineage %s, but the state is now serial %d of lineage %s. Something changed the estate since; run plumb plan again.", ErrStalePlan, p.Serial, p.Lineage, st.Serial, st.Lineage),
		}}
	}
	return nil
}

func (e *Engine) apply(ctx context.Context, before, pending map[string]*state.Instance, p *plan.Plan, rec state.Recorder) hcl.Diagnostics {
	a := &applier{walk: e.newWalk(), p: p, before: before, pending: pending, rec: rec, changes: make(map[string]*plan.Change, len(p.Changes)), picked: e.targetedInstances(), deleters: map[string]*providerInstance{}}
	for _, c := range p.Changes {
		a.changes[c.Addr] = c
	}
	a.resource = a.applyResource
	// Every step adds its diagnostics to a.diags; they are returned once.
	// Moves come first: everything after works at the new addresses. If
	// one cannot be recorded, nothing else is done.
	if !a.recordMoves() {
		return a.diags
	}
	a.forgetAll()
	a.deleteAll(ctx)
	if p.Destroy {
		if !a.diags.HasErrors() && len(p.Targets) == 0 {
			a.addDiags(a.recordOutputs(true))
		}
		return a.diags
	}
	only, tdiags := e.targetNodes()
	a.addDiags(tdiags)
	a.run(ctx, only)
	if only == nil {
		a.addDiags(a.recordOutputs(false))
	}
	return a.diags
}

// deleteAll carries out the plan's deletions, each after the deletion of
// every instance that depends on it; problems go to a.diags.
func (a *applier) deleteAll(ctx context.Context) {
	g := graph.New()
	var dels []*plan.Change
	for _, c := range a.p.Changes {
		if c.Action == plan.Delete && c.Mode == plan.Managed {
			dels = append(dels, c)
		}
	}
	if len(dels) == 0 {
		return
	}
	if !a.prepareDeleters(ctx, dels) {
		return
	}
	// "gone:R" is done when every instance of resource R being deleted
	// is gone; an instance of R waits for "gone:D" of each D that depends
	// on R.
	dependents := map[string][]string{}
	resOf := make(map[string]string, len(dels))
	for _, c := range dels {
		res := configResourceOf(&state.Instance{Addr: c.Addr, Mode: string(c.Mode), Type: c.Type, Name: c.Name})
		resOf[c.Addr] = res
		g.Connect("gone:"+res, c.Addr)
		for _, dep := range a.dependenciesOf(res, c.Addr) {
			dependents[dep] = append(dependents[dep], res)
		}
	}
	for _, c := range dels {
		for _, d := range dependents[resOf[c.Addr]] {
			if g.Has("gone:" + d) {
				g.Connect(c.Addr, "gone:"+d)
			}
		}
	}
	// Recorded dependencies can disagree with configuration; a cycle
	// among them is reported rather than walked.
	for _, cycle := range g.Cycles() {
		a.addDiags(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cycle in deletion order", Detail: fmt.Sprintf("These depend on each other in a circle: %v. Delete them one at a time with -target.", cycle)}})
		return
	}
	g.Walk(ctx, a.e.opts.Parallelism, a.e.opts.Stop, func(ctx context.Context, node string) error {
		c, ok := a.changes[node]
		if !ok {
			return nil
		}
		select {
		case a.e.sem <- struct{}{}:
		case <-ctx.Done():
			return graph.ErrSkipped
		}
		defer func() { <-a.e.sem }()
		d := a.deleteOne(ctx, c)
		a.addDiags(d)
		if d.HasErrors() {
			return errFailed
		}
		return nil
	})
}

// prepareDeleters finds and configures the provider instance state
// recorded for each deletion; a destroy, or the deletion of resources no
// longer declared, runs no resource node that would configure them.
func (a *applier) prepareDeleters(ctx context.Context, dels []*plan.Change) bool {
	type want struct {
		conf *providerConfig
		key  cty.Value
	}
	wants := map[string]want{}
	var confs []*providerConfig
	for _, c := range dels {
		si := a.before[c.Addr]
		if si == nil {
			si = a.pending[c.Addr] // a create a dead run began, planned for deletion
		}
		rt := a.typeFor(c)
		if c.Gone || si == nil || rt == nil {
			continue
		}
		conf, key, name := a.e.recordedConf(si, rt.provider)
		if conf == nil {
			a.addDiags(hcl.Diagnostics{notPresent(c.Addr, name)})
			continue
		}
		wants[c.Addr] = want{conf, key}
		confs = append(confs, conf)
	}
	if a.diags.HasErrors() || !a.prepareProviders(ctx, confs) {
		return false
	}
	for addr, w := range wants {
		pi := w.conf.instance(w.key)
		if pi == nil {
			a.addDiags(hcl.Diagnostics{notPresent(addr, w.conf.node+config.KeyString(w.key))})
			continue
		}
		a.deleters[addr] = pi
	}
	return !a.diags.HasErrors()
}

// dependenciesOf returns what an instance being deleted depends on: from
// configuration when its resource is still declared, else from state.
func (a *applier) dependenciesOf(res, addr string) []string {
	if deps, ok := a.e.deps[res]; ok {
		return deps
	}
	if si, ok := a.before[addr]; ok {
		return si.Dependencies
	}
	return nil
}

func (a *applier) deleteOne(ctx context.Context, c *plan.Change) hcl.Diagnostics {
	if c.Gone {
		if err := a.rec.Remove(c.Addr); err != nil {
			return hcl.Diagnostics{recordFailed(c.Addr, err)}
		}
		return nil
	}
	rt := a.typeFor(c)
	if rt == nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: c.Addr + ": unknown resource type", Detail: fmt.Sprintf("No provider of this plumb serves %s, so plumb cannot delete it. Remove it from state with plumb state rm %s if it is gone.", c.Type, c.Addr)}}
	}
	pi := a.deleters[c.Addr]
	if pi == nil {
		return hcl.Diagnostics{notPresent(c.Addr, c.ProviderConfig)}
	}
	if a.configured(ctx, pi) != nil {
		return hcl.Diagnostics{pi.unavailable(c.Addr, nil)}
	}
	done := a.e.observe(c.Addr, plan.Delete)
	resp := pi.resources[c.Type].Apply(ctx, providers.ApplyRequest{Addr: c.Addr, Prior: c.Before, Planned: cty.NullVal(rt.ty), Config: cty.NullVal(rt.ty)})
	var priorPaths state.Paths
	var deps []string
	if si, ok := a.before[c.Addr]; ok {
		priorPaths, deps = si.Sensitive, si.Dependencies
	}
	d := locate(redactDiags(resp.Diagnostics, secretStrings(c.Before, joinPaths(schemaPaths(rt.secret), priorPaths))), c.Addr, nil)
	done(diagErr(d))
	if d.HasErrors() {
		if resp.State != cty.NilVal && !resp.State.IsNull() {
			d = append(d, a.record(c, rt, pi.addr, deps, resp.State, false, priorPaths)...)
		}
		return d
	}
	if err := a.rec.Remove(c.Addr); err != nil {
		d = append(d, recordFailed(c.Addr, err))
	}
	return d
}

// typeFor finds the type of an instance being deleted.
func (a *applier) typeFor(c *plan.Change) *resourceType {
	return a.e.typeOf(&state.Instance{Type: c.Type, Name: c.Name, Mode: string(c.Mode)})
}

func recordFailed(addr string, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: addr + ": state not recorded", Detail: fmt.Sprintf("The change was made but could not be written to state: %v. Fix the cause (disk full?) and run plumb apply again; plumb will find the object.", err)}
}

// record writes an instance's new state: its value, the provider instance
// that owns it, what it depends on and the paths of v that are
// sensitive.
func (a *applier) record(c *plan.Change, rt *resourceType, provider string, deps []string, v cty.Value, tainted bool, paths state.Paths) hcl.Diagnostics {
	inst := &state.Instance{Addr: c.Addr, Mode: string(plan.Managed), Type: c.Type, Name: c.Name, Provider: provider, Dependencies: deps, Tainted: tainted, Sensitive: recordedPaths(paths, v)}
	if err := inst.SetValue(v, rt.ty); err != nil {
		return hcl.Diagnostics{recordFailed(c.Addr, err)}
	}
	if err := a.rec.Set(inst); err != nil {
		return hcl.Diagnostics{recordFailed(c.Addr, err)}
	}
	return nil
}

// intend records that the instance is about to be created as planned
// (unknown parts null); nothing is created if it cannot be recorded.
func (a *applier) intend(c *plan.Change, rt *resourceType, own owner, planned cty.Value, paths state.Paths) hcl.Diagnostics {
	v := knownOrNull(planned)
	inst := &state.Instance{Addr: c.Addr, Mode: string(plan.Managed), Type: c.Type, Name: c.Name, Provider: own.provider, Dependencies: own.deps, Tainted: true, Sensitive: recordedPaths(paths, v)}
	err := inst.SetValue(v, rt.ty)
	if err == nil {
		err = a.rec.Intend(inst)
	}
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: c.Addr + ": not created", Detail: fmt.Sprintf("plumb records that it is about to create an object before it does, so that a crash cannot make it forget one; that record failed: %v. Nothing was created. Fix the cause (disk full?) and run plumb apply again.", err)}}
	}
	return nil
}

// knownOrNull replaces the unknown parts of v with nulls of their type,
// for a record of what is about to be made.
func knownOrNull(v cty.Value) cty.Value {
	if ctyconv.IsWhollyKnown(v) {
		return v
	}
	// An object's wholly known attributes (a zone's million records
	// beside an unknown id) are kept as they are, not walked.
	if ty := v.Type(); ty.IsObjectType() && v.IsKnown() && !v.IsNull() && !v.IsMarked() {
		attrs := make(map[string]cty.Value, len(ty.AttributeTypes()))
		for name := range ty.AttributeTypes() {
			attrs[name] = knownOrNull(v.GetAttr(name))
		}
		return cty.ObjectVal(attrs)
	}
	out, _ := cty.Transform(v, func(_ cty.Path, x cty.Value) (cty.Value, error) {
		if !x.IsKnown() {
			return cty.NullVal(x.Type()), nil
		}
		return x, nil
	})
	return out
}

func (a *applier) applyResource(ctx context.Context, n *node) error {
	r := n.res
	groups, total, diags := a.expandGroups(n)
	a.addDiags(diags)
	failed := diags.HasErrors()
	var mu sync.Mutex
	a.eachGroupInstance(ctx, groups, total, func(g *resourceGroup, i int) {
		in := g.insts[i]
		ictx := instanceContext(g.evalCtx, in.key, in.each)
		// Conditions left unknown at plan are checked now, with the
		// values just made; a failed one stops what depends on this.
		_, d := resourcePreconditions(r, in.addr, ictx)
		var v cty.Value
		if !d.HasErrors() {
			var ad hcl.Diagnostics
			v, ad = a.applyInstance(ctx, n, g, in, ictx)
			if r.Check != "" {
				ad = asWarnings(ad, "the check's assertions cannot use it")
			}
			d = append(d, ad...)
			if !ad.HasErrors() && v != cty.NilVal {
				_, pd := resourcePostconditions(r, in.addr, ictx, v)
				d = append(d, pd...)
			}
		}
		g.vals[i] = v
		a.addDiags(d)
		if d.HasErrors() {
			mu.Lock()
			failed = true
			mu.Unlock()
		}
	})
	for _, g := range groups {
		for i := range g.vals {
			if g.vals[i] == cty.NilVal {
				g.vals[i] = cty.DynamicVal
				failed = true
			}
		}
		g.s.setResource(r.Addr(), aggregate(r, g.insts, g.vals))
	}
	if failed {
		return errFailed
	}
	return nil
}

func (a *applier) applyInstance(ctx context.Context, n *node, g *resourceGroup, in instance, ictx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	r, rt := n.res, n.rt
	c, ok := a.changes[in.addr]
	if !ok {
		// Not planned (outside -target, or added to the configuration
		// since the plan): its value is what state says.
		if si, ok := a.before[in.addr]; ok {
			v, err := si.Value(rt.ty)
			if err == nil {
				return v, nil
			}
		}
		if picked := a.picked[n.name]; picked != nil && !selectsAny(picked, instanceAddr(g.s, r, in)) {
			return cty.DynamicVal, nil // left out by -target
		}
		if x, _ := a.e.exclusion(); x.excludesInstance(n.name, instanceAddr(g.s, r, in)) {
			return cty.DynamicVal, nil // left out by -exclude
		}
		return cty.DynamicVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: in.addr + ": not in the plan", Detail: "The configuration declares an instance the plan does not know; the configuration changed after the plan was made. Run plumb plan again.", Subject: r.DeclRange.Ptr()}}
	}
	// The plan named the sensitive attributes; values not planned again
	// are marked by those names.
	planned := schemaPaths(c.Sensitive)
	switch {
	case r.Mode == config.Data && c.Action != plan.Read:
		return markPaths(c.After, planned), nil
	case r.Mode == config.Managed && c.Action == plan.NoOp && c.ImportID == "":
		// An object whose sensitive attributes the state does not know
		// yet (a state from before they were recorded, or a variable
		// made sensitive since) has them recorded now, owner unchanged.
		var diags hcl.Diagnostics
		if si, ok := a.before[in.addr]; ok && !covers(si.Sensitive, recordedPaths(planned, c.Before)) {
			diags = a.record(c, rt, si.Provider, si.Dependencies, c.Before, si.Tainted, joinPaths(planned, si.Sensitive))
		}
		return markPaths(c.Before, planned), diags
	case c.Action == plan.Delete:
		return cty.DynamicVal, nil
	}
	pi, diags := a.boundInstance(ctx, r, rt, g.choice, in.addr, ictx)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	if r.Mode == config.Data {
		cfgVal, secret, d := decodeConfig(r, rt, ictx)
		if d.HasErrors() {
			return cty.DynamicVal, d
		}
		cfgPaths := joinPaths(schemaPaths(rt.secret), secret)
		v, d := readData(ctx, a.e, r, pi.data[r.Type], in.addr, cfgVal, cfgPaths)
		return markPaths(v, derivedPaths(rt.schema, instancePaths(cfgPaths, cfgVal, v), v)), d
	}
	deps := a.e.deps[n.name]
	if c.ImportID != "" {
		diags = append(diags, a.record(c, rt, pi.addr, deps, c.Before, false, planned)...)
	}
	if c.Action == plan.NoOp {
		return markPaths(c.Before, planned), diags
	}
	cfgVal, secret, d := decodeConfig(r, rt, ictx)
	diags = append(diags, d...)
	if d.HasErrors() {
		return cty.DynamicVal, diags
	}
	cfgPaths := joinPaths(schemaPaths(rt.secret), secret)
	prior := c.Before
	if !prior.IsNull() {
		cfgVal = ignoreChanges(r.Lifecycle, cfgVal, prior)
	}
	planPrior := prior
	if c.Action.IsReplace() {
		planPrior = cty.NullVal(rt.ty)
	}
	res := pi.resources[r.Type]
	secrets := secretStrings(cfgVal, cfgPaths)
	resp := res.Plan(ctx, providers.PlanRequest{Addr: in.addr, Prior: planPrior, Config: cfgVal})
	d = locateIn(a.e.allowMass(redactDiags(resp.Diagnostics, secrets)), in.addr, r)
	diags = append(diags, d...)
	if d.HasErrors() {
		return cty.DynamicVal, diags
	}
	if c.Action == plan.Update && len(resp.RequiresReplace) > 0 {
		return cty.DynamicVal, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: in.addr + ": plan changed during apply",
			Detail: fmt.Sprintf("The plan said update in place, but with the values known now %v force a replacement. Nothing was changed; run plumb apply again to see the new plan.", resp.RequiresReplace), Subject: r.DeclRange.Ptr()})
	}
	return a.change(ctx, c, rt, res, owner{provider: pi.addr, deps: deps}, r, cfgVal, resp.Planned, cfgPaths, diags)
}

// owner is what state records of an instance besides its value: the
// provider instance that owns it and what it depends on.
type owner struct {
	provider string
	deps     []string
}

// change performs a create, update or replace through res and records
// the result as own's.
func (a *applier) change(ctx context.Context, c *plan.Change, rt *resourceType, res providers.Resource, own owner, r *config.Resource, cfgVal, planned cty.Value, cfgPaths state.Paths, diags hcl.Diagnostics) (cty.Value, hcl.Diagnostics) {
	record := func(v cty.Value, tainted bool, paths state.Paths) hcl.Diagnostics {
		return a.record(c, rt, own.provider, own.deps, v, tainted, paths)
	}
	where := r.DeclRange.Ptr()
	secrets := append(secretStrings(cfgVal, cfgPaths), secretStrings(c.Before, schemaPaths(c.Sensitive))...)
	var priorPaths state.Paths
	if si, ok := a.before[c.Addr]; ok {
		priorPaths = si.Sensitive
	}
	done := a.e.observe(c.Addr, c.Action)
	prior := c.Before
	if c.Action == plan.DeleteThenCreate {
		resp := res.Apply(ctx, providers.ApplyRequest{Addr: c.Addr, Prior: prior, Planned: cty.NullVal(rt.ty), Config: cty.NullVal(rt.ty)})
		d := locate(redactDiags(resp.Diagnostics, secrets), c.Addr, where)
		if d.HasErrors() {
			done(diagErr(d))
			return cty.DynamicVal, append(diags, d...)
		}
		if err := a.rec.Remove(c.Addr); err != nil {
			diags = append(diags, recordFailed(c.Addr, err))
		}
		prior = cty.NullVal(rt.ty)
	}
	if c.Action == plan.CreateThenDelete {
		prior = cty.NullVal(rt.ty)
	} else if _, stateOnly := res.(providers.StateOnly); prior.IsNull() && !stateOnly {
		// Announce the create before the provider makes anything, so a
		// crash from here on leaves the object pending, not forgotten.
		if d := a.intend(c, rt, own, planned, instancePaths(cfgPaths, cfgVal, planned)); d.HasErrors() {
			done(diagErr(d))
			return cty.DynamicVal, append(diags, d...)
		}
	}
	resp := res.Apply(ctx, providers.ApplyRequest{Addr: c.Addr, Prior: prior, Planned: planned, Config: cfgVal})
	applied := redactDiags(resp.Diagnostics, secrets)
	locateAttrs(applied, r.Config)
	d := locate(applied, c.Addr, where)
	diags = append(diags, d...)
	newState := resp.State
	if newState == cty.NilVal {
		newState = prior
	}
	paths := derivedPaths(rt.schema, instancePaths(cfgPaths, cfgVal, newState), newState)
	if d.HasErrors() {
		done(diagErr(d))
		if !newState.IsNull() {
			diags = append(diags, record(newState, prior.IsNull(), joinPaths(paths, priorPaths))...)
		}
		return cty.DynamicVal, diags
	}
	diags = append(diags, record(newState, false, paths)...)
	if c.Action == plan.CreateThenDelete {
		old := res.Apply(ctx, providers.ApplyRequest{Addr: c.Addr, Prior: c.Before, Planned: cty.NullVal(rt.ty), Config: cty.NullVal(rt.ty)})
		od := locate(redactDiags(old.Diagnostics, secrets), c.Addr+" (old object)", where)
		if od.HasErrors() {
			for _, x := range od {
				x.Detail += " The new object was created and recorded; the old one is left in place and must be removed by hand."
			}
		}
		diags = append(diags, od...)
	}
	done(diagErr(diags))
	return markPaths(newState, paths), diags
}

// recordOutputs stores the root outputs in state.
func (a *applier) recordOutputs(clear bool) hcl.Diagnostics {
	outs := map[string]*state.Output{}
	if !clear {
		for _, name := range keys(a.e.cfg.Outputs) {
			v, ok := a.root.outputs[name]
			if !ok || !v.IsWhollyKnown() {
				continue
			}
			o, err := state.NewOutput(v, a.e.cfg.Outputs[name].Sensitive || a.root.secret[name])
			if err != nil {
				return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot record output " + name, Detail: err.Error()}}
			}
			outs[name] = o
		}
	}
	if err := a.rec.SetOutputs(outs); err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot record outputs", Detail: err.Error()}}
	}
	return nil
}

// decodeLoose decodes an instance's attributes without a schema, for
// objects whose type no provider serves any more.
func decodeLoose(si *state.Instance) cty.Value {
	ty, err := ctyjson.ImpliedType(si.Attributes)
	if err != nil {
		return cty.EmptyObjectVal
	}
	v, err := ctyjson.Unmarshal(si.Attributes, ty)
	if err != nil {
		return cty.EmptyObjectVal
	}
	return v
}
