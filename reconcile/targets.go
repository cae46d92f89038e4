package reconcile

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/config"
)

// targetNodes is the set of graph nodes a -target run walks: the targets
// and everything they depend on; nil when there are no targets.
func (e *Engine) targetNodes() (map[string]bool, hcl.Diagnostics) {
	if len(e.opts.Targets) == 0 {
		return nil, nil
	}
	var diags hcl.Diagnostics
	var starts []string
	for _, t := range e.opts.Targets {
		a, err := config.ParseAddr(t)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -target", Detail: err.Error()})
			continue
		}
		starts = append(starts, a.Resource())
	}
	only := e.graph.Reachable(starts...)
	for _, s := range starts {
		only[s] = true
	}
	return only, diags
}

// targetedInstances lists, for each resource that -target names by
// instance (x.y["k"]), the instance addresses named; a resource targeted
// whole has no entry, and neither has one not targeted at all.
func (e *Engine) targetedInstances() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	whole := map[string]bool{}
	for _, t := range e.opts.Targets {
		a, err := config.ParseAddr(t)
		if err != nil {
			continue
		}
		if a.Key == cty.NilVal {
			whole[a.Resource()] = true
			continue
		}
		if out[a.Resource()] == nil {
			out[a.Resource()] = map[string]bool{}
		}
		out[a.Resource()][a.String()] = true
	}
	for r := range whole {
		delete(out, r)
	}
	return out
}
