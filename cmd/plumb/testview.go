package main

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/lang"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// testView is what a test run's assertions see: the root variables, the
// planned values of resources and outputs, or after an apply the state.
// Resources of child modules are reached through the module's outputs.
type testView struct {
	vars  map[string]cty.Value
	plan  *plan.Plan
	state *state.State // nil for command = plan
}

// instanceVal is one resource instance's value and key.
type instanceVal struct {
	key cty.Value
	val cty.Value
}

// evalContext builds the assertions' context: var, output, and every root
// resource and data source by type and name.
func (v testView) evalContext(dir string) (*hcl.EvalContext, error) {
	byRes := map[string][]instanceVal{}
	add := func(addr string, val cty.Value) error {
		a, err := config.ParseAddr(addr)
		if err != nil {
			return fmt.Errorf("%s: %w", addr, err)
		}
		if !a.Module.IsRoot() {
			return nil
		}
		res := a.Type + "." + a.Name
		if a.Mode == config.Data {
			res = "data." + res
		}
		byRes[res] = append(byRes[res], instanceVal{key: a.Key, val: val})
		return nil
	}
	for _, c := range v.plan.Changes {
		if v.state != nil && c.Mode == plan.Managed {
			continue
		}
		if c.Action != plan.Delete {
			if err := add(c.Addr, c.After); err != nil {
				return nil, err
			}
		}
	}
	if v.state != nil {
		reg := registry()
		for _, addr := range v.state.SortedAddrs() {
			inst := v.state.Resources[addr]
			if inst.Mode == "data" {
				continue
			}
			val, _, err := reconcile.DecodeInstance(reg, inst)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", addr, err)
			}
			if err := add(addr, val); err != nil {
				return nil, err
			}
		}
	}
	types := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	for res, insts := range byRes {
		a := config.MustParseAddr(res)
		m := types
		if a.Mode == config.Data {
			m = data
		}
		if m[a.Type] == nil {
			m[a.Type] = map[string]cty.Value{}
		}
		m[a.Type][a.Name] = aggregateInstances(insts)
	}
	vars := map[string]cty.Value{
		"var":    cty.ObjectVal(v.vars),
		"output": v.outputs(),
	}
	for typ, names := range types {
		vars[typ] = cty.ObjectVal(names)
	}
	dataObj := map[string]cty.Value{}
	for typ, names := range data {
		dataObj[typ] = cty.ObjectVal(names)
	}
	vars["data"] = cty.ObjectVal(dataObj)
	return &hcl.EvalContext{Variables: vars, Functions: lang.Functions(dir)}, nil
}

// aggregateInstances is what a reference to a whole resource sees: the
// object itself, a tuple by count index, or an object by for_each key.
func aggregateInstances(insts []instanceVal) cty.Value {
	if len(insts) == 1 && insts[0].key == cty.NilVal {
		return insts[0].val
	}
	if insts[0].key != cty.NilVal && insts[0].key.Type() == cty.Number {
		sort.Slice(insts, func(i, j int) bool {
			return insts[i].key.LessThan(insts[j].key).True()
		})
		vals := make([]cty.Value, len(insts))
		for i, in := range insts {
			vals[i] = in.val
		}
		return cty.TupleVal(vals)
	}
	m := map[string]cty.Value{}
	for _, in := range insts {
		if in.key != cty.NilVal {
			m[in.key.AsString()] = in.val
		}
	}
	return cty.ObjectVal(m)
}

// outputs returns the root outputs: planned, or from state after apply.
func (v testView) outputs() cty.Value {
	out := map[string]cty.Value{}
	if v.state != nil {
		for name, o := range v.state.Outputs {
			if val, err := o.Decode(); err == nil {
				out[name] = val
			}
		}
		return cty.ObjectVal(out)
	}
	for _, o := range v.plan.Outputs {
		if o.Action != plan.Delete {
			out[o.Name] = o.After
		}
	}
	return cty.ObjectVal(out)
}
