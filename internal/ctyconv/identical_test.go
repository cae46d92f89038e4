package ctyconv

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestIdentical(t *testing.T) {
	obj := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a"), "values": cty.ListVal([]cty.Value{cty.StringVal("x")})})
	same := obj
	rebuilt := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a"), "values": cty.ListVal([]cty.Value{cty.StringVal("x")})})
	list := cty.ListVal([]cty.Value{obj})
	for _, tt := range []struct {
		name string
		a, b cty.Value
		want bool
	}{
		{"copied object", obj, same, true},
		{"copied list", list, list, true},
		{"copied element", obj.GetAttr("values"), same.GetAttr("values"), true},
		{"rebuilt object", obj, rebuilt, false},
		{"different objects", obj, cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("b")}), false},
		{"strings", cty.StringVal("a"), cty.StringVal("a"), false},
		{"marked", obj.Mark("s"), obj.Mark("s"), false},
		{"unknown", cty.UnknownVal(obj.Type()), cty.UnknownVal(obj.Type()), false},
		{"empty lists", cty.ListValEmpty(cty.String), cty.ListValEmpty(cty.String), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Identical(tt.a, tt.b); got != tt.want {
				t.Errorf("Identical = %v, want %v", got, tt.want)
			}
			if tt.want && !tt.a.RawEquals(tt.b) {
				t.Errorf("identical values are not RawEquals")
			}
		})
	}
	// If cty's representation changed, Identical would say false for
	// every value; a copied object must be found identical.
	if _, ok := representation(obj); !ok {
		t.Fatal("cty.Value no longer holds its data in the field v: update representation")
	}
}

func TestContainsMarked(t *testing.T) {
	deep := cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.ListVal([]cty.Value{cty.StringVal("s").Mark("sensitive")})})})
	for _, v := range []cty.Value{
		cty.StringVal("x"), cty.StringVal("x").Mark("m"), deep, cty.ListVal([]cty.Value{cty.StringVal("x")}),
		cty.MapVal(map[string]cty.Value{"k": cty.NumberIntVal(1).Mark("m")}), cty.TupleVal([]cty.Value{cty.True}),
		cty.SetVal([]cty.Value{cty.StringVal("x").Mark("m")}), cty.NullVal(cty.String), cty.UnknownVal(cty.String).Mark("m"),
		cty.TupleVal([]cty.Value{cty.True, cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.False.Mark("m")})}),
		cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.NumberIntVal(1)}), cty.EmptyObjectVal,
		cty.ListVal([]cty.Value{cty.StringVal("x"), cty.UnknownVal(cty.String).Mark("m")}),
	} {
		if got, want := ContainsMarked(v), v.ContainsMarked(); got != want {
			t.Errorf("%#v: got %v, want %v", v, got, want)
		}
	}
}

func TestIsWhollyKnown(t *testing.T) {
	for _, v := range []cty.Value{
		cty.StringVal("x"), cty.UnknownVal(cty.String), cty.DynamicVal, cty.NullVal(cty.String),
		cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.UnknownVal(cty.Number)})}),
		cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.NumberIntVal(1)})}),
		cty.MapVal(map[string]cty.Value{"k": cty.UnknownVal(cty.String)}), cty.TupleVal([]cty.Value{cty.True}),
		cty.UnknownVal(cty.String).Mark("m"), cty.ListVal([]cty.Value{cty.StringVal("a").Mark("m")}),
		cty.TupleVal([]cty.Value{cty.True, cty.ObjectVal(map[string]cty.Value{"a": cty.UnknownVal(cty.Bool).Mark("m")})}),
		cty.SetVal([]cty.Value{cty.StringVal("x"), cty.UnknownVal(cty.String)}), cty.EmptyTupleVal,
		cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x")}).Mark("m")}),
	} {
		if got, want := IsWhollyKnown(v), v.IsWhollyKnown(); got != want {
			t.Errorf("%#v: got %v, want %v", v, got, want)
		}
	}
}
