package reconcile

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/config"
)

// parseTargets reads the -target addresses.
func (e *Engine) parseTargets() ([]config.Addr, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var out []config.Addr
	for _, t := range e.opts.Targets {
		a, err := config.ParseAddr(t)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -target", Detail: fmt.Sprintf("%v. A target is a resource (TYPE.NAME), one instance (TYPE.NAME[KEY]) or a module (module.NAME, module.NAME[KEY]), alone or inside modules.", err)})
			continue
		}
		out = append(out, a)
	}
	return out, diags
}

// targetNodes is the set of graph nodes a -target or -exclude run walks:
// the targets and everything they depend on, less what -exclude leaves
// out; nil when there is neither.
func (e *Engine) targetNodes() (map[string]bool, hcl.Diagnostics) {
	only, diags := e.targetedNodes()
	x, xdiags := e.exclusion()
	return x.apply(e, only), append(diags, xdiags...)
}

// targetedNodes is targetNodes before -exclude is taken into account.
func (e *Engine) targetedNodes() (map[string]bool, hcl.Diagnostics) {
	if len(e.opts.Targets) == 0 {
		return nil, nil
	}
	addrs, diags := e.parseTargets()
	var starts []string
	for _, a := range addrs {
		starts = append(starts, e.targetStarts(a)...)
	}
	only := e.graph.Reachable(starts...)
	for _, s := range starts {
		only[s] = true
	}
	return only, diags
}

// targetStarts lists the graph nodes a target names: its resource block,
// or every node of a module and the modules it calls.
func (e *Engine) targetStarts(a config.Addr) []string {
	if !a.IsModule() {
		return []string{a.ConfigResource()}
	}
	path := a.Module.Path().String()
	var out []string
	for name := range e.nodes {
		if name == path || strings.HasPrefix(name, path+".") {
			out = append(out, name)
		}
	}
	return out
}

// targetedInstances lists, for each resource block that -target names only
// in part (one instance, or one module instance), the targets that
// select its instances; a resource targeted whole has no entry, and
// neither has one not targeted at all.
func (e *Engine) targetedInstances() map[string][]config.Addr {
	addrs, _ := e.parseTargets()
	out := map[string][]config.Addr{}
	whole := map[string]bool{}
	for _, a := range addrs {
		var nodes []string
		if a.IsModule() {
			for _, name := range e.targetStarts(a) {
				if n := e.nodes[name]; n != nil && n.kind == nodeResource {
					nodes = append(nodes, name)
				}
			}
		} else {
			nodes = []string{a.ConfigResource()}
		}
		for _, res := range nodes {
			if a.Key == cty.NilVal && wholePath(a.Module) {
				whole[res] = true
				continue
			}
			out[res] = append(out[res], a)
		}
	}
	for r := range whole {
		delete(out, r)
	}
	return out
}

// wholePath reports whether a module instance path, read as a pattern,
// selects every instance of its module (no step has a key).
func wholePath(m config.ModuleInstance) bool {
	for _, s := range m {
		if s.Key != cty.NilVal {
			return false
		}
	}
	return true
}

// selectsAny reports whether one of the targets selects the instance a.
func selectsAny(targets []config.Addr, a config.Addr) bool {
	for _, t := range targets {
		if t.Selects(a) {
			return true
		}
	}
	return false
}

// selectsRecorded is selectsAny for an address as state records it; an
// address that does not parse (a state edited by hand) is not selected.
func selectsRecorded(targets []config.Addr, addr string) bool {
	a, err := config.ParseAddr(addr)
	return err == nil && selectsAny(targets, a)
}
