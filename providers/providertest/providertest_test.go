package providertest

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func cfg(name, value string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "value": cty.StringVal(value)})
}

func nameID(state cty.Value) string { return state.GetAttr("name").AsString() }

// fakeCase is the usual sequence: create, update in place, rename
// (replace).
func fakeCase(f *fake) Case {
	return Case{
		Resource: f,
		Steps: []Step{
			{Name: "create", Config: cfg("a", "one")},
			{Name: "update", Config: cfg("a", "two")},
			{Name: "rename", Config: cfg("b", "two"), ExpectReplace: true},
		},
		ImportID: nameID,
		Gone: func(t TB, last cty.Value) {
			t.Helper()
			if len(f.world) != 0 {
				t.Errorf("objects left behind: %v", f.world)
			}
		},
	}
}

func TestRunCorrectResourcePasses(t *testing.T) {
	f := newFake("")
	c := fakeCase(f)
	var planChecks, checks, gone int
	for i := range c.Steps {
		c.Steps[i].PlanCheck = func(TB, cty.Value, cty.Value) { planChecks++ }
		c.Steps[i].Check = func(TB, cty.Value) { checks++ }
	}
	inner := c.Gone
	c.Gone = func(t TB, last cty.Value) { gone++; inner(t, last) }
	rec := runRecorded(c)
	if rec.failed() {
		t.Fatalf("the harness failed a correct resource:\n%s", rec.report())
	}
	if planChecks != 3 || checks != 3 || gone != 1 {
		t.Errorf("hooks called: PlanCheck %d, Check %d, Gone %d; want 3, 3, 1", planChecks, checks, gone)
	}
	if len(f.world) != 0 {
		t.Errorf("the final delete left %v", f.world)
	}
}

func TestRunCatchesBrokenResources(t *testing.T) {
	tests := []struct {
		bug  string
		want string
	}{
		{"replan-unknown", "Plan after apply is not a no-op: unknown values at [id]"},
		{"read-differs", "Read after apply differs from the applied state"},
		{"read-nilval", "returned cty.NilVal"},
		{"no-replace", "expected the plan to replace the object"},
		{"ignores-config", `Plan does not keep the configured value: value is "two" in configuration but "one" in the plan`},
		{"replace-always", "Plan after apply is not a no-op: it replaces the object"},
		{"delete-plan-nonnull", "Plan with a null configuration must return a null planned state"},
		{"delete-keeps", "Apply of a delete returned a non-null state"},
		{"leaks", "Read after delete still finds the object"},
		{"apply-inconsistent", `Apply result differs from what Plan promised: value was planned as "one" but is "onex"`},
		{"apply-unknown", "Apply returned unknown values at [id]"},
		{"wrong-type", "does not conform to Schema().ImpliedType()"},
		{"marked", "carries cty marks at [value]"},
		{"import-differs", "Import(\"a\") does not reproduce the state"},
		{"apply-error", "Apply failed: cannot update"},
	}
	for _, tt := range tests {
		t.Run(tt.bug, func(t *testing.T) {
			rec := runRecorded(fakeCase(newFake(tt.bug)))
			if !rec.failed() {
				t.Fatalf("the harness passed a resource with bug %q", tt.bug)
			}
			if !strings.Contains(rec.errors[0], tt.want) {
				t.Errorf("first error = %q\nwant it to contain %q\n%s", rec.errors[0], tt.want, rec.report())
			}
		})
	}
}

func TestRunCleanupDeletesAfterFailure(t *testing.T) {
	f := newFake("apply-error")
	rec := runRecorded(fakeCase(f))
	if !rec.fatal {
		t.Fatalf("want a fatal failure from the failed update:\n%s", rec.report())
	}
	if len(f.world) != 0 {
		t.Errorf("cleanup left %v after the test stopped early", f.world)
	}
}

func TestRunGoneReportsLeftovers(t *testing.T) {
	f := newFake("leaks")
	rec := runRecorded(fakeCase(f))
	var found bool
	for _, e := range rec.errors {
		found = found || strings.Contains(e, "objects left behind")
	}
	if !found {
		t.Errorf("Gone's complaint is missing:\n%s", rec.report())
	}
}

func TestRunDriftAndDeletionOutsidePlumb(t *testing.T) {
	f := newFake("")
	var refreshed, planned cty.Value
	c := Case{
		Resource: f,
		Steps: []Step{
			{Name: "create", Config: cfg("a", "one"), Check: func(TB, cty.Value) { f.world["a"] = cty.StringVal("changed by hand") }},
			{Name: "repair drift", Config: cfg("a", "one"),
				PlanCheck: func(_ TB, r, p cty.Value) { refreshed, planned = r, p },
				Check:     func(TB, cty.Value) { delete(f.world, "a") }},
			{Name: "recreate", Config: cfg("a", "one")},
			{Name: "delete", Config: cty.NilVal},
			{Name: "create again", Config: cfg("a", "three")},
		},
		ImportID: nameID,
	}
	rec := runRecorded(c)
	if rec.failed() {
		t.Fatalf("harness failed:\n%s", rec.report())
	}
	if got := refreshed.GetAttr("value"); !got.RawEquals(cty.StringVal("changed by hand")) {
		t.Errorf("PlanCheck saw refreshed value %#v, want the drifted one", got)
	}
	if got := planned.GetAttr("value"); !got.RawEquals(cty.StringVal("one")) {
		t.Errorf("PlanCheck saw planned value %#v, want the configured one", got)
	}
	var sawGone bool
	for _, l := range rec.logs {
		sawGone = sawGone || strings.Contains(l, "recreate: Read found the object gone")
	}
	if !sawGone {
		t.Errorf("no log that the object was found gone:\n%s", rec.report())
	}
	if len(f.world) != 0 {
		t.Errorf("left %v", f.world)
	}
}

func TestRunRejectsMisuse(t *testing.T) {
	tests := []struct {
		name string
		c    Case
		want string
	}{
		{"no resource", Case{Steps: []Step{{Config: cfg("a", "b")}}}, "Case.Resource is nil"},
		{"no steps", Case{Resource: newFake("")}, "Case.Steps is empty"},
		{"bad ignore", Case{Resource: newFake(""), Steps: []Step{{Config: cfg("a", "b")}}, ImportIgnore: []string{"nope"}}, `ImportIgnore names "nope"`},
		{"replace on create", Case{Resource: newFake(""), Steps: []Step{{Config: cfg("a", "b"), ExpectReplace: true}}}, "there was no object to replace"},
		{"delete first", Case{Resource: newFake(""), Steps: []Step{{Config: cty.NilVal}}}, "nothing to delete"},
		{"unexpected replace", Case{Resource: newFake(""), Steps: []Step{{Config: cfg("a", "b")}, {Config: cfg("c", "b")}}}, `step 2: the plan replaces the object (RequiresReplace ["name"])`},
		{"bad config", Case{Resource: newFake(""), Steps: []Step{{Config: cty.ObjectVal(map[string]cty.Value{"name": cty.True})}}}, "Step.Config after Schema.Complete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := runRecorded(tt.c)
			if !rec.failed() {
				t.Fatalf("the harness accepted the misuse")
			}
			if !strings.Contains(rec.errors[0], tt.want) {
				t.Errorf("first error = %q\nwant it to contain %q", rec.errors[0], tt.want)
			}
		})
	}
}

func TestImportIgnore(t *testing.T) {
	c := fakeCase(newFake("import-differs"))
	c.ImportIgnore = []string{"value"}
	if rec := runRecorded(c); rec.failed() {
		t.Errorf("ImportIgnore did not ignore the attribute:\n%s", rec.report())
	}
}
