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
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/plumbhq/plumb/internal/buildinfo"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/graph"
	"github.com/plumbhq/plumb/reconcile/lang"
)

// Version is plumb's version, recorded in states and plans and checked
// against required_version: what this binary's build recorded
// (internal/buildinfo).
var Version = buildinfo.Get().Version

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
	// Excludes leave these resources (or module instances) and everything
	// that depends on them out of the run (-exclude).
	Excludes []string
	// Replace are resource instances to replace even though nothing
	// forces it (-replace).
	Replace []string
	// RefreshOnly plans to bring state up to date with what exists,
	// changing nothing (-refresh-only).
	RefreshOnly bool
	// GenerateConfig loads a configuration whose import blocks name
	// resources it does not declare, for GenerateConfig to write them
	// (plan -generate-config-out).
	GenerateConfig bool
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
	// hasTriggers is set when a resource has replace_triggered_by.
	hasTriggers bool
	opts        Options
	cfg         *config.Config
	vars        map[string]cty.Value
	funcs       map[string]function.Function
	// funcWarnings are what functions warned about while evaluating
	// (zonefile()), shown once at the end of a plan or validation.
	funcWarnings *lang.Warnings

	graph *graph.Graph
	nodes map[string]*node         // graph node name → what it evaluates
	types map[string]*resourceType // resource config address → its type
	deps  map[string][]string      // resource address → resource addresses it depends on
	sem   chan struct{}

	// pconfs are the provider configurations, by address (provider.aws.eu);
	// pconfMu guards additions after Load (implied configurations that only
	// deletions need).
	pconfMu sync.Mutex
	pconfs  map[string]*providerConfig

	// schemas are unconfigured provider objects asked only for schemas;
	// made are the provider objects that serve calls, one per provider
	// instance. schemaMu guards both and undeclared.
	schemaMu   sync.Mutex
	schemas    map[string]providers.Provider
	made       []providers.Provider
	undeclared map[string]*resourceType // types only state still has, by type name
}

// resourceType is what the engine needs of a resource block: its type's
// schema and the provider configuration it is bound to.
type resourceType struct {
	provider string // the provider's name
	// conf is the provider configuration the block uses; nil for the types
	// of instances only state still has, which use the provider recorded
	// for each instance.
	conf *providerConfig
	// pass, when not nil, is the module call whose providers map picks the
	// instance of conf (aws = aws.by_region[each.key]).
	pass *keyedPass
	// managed and data come from the schema provider: for schemas and
	// configuration checks, never for calls.
	managed providers.Resource
	data    providers.DataSource
	schema  providers.Schema
	spec    hcldec.Spec
	// decoder decodes the configuration, converting large collections in
	// linear time; spec is its specification.
	decoder *providers.BodyDecoder
	ty      cty.Type
	keys    map[string][]string
	secret  []string
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
	if opts.GenerateConfig {
		diags = dropUndeclaredImports(diags)
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
	funcs, funcWarnings := lang.FunctionTable(cfg.Dir, opts.PlanTime)
	return &Engine{
		opts:         opts,
		cfg:          cfg,
		funcs:        funcs,
		funcWarnings: funcWarnings,
		types:        map[string]*resourceType{},
		sem:          make(chan struct{}, opts.Parallelism),

		pconfs:     map[string]*providerConfig{},
		schemas:    map[string]providers.Provider{},
		undeclared: map[string]*resourceType{},
	}
}

// Config returns the loaded configuration.
func (e *Engine) Config() *config.Config { return e.cfg }

// Variables returns the resolved root variable values.
func (e *Engine) Variables() map[string]cty.Value { return e.vars }

func (e *Engine) prepare() hcl.Diagnostics {
	// A configuration for another plumb may use what this one lacks: say
	// that first, and only that.
	var vdiags hcl.Diagnostics
	e.cfg.Walk(func(mod *config.Config) {
		vdiags = append(vdiags, config.CheckRequiredVersion(mod.Settings, Version)...)
	})
	if vdiags.HasErrors() {
		return vdiags
	}
	diags := e.resolveTypes()
	vars, vdiags := resolveVariables(e.cfg, e.opts.Inputs, e.funcs)
	e.vars = vars
	diags = append(diags, vdiags...)
	if diags.HasErrors() {
		return diags
	}
	return append(diags, e.buildGraph()...)
}

// resolveTypes finds the provider, schema and provider configuration of
// every resource block.
func (e *Engine) resolveTypes() hcl.Diagnostics {
	var diags hcl.Diagnostics
	e.cfg.Walk(func(mod *config.Config) {
		diags = append(diags, e.declareProviders(mod)...)
	})
	e.cfg.Walk(func(mod *config.Config) {
		diags = append(diags, e.resolveModuleTypes(mod)...)
	})
	return diags
}

// resolveModuleTypes is resolveTypes for the resource blocks of one
// module.
func (e *Engine) resolveModuleTypes(mod *config.Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	reg := e.opts.Registry
	for _, addr := range keys(mod.Resources) {
		r := mod.Resources[addr]
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
		conf, pass, cdiags := e.bindResource(mod, r, name)
		diags = append(diags, cdiags...)
		if cdiags.HasErrors() {
			continue
		}
		p := e.schemaProvider(name)
		rt := &resourceType{provider: name, conf: conf, pass: pass}
		if r.Mode == config.Data {
			rt.data = p.DataSources()[r.Type]
			rt.schema = rt.data.Schema()
		} else {
			rt.managed = p.Resources()[r.Type]
			rt.schema = rt.managed.Schema()
		}
		rt.decoder = rt.schema.Decoder()
		rt.spec = rt.decoder.Spec()
		rt.ty = rt.schema.ImpliedType()
		rt.keys = rt.schema.ElementKeys()
		rt.secret = rt.schema.SensitivePaths()
		e.types[mod.Path.Prefix()+addr] = rt
	}
	return diags
}

// Close releases providers that hold resources.
func (e *Engine) Close() error {
	var errs []error
	e.schemaMu.Lock()
	defer e.schemaMu.Unlock()
	for _, p := range e.made {
		if c, ok := p.(providers.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

func workingDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}
