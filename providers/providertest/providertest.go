// Package providertest is the conformance harness that every resource
// type's tests run. A test describes a sequence of desired configurations;
// Run drives the providers.Resource interface through each of them the way
// the engine would, and fails unless, after every apply, reading the object
// gives back the applied state, planning the same configuration again is a
// no-op, importing the object reproduces it, and deleting it leaves nothing
// behind.
//
// Every value the resource returns is checked against the schema's implied
// type and passed through the state file's JSON encoding before it is used
// again, so a resource that only works with values it made itself, and not
// with values read back from state, fails here rather than in a user's run.
//
// The harness imports nothing from the engine: it calls the Resource
// methods directly.
package providertest

import (
	"context"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// TB is the part of testing.TB the harness uses. *testing.T satisfies it;
// the harness's own tests pass a recorder instead.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Cleanup(func())
}

// Step is one desired configuration in a Case.
type Step struct {
	// Name labels the step in failure messages; "step N" when empty.
	Name string
	// Config is the desired configuration as an object per the resource's
	// schema. Attributes it lacks (computed ones) are filled in as null
	// with Schema.Complete. cty.NilVal means the object is to be deleted.
	Config cty.Value
	// ExpectReplace says the plan for this step must replace the object.
	// When false, a plan that replaces it fails the step.
	ExpectReplace bool
	// PlanCheck, when set, is called with the refreshed prior state (null
	// when there is none) and the planned state, before anything is
	// applied: the place to assert that drift made outside plumb shows.
	PlanCheck func(t TB, refreshed, planned cty.Value)
	// Check, when set, is called with the state after the step has been
	// applied and verified: the place to assert the real world (read the
	// file from disk) or to change it behind plumb's back so the next step
	// starts from drift.
	Check func(t TB, state cty.Value)
}

// Case is a resource type and the steps to drive it through.
type Case struct {
	// Resource is the resource type under test.
	Resource providers.Resource
	// Steps are applied in order; after the last one the object is
	// deleted unless the last step already did so.
	Steps []Step
	// ImportID returns the ID that imports the object in state; nil skips
	// the import check.
	ImportID func(state cty.Value) string
	// ImportIgnore names top-level attributes that only configuration can
	// know, left out when the imported object is compared with the state.
	ImportIgnore []string
	// StateOnly says the resource type keeps its object only in state
	// (plumb_data): Read cannot tell that a deleted object is gone, so the
	// check that Read returns null after a delete is skipped.
	StateOnly bool
	// Gone, when set, is called with the last state before each delete,
	// after the delete, to assert nothing is left in the real world.
	Gone func(t TB, last cty.Value)
}

// Run drives c.Resource through c.Steps and then deletes the object,
// reporting every broken promise of the Resource contract through t.
//
// For each step it validates the configuration (when the resource
// implements providers.ConfigValidator), refreshes the prior state with
// Read, plans (requiring configured values to be kept), applies (deleting
// and planning and creating again when the plan names attributes that
// force replacement; nothing when the plan equals the prior state),
// requires the result to match every known planned value, reads the object
// back and requires exactly the applied state, plans again and requires a
// no-op, and imports the object and requires the same state. A step with
// a nil Config, and the end of the case, delete the object: the plan must
// be null, Apply must return null, and Read must then return null (unless
// StateOnly). Every value is checked against the schema's implied type
// and, where state would hold it, must be wholly known and survive the
// state encoding unchanged. If the test stops early with an object still
// present, a cleanup deletes it.
func Run(t TB, c Case) {
	t.Helper()
	if c.Resource == nil {
		t.Fatalf("providertest: Case.Resource is nil")
	}
	if len(c.Steps) == 0 {
		t.Fatalf("providertest: Case.Steps is empty; give at least one configuration to create")
	}
	r := newRunner(t, c)
	for _, name := range c.ImportIgnore {
		if _, ok := r.schema.Attributes[name]; !ok {
			t.Fatalf("providertest: ImportIgnore names %q, which is not an attribute of the schema", name)
		}
	}
	t.Cleanup(r.cleanup)
	for i, s := range c.Steps {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("step %d", i+1)
		}
		if s.Config == cty.NilVal {
			r.destroy(name)
			continue
		}
		r.step(name, s)
	}
	if !r.state.IsNull() {
		r.destroy("final delete")
	}
}

// runner carries what Run knows between steps.
type runner struct {
	t      TB
	c      Case
	ctx    context.Context
	res    providers.Resource
	schema providers.Schema
	ty     cty.Type
	// state is what the engine would hold in state: the last applied
	// value after a round trip through the state encoding.
	state cty.Value
}

func newRunner(t TB, c Case) *runner {
	s := c.Resource.Schema()
	ty := s.ImpliedType()
	return &runner{t: t, c: c, ctx: context.Background(), res: c.Resource, schema: s, ty: ty, state: cty.NullVal(ty)}
}

// cleanup deletes an object left behind by a test that stopped early.
func (r *runner) cleanup() {
	if r.state == cty.NilVal || r.state.IsNull() {
		return
	}
	resp := r.res.Apply(r.ctx, providers.ApplyRequest{Prior: r.state, Planned: cty.NullVal(r.ty), Config: cty.NullVal(r.ty)})
	if resp.Diagnostics.HasErrors() {
		r.t.Logf("providertest cleanup: deleting the object left by the failed test: %s", diagText(resp.Diagnostics))
	}
}

// step applies one configuration and verifies the result.
func (r *runner) step(name string, s Step) {
	t := r.t
	t.Helper()
	config := r.schema.Complete(s.Config)
	r.mustConform(name, "Step.Config after Schema.Complete", config)
	if v, ok := r.res.(providers.ConfigValidator); ok {
		if diags := v.ValidateConfig(r.ctx, config); diags.HasErrors() {
			t.Fatalf("%s: ValidateConfig rejected the step's configuration: %s", name, diagText(diags))
		}
	}

	prior := r.refresh(name)
	planned, rr := r.plan(name, prior, config)
	replace := len(rr) > 0
	if s.PlanCheck != nil {
		s.PlanCheck(t, prior, planned)
	}
	switch {
	case s.ExpectReplace && prior.IsNull():
		t.Errorf("%s: ExpectReplace is set, but there was no object to replace (the step creates it)", name)
	case s.ExpectReplace && !replace:
		t.Errorf("%s: expected the plan to replace the object, but RequiresReplace is empty", name)
	case !s.ExpectReplace && replace:
		t.Errorf("%s: the plan replaces the object (RequiresReplace %q); set ExpectReplace if that is intended", name, rr)
	}

	switch {
	case !prior.IsNull() && !replace && planned.RawEquals(prior):
		t.Logf("%s: no changes", name)
	case replace:
		t.Logf("%s: replace (RequiresReplace %q)", name, rr)
		r.apply(name+" (delete to replace)", prior, cty.NullVal(r.ty), cty.NullVal(r.ty))
		created, _ := r.plan(name+" (plan the replacement)", cty.NullVal(r.ty), config)
		r.apply(name+" (create the replacement)", cty.NullVal(r.ty), created, config)
	default:
		if prior.IsNull() {
			t.Logf("%s: create", name)
		} else {
			t.Logf("%s: update in place", name)
		}
		r.apply(name, prior, planned, config)
	}

	r.verifyRead(name)
	r.verifyNoOp(name, config)
	r.verifyImport(name)
	if s.Check != nil {
		s.Check(t, r.state)
	}
}
