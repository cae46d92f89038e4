package providertest

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// refresh reads the object in state, as the engine does before planning.
// It returns the refreshed prior: null when there is no object or the
// object has gone.
func (r *runner) refresh(name string) cty.Value {
	t := r.t
	t.Helper()
	if r.state.IsNull() {
		return r.state
	}
	resp := r.res.Read(r.ctx, providers.ReadRequest{Prior: r.state})
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("%s: Read (refresh before planning) failed: %s", name, diagText(resp.Diagnostics))
	}
	r.mustConform(name, "Read (refresh)", resp.State)
	if resp.State.IsNull() {
		t.Logf("%s: Read found the object gone; planning to create it", name)
		r.state = cty.NullVal(r.ty)
		return r.state
	}
	r.mustBeKnown(name, "Read (refresh)", resp.State)
	r.state = r.roundTrip(name, "Read (refresh)", resp.State)
	return r.state
}

// plan asks for a plan and checks it is well formed: conforming, not null
// for a configuration, keeping configured values, naming real attributes.
func (r *runner) plan(name string, prior, config cty.Value) (cty.Value, []string) {
	t := r.t
	t.Helper()
	resp := r.res.Plan(r.ctx, providers.PlanRequest{Prior: prior, Config: config})
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("%s: Plan failed: %s", name, diagText(resp.Diagnostics))
	}
	r.mustConform(name, "Plan", resp.Planned)
	if resp.Planned.IsNull() {
		t.Fatalf("%s: Plan returned a null state for a non-null configuration; null means delete", name)
	}
	for _, a := range resp.RequiresReplace {
		if _, ok := r.schema.Attributes[a]; !ok {
			if _, ok := r.schema.Blocks[a]; !ok {
				t.Errorf("%s: Plan names %q in RequiresReplace, which is not an attribute or block of the schema", name, a)
			}
		}
	}
	if prior.IsNull() && len(resp.RequiresReplace) > 0 {
		t.Errorf("%s: Plan of a create names attributes in RequiresReplace (%q); there is nothing to replace", name, resp.RequiresReplace)
	}
	var problems []string
	checkConfigKept(r.schema, config, resp.Planned, nil, &problems)
	for _, p := range problems {
		t.Errorf("%s: Plan does not keep the configured value: %s", name, p)
	}
	return resp.Planned, resp.RequiresReplace
}

// apply makes a planned change and records the resulting state.
func (r *runner) apply(name string, prior, planned, config cty.Value) {
	t := r.t
	t.Helper()
	resp := r.res.Apply(r.ctx, providers.ApplyRequest{Prior: prior, Planned: planned, Config: config})
	if resp.Diagnostics.HasErrors() {
		if resp.State != cty.NilVal && len(resp.State.Type().TestConformance(r.ty)) == 0 && resp.State.IsWhollyKnown() {
			r.state = resp.State
		}
		t.Fatalf("%s: Apply failed: %s", name, diagText(resp.Diagnostics))
	}
	r.mustConform(name, "Apply", resp.State)
	if planned.IsNull() {
		if !resp.State.IsNull() {
			r.state = resp.State
			t.Fatalf("%s: Apply of a delete returned a non-null state; it must return null once the object is gone", name)
		}
		r.state = resp.State
		return
	}
	if resp.State.IsNull() {
		t.Fatalf("%s: Apply returned a null state for a create or update; return the object that now exists", name)
	}
	r.mustBeKnown(name, "Apply", resp.State)
	var problems []string
	checkConsistent(planned, resp.State, nil, &problems)
	for _, p := range problems {
		t.Errorf("%s: Apply result differs from what Plan promised: %s", name, p)
	}
	r.state = r.roundTrip(name, "Apply", resp.State)
}

// verifyRead requires Read to return exactly the state just applied.
func (r *runner) verifyRead(name string) {
	t := r.t
	t.Helper()
	resp := r.res.Read(r.ctx, providers.ReadRequest{Prior: r.state})
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("%s: Read after apply failed: %s", name, diagText(resp.Diagnostics))
	}
	r.mustConform(name, "Read", resp.State)
	if resp.State.IsNull() {
		t.Fatalf("%s: Read right after apply returned null: the object it just applied is missing", name)
	}
	if !resp.State.RawEquals(r.state) {
		t.Errorf("%s: Read after apply differs from the applied state (-applied +read):\n%s", name, diff(r.state, resp.State))
	}
}

// verifyNoOp requires a plan of the same configuration to change nothing.
func (r *runner) verifyNoOp(name string, config cty.Value) {
	t := r.t
	t.Helper()
	resp := r.res.Plan(r.ctx, providers.PlanRequest{Prior: r.state, Config: config})
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("%s: Plan after apply failed: %s", name, diagText(resp.Diagnostics))
	}
	r.mustConform(name, "Plan after apply", resp.Planned)
	if len(resp.RequiresReplace) > 0 {
		t.Errorf("%s: Plan after apply is not a no-op: it replaces the object (RequiresReplace %q)", name, resp.RequiresReplace)
	}
	if paths := unknownPaths(resp.Planned); len(paths) > 0 {
		t.Errorf("%s: Plan after apply is not a no-op: unknown values at %v", name, paths)
	}
	if !resp.Planned.RawEquals(r.state) {
		t.Errorf("%s: Plan after apply is not a no-op (-state +planned):\n%s", name, diff(r.state, resp.Planned))
	}
}

// verifyImport requires Import to reproduce the state, except for the
// attributes listed in ImportIgnore.
func (r *runner) verifyImport(name string) {
	t := r.t
	t.Helper()
	if r.c.ImportID == nil {
		return
	}
	id := r.c.ImportID(r.state)
	resp := r.res.Import(r.ctx, providers.ImportRequest{ID: id})
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("%s: Import(%q) failed: %s", name, id, diagText(resp.Diagnostics))
	}
	r.mustConform(name, "Import", resp.State)
	if resp.State.IsNull() {
		t.Errorf("%s: Import(%q) returned null for an object that exists", name, id)
		return
	}
	r.mustBeKnown(name, "Import", resp.State)
	imported := r.roundTrip(name, "Import", resp.State)
	want, got := r.state, imported
	if len(r.c.ImportIgnore) > 0 {
		want, got = withoutAttrs(want, r.c.ImportIgnore), withoutAttrs(got, r.c.ImportIgnore)
	}
	if !got.RawEquals(want) {
		t.Errorf("%s: Import(%q) does not reproduce the state (-state +imported); add attributes only configuration can know to ImportIgnore:\n%s", name, id, diff(want, got))
	}
}

// destroy plans and applies the deletion of the object, then requires it
// to be gone.
func (r *runner) destroy(name string) {
	t := r.t
	t.Helper()
	last := r.refresh(name)
	if last.IsNull() {
		t.Errorf("%s: nothing to delete: no object exists (a delete step needs an object made by an earlier step)", name)
		return
	}
	null := cty.NullVal(r.ty)
	resp := r.res.Plan(r.ctx, providers.PlanRequest{Prior: last, Config: null})
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("%s: Plan of the delete failed: %s", name, diagText(resp.Diagnostics))
	}
	r.mustConform(name, "Plan of the delete", resp.Planned)
	if !resp.Planned.IsNull() {
		t.Errorf("%s: Plan with a null configuration must return a null planned state (a delete); got:\n%s", name, diff(null, resp.Planned))
	}
	r.apply(name, last, null, null)
	if !r.c.StateOnly {
		read := r.res.Read(r.ctx, providers.ReadRequest{Prior: last})
		if read.Diagnostics.HasErrors() {
			t.Fatalf("%s: Read after delete failed: %s", name, diagText(read.Diagnostics))
		}
		r.mustConform(name, "Read after delete", read.State)
		if !read.State.IsNull() {
			t.Errorf("%s: Read after delete still finds the object (set Case.StateOnly if it exists only in state):\n%s", name, diff(null, read.State))
		}
	}
	if r.c.Gone != nil {
		r.c.Gone(t, last)
	}
}
