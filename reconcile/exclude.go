package reconcile

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/config"
)

// -exclude is -target turned around: the run leaves out what it names and
// everything that depends on it, and plans the rest. A resource or a whole
// module call is left out as a graph node, with every node that depends on
// it; one instance (x.y["k"], module.m["k"]) is left out alone, the
// others planned, and what refers to it sees it as state has it.

// exclusion is what -exclude leaves out of a run.
type exclusion struct {
	// nodes are the graph nodes left out: the ones named whole, and
	// everything that depends on them.
	nodes map[string]bool
	// partial are, by resource node, the patterns that leave out some of
	// its instances.
	partial map[string][]config.Addr
	// patterns are every -exclude address, to match instances in state
	// that no node plans (resources no longer declared).
	patterns []config.Addr
}

// exclusion reads -exclude; nil when there is none.
func (e *Engine) exclusion() (*exclusion, hcl.Diagnostics) {
	if len(e.opts.Excludes) == 0 {
		return nil, nil
	}
	x := &exclusion{nodes: map[string]bool{}, partial: map[string][]config.Addr{}}
	var diags hcl.Diagnostics
	var whole []string
	for _, s := range e.opts.Excludes {
		a, err := config.ParseAddr(s)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -exclude", Detail: fmt.Sprintf("%v. -exclude takes what -target takes: a resource (TYPE.NAME), one instance (TYPE.NAME[KEY]) or a module (module.NAME, module.NAME[KEY]).", err)})
			continue
		}
		x.patterns = append(x.patterns, a)
		starts := e.targetStarts(a)
		if a.Key == cty.NilVal && wholePath(a.Module) {
			whole = append(whole, starts...)
			continue
		}
		for _, name := range starts {
			if n := e.nodes[name]; n != nil && n.kind == nodeResource {
				x.partial[name] = append(x.partial[name], a)
			}
		}
	}
	for _, name := range whole {
		x.nodes[name] = true
	}
	// What depends on an excluded object cannot be planned without it;
	// in a destroy it is the other way round: what an object kept needs
	// must be kept too.
	if e.opts.Destroy {
		for name := range e.graph.Reachable(whole...) {
			x.nodes[name] = true
		}
		return x, diags
	}
	for _, name := range e.graph.Dependents(whole...) {
		x.nodes[name] = true
	}
	return x, diags
}

// excludesInstance reports whether the exclusion leaves out the instance
// addr of resource node n.
func (x *exclusion) excludesInstance(n string, addr config.Addr) bool {
	return x != nil && selectsAny(x.partial[n], addr)
}

// excludesRecorded reports whether the exclusion leaves out an instance
// in state, by its address.
func (x *exclusion) excludesRecorded(node, addr string) bool {
	if x == nil {
		return false
	}
	return x.nodes[node] || selectsRecorded(x.patterns, addr)
}

// apply narrows the nodes a run walks (all when only is nil) to those the
// exclusion leaves in.
func (x *exclusion) apply(e *Engine, only map[string]bool) map[string]bool {
	if x == nil {
		return only
	}
	out := map[string]bool{}
	for _, n := range e.graph.Nodes() {
		if (only == nil || only[n]) && !x.nodes[n] {
			out[n] = true
		}
	}
	return out
}
