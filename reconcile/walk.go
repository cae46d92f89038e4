package reconcile

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/graph"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// Event tells an Observer about one operation on one resource instance.
type Event struct {
	// Addr is the instance address.
	Addr string
	// Action is what is being done; Read for a refresh.
	Action plan.Action
	// Done is false when the operation starts, true when it ends.
	Done bool
	// Err is the failure, when Done and it failed.
	Err error
	// Elapsed is how long the operation took, when Done.
	Elapsed time.Duration
}

// walk is the shared machinery of a plan or apply walk: the scope of
// values, collected diagnostics and the per-node handlers.
type walk struct {
	e     *Engine
	scope *scope

	mu    sync.Mutex
	diags hcl.Diagnostics

	// validating walks without calling providers.
	validating bool

	// resource is called for each resource node.
	resource func(ctx context.Context, r *config.Resource, rt *resourceType) error
}

func (e *Engine) newWalk() *walk {
	secret := map[string]bool{}
	for name, v := range e.cfg.Variables {
		secret[name] = v.Sensitive
	}
	return &walk{e: e, scope: newScope(e.vars, secret, e.funcs, e.cfg.Dir, workingDir())}
}

func (w *walk) addDiags(d hcl.Diagnostics) {
	if len(d) == 0 {
		return
	}
	w.mu.Lock()
	w.diags = append(w.diags, d...)
	w.mu.Unlock()
}

// errFailed marks a node whose diagnostics were already recorded.
var errFailed = fmt.Errorf("failed")

// run walks the nodes in only (all when nil).
func (w *walk) run(ctx context.Context, only map[string]bool) hcl.Diagnostics {
	g := w.e.graph
	if only != nil {
		sub := graph.New()
		for _, n := range g.Nodes() {
			if only[n] {
				sub.Add(n)
				for _, d := range g.DependsOn(n) {
					if only[d] {
						sub.Connect(n, d)
					}
				}
			}
		}
		g = sub
	}
	g.Walk(ctx, w.e.opts.Parallelism, w.e.opts.Stop, func(ctx context.Context, node string) error {
		return w.visit(ctx, node)
	})
	return w.diags
}

func (w *walk) visit(ctx context.Context, node string) error {
	var diags hcl.Diagnostics
	kind, name, _ := cutDot(node)
	switch kind {
	case "local":
		l := w.e.cfg.Locals[name]
		v, d := l.Expr.Value(w.scope.evalContext(w.e.refs[node]))
		diags = d
		w.scope.setLocal(name, v)
	case "output":
		o := w.e.cfg.Outputs[name]
		v, d := o.Expr.Value(w.scope.evalContext(w.e.refs[node]))
		diags = d
		v, secret := unmarkSensitive(v)
		w.scope.setOutput(name, v, len(secret) > 0)
	case "provider":
		if w.validating {
			diags = w.validateProvider(name)
		} else {
			diags = w.configureProvider(ctx, name)
		}
	default:
		r, ok := w.e.cfg.Resources[node]
		if !ok {
			return nil
		}
		return w.resource(ctx, r, w.e.types[node])
	}
	w.addDiags(diags)
	if diags.HasErrors() && !w.validating {
		return errFailed
	}
	return nil
}

// configureProvider configures a provider once per engine: a plan and
// the apply that follows share the configured provider (and whatever it
// has learnt, such as a list of zones).
func (w *walk) configureProvider(ctx context.Context, name string) hcl.Diagnostics {
	w.e.confMu.Lock()
	defer w.e.confMu.Unlock()
	if w.e.configured[name] {
		return nil
	}
	diags := w.configureOnce(ctx, name)
	if !diags.HasErrors() {
		w.e.configured[name] = true
	}
	return diags
}

func (w *walk) configureOnce(ctx context.Context, name string) hcl.Diagnostics {
	p := w.e.provs[name]
	schema := p.Schema()
	cfgVal := cty.NullVal(schema.ImpliedType())
	var diags hcl.Diagnostics
	var secrets []string
	if pb, ok := w.e.cfg.Providers[name]; ok {
		v, d := hcldec.Decode(pb.Config, schema.DecoderSpec(), w.scope.evalContext(w.e.refs["provider."+name]))
		diags = append(diags, d...)
		if d.HasErrors() {
			return diags
		}
		// The provider boundary: providers never see marks. What they say
		// back is redacted of the sensitive values they were given.
		clean, paths := unmarkPaths(v)
		secrets = secretStrings(clean, paths)
		cfgVal = schema.Complete(clean)
	}
	resp := p.Configure(ctx, providers.ConfigureRequest{Config: cfgVal})
	var rng *hcl.Range
	if pb, ok := w.e.cfg.Providers[name]; ok {
		rng = pb.DeclRange.Ptr()
	}
	return append(diags, locate(redactDiags(resp.Diagnostics, secrets), "provider "+name, rng)...)
}

// locate gives provider diagnostics a subject and names what they are
// about.
func locate(diags hcl.Diagnostics, what string, rng *hcl.Range) hcl.Diagnostics {
	for _, d := range diags {
		if d.Subject == nil && rng != nil {
			d.Subject = rng
		}
		d.Summary = what + ": " + d.Summary
	}
	return diags
}

// locateIn is locate for a resource's diagnostics: one about a named
// attribute points at where that attribute is written.
func locateIn(diags hcl.Diagnostics, what string, r *config.Resource) hcl.Diagnostics {
	if len(diags) == 0 {
		return nil // the common case, once per instance: no body walk
	}
	attrs, _ := r.Config.JustAttributes()
	for _, d := range diags {
		if name, ok := d.Extra.(providers.AttributePath); ok && d.Subject == nil {
			if a, ok := attrs[string(name)]; ok {
				d.Subject = a.Expr.Range().Ptr()
			}
		}
	}
	return locate(diags, what, r.DeclRange.Ptr())
}

// decodeConfig evaluates one instance's configuration body.
// The value handed to providers carries no marks; the paths that were
// given sensitive values (from a sensitive variable) are returned so they
// are recorded and print as (sensitive).
func decodeConfig(r *config.Resource, rt *resourceType, ctx *hcl.EvalContext) (cty.Value, state.Paths, hcl.Diagnostics) {
	v, diags := hcldec.Decode(r.Config, rt.spec, ctx)
	if diags.HasErrors() {
		return cty.DynamicVal, nil, diags
	}
	v, secret := unmarkPaths(v)
	return rt.schema.Complete(v), secret, diags
}

// mergeNames returns the sorted union of two name lists.
func mergeNames(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	set := map[string]bool{}
	for _, n := range append(append([]string(nil), a...), b...) {
		set[n] = true
	}
	return keys(set)
}

// forEachInstance runs fn for every instance, at most Parallelism at once
// across the whole run, stopping early when the run is stopped.
func (w *walk) forEachInstance(ctx context.Context, insts []instance, fn func(i int, in instance)) {
	var wg sync.WaitGroup
	stop := w.e.opts.Stop
	for i, in := range insts {
		select {
		case <-stop:
			wg.Wait()
			return
		case <-ctx.Done():
			wg.Wait()
			return
		case w.e.sem <- struct{}{}:
		}
		wg.Add(1)
		go func() {
			defer func() { <-w.e.sem; wg.Done() }()
			fn(i, in)
		}()
	}
	wg.Wait()
}

// observe reports an operation to the Observer and returns the function
// that reports its end.
func (e *Engine) observe(addr string, a plan.Action) func(err error) {
	if e.opts.Observer == nil {
		return func(error) {}
	}
	start := time.Now()
	e.opts.Observer(Event{Addr: addr, Action: a})
	return func(err error) {
		e.opts.Observer(Event{Addr: addr, Action: a, Done: true, Err: err, Elapsed: time.Since(start)})
	}
}

// diagErr turns error diagnostics into an error for an Event.
func diagErr(d hcl.Diagnostics) error {
	if d.HasErrors() {
		return d
	}
	return nil
}

// interrupted reports whether the run was told to stop or cancelled.
func (e *Engine) interrupted(ctx context.Context) bool {
	select {
	case <-e.opts.Stop:
		return true
	default:
		return ctx.Err() != nil
	}
}

// configureProviders configures the named providers outside a full walk:
// the locals and variables their blocks refer to are evaluated first, and
// a provider with no block is configured with a null configuration.
// Problems go to w.diags; it reports whether all went well.
func (w *walk) configureProviders(ctx context.Context, names []string) bool {
	var starts []string
	var loose []string
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		if w.e.graph.Has("provider." + n) {
			starts = append(starts, "provider."+n)
		} else {
			loose = append(loose, n)
		}
	}
	if len(starts) > 0 {
		saved := w.resource
		w.resource = func(context.Context, *config.Resource, *resourceType) error { return nil }
		only := w.e.graph.Reachable(starts...)
		for n := range only {
			if _, isResource := w.e.cfg.Resources[n]; isResource {
				delete(only, n)
			}
		}
		w.run(ctx, only)
		w.resource = saved
	}
	for _, n := range loose {
		w.addDiags(w.configureProvider(ctx, n))
	}
	return !w.diags.HasErrors()
}
