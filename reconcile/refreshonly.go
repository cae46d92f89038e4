package reconcile

import (
	"context"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// -refresh-only plans nothing but bringing state up to date: every object
// state holds for the configuration is read, and the plan lists those that
// changed (update) or were deleted (delete, gone) outside plumb. Applying
// it records the objects as read and the outputs as they now evaluate;
// no provider is asked to change anything. Objects of resources no longer
// in the configuration, and objects the configuration declares that do
// not exist yet, are left alone: a normal plan deals with them.

// refreshOnlyWarning tells the reviewer what applying the plan does.
const refreshOnlyWarning = "This is a refresh-only plan: applying it only records in state the changes made outside plumb that it lists, and changes nothing else."

// refreshOnly plans the state update of one object: what refresh found
// against what state had.
func (p *planner) refreshOnly(change *plan.Change, prior, refreshed cty.Value, priorPaths state.Paths) cty.Value {
	if prior.IsNull() {
		return cty.DynamicVal // not created yet: a refresh-only plan leaves it
	}
	change.Before, change.After = prior, refreshed
	switch {
	case refreshed.IsNull():
		change.Action, change.Gone = plan.Delete, true
		change.Reason = "it was deleted outside plumb; applying forgets it"
	case refreshed.RawEquals(prior):
		change.Action = plan.NoOp
	default:
		change.Action = plan.Update
		change.Reason = "it was changed outside plumb; applying records it as it is"
	}
	p.add(change)
	if refreshed.IsNull() {
		return cty.DynamicVal
	}
	return markPaths(refreshed, priorPaths)
}

// applyRefreshOnly records what a refresh-only plan found: the objects
// as read, the ones gone removed, and the outputs. Nothing is changed
// outside state.
func (e *Engine) applyRefreshOnly(ctx context.Context, before map[string]*state.Instance, p *plan.Plan, rec state.Recorder) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range p.Changes {
		si := before[c.Addr]
		if si == nil || c.Mode != plan.Managed {
			continue
		}
		switch c.Action {
		case plan.Delete:
			if err := rec.Remove(c.Addr); err != nil {
				diags = append(diags, recordFailed(c.Addr, err))
			}
		case plan.Update:
			rt := e.typeOf(si)
			if rt == nil {
				continue
			}
			inst := *si
			if err := inst.SetValue(c.After, rt.ty); err != nil {
				diags = append(diags, recordFailed(c.Addr, err))
				continue
			}
			if err := rec.Set(&inst); err != nil {
				diags = append(diags, recordFailed(c.Addr, err))
			}
		}
	}
	if len(p.Targets) > 0 || len(p.Excludes) > 0 {
		return diags
	}
	outs := map[string]*state.Output{}
	for _, o := range p.Outputs {
		if o.Action == plan.Delete || !o.After.IsWhollyKnown() {
			continue
		}
		out, err := state.NewOutput(o.After, o.Sensitive)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot record output " + o.Name, Detail: err.Error()})
			continue
		}
		outs[o.Name] = out
	}
	if err := rec.SetOutputs(outs); err != nil {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot record outputs", Detail: err.Error()})
	}
	return diags
}
