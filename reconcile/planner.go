package reconcile

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ctyconv"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// planner collects the changes of one plan walk.
type planner struct {
	*walk
	st      *state.State
	byRes   map[string][]*state.Instance // state instances by resource address
	imports map[string]*config.Import
	// picked limits a resource to the instances -target names, by the
	// resource's configuration address.
	picked map[string][]config.Addr
	// pending are the addresses of objects a dead run began to create
	// (state.State.Pending), planned as tainted instances.
	pending map[string]bool
	// movedFrom maps the addresses moved blocks give objects to the ones
	// state has them at; removed are the removed blocks.
	movedFrom map[string]string
	removed   []placed[config.Removed]

	mu       sync.Mutex
	changes  []*plan.Change
	warnings []string
	claimed  map[string]claim // "type\x00identity" → who claimed it first
	// handled are the resources (in a module instance: module.a["x"].t.n)
	// a resource node planned; what state has beyond them is orphaned.
	// changing are the resource nodes some instance of which this plan
	// changes; a data source that depends on one is read during apply,
	// after the change.
	changing map[string]bool
	// changed are the instance addresses the plan changes.
	changed map[string]bool
	// byAddr are the changes planned so far, by instance address, kept
	// only when something looks them up (indexChanges): -replace or
	// replace_triggered_by.
	byAddr       map[string]*plan.Change
	indexChanges bool
	// replace are the instance addresses -replace names.
	replace []string
	// excl is what -exclude leaves out; nil without it.
	excl *exclusion
	// visited are the resource nodes that ran.
	handled map[string]bool
	visited map[string]bool
	// doomed are instances to delete, found during the walk; they are
	// refreshed and planned after it.
	doomed []doomed
}

// claim is an instance that claimed an identity (a zone, a file path).
type claim struct {
	addr string
	rng  hcl.Range
}

// Plan compares the configuration with st and returns the changes that
// would make the estate match it. st is not modified.
func (e *Engine) Plan(ctx context.Context, st *state.State) (*plan.Plan, hcl.Diagnostics) {
	work, pending := withPending(st)
	work, moved, moveWarnings, diags := e.applyMoves(work)
	removed := e.removedBlocks()
	diags = append(diags, e.checkRemoved(removed)...)
	if diags.HasErrors() {
		return nil, diags
	}
	p := &planner{walk: e.newWalk(), st: work, byRes: groupByResource(work), imports: map[string]*config.Import{}, claimed: map[string]claim{}, picked: e.targetedInstances(), handled: map[string]bool{}, visited: map[string]bool{}, changing: map[string]bool{}, changed: map[string]bool{}, byAddr: map[string]*plan.Change{}, pending: pending,
		movedFrom: moved, removed: removed, warnings: moveWarnings}
	for _, im := range e.cfg.Imports {
		if im.ForEach == nil {
			p.imports[im.To.String()] = im
		}
	}
	p.resource = p.planResource
	p.checksInPlan = true
	var rdiags hcl.Diagnostics
	p.replace, rdiags = parseReplace(e.opts.Replace)
	diags = append(diags, rdiags...)
	p.indexChanges = len(p.replace) > 0 || e.hasTriggers
	p.excl, _ = e.exclusion() // its problems are reported by targetNodes
	only, tdiags := e.targetNodes()
	diags = append(diags, tdiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	if e.opts.Destroy {
		diags = append(diags, p.planDestroy(ctx, only)...)
	} else {
		diags = append(diags, p.run(ctx, only)...)
		if !e.opts.RefreshOnly {
			diags = append(diags, p.planOrphans(ctx, only)...)
		} else {
			p.warnings = append(p.warnings, refreshOnlyWarning)
		}
	}
	if e.interrupted(ctx) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Plan interrupted", Detail: "The plan is incomplete and was not saved; nothing was changed."})
	}
	sort.Slice(p.changes, func(i, j int) bool { return p.changes[i].Addr < p.changes[j].Addr })
	fillActionReasons(p.changes)
	checks := p.sortedChecks()
	p.warnings = append(p.warnings, checkWarnings(checks)...)
	p.warnings = append(p.warnings, p.unusedReplace()...)
	out := &plan.Plan{
		PlumbVersion:    Version,
		Lineage:         st.Lineage,
		Serial:          st.Serial,
		Destroy:         e.opts.Destroy,
		Targets:         e.opts.Targets,
		Excludes:        e.opts.Excludes,
		RefreshOnly:     e.opts.RefreshOnly,
		AllowMassChange: e.opts.AllowMassChange,
		Variables:       e.vars,
		Changes:         p.changes,
		Warnings:        p.warnings,
		Created:         e.opts.PlanTime,

		Checks:             checks,
		SensitiveVariables: e.sensitiveVariables(),
		RequestCounts:      e.RequestCounts(),
	}
	sort.Strings(out.Warnings)
	if !e.opts.Destroy && only == nil {
		out.Outputs = p.outputChanges()
	}
	return out, append(diags, e.funcWarnings.Drain()...)
}

// withPending returns st with its pending objects (creates a dead run
// began and never recorded) added as tainted instances, so that the plan
// reads each one and replaces it if it exists or forgets it if not. st
// is not changed. A pending object whose address state holds already (a
// create_before_destroy replacement) is left to the next run.
func withPending(st *state.State) (*state.State, map[string]bool) {
	if len(st.Pending) == 0 {
		return st, nil
	}
	work := *st
	work.Resources = maps.Clone(st.Resources)
	pending := map[string]bool{}
	for addr, inst := range st.Pending {
		if _, ok := work.Resources[addr]; ok {
			continue
		}
		c := *inst
		c.Tainted = true
		work.Resources[addr] = &c
		pending[addr] = true
	}
	return &work, pending
}

// sensitiveVariables names the root variables declared sensitive.
func (e *Engine) sensitiveVariables() []string {
	var out []string
	for _, name := range keys(e.cfg.Variables) {
		if e.cfg.Variables[name].Sensitive {
			out = append(out, name)
		}
	}
	return out
}

// groupByResource groups the instances of a state by resource, in its
// module instance (module.a["x"].t.n).
func groupByResource(st *state.State) map[string][]*state.Instance {
	out := map[string][]*state.Instance{}
	for _, inst := range st.Resources {
		res := resourceOf(inst)
		out[res] = append(out[res], inst)
	}
	return out
}

// resourceOf is the address of the resource an instance in state belongs
// to, in its module instance. Root instances, the common case, need no
// parsing.
func resourceOf(inst *state.Instance) string {
	if strings.HasPrefix(inst.Addr, "module.") {
		if a, err := config.ParseAddr(inst.Addr); err == nil {
			return a.Resource()
		}
	}
	if inst.Mode == string(config.Data) {
		return "data." + inst.Type + "." + inst.Name
	}
	return inst.Type + "." + inst.Name
}

// warn adds a warning for the reviewer to the plan.
func (p *planner) warn(msg string) {
	p.mu.Lock()
	p.warnings = append(p.warnings, msg)
	p.mu.Unlock()
}

func (p *planner) add(c *plan.Change) {
	p.mu.Lock()
	p.changes = append(p.changes, c)
	if c.Action != plan.NoOp || c.ImportID != "" {
		p.changed[c.Addr] = true
	}
	if p.indexChanges {
		p.byAddr[c.Addr] = c
	}
	p.mu.Unlock()
}

// noteChanging remembers a resource node some instance of which the plan
// changes (or reads during apply).
func (p *planner) noteChanging(n *node, groups []*resourceGroup) {
	var addrs []string
	for _, g := range groups {
		for _, in := range g.insts {
			addrs = append(addrs, in.addr)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range addrs {
		if p.changed[a] {
			p.changing[n.name] = true
			return
		}
	}
}

// dependsOnChange reports whether a data source's node depends, directly
// or through locals, other data sources and module calls, on a resource
// this plan changes.
func (p *planner) dependsOnChange(n *node) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.changing) == 0 {
		return false
	}
	seen := map[string]bool{n.name: true}
	work := p.e.graph.DependsOn(n.name)
	for len(work) > 0 {
		name := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[name] {
			continue
		}
		seen[name] = true
		if p.changing[name] {
			return true
		}
		if dn := p.e.nodes[name]; dn != nil && dn.kind == nodeProvider {
			continue
		}
		work = append(work, p.e.graph.DependsOn(name)...)
	}
	return false
}

func (p *planner) planResource(ctx context.Context, n *node) error {
	r, rt := n.res, n.rt
	p.mu.Lock()
	p.visited[n.name] = true
	p.mu.Unlock()
	groups, total, diags := p.expandGroups(n)
	p.addDiags(diags)
	failed := diags.HasErrors()
	var fmu sync.Mutex
	picked := p.picked[n.name]
	priors := make([]map[string]*state.Instance, len(groups))
	for gi, g := range groups {
		prior := map[string]*state.Instance{}
		for _, si := range p.byRes[g.s.prefix+r.Addr()] {
			prior[si.Addr] = si
		}
		priors[gi] = prior
	}
	index := make(map[*resourceGroup]int, len(groups))
	for gi, g := range groups {
		index[g] = gi
	}
	if d := p.expandImports(n); len(d) > 0 {
		p.addDiags(d)
		if d.HasErrors() {
			return errFailed
		}
	}
	deferRead := r.Mode == config.Data && p.dependsOnChange(n)
	p.eachGroupInstance(ctx, groups, total, func(g *resourceGroup, i int) {
		in := g.insts[i]
		prior := priors[index[g]]
		if picked != nil && !selectsAny(picked, instanceAddr(g.s, r, in)) || p.excl.excludesInstance(n.name, instanceAddr(g.s, r, in)) {
			// Not targeted: other instances see it as state has it.
			g.vals[i] = cty.DynamicVal
			if si := prior[in.addr]; si != nil {
				if v, err := si.Value(rt.ty); err == nil {
					g.vals[i] = markPaths(v, joinPaths(schemaPaths(rt.secret), si.Sensitive))
				}
			}
			return
		}
		ictx := instanceContext(g.evalCtx, in.key, in.each)
		var v cty.Value
		pre, d := resourcePreconditions(r, in.addr, ictx)
		post := conditionOutcome{status: plan.CheckPass}
		if !d.HasErrors() {
			var pd hcl.Diagnostics
			var pi *providerInstance
			pi, pd = p.boundInstance(ctx, r, rt, g.choice, in.addr, ictx)
			if !pd.HasErrors() {
				if r.Mode == config.Data {
					v, pd = p.planData(ctx, r, rt, pi, in, ictx, deferRead)
				} else {
					v, pd = p.planInstance(ctx, r, rt, pi, in, ictx, prior[in.addr])
				}
			}
			if r.Check != "" {
				pd = asWarnings(pd, "the check's assertions cannot use it")
			}
			d = append(d, pd...)
			if !pd.HasErrors() && v != cty.NilVal {
				var postd hcl.Diagnostics
				post, postd = resourcePostconditions(r, in.addr, ictx, v)
				d = append(d, postd...)
			}
		}
		p.recordResourceCheck(n, in.addr, pre, post)
		g.vals[i] = v
		if d.HasErrors() {
			fmu.Lock()
			failed = true
			fmu.Unlock()
		}
		p.addDiags(d)
	})
	p.noteChanging(n, groups)
	for gi, g := range groups {
		if r.Mode == config.Managed {
			p.doomKeysGone(n, g, priors[gi], picked)
		}
		for i := range g.vals {
			if g.vals[i] == cty.NilVal {
				g.vals[i] = cty.DynamicVal
			}
		}
		g.s.setResource(r.Addr(), aggregate(r, g.insts, g.vals))
	}
	if failed {
		return errFailed
	}
	return nil
}

// doomKeysGone notes for deletion the instances state has of a resource in
// one module instance whose keys its count or for_each no longer has.
func (p *planner) doomKeysGone(n *node, g *resourceGroup, prior map[string]*state.Instance, picked []config.Addr) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.handled[g.s.prefix+n.res.Addr()] = true
	if len(prior) == len(g.insts) {
		expandedAll := true
		for _, in := range g.insts {
			if prior[in.addr] == nil {
				expandedAll = false
				break
			}
		}
		if expandedAll {
			return
		}
	}
	expanded := make(map[string]bool, len(g.insts))
	for _, in := range g.insts {
		expanded[in.addr] = true
	}
	for _, si := range p.byRes[g.s.prefix+n.res.Addr()] {
		if !expanded[si.Addr] && (picked == nil || selectsRecorded(picked, si.Addr)) && !p.excl.excludesRecorded(n.name, si.Addr) {
			p.doomed = append(p.doomed, doomed{r: n.res, si: si, reason: "its key is no longer in count or for_each"})
		}
	}
}

func (p *planner) planInstance(ctx context.Context, r *config.Resource, rt *resourceType, pi *providerInstance, in instance, ictx *hcl.EvalContext, si *state.Instance) (cty.Value, hcl.Diagnostics) {
	res := pi.resources[r.Type]
	where := r.DeclRange.Ptr()
	prior := cty.NullVal(rt.ty)
	tainted := false
	var priorPaths state.Paths
	// The configuration is evaluated first, so that the prior state can
	// share its memory where they agree (a large zone's records are held
	// once, not twice).
	cfgVal, secret, cfgDiags := decodeConfig(r, rt, ictx)
	if cfgDiags.HasErrors() {
		return cty.DynamicVal, cfgDiags
	}
	if si != nil {
		v, err := si.ValueLike(rt.ty, cfgVal)
		if err != nil {
			return cty.DynamicVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: in.addr + ": cannot read state", Detail: fmt.Sprintf("The state of %s does not fit the schema of %s: %v.", in.addr, r.Type, err), Subject: where}}
		}
		prior, tainted = v, si.Tainted
		priorPaths = joinPaths(schemaPaths(rt.secret), si.Sensitive)
	}
	change := &plan.Change{Addr: in.addr, Mode: plan.Managed, Type: r.Type, Name: r.Name, Provider: rt.provider, ProviderConfig: pi.addr, Sensitive: mergeNames(rt.secret, priorPaths.TopNames()), Keys: rt.keys}
	// What the provider says is redacted of the sensitive values it saw.
	secrets := secretStrings(prior, priorPaths)

	if p.movedFrom != nil {
		change.PrevAddr = p.movedFrom[in.addr]
	}
	var diags hcl.Diagnostics
	if prior.IsNull() && !p.e.opts.RefreshOnly {
		if im, ok := p.imports[in.addr]; ok {
			if d := p.checkImportProvider(im, rt, pi, ictx); d != nil {
				return cty.DynamicVal, append(diags, d)
			}
			id, d := p.importObject(ctx, res, im, ictx, in.addr)
			diags = append(diags, d...)
			if d.HasErrors() {
				return cty.DynamicVal, diags
			}
			prior = id.state
			change.ImportID = id.id
		}
	}
	refreshed := prior
	if !prior.IsNull() && !p.e.opts.NoRefresh && change.ImportID == "" {
		done := p.e.observe(in.addr, plan.Read)
		resp := res.Read(ctx, providers.ReadRequest{Prior: prior})
		d := locate(redactDiags(resp.Diagnostics, secrets), in.addr, where)
		done(diagErr(d))
		diags = append(diags, d...)
		if d.HasErrors() {
			return cty.DynamicVal, diags
		}
		refreshed = resp.State
		if refreshed == cty.NilVal {
			refreshed = cty.NullVal(rt.ty)
		}
	}
	if p.e.opts.RefreshOnly {
		return p.refreshOnly(change, prior, refreshed, priorPaths), diags
	}
	diags = append(diags, cfgDiags...)
	cfgPaths := joinPaths(schemaPaths(rt.secret), secret)
	secrets = append(secrets, secretStrings(cfgVal, cfgPaths)...)
	change.Sensitive = mergeNames(change.Sensitive, secret.TopNames())
	if d := p.claim(res, r, in.addr, cfgVal); d != nil {
		return cty.DynamicVal, append(diags, d)
	}
	if v, ok := res.(providers.ConfigValidator); ok {
		d := locateIn(redactDiags(v.ValidateConfig(ctx, cfgVal), secrets), in.addr, r)
		diags = append(diags, d...)
		if d.HasErrors() {
			return cty.DynamicVal, diags
		}
	}
	if !refreshed.IsNull() {
		cfgVal = ignoreChanges(r.Lifecycle, cfgVal, refreshed)
	}
	resp := res.Plan(ctx, providers.PlanRequest{Addr: in.addr, Prior: refreshed, Config: cfgVal})
	d := locateIn(p.e.allowMass(redactDiags(resp.Diagnostics, secrets)), in.addr, r)
	diags = append(diags, d...)
	if d.HasErrors() {
		return cty.DynamicVal, diags
	}
	change.MassChange = massChange(d)
	planned := resp.Planned
	change.Before, change.After = refreshed, planned
	paths := derivedPaths(rt.schema, instancePaths(cfgPaths, cfgVal, planned), planned)
	change.Sensitive = mergeNames(change.Sensitive, paths.TopNames())
	// What derives from a secret the object held before is as sensitive.
	change.Sensitive = mergeNames(change.Sensitive, rt.schema.DerivedSensitive(change.Sensitive, refreshed, planned))
	switch {
	case refreshed.IsNull():
		change.Action = plan.Create
		change.Before = cty.NullVal(rt.ty)
		switch {
		case p.pending[in.addr]:
			change.Reason = "an interrupted apply began to create it, and it does not exist"
		case !prior.IsNull():
			change.Reason = "it was deleted outside plumb"
		}
	case tainted:
		change.Action = replaceAction(r)
		change.Reason = "it is tainted: an earlier apply failed part way through creating it"
		if p.pending[in.addr] {
			change.Reason = "an interrupted apply began to create it and may have left it half made"
		}
	case len(resp.RequiresReplace) > 0:
		change.Action = replaceAction(r)
		change.RequiresReplace = resp.RequiresReplace
	case ctyconv.Identical(planned, refreshed) || planned.RawEquals(refreshed):
		change.Action = plan.NoOp
	default:
		change.Action = plan.Update
	}
	if (change.Action == plan.NoOp || change.Action == plan.Update) && (len(p.replace) > 0 || len(r.Lifecycle.ReplaceTriggeredBy) > 0) {
		reason, code, d := p.replaceReason(r, strings.TrimSuffix(in.addr, r.Addr()+config.KeyString(in.key)), in.addr, ictx)
		diags = append(diags, d...)
		if d.HasErrors() {
			return cty.DynamicVal, diags
		}
		if reason != "" {
			// Plan the new object as a create would, so what only the
			// apply knows shows as such.
			fresh := res.Plan(ctx, providers.PlanRequest{Addr: in.addr, Prior: cty.NullVal(rt.ty), Config: cfgVal})
			d := locateIn(p.e.allowMass(redactDiags(fresh.Diagnostics, secrets)), in.addr, r)
			diags = append(diags, d...)
			if d.HasErrors() {
				return cty.DynamicVal, diags
			}
			planned = fresh.Planned
			change.After = planned
			change.Action, change.Reason, change.ActionReason = replaceAction(r), reason, code
		}
	}
	if change.Action.IsReplace() && r.Lifecycle.PreventDestroy {
		diags = append(diags, preventDestroy(in.addr, r))
	}
	if change.Action == plan.Update && r.Lifecycle.PreventDestroy {
		p.warn(fmt.Sprintf("%s is protected by lifecycle.prevent_destroy; this plan changes it in place.", in.addr))
	}
	p.add(change)
	return markPaths(planned, paths), diags
}

func replaceAction(r *config.Resource) plan.Action {
	if r.Lifecycle.CreateBeforeDestroy {
		return plan.CreateThenDelete
	}
	return plan.DeleteThenCreate
}

func preventDestroy(addr string, r *config.Resource) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Instance cannot be destroyed",
		Detail:   fmt.Sprintf("%s has lifecycle.prevent_destroy set, but the plan would destroy it. Change the configuration so it is not destroyed or replaced, or remove prevent_destroy if you mean it.", addr),
		Subject:  r.DeclRange.Ptr(),
	}
}

// ignoreChanges keeps the live value of the attributes, or parts of them,
// the lifecycle block tells plumb to ignore.
func ignoreChanges(lc config.Lifecycle, cfgVal, live cty.Value) cty.Value {
	if !lc.IgnoreAllChanges && len(lc.IgnoreChanges) == 0 {
		return cfgVal
	}
	if lc.IgnoreAllChanges {
		vals := cfgVal.AsValueMap()
		for name := range vals {
			if live.Type().HasAttribute(name) {
				vals[name] = live.GetAttr(name)
			}
		}
		return cty.ObjectVal(vals)
	}
	for _, path := range lc.IgnoreChanges {
		cfgVal = ignorePath(cfgVal, live, path)
	}
	return cfgVal
}

// planData reads a data source, or, when its configuration holds values
// known only after apply or it depends (through its arguments or
// depends_on) on a resource this plan changes, plans to read it during
// apply, after that change, as Terraform does.
func (p *planner) planData(ctx context.Context, r *config.Resource, rt *resourceType, pi *providerInstance, in instance, ictx *hcl.EvalContext, deferRead bool) (cty.Value, hcl.Diagnostics) {
	cfgVal, secret, diags := decodeConfig(r, rt, ictx)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	cfgPaths := joinPaths(schemaPaths(rt.secret), secret)
	change := &plan.Change{Addr: in.addr, Mode: plan.Data, Type: r.Type, Name: r.Name, Provider: rt.provider, ProviderConfig: pi.addr, Sensitive: mergeNames(rt.secret, secret.TopNames()), Keys: rt.keys, Before: cty.NullVal(rt.ty)}
	if !cfgVal.IsWhollyKnown() || deferRead {
		change.Action = plan.Read
		change.After = unknownUnset(cfgVal)
		change.Reason = "its configuration depends on values known only after apply"
		change.ActionReason = plan.ReasonReadConfigUnknown
		if cfgVal.IsWhollyKnown() {
			change.Reason = "it depends on a resource this plan changes, so it is read after that change"
			change.ActionReason = plan.ReasonReadDependency
		}
		if r.Check != "" {
			change.ActionReason = plan.ReasonReadCheckNested
		}
		p.add(change)
		return change.After, diags
	}
	v, d := readData(ctx, p.e, r, pi.data[r.Type], in.addr, cfgVal, cfgPaths)
	diags = append(diags, d...)
	if d.HasErrors() {
		return cty.DynamicVal, diags
	}
	paths := derivedPaths(rt.schema, instancePaths(cfgPaths, cfgVal, v), v)
	change.Sensitive = mergeNames(change.Sensitive, paths.TopNames())
	change.Action, change.After = plan.NoOp, v
	p.add(change)
	return markPaths(v, paths), diags
}

// unknownUnset is what a data source read during apply is known to be:
// its configured attributes, and unknown where the configuration leaves
// an attribute unset (what the read will fill in).
func unknownUnset(cfgVal cty.Value) cty.Value {
	if cfgVal.IsNull() || !cfgVal.IsKnown() || !cfgVal.Type().IsObjectType() {
		return cty.UnknownVal(cfgVal.Type())
	}
	vals := cfgVal.AsValueMap()
	for name, v := range vals {
		if v.IsNull() {
			vals[name] = cty.UnknownVal(v.Type())
		}
	}
	return cty.ObjectVal(vals)
}

func readData(ctx context.Context, e *Engine, r *config.Resource, ds providers.DataSource, addr string, cfgVal cty.Value, cfgPaths state.Paths) (cty.Value, hcl.Diagnostics) {
	secrets := secretStrings(cfgVal, cfgPaths)
	if v, ok := ds.(providers.ConfigValidator); ok {
		if d := locateIn(redactDiags(v.ValidateConfig(ctx, cfgVal), secrets), addr, r); d.HasErrors() {
			return cty.DynamicVal, d
		}
	}
	done := e.observe(addr, plan.Read)
	resp := ds.Read(ctx, providers.DataReadRequest{Config: cfgVal})
	d := locateIn(redactDiags(resp.Diagnostics, secrets), addr, r)
	done(diagErr(d))
	return resp.State, d
}

func (p *planner) outputChanges() []*plan.OutputChange {
	var out []*plan.OutputChange
	for _, name := range keys(p.e.cfg.Outputs) {
		o := p.e.cfg.Outputs[name]
		after := p.root.outputs[name]
		if after == cty.NilVal {
			continue
		}
		oc := &plan.OutputChange{Name: name, After: after, Sensitive: o.Sensitive || p.root.secret[name], Before: cty.NullVal(cty.DynamicPseudoType)}
		if prev, ok := p.st.Outputs[name]; ok {
			if v, err := prev.Decode(); err == nil {
				oc.Before = v
			}
		}
		switch {
		case oc.Before.IsNull():
			oc.Action = plan.Create
		case after.IsWhollyKnown() && after.RawEquals(oc.Before):
			oc.Action = plan.NoOp
		default:
			oc.Action = plan.Update
		}
		out = append(out, oc)
	}
	for _, name := range keys(p.st.Outputs) {
		if _, ok := p.e.cfg.Outputs[name]; !ok {
			before, _ := p.st.Outputs[name].Decode()
			out = append(out, &plan.OutputChange{Name: name, Action: plan.Delete, Before: before, After: cty.NullVal(cty.DynamicPseudoType), Sensitive: p.st.Outputs[name].Sensitive})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// instancePaths is where an instance's value is sensitive: the paths of
// its configuration that are (cfgPaths, schema ones included), and the
// same paths in any other attribute of its value that repeats a
// sensitive configured attribute (plumb_data's output mirrors its
// input), so they print as (sensitive) too.
func instancePaths(cfgPaths state.Paths, cfgVal, val cty.Value) state.Paths {
	if len(cfgPaths) == 0 || val == cty.NilVal || val.IsNull() || !val.IsKnown() || !val.Type().IsObjectType() {
		return cfgPaths
	}
	out := append(state.Paths(nil), cfgPaths...)
	for _, s := range cfgPaths.TopNames() {
		if !cfgVal.Type().HasAttribute(s) {
			continue
		}
		cv := cfgVal.GetAttr(s)
		if cv.IsNull() {
			continue
		}
		for name := range val.Type().AttributeTypes() {
			if name == s {
				continue
			}
			if pv := val.GetAttr(name); !pv.IsWhollyKnown() || !pv.RawEquals(cv) {
				continue
			}
			for _, p := range cfgPaths {
				if len(p) == 0 {
					continue
				}
				if ga, ok := p[0].(cty.GetAttrStep); ok && ga.Name == s {
					out = append(out, append(cty.GetAttrPath(name), p[1:]...))
				}
			}
		}
	}
	return out.Normalize()
}

// allowMass turns mass-change refusals into warnings when the run allows
// mass changes.
func (e *Engine) allowMass(diags hcl.Diagnostics) hcl.Diagnostics {
	if !e.opts.AllowMassChange {
		return diags
	}
	for _, d := range diags {
		if m, ok := d.Extra.(providers.MassChange); ok && d.Severity == hcl.DiagError {
			d.Severity = hcl.DiagWarning
			d.Summary = "Mass change allowed"
			m.AllowedBy = "-allow-mass-change"
			d.Extra = m
		}
	}
	return diags
}

// massChange returns the mass change a provider's warnings say was let
// through, for the plan to record; nil when there is none.
func massChange(diags hcl.Diagnostics) *plan.MassChange {
	for _, d := range diags {
		if m, ok := d.Extra.(providers.MassChange); ok && d.Severity == hcl.DiagWarning {
			return &plan.MassChange{Changed: m.Changed, Total: m.Total, Of: m.Of, Verb: m.Verb, AllowedBy: m.AllowedBy}
		}
	}
	return nil
}

// claim records the identity an instance's configuration claims and
// refuses a second claim of the same one: two resources managing one
// zone or one file would undo each other's work.
func (p *planner) claim(res providers.Resource, r *config.Resource, addr string, cfgVal cty.Value) *hcl.Diagnostic {
	idr, ok := res.(providers.Identifier)
	if !ok {
		return nil
	}
	id, ok := idr.Identity(cfgVal)
	if !ok {
		return nil
	}
	key := r.Type + "\x00" + id
	p.mu.Lock()
	defer p.mu.Unlock()
	this := claim{addr: addr, rng: r.DeclRange}
	first, taken := p.claimed[key]
	if !taken {
		p.claimed[key] = this
		return nil
	}
	// Instances are planned in parallel: report at the later declaration,
	// whichever was planned first, so the message is the same every run.
	if declaredBefore(this, first) {
		first, this = this, first
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Duplicate %s", id),
		Detail:   fmt.Sprintf("%s and %s (declared at %s) both manage %s, and would undo each other's changes. Keep one of them.", this.addr, first.addr, first.rng, id),
		Subject:  this.rng.Ptr(),
	}
}

func declaredBefore(a, b claim) bool {
	if a.rng.Filename != b.rng.Filename {
		return a.rng.Filename < b.rng.Filename
	}
	if a.rng.Start.Line != b.rng.Start.Line {
		return a.rng.Start.Line < b.rng.Start.Line
	}
	return a.addr < b.addr
}
