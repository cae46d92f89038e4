package reconcile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/plan"
)

// Conditions in the engine
//
// Preconditions and postconditions of resources, preconditions of
// outputs, the assertions of check blocks and variable validations that
// refer to more than their own variable are all conditions: an expression
// that must be true, and a message for when it is not. evalConditions
// evaluates a list of them. One that depends on values known only after
// apply is left for the apply to check (status unknown). A failure is an
// error for resources, outputs and variables, and a warning for check
// blocks, which never stop a run. Every result is recorded as a
// plan.Check, so the plan's JSON and review formats list them.

// conditionOutcome is the result of evaluating some conditions.
type conditionOutcome struct {
	status   plan.CheckStatus
	problems []string
	failed   []*config.Condition // the conditions that were false, for where to point
	diags    hcl.Diagnostics     // conditions that could not be evaluated
}

// evalConditions evaluates conds in ctx.
func evalConditions(conds []*config.Condition, ctx *hcl.EvalContext) conditionOutcome {
	out := conditionOutcome{status: plan.CheckPass}
	worse := func(s plan.CheckStatus) {
		rank := map[plan.CheckStatus]int{plan.CheckPass: 0, plan.CheckUnknown: 1, plan.CheckError: 2, plan.CheckFail: 3}
		if rank[s] > rank[out.status] {
			out.status = s
		}
	}
	for _, c := range conds {
		val, diags := c.Condition.Value(ctx)
		if diags.HasErrors() {
			out.diags = append(out.diags, diags...)
			worse(plan.CheckError)
			continue
		}
		val, _ = val.UnmarkDeep()
		if !val.IsKnown() {
			worse(plan.CheckUnknown)
			continue
		}
		b, err := convert.Convert(val, cty.Bool)
		if err != nil || b.IsNull() {
			out.diags = append(out.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid condition result",
				Detail:   "A condition must be true or false; this one is " + describeValue(val) + ".",
				Subject:  c.Condition.Range().Ptr(),
			})
			worse(plan.CheckError)
			continue
		}
		if b.True() {
			continue
		}
		worse(plan.CheckFail)
		out.failed = append(out.failed, c)
		out.problems = append(out.problems, conditionMessage(c, ctx))
	}
	return out
}

// describeValue names what a condition gave instead of true or false.
func describeValue(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return "of type " + v.Type().FriendlyName()
}

// conditionMessage evaluates a failed condition's error_message; a
// message that holds a sensitive value says so instead of showing it.
func conditionMessage(c *config.Condition, ctx *hcl.EvalContext) string {
	msg, diags := c.ErrorMessage.Value(ctx)
	switch {
	case diags.HasErrors():
		return "The condition is false, and its error_message cannot be evaluated: " + diags[0].Detail
	case msg.HasMark(sensitiveMark) || msg.ContainsMarked():
		return "The condition is false. (Its error_message refers to a sensitive value, so it is not shown.)"
	}
	msg, err := convert.Convert(msg, cty.String)
	if err != nil || msg.IsNull() || !msg.IsKnown() {
		return "The condition is false."
	}
	return msg.AsString()
}

// conditionDiags turns failed conditions into diagnostics of one
// severity, each pointing at its condition.
func conditionDiags(out conditionOutcome, sev hcl.DiagnosticSeverity, summary, what string) hcl.Diagnostics {
	diags := out.diags
	for i, c := range out.failed {
		diags = append(diags, &hcl.Diagnostic{
			Severity: sev,
			Summary:  summary,
			Detail:   fmt.Sprintf("%s: %s", what, out.problems[i]),
			Subject:  c.Condition.Range().Ptr(),
		})
	}
	return diags
}

// conditionRefs lists the references of conditions, for the graph; self
// is left to the caller (it points at nothing in the graph).
func conditionRefs(conds []*config.Condition) []hcl.Traversal {
	var out []hcl.Traversal
	for _, c := range conds {
		out = append(out, c.Condition.Variables()...)
		out = append(out, c.ErrorMessage.Variables()...)
	}
	return out
}

// selfContext adds self, the object a postcondition is about.
func selfContext(parent *hcl.EvalContext, self cty.Value) *hcl.EvalContext {
	child := parent.NewChild()
	child.Variables = map[string]cty.Value{"self": self}
	return child
}

// recordCheck keeps the result of the conditions of one object for the
// plan.
func (w *walk) recordCheck(c *plan.Check) {
	w.mu.Lock()
	w.checks = append(w.checks, c)
	w.mu.Unlock()
}

// sortedChecks returns the recorded checks in address order.
func (w *walk) sortedChecks() []*plan.Check {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := append([]*plan.Check(nil), w.checks...)
	sort.Slice(out, func(i, j int) bool { return out[i].Addr < out[j].Addr })
	return out
}

// resourcePreconditions checks an instance's preconditions before it is
// planned or applied; the outcome is kept to combine with the
// postconditions'.
func resourcePreconditions(r *config.Resource, addr string, ictx *hcl.EvalContext) (conditionOutcome, hcl.Diagnostics) {
	if len(r.Lifecycle.Preconditions) == 0 {
		return conditionOutcome{status: plan.CheckPass}, nil
	}
	out := evalConditions(r.Lifecycle.Preconditions, ictx)
	return out, conditionDiags(out, hcl.DiagError, "Resource precondition failed", addr)
}

// resourcePostconditions checks an instance's postconditions with self
// the planned or applied object.
func resourcePostconditions(r *config.Resource, addr string, ictx *hcl.EvalContext, self cty.Value) (conditionOutcome, hcl.Diagnostics) {
	if len(r.Lifecycle.Postconditions) == 0 {
		return conditionOutcome{status: plan.CheckPass}, nil
	}
	out := evalConditions(r.Lifecycle.Postconditions, selfContext(ictx, self))
	return out, conditionDiags(out, hcl.DiagError, "Resource postcondition failed", addr)
}

// recordResourceCheck records the combined result of an instance's
// preconditions and postconditions, when it has any.
func (w *walk) recordResourceCheck(n *node, addr string, pre, post conditionOutcome) {
	r := n.res
	if len(r.Lifecycle.Preconditions)+len(r.Lifecycle.Postconditions) == 0 {
		return
	}
	status := pre.status
	if rankStatus(post.status) > rankStatus(status) {
		status = post.status
	}
	w.recordCheck(&plan.Check{Config: n.name, Addr: addr, Kind: plan.CheckResource, Status: status, Problems: append(append([]string(nil), pre.problems...), post.problems...)})
}

func rankStatus(s plan.CheckStatus) int {
	return map[plan.CheckStatus]int{plan.CheckPass: 0, plan.CheckUnknown: 1, plan.CheckError: 2, plan.CheckFail: 3}[s]
}

// outputPreconditions checks an output's preconditions in one module
// instance.
func (w *walk) outputPreconditions(n *node, s *scope) hcl.Diagnostics {
	o := n.output
	if len(o.Preconditions) == 0 {
		return nil
	}
	addr := s.prefix + "output." + o.Name
	out := evalConditions(o.Preconditions, s.evalContext(n.refs))
	if !w.validating {
		w.recordCheck(&plan.Check{Config: n.name, Addr: addr, Kind: plan.CheckOutput, Status: out.status, Problems: out.problems})
	}
	return conditionDiags(out, hcl.DiagError, "Output precondition failed", addr)
}

// visitCheck evaluates a check block's assertions in every instance of
// its module: a failure is a warning, recorded for the plan.
func (w *walk) visitCheck(n *node) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, s := range w.scopes(n.mod) {
		addr := s.prefix + "check." + n.check.Name
		out := evalConditions(n.check.Asserts, s.evalContext(n.refs))
		if w.validating {
			diags = append(diags, out.diags...)
			continue
		}
		// A check never stops a run: what could not be evaluated is a
		// warning too.
		for _, d := range out.diags {
			d.Severity = hcl.DiagWarning
		}
		if len(out.diags) > 0 && len(out.problems) == 0 {
			out.problems = append(out.problems, out.diags[0].Summary+": "+out.diags[0].Detail)
		}
		w.recordCheck(&plan.Check{Config: n.name, Addr: addr, Kind: plan.CheckBlock, Status: out.status, Problems: out.problems})
		if !w.checksInPlan {
			diags = append(diags, conditionDiags(out, hcl.DiagWarning, "Check block assertion failed", addr)...)
		}
	}
	return diags
}

// checkWarnings are the plan's warnings for the checks that failed or
// could not be evaluated, as every review format lists them.
func checkWarnings(checks []*plan.Check) []string {
	var out []string
	for _, c := range checks {
		if c.Status != plan.CheckFail && c.Status != plan.CheckError {
			continue
		}
		what := "Check " + c.Addr
		switch c.Kind {
		case plan.CheckResource, plan.CheckOutput:
			what = "A condition of " + c.Addr
		}
		verb := " failed"
		if c.Status == plan.CheckError {
			verb = " could not be evaluated"
		}
		msg := what + verb
		for i, p := range c.Problems {
			if i == 0 {
				msg += ": " + p
			} else {
				msg += "; " + p
			}
		}
		out = append(out, msg)
	}
	return out
}

// asWarnings turns errors into warnings, adding why: a failure to read the
// data source of a check block does not stop the run.
func asWarnings(diags hcl.Diagnostics, why string) hcl.Diagnostics {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			d.Severity = hcl.DiagWarning
			d.Detail = strings.TrimSpace(d.Detail + " (This data source belongs to a check block, so this is a warning: " + why + ".)")
		}
	}
	return diags
}

// validatesInWalk reports whether a variable's validation refers to more
// than the variable's own module can give before the walk: locals, data
// sources, resources, modules, or (in a called module) other variables.
// Such a validation gets a graph node of its own, run once what it refers
// to has a value, as Terraform 1.9 allows.
func validatesInWalk(val *config.Validation, self string, root bool) bool {
	for _, t := range append(val.Condition.Variables(), val.ErrorMessage.Variables()...) {
		switch t.RootName() {
		case "path":
			continue
		case "var":
			if name, ok := stepName(t, 1); root || (ok && name == self) {
				continue
			}
		}
		return true
	}
	return false
}

// walkValidations lists the validations of v that validatesInWalk.
func walkValidations(v *config.Variable, root bool) []*config.Validation {
	var out []*config.Validation
	for _, val := range v.Validations {
		if validatesInWalk(val, v.Name, root) {
			out = append(out, val)
		}
	}
	return out
}

// visitValidation checks the validations of a variable that refer to
// other values, in every instance of its module.
func (w *walk) visitValidation(n *node) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, s := range w.scopes(n.mod) {
		ctx := s.evalContext(n.refs)
		for _, val := range n.validations {
			d := checkValidation(ctx, n.variable.Name, val)
			if s.parent != nil {
				for _, x := range d {
					x.Summary = fmt.Sprintf("%s (in %s)", x.Summary, s.addr)
				}
			}
			diags = append(diags, d...)
		}
	}
	return diags
}
