package providertest

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// dynResource has a single dynamic attribute, for checks of values that
// only dynamic attributes can hold.
type dynResource struct{ fake }

func (dynResource) Schema() providers.Schema {
	return providers.Schema{Attributes: map[string]*providers.Attribute{
		"v": {Type: cty.DynamicPseudoType, Optional: true},
	}}
}

// within runs f against a fresh runner for res whose failures go to a
// recorder, and returns the recorder.
func within(res providers.Resource, f func(r *runner)) *recorder {
	rec := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(newRunner(rec, Case{Resource: res}))
	}()
	<-done
	return rec
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		v       cty.Value
		wantErr string
	}{
		{"string", cty.StringVal("x"), ""},
		{"typed null", cty.NullVal(cty.List(cty.String)), ""},
		{"nested", cty.ObjectVal(map[string]cty.Value{"a": cty.TupleVal([]cty.Value{cty.NumberFloatVal(0.1), cty.True})}), ""},
		{"infinity", cty.PositiveInfinity, "cannot be stored in state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := cty.ObjectVal(map[string]cty.Value{"v": tt.v})
			var back cty.Value
			rec := within(&dynResource{}, func(r *runner) { back = r.roundTrip("step", "Apply", obj) })
			if tt.wantErr == "" {
				if rec.failed() {
					t.Fatalf("round trip failed:\n%s", rec.report())
				}
				if !back.RawEquals(obj) {
					t.Errorf("round trip gave %#v, want %#v", back, obj)
				}
				return
			}
			if !rec.failed() || !strings.Contains(rec.errors[0], tt.wantErr) {
				t.Errorf("errors %q, want one containing %q", rec.errors, tt.wantErr)
			}
		})
	}
}

func TestMustConform(t *testing.T) {
	tests := []struct {
		name    string
		v       cty.Value
		wantErr string
	}{
		{"object", cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a"), "value": cty.NullVal(cty.String), "id": cty.UnknownVal(cty.String)}), ""},
		{"null", cty.NullVal(fakeSchema.ImpliedType()), ""},
		{"nil", cty.NilVal, "returned cty.NilVal"},
		{"extra attribute", cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a"), "value": cty.NullVal(cty.String), "id": cty.NullVal(cty.String), "x": cty.True}), `unsupported attribute "x"`},
		{"wrong attribute type", cty.ObjectVal(map[string]cty.Value{"name": cty.True, "value": cty.NullVal(cty.String), "id": cty.NullVal(cty.String)}), "name: string required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := within(newFake(""), func(r *runner) { r.mustConform("step", "Read", tt.v) })
			if tt.wantErr == "" {
				if rec.failed() {
					t.Errorf("a conforming value failed:\n%s", rec.report())
				}
				return
			}
			if !rec.failed() || !strings.Contains(rec.errors[0], tt.wantErr) {
				t.Errorf("errors %q, want one containing %q", rec.errors, tt.wantErr)
			}
		})
	}
}

func TestFormatPath(t *testing.T) {
	tests := []struct {
		path cty.Path
		want string
	}{
		{nil, "(the whole object)"},
		{cty.GetAttrPath("a"), "a"},
		{cty.GetAttrPath("records").IndexInt(3).GetAttr("name"), "records[3].name"},
		{cty.GetAttrPath("tags").IndexString("env"), `tags["env"]`},
	}
	for _, tt := range tests {
		if got := formatPath(tt.path); got != tt.want {
			t.Errorf("formatPath(%#v) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestDiff(t *testing.T) {
	list := cty.ListVal([]cty.Value{cty.StringVal("a")})
	tuple := cty.TupleVal([]cty.Value{cty.StringVal("a")})
	tests := []struct {
		name      string
		a, b      cty.Value
		wantParts []string
	}{
		{"changed attribute", cty.ObjectVal(map[string]cty.Value{"x": cty.StringVal("old")}), cty.ObjectVal(map[string]cty.Value{"x": cty.StringVal("new")}), []string{`-`, `"old"`, `+`, `"new"`}},
		{"number against string", cty.NumberIntVal(1), cty.StringVal("1"), []string{`number("1")`, `string("1")`}},
		{"unknown", cty.StringVal("a"), cty.UnknownVal(cty.String), []string{"known after apply: string"}},
		{"type only", list, tuple, []string{"differ in type", "cty.List(cty.String)", "cty.Tuple"}},
		{"null types", cty.NullVal(cty.String), cty.NullVal(cty.Number), []string{`Type: "string"`, `Type: "number"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := diff(tt.a, tt.b)
			for _, p := range tt.wantParts {
				if !strings.Contains(d, p) {
					t.Errorf("diff lacks %q:\n%s", p, d)
				}
			}
		})
	}
}

func TestStateOnlySkipsReadAfterDelete(t *testing.T) {
	c := fakeCase(newFake("leaks"))
	c.StateOnly = true
	c.Gone = nil
	if rec := runRecorded(c); rec.failed() {
		t.Errorf("StateOnly still checked Read after delete:\n%s", rec.report())
	}
}
