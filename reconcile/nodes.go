package reconcile

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"

	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/graph"
)

// nodeKind says what a graph node evaluates.
type nodeKind int

const (
	nodeLocal nodeKind = iota
	nodeOutput
	nodeResource
	nodeProvider
	// nodeVariable is a variable of a called module, set from the call's
	// argument (root variables are resolved before the walk).
	nodeVariable
	// nodeModule is a module call: it expands count or for_each into the
	// module's instances.
	nodeModule
	// nodeCheck is a check block: it evaluates the block's assertions.
	nodeCheck
	// nodeValidation checks the validation blocks of a variable that
	// refer to locals, data sources, resources or other variables.
	nodeValidation
)

// node is one block of the configuration in the graph: named by its
// configuration address (local.x, aws_route53_zone.z, provider.aws.eu,
// module.site, module.site.var.domain, module.site.output.ns), visited
// once per walk and run for every instance of its module.
type node struct {
	kind nodeKind
	name string
	// mod is the module that declares the block; for a module call and a
	// module variable, the called module.
	mod *config.Config
	// refs are the traversals its expressions refer to; the scope builds
	// an evaluation context from them.
	refs []hcl.Traversal

	local    *config.Local
	output   *config.Output
	res      *config.Resource
	rt       *resourceType
	prov     *providerConfig
	variable *config.Variable
	call     *config.ModuleCall
	check    *config.Check
	// validations are a nodeValidation's validation blocks.
	validations []*config.Validation
}

// buildGraph makes one node per local, provider configuration, resource,
// output, module call and module variable, and an edge for every
// reference, then reports cycles by their members.
func (e *Engine) buildGraph() hcl.Diagnostics {
	g := graph.New()
	e.nodes = map[string]*node{}
	var diags hcl.Diagnostics
	// add adds n (once) with edges for travs, resolved in module in (the
	// module they are written in).
	add := func(n *node, in *config.Config, travs []hcl.Traversal, counted, eached, whole bool) {
		if e.nodes[n.name] == nil {
			g.Add(n.name)
			e.nodes[n.name] = n
			// Everything in a called module waits for the call, which
			// makes the module's instances.
			if n.kind != nodeModule && n.mod.Parent != nil {
				g.Connect(n.name, n.mod.Path.String())
			}
		}
		n.refs = append(n.refs, travs...)
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
			targets, d := refTargets(in, t, whole)
			if d == nil {
				d = scopedReference(n, in, t)
			}
			if d != nil {
				diags = append(diags, d)
				continue
			}
			for _, target := range targets {
				g.Connect(n.name, target)
			}
		}
	}
	e.cfg.Walk(func(mod *config.Config) {
		prefix := mod.Path.Prefix()
		for name, l := range mod.Locals {
			add(&node{kind: nodeLocal, name: prefix + "local." + name, mod: mod, local: l}, mod, l.Expr.Variables(), false, false, false)
		}
		for addr, r := range mod.Resources {
			rt, ok := e.types[prefix+addr]
			if !ok {
				continue
			}
			n := &node{kind: nodeResource, name: prefix + addr, mod: mod, res: r, rt: rt}
			// What dynamic blocks refer to counts, except their own
			// iterator.
			travs := dynblock.VariablesHCLDec(r.Config, rt.spec)
			var meta []hcl.Traversal
			if r.Count != nil {
				meta = append(meta, r.Count.Variables()...)
			}
			if r.ForEach != nil {
				meta = append(meta, r.ForEach.Variables()...)
			}
			if r.Provider != nil && r.Provider.Key != nil {
				travs = append(travs, r.Provider.Key.Variables()...)
			}
			lc := r.Lifecycle
			travs = append(travs, conditionRefs(lc.Preconditions)...)
			travs = append(travs, conditionRefs(lc.Postconditions)...)
			for _, ex := range lc.ReplaceTriggeredBy {
				e.hasTriggers = true
				if t, d := parseTrigger(ex); d != nil {
					diags = append(diags, d)
				} else if tr := mod.Resources[t.res]; tr == nil || tr.Mode != config.Managed {
					diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid replace_triggered_by entry",
						Detail: fmt.Sprintf("%s is not a managed resource declared in this module; replace_triggered_by names one.", t.res), Subject: ex.Range().Ptr()})
				}
				travs = append(travs, ex.Variables()...)
			}
			add(n, mod, travs, r.Count != nil, r.ForEach != nil, false)
			add(n, mod, r.DependsOn, false, false, true)
			add(n, mod, meta, false, false, false)
			g.Connect(n.name, rt.conf.node)
		}
		for name, o := range mod.Outputs {
			n := &node{kind: nodeOutput, name: prefix + "output." + name, mod: mod, output: o}
			add(n, mod, append(o.Expr.Variables(), conditionRefs(o.Preconditions)...), false, false, false)
			add(n, mod, o.DependsOn, false, false, true)
		}
		for name, v := range mod.Variables {
			vals := walkValidations(v, mod.Parent == nil)
			if len(vals) == 0 {
				continue
			}
			n := &node{kind: nodeValidation, name: prefix + "var." + name + ".validation", mod: mod, variable: v, validations: vals}
			add(n, mod, conditionRefs(vals), false, false, false)
			if mod.Parent != nil {
				g.Connect(n.name, prefix+"var."+name)
			}
		}
		for name, ch := range mod.Checks {
			n := &node{kind: nodeCheck, name: prefix + "check." + name, mod: mod, check: ch}
			add(n, mod, conditionRefs(ch.Asserts), false, false, false)
		}
		for _, name := range keys(mod.Modules) {
			call := mod.Modules[name]
			child := call.Child
			if child == nil {
				continue
			}
			n := &node{kind: nodeModule, name: child.Path.String(), mod: child, call: call}
			var travs []hcl.Traversal
			if call.Count != nil {
				travs = append(travs, call.Count.Variables()...)
			}
			if call.ForEach != nil {
				travs = append(travs, call.ForEach.Variables()...)
			}
			add(n, mod, travs, false, false, false)
			add(n, mod, call.DependsOn, false, false, true)
			for _, pass := range call.Providers {
				if pass.Parent.Key != nil {
					add(n, mod, pass.Parent.Key.Variables(), call.Count != nil, call.ForEach != nil, false)
				}
			}
			if mod.Parent != nil {
				g.Connect(n.name, mod.Path.String())
			}
			for vname, v := range child.Variables {
				vn := &node{kind: nodeVariable, name: child.Path.Prefix() + "var." + vname, mod: child, variable: v, call: call}
				var vt []hcl.Traversal
				if a, ok := call.Inputs[vname]; ok {
					vt = a.Expr.Variables()
				}
				add(vn, mod, vt, call.Count != nil, call.ForEach != nil, false)
			}
		}
	})
	// An import block with for_each is expanded when the resource it
	// imports into is planned: that node waits for what it refers to.
	for _, im := range e.cfg.Imports {
		if n := e.nodes[im.To.ConfigResource()]; n != nil && im.ForEach != nil {
			add(n, e.cfg, importRefs(im), false, true, false)
		}
	}
	for _, name := range keys(e.pconfs) {
		pc := e.pconfs[name]
		n := &node{kind: nodeProvider, name: pc.node, mod: pc.mod, prov: pc}
		var travs []hcl.Traversal
		if pc.block != nil {
			travs = dynblock.VariablesHCLDec(pc.block.Config, e.schemaProvider(pc.name).Schema().DecoderSpec())
			if pc.block.ForEach != nil {
				travs = append(travs, pc.block.ForEach.Variables()...)
			}
		}
		add(n, pc.mod, travs, false, pc.forEach(), false)
		pc.refs = n.refs
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
	for name, n := range e.nodes {
		if n.kind == nodeResource && n.res.Mode == config.Managed {
			e.deps[name] = e.resourceDeps(name)
		}
	}
	return diags
}

// scopedReference refuses a reference to the data source of a check block
// from outside that block: it is read for the check's sake, and a failure
// to read it is only a warning.
func scopedReference(n *node, in *config.Config, t hcl.Traversal) *hcl.Diagnostic {
	if t.RootName() != "data" {
		return nil
	}
	typ, ok1 := stepName(t, 1)
	name, ok2 := stepName(t, 2)
	if !ok1 || !ok2 {
		return nil
	}
	r := in.Resources["data."+typ+"."+name]
	if r == nil || r.Check == "" || (n.kind == nodeCheck && n.check.Name == r.Check) {
		return nil
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Reference to a check's data source",
		Detail:   fmt.Sprintf("data.%s.%s is declared inside check %q and can be referred to only from that check's assertions. Declare it outside the check to use it here.", typ, name, r.Check),
		Subject:  t.SourceRange().Ptr(),
	}
}

func misplaced(t hcl.Traversal, what, meta string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Reference to " + t.RootName() + " out of place",
		Detail:   fmt.Sprintf("%s can be used only inside a block that sets %s.", what, meta),
		Subject:  t.SourceRange().Ptr(),
	}
}

// declRange finds where a graph node is declared, for diagnostics.
func (e *Engine) declRange(name string) *hcl.Range {
	n := e.nodes[name]
	if n == nil {
		return nil
	}
	switch n.kind {
	case nodeLocal:
		return n.local.DeclRange.Ptr()
	case nodeOutput:
		return n.output.DeclRange.Ptr()
	case nodeResource:
		return n.res.DeclRange.Ptr()
	case nodeProvider:
		return n.prov.declRange()
	case nodeCheck:
		return n.check.DeclRange.Ptr()
	case nodeValidation:
		return n.validations[0].DeclRange.Ptr()
	case nodeVariable:
		if a, ok := n.call.Inputs[n.variable.Name]; ok {
			return a.Range.Ptr()
		}
		return n.variable.DeclRange.Ptr()
	case nodeModule:
		return n.call.DeclRange.Ptr()
	}
	return nil
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
		if nd := e.nodes[n]; nd != nil && nd.kind == nodeResource && nd.res.Mode == config.Managed {
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
