package reconcile

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/config"
)

// providerConfig is one provider configuration: a provider block, or the
// implied default configuration of a provider the root module has no
// block for (configured with a null value). Its instances — one, or one
// per for_each key — are made when its graph node runs and kept for the
// life of the engine, so a plan and the apply after it share configured
// providers and what they learnt.
type providerConfig struct {
	addr config.ProviderAddr
	// node is addr.String(): the graph node, and the prefix of the
	// addresses state records for its instances.
	node  string
	name  string           // the provider's name in the registry
	block *config.Provider // nil for an implied default configuration
	mod   *config.Config   // the module that declares it
	refs  []hcl.Traversal  // what its body and for_each refer to

	mu       sync.Mutex
	insts    map[string]*providerInstance // by config.KeyString of the key
	keys     []string                     // keys of the last expansion, for messages
	expanded bool
}

// forEach reports whether the configuration has one instance per key.
func (pc *providerConfig) forEach() bool { return pc.block != nil && pc.block.ForEach != nil }

// declRange is where the configuration is declared; nil when implied.
func (pc *providerConfig) declRange() *hcl.Range {
	if pc.block == nil {
		return nil
	}
	return pc.block.DeclRange.Ptr()
}

// instance returns the instance of the given key (cty.NilVal without
// for_each), or nil when the last expansion made none.
func (pc *providerConfig) instance(key cty.Value) *providerInstance {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.insts[config.KeyString(key)]
}

// isExpanded reports whether the configuration's node has run.
func (pc *providerConfig) isExpanded() bool {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.expanded
}

// keyList lists the keys of the last expansion, for messages.
func (pc *providerConfig) keyList() string {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if len(pc.keys) == 0 {
		return "none"
	}
	return strings.Join(pc.keys, ", ")
}

// providerInstance is one configured provider: its own providers.Provider
// object, configured at most once per engine.
type providerInstance struct {
	// addr is the instance address state records: provider.aws.eu,
	// provider.apache.web["web1"].
	addr      string
	conf      *providerConfig
	key, each cty.Value
	p         providers.Provider
	resources map[string]providers.Resource
	data      map[string]providers.DataSource

	mu sync.Mutex
	// config is the evaluated provider block, set when the configuration's
	// node runs; cty.NilVal for an implied configuration.
	config cty.Value
	// secrets are the sensitive strings of config, redacted from what
	// the provider says.
	secrets []string
	done    bool
	failed  hcl.Diagnostics // the configure errors, when it failed
}

// failure returns the errors of a configure that failed, or nil.
func (pi *providerInstance) failure() hcl.Diagnostics {
	pi.mu.Lock()
	defer pi.mu.Unlock()
	return pi.failed
}

// unavailable is the error of a resource instance whose provider instance
// failed to configure: the provider's own message, so each resource says
// why it could not be handled.
func (pi *providerInstance) unavailable(addr string, rng *hcl.Range) *hcl.Diagnostic {
	f := pi.failure()
	detail := fmt.Sprintf("%s failed to configure, so %s was not planned or changed; everything else went on.", pi.addr, addr)
	if len(f) > 0 {
		detail = fmt.Sprintf("%s failed to configure (%s", pi.addr, f[0].Summary)
		if f[0].Detail != "" {
			detail += ": " + strings.TrimSuffix(f[0].Detail, ".")
		}
		detail += fmt.Sprintf("), so %s was not planned or changed; everything else went on. Fix the provider configuration (or the host it reaches) and run plumb again.", addr)
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: addr + ": provider " + pi.addr + " is not available", Detail: detail, Subject: rng}
}

// schemaProvider returns the one unconfigured instance of a provider that
// the engine asks for schemas and type lists; it never serves a call.
func (e *Engine) schemaProvider(name string) providers.Provider {
	e.schemaMu.Lock()
	defer e.schemaMu.Unlock()
	if p, ok := e.schemas[name]; ok {
		return p
	}
	f, _ := e.opts.Registry.Factory(name)
	p := f()
	e.schemas[name] = p
	return p
}

// declareProviders makes a providerConfig for every provider block of a
// module, reporting unknown providers.
func (e *Engine) declareProviders(mod *config.Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	reg := e.opts.Registry
	for _, ref := range keys(mod.Providers) {
		pb := mod.Providers[ref]
		if _, ok := reg.Factory(pb.Name); !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Unknown provider %q", pb.Name),
				Detail:   fmt.Sprintf("This plumb has the providers %v%s.", reg.Names(), suggest(pb.Name, reg.Names(), "; did you mean %q?")),
				Subject:  pb.DeclRange.Ptr(),
			})
			continue
		}
		addr := config.ProviderAddr{Module: mod.Path, Name: pb.Name, Alias: pb.Alias}
		e.pconfs[addr.String()] = &providerConfig{addr: addr, node: addr.String(), name: pb.Name, block: pb, mod: mod}
	}
	return diags
}

// impliedConf returns the default configuration of a provider the root
// module has no block for, making it on first use; nil when no provider
// of that name exists.
func (e *Engine) impliedConf(name string) *providerConfig {
	addr := config.ProviderAddr{Name: name}
	e.pconfMu.Lock()
	defer e.pconfMu.Unlock()
	if pc, ok := e.pconfs[addr.String()]; ok {
		return pc
	}
	if _, ok := e.opts.Registry.Factory(name); !ok {
		return nil
	}
	pc := &providerConfig{addr: addr, node: addr.String(), name: name, mod: e.cfg}
	e.pconfs[pc.node] = pc
	return pc
}

// expandProvider evaluates a configuration's for_each and makes the
// instances it has not made yet.
func (w *walk) expandProvider(pc *providerConfig) ([]*providerInstance, []instance, hcl.Diagnostics) {
	scopes := w.scopes(pc.mod)
	if len(scopes) != 1 {
		// A module with provider blocks has one instance (checked when
		// loading); none means its call failed, which was reported.
		return nil, nil, nil
	}
	s := scopes[0]
	var insts []instance
	if pc.forEach() {
		var diags hcl.Diagnostics
		insts, diags = expandMeta(nil, pc.block.ForEach, pc.node, s.evalContext(pc.refs))
		if diags.HasErrors() {
			return nil, nil, diags
		}
	} else {
		insts = []instance{{key: cty.NilVal, addr: pc.node}}
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.insts == nil {
		pc.insts = map[string]*providerInstance{}
	}
	out := make([]*providerInstance, len(insts))
	pc.keys = pc.keys[:0]
	for i, in := range insts {
		ks := config.KeyString(in.key)
		pi := pc.insts[ks]
		if pi == nil {
			p := w.e.newProvider(pc.name)
			pi = &providerInstance{addr: in.addr, conf: pc, key: in.key, each: in.each, p: p, resources: p.Resources(), data: p.DataSources()}
			pc.insts[ks] = pi
		}
		out[i] = pi
		if ks != "" {
			pc.keys = append(pc.keys, ks)
		}
	}
	pc.expanded = true
	return out, insts, nil
}

// newProvider makes a provider object and remembers it, so RequestCounts
// and Close reach every instance.
func (e *Engine) newProvider(name string) providers.Provider {
	f, _ := e.opts.Registry.Factory(name)
	p := f()
	e.schemaMu.Lock()
	e.made = append(e.made, p)
	e.schemaMu.Unlock()
	return p
}

// visitProvider runs a provider configuration's node: it expands the
// for_each and evaluates each new instance's configuration, which is kept
// for when the instance is first used. Instances are configured on first
// use (configured), so a run configures only the instances it needs —
// a -target run around a host that is down does not touch it — and the
// instances used by one resource are configured in parallel, under the
// engine's bound, by its instances. The node fails only when its for_each
// cannot be evaluated; a configuration that does not decode fails the
// instance, and with it only the resource instances bound to it.
func (w *walk) visitProvider(pc *providerConfig) hcl.Diagnostics {
	pis, insts, diags := w.expandProvider(pc)
	if diags.HasErrors() || pc.block == nil || len(pis) == 0 {
		return diags
	}
	evalCtx := w.scopes(pc.mod)[0].evalContext(pc.refs)
	spec := w.e.schemaProvider(pc.name).Schema().DecoderSpec()
	for i, pi := range pis {
		ictx := instanceContext(evalCtx, insts[i].key, insts[i].each)
		v, d := hcldec.Decode(dynblock.Expand(pc.block.Config, ictx), spec, ictx)
		if w.validating {
			diags = append(diags, d...)
			continue
		}
		pi.mu.Lock()
		if !pi.done {
			if d.HasErrors() {
				pi.done, pi.failed = true, d
			} else {
				// The provider boundary: providers never see marks. What
				// they say back is redacted of the sensitive values they
				// were given.
				clean, paths := unmarkPaths(v)
				pi.config, pi.secrets = clean, secretStrings(clean, paths)
			}
		}
		pi.mu.Unlock()
		if d.HasErrors() {
			// Reported here, once; the resources bound to it fail on
			// their own, so the node itself succeeds.
			w.addDiags(d)
			continue
		}
		diags = append(diags, d...)
	}
	return diags
}

// configured configures a provider instance on first use, once per
// engine, and returns its failure (nil when it works). The diagnostics of
// the configure itself are reported once, by the call that made it.
func (w *walk) configured(ctx context.Context, pi *providerInstance) hcl.Diagnostics {
	pi.mu.Lock()
	defer pi.mu.Unlock()
	if pi.done {
		return pi.failed
	}
	pi.done = true
	schema := pi.p.Schema()
	cfgVal := cty.NullVal(schema.ImpliedType())
	if pi.conf.block != nil && pi.config != cty.NilVal {
		cfgVal = schema.Complete(pi.config)
	}
	resp := pi.p.Configure(ctx, providers.ConfigureRequest{Config: cfgVal})
	d := redactDiags(resp.Diagnostics, pi.secrets)
	if pi.conf.block != nil {
		locateAttrs(d, pi.conf.block.Config)
	}
	d = locate(d, pi.addr, pi.conf.declRange())
	w.addDiags(d)
	if d.HasErrors() {
		pi.failed = d
	}
	return pi.failed
}

// prepareProviders runs the nodes of the given configurations outside a
// full walk, after the values their blocks refer to, so their instances
// exist (they are configured on first use). Configurations already
// expanded in this walk are not run again. Problems go to w.diags; it
// reports whether the configurations' nodes succeeded.
func (w *walk) prepareProviders(ctx context.Context, confs []*providerConfig) bool {
	var starts []string
	var loose []*providerConfig
	seen := map[*providerConfig]bool{}
	for _, pc := range confs {
		if seen[pc] || pc.isExpanded() {
			continue
		}
		seen[pc] = true
		if w.e.graph.Has(pc.node) {
			starts = append(starts, pc.node)
		} else {
			loose = append(loose, pc)
		}
	}
	saved := w.resource
	w.resource = func(context.Context, *node) error { return nil }
	defer func() { w.resource = saved }()
	before := len(w.diags)
	if len(starts) > 0 {
		only := w.e.graph.Reachable(starts...)
		for n := range only {
			if nd := w.e.nodes[n]; nd != nil && nd.kind == nodeResource {
				delete(only, n)
			}
		}
		w.run(ctx, only)
	}
	for _, pc := range loose {
		w.addDiags(w.visitProvider(pc))
	}
	return !w.diags[before:].HasErrors()
}

// RequestCounts adds up the API requests every provider instance made in
// this run, keyed "service:Operation".
func (e *Engine) RequestCounts() map[string]int {
	out := map[string]int{}
	e.schemaMu.Lock()
	defer e.schemaMu.Unlock()
	for _, p := range e.made {
		if rc, ok := p.(providers.RequestCounter); ok {
			for k, n := range rc.RequestCounts() {
				out[k] += n
			}
		}
	}
	return out
}
