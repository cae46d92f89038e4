package state

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestInstanceValueRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		v    cty.Value
	}{
		{"strings", testAttrs("a", 1)},
		{"numbers and bools", cty.ObjectVal(map[string]cty.Value{
			"n": cty.NumberIntVal(42), "f": cty.NumberFloatVal(1.5), "b": cty.True,
		})},
		{"null attributes", cty.ObjectVal(map[string]cty.Value{
			"s": cty.NullVal(cty.String), "l": cty.NullVal(cty.List(cty.String)),
		})},
		{"collections", cty.ObjectVal(map[string]cty.Value{
			"list": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
			"set":  cty.SetVal([]cty.Value{cty.StringVal("x")}),
			"map":  cty.MapVal(map[string]cty.Value{"k": cty.NumberIntVal(1)}),
			"none": cty.ListValEmpty(cty.String),
		})},
		{"nested records", cty.ObjectVal(map[string]cty.Value{
			"record": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"name": cty.StringVal("www"), "type": cty.StringVal("A"),
				"values": cty.SetVal([]cty.Value{cty.StringVal("192.0.2.1")}),
			})}),
		})},
		{"characters json escapes", cty.ObjectVal(map[string]cty.Value{
			"s": cty.StringVal("<a href=\"x\">&\n\t\u00e9\u2028</a>"),
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst, err := NewInstance("plumb_data.x", "managed", "plumb_data", "x", "plumb", tt.v, []string{"a.b"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := inst.Value(tt.v.Type())
			if err != nil {
				t.Fatal(err)
			}
			if !got.RawEquals(tt.v) {
				t.Errorf("Value = %#v, want %#v", got, tt.v)
			}
			if !slices.Equal(inst.Dependencies, []string{"a.b"}) {
				t.Errorf("Dependencies = %q", inst.Dependencies)
			}
		})
	}
}

func TestInstanceDynamicAttribute(t *testing.T) {
	// A schema with an attribute of any type, like plumb_data's input.
	schema := cty.Object(map[string]cty.Type{"id": cty.String, "input": cty.DynamicPseudoType})
	v := cty.ObjectVal(map[string]cty.Value{
		"id":    cty.StringVal("x"),
		"input": cty.ListVal([]cty.Value{cty.StringVal("a")}),
	})

	inst := &Instance{Addr: "plumb_data.x"}
	if err := inst.SetValue(v, schema); err != nil {
		t.Fatal(err)
	}
	got, err := inst.Value(schema)
	if err != nil {
		t.Fatal(err)
	}
	if !got.RawEquals(v) {
		t.Errorf("SetValue with the schema type: Value = %#v, want %#v", got, v)
	}

	// Encoded with its own type, the dynamic part has no type recorded.
	plain, err := NewInstance("plumb_data.x", "managed", "plumb_data", "x", "plumb", v, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Value(schema); err == nil {
		t.Error("NewInstance then Value(type with a dynamic attribute) succeeded, want an error")
	}
}

func TestInstanceValueErrors(t *testing.T) {
	unknown := cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String)})
	if _, err := NewInstance("a.b", "managed", "a", "b", "p", unknown, nil); err == nil || !strings.Contains(err.Error(), "not wholly known") {
		t.Errorf("NewInstance(unknown) error = %v, want one about unknown values", err)
	}

	marked := cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("s").Mark("sensitive")})
	inst, err := NewInstance("a.b", "managed", "a", "b", "p", marked, nil)
	if err != nil {
		t.Fatalf("NewInstance(marked): %v", err)
	}
	got, err := inst.Value(marked.Type())
	if err != nil {
		t.Fatal(err)
	}
	if got.ContainsMarked() || got.GetAttr("id").AsString() != "s" {
		t.Errorf("Value of a marked value = %#v, want the unmarked value", got)
	}

	empty := &Instance{Addr: "a.b"}
	got, err = empty.Value(testAttrsType)
	if err != nil || !got.IsNull() || !got.Type().Equals(testAttrsType) {
		t.Errorf("Value of no attributes = %#v, %v; want a null of the type", got, err)
	}

	wrong := &Instance{Addr: "a.b", Attributes: []byte(`{"id":"x","gone":"y"}`)}
	if _, err := wrong.Value(testAttrsType); err == nil {
		t.Error("Value with an attribute not in the type succeeded, want an error")
	}
}

func TestOutputRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		v         cty.Value
		sensitive bool
	}{
		{"string", cty.StringVal("hello"), false},
		{"sensitive number", cty.NumberIntVal(7), true},
		{"tuple", cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.True}), false},
		{"map of lists", cty.MapVal(map[string]cty.Value{"ns": cty.ListVal([]cty.Value{cty.StringVal("ns1")})}), false},
		{"null", cty.NullVal(cty.String), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := NewOutput(tt.v, tt.sensitive)
			if err != nil {
				t.Fatal(err)
			}
			if o.Sensitive != tt.sensitive {
				t.Errorf("Sensitive = %v, want %v", o.Sensitive, tt.sensitive)
			}
			got, err := o.Decode()
			if err != nil {
				t.Fatal(err)
			}
			if !got.RawEquals(tt.v) {
				t.Errorf("Decode = %#v, want %#v", got, tt.v)
			}
		})
	}
	if _, err := (&Output{Value: []byte(`"x"`)}).Decode(); err == nil {
		t.Error("Decode of an output without a type succeeded, want an error")
	}
}

func TestNew(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		st := New()
		if st.Version != FormatVersion || st.Serial != 0 || st.Resources == nil || st.Outputs == nil {
			t.Fatalf("New() = %+v", st)
		}
		if !uuid.MatchString(st.Lineage) {
			t.Fatalf("lineage %q is not a version 4 UUID", st.Lineage)
		}
		if seen[st.Lineage] {
			t.Fatalf("lineage %q repeated", st.Lineage)
		}
		seen[st.Lineage] = true
	}
}

func TestDeepCopy(t *testing.T) {
	st := testState(t, 3)
	out, err := NewOutput(cty.StringVal("v"), false)
	if err != nil {
		t.Fatal(err)
	}
	st.Outputs["o"] = out
	before, err := st.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}

	c := st.DeepCopy()
	c.Serial = 9
	c.Resources["plumb_data.r[0]"].Attributes[2] = 'X'
	c.Resources["plumb_data.r[1]"].Dependencies[0] = "changed"
	delete(c.Resources, "plumb_data.r[2]")
	c.Outputs["o"].Value[1] = 'X'
	c.Outputs["p"] = out

	after, err := st.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Errorf("changing the copy changed the original:\n%s\nwant\n%s", after, before)
	}
	if (*State)(nil).DeepCopy() != nil {
		t.Error("DeepCopy of nil is not nil")
	}
}

func TestSortedAddrs(t *testing.T) {
	st := New()
	for _, a := range []string{"b.x", "a.z[1]", "a.z[0]", "a.y"} {
		st.Resources[a] = &Instance{Addr: a}
	}
	want := []string{"a.y", "a.z[0]", "a.z[1]", "b.x"}
	if got := st.SortedAddrs(); !slices.Equal(got, want) {
		t.Errorf("SortedAddrs = %q, want %q", got, want)
	}
}
