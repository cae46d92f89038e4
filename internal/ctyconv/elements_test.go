package ctyconv

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestElementsOf(t *testing.T) {
	obj := cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x")})
	for _, v := range []cty.Value{
		cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b").Mark("m")}),
		cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1), obj, cty.NullVal(cty.Bool), cty.UnknownVal(cty.String)}),
		cty.EmptyTupleVal,
		cty.ListValEmpty(cty.String),
	} {
		elems, ok := ElementsOf(v)
		if !ok || elems.Len() != v.LengthInt() {
			t.Fatalf("%#v: %v %d", v, ok, elems.Len())
		}
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			_, want := it.Element()
			if got := elems.At(i); !got.RawEquals(want) {
				t.Errorf("%#v[%d]: got %#v, want %#v", v, i, got, want)
			}
		}
	}
	for _, v := range []cty.Value{
		cty.SetVal([]cty.Value{cty.StringVal("a")}), cty.MapValEmpty(cty.String), obj, cty.StringVal("s"),
		cty.ListValEmpty(cty.String).Mark("m"), cty.UnknownVal(cty.List(cty.String)), cty.NullVal(cty.List(cty.String)),
	} {
		if _, ok := ElementsOf(v); ok {
			t.Errorf("%#v: ElementsOf accepted it", v)
		}
	}
}

func TestAttrAndBoolOf(t *testing.T) {
	obj := cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "m": cty.True.Mark("s"), "n": cty.NullVal(cty.Number)})
	for _, name := range []string{"a", "m", "n"} {
		got, ok := Attr(obj, name)
		if !ok || !got.RawEquals(obj.GetAttr(name)) {
			t.Errorf("Attr(%s) = %#v, %v", name, got, ok)
		}
	}
	for _, v := range []cty.Value{obj.Mark("s"), cty.UnknownVal(obj.Type()), cty.NullVal(obj.Type()), cty.MapVal(map[string]cty.Value{"a": cty.True})} {
		if _, ok := Attr(v, "a"); ok {
			t.Errorf("Attr(%#v) accepted it", v)
		}
	}
	if _, ok := Attr(obj, "b"); ok {
		t.Error("Attr of a missing attribute")
	}
	for _, name := range []string{"a", "m", "n"} {
		got, ok := AttrBytes(obj, []byte(name))
		if !ok || !got.RawEquals(obj.GetAttr(name)) {
			t.Errorf("AttrBytes(%s) = %#v, %v", name, got, ok)
		}
	}
	if _, ok := AttrBytes(obj, []byte("b")); ok {
		t.Error("AttrBytes of a missing attribute")
	}
	if _, ok := AttrBytes(obj.Mark("s"), []byte("a")); ok {
		t.Error("AttrBytes of a marked object")
	}
	if b, ok := BoolOf(cty.True); !b || !ok {
		t.Error("BoolOf(true)")
	}
	if b, ok := BoolOf(cty.False); b || !ok {
		t.Error("BoolOf(false)")
	}
	for _, v := range []cty.Value{cty.True.Mark("s"), cty.UnknownVal(cty.Bool), cty.NullVal(cty.Bool), cty.StringVal("true")} {
		if _, ok := BoolOf(v); ok {
			t.Errorf("BoolOf(%#v) accepted it", v)
		}
	}
}

func TestListVal(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{"a": cty.String})
	a := ObjectOfType(ty, map[string]cty.Value{"a": cty.StringVal("x")})
	b := cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("y")}) // an equal type, not the same in memory
	for _, vals := range [][]cty.Value{
		{a, a, a},
		{a, b, a},
		{cty.StringVal("a"), cty.StringVal("b")},
		{cty.UnknownVal(cty.String), cty.StringVal("b")},
		{cty.DynamicVal, cty.StringVal("b")},
		{cty.StringVal("b"), cty.DynamicVal},
	} {
		want := cty.ListVal(vals)
		if got := ListVal(vals); !got.RawEquals(want) || !got.Type().Equals(want.Type()) {
			t.Errorf("ListVal(%#v) = %#v, want %#v", vals, got, want)
		}
	}
	if !SameType(ty, ty) || !SameType(ty, b.Type()) || SameType(ty, cty.String) || !SameType(cty.String, cty.String) {
		t.Error("SameType")
	}
}

func TestInt64Of(t *testing.T) {
	big := cty.MustParseNumberVal("123456789012345678901234567890")
	for _, c := range []struct {
		v    cty.Value
		want int64
		ok   bool
	}{
		{cty.NumberIntVal(300), 300, true},
		{cty.NumberIntVal(-7), -7, true},
		{cty.NumberIntVal(0), 0, true},
		{cty.NumberFloatVal(1.5), 0, false},
		{big, 0, false},
		{cty.NumberIntVal(3).Mark("m"), 0, false},
		{cty.NullVal(cty.Number), 0, false},
		{cty.UnknownVal(cty.Number), 0, false},
		{cty.StringVal("3"), 0, false},
	} {
		got, ok := Int64Of(c.v)
		if got != c.want || ok != c.ok {
			t.Errorf("Int64Of(%#v) = %d, %v; want %d, %v", c.v, got, ok, c.want, c.ok)
		}
	}
}
