package reconcile

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/zclconf/go-cty/cty"

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
	e    *Engine
	root *scope
	// mods are the scopes of the instances of every module, by module path
	// (module.a.module.b; "" for the root), set as module calls expand.
	modMu sync.RWMutex
	mods  map[string][]*scope

	mu    sync.Mutex
	diags hcl.Diagnostics
	// checks are the results of conditions evaluated so far.
	checks []*plan.Check

	// validating walks without calling providers.
	validating bool
	// checksInPlan says failed check blocks are reported as the plan's
	// warnings (every review format lists them), not as diagnostics.
	checksInPlan bool

	// resource is called for each resource node.
	resource func(ctx context.Context, n *node) error
}

func (e *Engine) newWalk() *walk {
	secret := map[string]bool{}
	for name, v := range e.cfg.Variables {
		secret[name] = v.Sensitive
	}
	root := newScope(e.cfg, e.vars, secret, e.funcs, workingDir())
	return &walk{e: e, root: root, mods: map[string][]*scope{"": {root}}}
}

// scopes returns the scopes of the instances of a module: none before its
// call has expanded (or when it failed).
func (w *walk) scopes(mod *config.Config) []*scope {
	w.modMu.RLock()
	defer w.modMu.RUnlock()
	return w.mods[mod.Path.String()]
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

func (w *walk) visit(ctx context.Context, name string) error {
	n := w.e.nodes[name]
	if n == nil {
		return nil
	}
	var diags hcl.Diagnostics
	switch n.kind {
	case nodeResource:
		return w.resource(ctx, n)
	case nodeProvider:
		diags = w.visitProvider(n.prov)
	case nodeLocal:
		for _, s := range w.scopes(n.mod) {
			v, d := n.local.Expr.Value(s.evalContext(n.refs))
			diags = append(diags, d...)
			s.setLocal(n.local.Name, v)
		}
	case nodeCheck:
		diags = w.visitCheck(n)
	case nodeValidation:
		diags = w.visitValidation(n)
	case nodeOutput:
		for _, s := range w.scopes(n.mod) {
			if d := w.outputPreconditions(n, s); len(d) > 0 {
				diags = append(diags, d...)
				if d.HasErrors() {
					continue
				}
			}
			v, d := n.output.Expr.Value(s.evalContext(n.refs))
			diags = append(diags, d...)
			if s.parent != nil {
				// A called module's output keeps its marks, so what
				// refers to it stays sensitive.
				if n.output.Sensitive {
					v = v.Mark(sensitiveMark)
				}
				s.setOutput(n.output.Name, v, false)
				continue
			}
			v, secret := unmarkSensitive(v)
			s.setOutput(n.output.Name, v, len(secret) > 0)
		}
	case nodeModule:
		diags = w.expandModule(n)
	case nodeVariable:
		diags = w.setModuleVariable(n)
	}
	w.addDiags(diags)
	if diags.HasErrors() && !w.validating {
		return errFailed
	}
	return nil
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
// attribute, nested ones included (copy[0].retain), points at where that
// attribute is written.
func locateIn(diags hcl.Diagnostics, what string, r *config.Resource) hcl.Diagnostics {
	if len(diags) == 0 {
		return nil // the common case, once per instance: no body walk
	}
	locateAttrs(diags, r.Config)
	return locate(diags, what, r.DeclRange.Ptr())
}

// decodeConfig evaluates one instance's configuration body.
// The value handed to providers carries no marks; the paths that were
// given sensitive values (from a sensitive variable) are returned so they
// are recorded and print as (sensitive).
func decodeConfig(r *config.Resource, rt *resourceType, ctx *hcl.EvalContext) (cty.Value, state.Paths, hcl.Diagnostics) {
	// dynamic "TYPE" { for_each, content } blocks expand into blocks of
	// TYPE first, for every nested block type of every schema.
	v, diags := rt.decoder.Decode(dynblock.Expand(r.Config, ctx), ctx)
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

// forEachIndex runs fn for 0 ≤ i < n, at most Parallelism at once across
// the whole run, stopping early when the run is stopped.
func (w *walk) forEachIndex(ctx context.Context, n int, fn func(i int)) {
	var wg sync.WaitGroup
	stop := w.e.opts.Stop
	for i := range n {
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
			fn(i)
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
