// Package reconcile is plumb's engine: it loads a configuration, builds the
// graph of its references, plans by reading what exists and diffing it
// against what is declared, and applies a plan in dependency order while
// recording every finished change in state.
//
// The flow of a run is Load → (Validate | Plan → Apply). Load parses the
// configuration, resolves root variables and builds the graph; Plan walks
// it, refreshing and planning each resource instance; Apply first deletes
// (dependents before what they depend on), then walks the graph again to
// create and update, evaluating configuration with the values just made.
package reconcile

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/graph"
	"github.com/plumbhq/plumb/reconcile/lang"
)

// Version is plumb's version, recorded in states and plans.
var Version = "0.1.0-dev"

// DefaultParallelism is how many resource operations run at once unless
// Options say otherwise.
const DefaultParallelism = 10

// ErrStalePlan is returned (wrapped) when a saved plan was made against a
// state that has since moved on.
var ErrStalePlan = errors.New("saved plan is stale")

// Options configure a run.
type Options struct {
	// Dir is the configuration folder.
	Dir string
	// Registry knows every provider.
	Registry *providers.Registry
	// Inputs are the root variable values.
	Inputs Inputs
	// Parallelism bounds the resource operations running at once.
	Parallelism int
	// NoRefresh skips reading live objects during plan (-refresh=false).
	NoRefresh bool
	// Targets limit the run to these resources and what they depend on.
	Targets []string
	// Destroy plans the deletion of everything in state.
	Destroy bool
	// AllowMassChange lets plans through that a provider refuses as mass
	// changes (providers.MassChange); they become warnings.
	AllowMassChange bool
	// Observer, when set, hears of every operation as it starts and ends.
	Observer func(Event)
	// Stop, once closed, stops the walk from starting new operations;
	// operations in flight finish and are recorded.
	Stop <-chan struct{}
	// PlanTime is what plantimestamp() returns and the plan's Created
	// time; zero means now. Applying a saved plan passes the plan's.
	PlanTime time.Time
}

// Engine runs plans and applies for one loaded configuration.
type Engine struct {
	opts  Options
	cfg   *config.Config
	vars  map[string]cty.Value
	funcs map[string]function.Function

	graph *graph.Graph
	refs  map[string][]hcl.Traversal // node → traversals it refers to
	types map[string]*resourceType   // resource config address → its type
	provs map[string]providers.Provider
	deps  map[string][]string // resource address → resource addresses it depends on
	sem   chan struct{}

	confMu     sync.Mutex
	configured map[string]bool          // providers configured in this engine
	undeclared map[string]*resourceType // types only state still has, by type name
}

// resourceType is what the engine needs of a resource's type.
type resourceType struct {
	provider string
	managed  providers.Resource
	data     providers.DataSource
	schema   providers.Schema
	spec     hcldec.Spec
	ty       cty.Type
	keys     map[string][]string
	secret   []string
}

// Load reads the configuration in opts.Dir, resolves root variables and
// builds the reference graph. It returns the engine even with errors when
// the configuration could be parsed, so callers can render diagnostics
// against its files.
func Load(opts Options) (*Engine, hcl.Diagnostics) {
	cfg, diags := config.Load(opts.Dir)
	if cfg == nil {
		return nil, diags
	}
	e := newEngine(opts, cfg)
	if diags.HasErrors() {
		return e, diags
	}
	return e, append(diags, e.prepare()...)
}

// LoadConfig is Load for a configuration already parsed.
func LoadConfig(opts Options, cfg *config.Config) (*Engine, hcl.Diagnostics) {
	e := newEngine(opts, cfg)
	return e, e.prepare()
}

func newEngine(opts Options, cfg *config.Config) *Engine {
	if opts.Parallelism < 1 {
		opts.Parallelism = DefaultParallelism
	}
	if opts.PlanTime.IsZero() {
		opts.PlanTime = time.Now()
	}
	opts.PlanTime = opts.PlanTime.UTC()
	return &Engine{
		opts:  opts,
		cfg:   cfg,
		funcs: lang.FunctionsAt(cfg.Dir, opts.PlanTime),
		refs:  map[string][]hcl.Traversal{},
		types: map[string]*resourceType{},
		provs: map[string]providers.Provider{},
		sem:   make(chan struct{}, opts.Parallelism),

		configured: map[string]bool{},
		undeclared: map[string]*resourceType{},
	}
}

// Config returns the loaded configuration.
func (e *Engine) Config() *config.Config { return e.cfg }

// Variables returns the resolved root variable values.
func (e *Engine) Variables() map[string]cty.Value { return e.vars }

func (e *Engine) prepare() hcl.Diagnostics {
	diags := e.resolveTypes()
	vars, vdiags := resolveVariables(e.cfg, e.opts.Inputs, e.funcs)
	e.vars = vars
	diags = append(diags, vdiags...)
	if diags.HasErrors() {
		return diags
	}
	return append(diags, e.buildGraph()...)
}

// resolveTypes finds the provider and schema of every resource block.
func (e *Engine) resolveTypes() hcl.Diagnostics {
	var diags hcl.Diagnostics
	reg := e.opts.Registry
	for _, addr := range keys(e.cfg.Resources) {
		r := e.cfg.Resources[addr]
		var name string
		var ok bool
		if r.Mode == config.Data {
			name, ok = reg.DataSourceProvider(r.Type)
		} else {
			name, ok = reg.ResourceProvider(r.Type)
		}
		if !ok {
			kind := "resource type"
			if r.Mode == config.Data {
				kind = "data source type"
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Unknown %s %q", kind, r.Type),
				Detail:   fmt.Sprintf("No provider of this plumb serves %q%s. Check the spelling; the README lists the types plumb has.", r.Type, suggest(r.Type, reg.ResourceTypes(), "; did you mean %q?")),
				Subject:  r.TypeRange.Ptr(),
			})
			continue
		}
		if r.Provider != "" && r.Provider != name {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Wrong provider for " + r.Type,
				Detail:   fmt.Sprintf("%s is served by provider %q, not %q. Remove the provider argument or name %q.", r.Type, name, r.Provider, name),
				Subject:  r.DeclRange.Ptr(),
			})
			continue
		}
		p := e.provider(name)
		rt := &resourceType{provider: name}
		if r.Mode == config.Data {
			rt.data = p.DataSources()[r.Type]
			rt.schema = rt.data.Schema()
		} else {
			rt.managed = p.Resources()[r.Type]
			rt.schema = rt.managed.Schema()
		}
		rt.spec = rt.schema.DecoderSpec()
		rt.ty = rt.schema.ImpliedType()
		rt.keys = rt.schema.ElementKeys()
		rt.secret = rt.schema.SensitivePaths()
		e.types[addr] = rt
	}
	for name, pb := range e.cfg.Providers {
		if _, ok := reg.Factory(name); !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Unknown provider %q", name),
				Detail:   fmt.Sprintf("This plumb has the providers %v%s.", reg.Names(), suggest(name, reg.Names(), "; did you mean %q?")),
				Subject:  pb.DeclRange.Ptr(),
			})
			continue
		}
		e.provider(name)
	}
	return diags
}

// provider returns the one instance of the named provider for this run.
func (e *Engine) provider(name string) providers.Provider {
	if p, ok := e.provs[name]; ok {
		return p
	}
	f, _ := e.opts.Registry.Factory(name)
	p := f()
	e.provs[name] = p
	return p
}

// RequestCounts adds up the API requests every provider made in this run,
// keyed "service:Operation".
func (e *Engine) RequestCounts() map[string]int {
	out := map[string]int{}
	for _, p := range e.provs {
		if rc, ok := p.(providers.RequestCounter); ok {
			for k, n := range rc.RequestCounts() {
				out[k] += n
			}
		}
	}
	return out
}

// Close releases providers that hold resources.
func (e *Engine) Close() error {
	var errs []error
	for _, p := range e.provs {
		if c, ok := p.(providers.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// buildGraph makes one node per local, provider, resource and output, and
// an edge for every reference, then reports cycles by their members.
func (e *Engine) buildGraph() hcl.Diagnostics {
	g := graph.New()
	var diags hcl.Diagnostics
	connect := func(node string, travs []hcl.Traversal, counted, eached bool) {
		g.Add(node)
		e.refs[node] = append(e.refs[node], travs...)
		for _, t := range travs {
			switch t.RootName() {
			case "count":
				if !counted {
					diags = append(diags, misplaced(t, "count.index", "count"))
				}
				continue
			case "each":
				if !eached {
					diags = append(diags, misplaced(t, "each.key and each.value", "for_each"))
				}
				continue
			}
			target, d := refTarget(e.cfg, t)
			if d != nil {
				diags = append(diags, d)
				continue
			}
			if target != "" {
				g.Connect(node, target)
			}
		}
	}
	for name, l := range e.cfg.Locals {
		connect("local."+name, l.Expr.Variables(), false, false)
	}
	for addr, r := range e.cfg.Resources {
		rt, ok := e.types[addr]
		if !ok {
			continue
		}
		travs := hcldec.Variables(r.Config, rt.spec)
		var meta []hcl.Traversal
		if r.Count != nil {
			meta = append(meta, r.Count.Variables()...)
		}
		if r.ForEach != nil {
			meta = append(meta, r.ForEach.Variables()...)
		}
		connect(addr, append(travs, r.DependsOn...), r.Count != nil, r.ForEach != nil)
		connect(addr, meta, false, false)
		g.Connect(addr, "provider."+rt.provider)
	}
	for name := range e.provs {
		node := "provider." + name
		var travs []hcl.Traversal
		if pb, ok := e.cfg.Providers[name]; ok {
			travs = hcldec.Variables(pb.Config, e.provs[name].Schema().DecoderSpec())
		}
		connect(node, travs, false, false)
	}
	for name, o := range e.cfg.Outputs {
		connect("output."+name, append(o.Expr.Variables(), o.DependsOn...), false, false)
	}
	for _, cycle := range g.Cycles() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cycle in references",
			Detail:   fmt.Sprintf("These refer to each other in a circle, so none can be evaluated first: %v. Break the circle by removing one of the references.", cycle),
			Subject:  e.declRange(cycle[0]),
		})
	}
	e.graph = g
	e.deps = map[string][]string{}
	for addr, r := range e.cfg.Resources {
		if r.Mode == config.Managed {
			e.deps[addr] = e.resourceDeps(addr)
		}
	}
	return diags
}

func misplaced(t hcl.Traversal, what, meta string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Reference to " + t.RootName() + " out of place",
		Detail:   fmt.Sprintf("%s can be used only inside a resource or data block that sets %s.", what, meta),
		Subject:  t.SourceRange().Ptr(),
	}
}

// declRange finds where a graph node is declared, for diagnostics.
func (e *Engine) declRange(node string) *hcl.Range {
	if r, ok := e.cfg.Resources[node]; ok {
		return r.DeclRange.Ptr()
	}
	kind, name, _ := cutDot(node)
	switch kind {
	case "local":
		if l, ok := e.cfg.Locals[name]; ok {
			return l.DeclRange.Ptr()
		}
	case "output":
		if o, ok := e.cfg.Outputs[name]; ok {
			return o.DeclRange.Ptr()
		}
	case "provider":
		if p, ok := e.cfg.Providers[name]; ok {
			return p.DeclRange.Ptr()
		}
	}
	return nil
}

func cutDot(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// resourceDeps lists the managed resources a resource depends on, through
// locals, data sources and providers but not through other resources.
func (e *Engine) resourceDeps(addr string) []string {
	seen := map[string]bool{addr: true}
	var out []string
	work := e.graph.DependsOn(addr)
	for len(work) > 0 {
		n := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		if r, ok := e.cfg.Resources[n]; ok && r.Mode == config.Managed {
			out = append(out, n)
			continue
		}
		work = append(work, e.graph.DependsOn(n)...)
	}
	sort.Strings(out)
	return out
}

// Graph returns the reference graph in Graphviz DOT form.
func (e *Engine) Graph() string {
	var b []byte
	b = append(b, "digraph plumb {\n  rankdir = \"RL\";\n"...)
	nodes := e.graph.Nodes()
	sort.Strings(nodes)
	for _, n := range nodes {
		b = fmt.Appendf(b, "  %q;\n", n)
		for _, d := range e.graph.DependsOn(n) {
			b = fmt.Appendf(b, "  %q -> %q;\n", n, d)
		}
	}
	return string(append(b, "}\n"...))
}

func workingDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}
