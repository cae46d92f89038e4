package ctyconv

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestObjectOfType(t *testing.T) {
	if !valueLayoutOK {
		t.Fatal("cty.Value is no longer laid out as {ty cty.Type; v any}: ObjectOfType falls back to cty.ObjectVal; update it")
	}
	attrs := map[string]cty.Value{
		"name": cty.StringVal("a.example."), "type": cty.StringVal("A"), "ttl": cty.NumberIntVal(300),
		"values": cty.ListVal([]cty.Value{cty.StringVal("192.0.2.1")}),
	}
	want := cty.ObjectVal(attrs)
	got := ObjectOfType(record, attrs)
	if !got.RawEquals(want) || !got.Type().Equals(record) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
	attrs["name"] = cty.StringVal("changed")
	if got.GetAttr("name").AsString() != "a.example." {
		t.Errorf("the value keeps the map it was given")
	}
	list := cty.ListVal([]cty.Value{got, want})
	if list.LengthInt() != 2 || !list.Index(cty.NumberIntVal(0)).RawEquals(want) {
		t.Errorf("the value does not mix with cty.ObjectVal's in a list")
	}
}
