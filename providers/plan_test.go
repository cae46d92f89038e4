package providers

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestJoinFirst(t *testing.T) {
	lines := []string{"a", "b", "c", "d"}
	cases := []struct {
		shown int
		hint  string
		want  string
	}{
		{4, "", "a\nb\nc\nd"},
		{10, " (see below)", "a\nb\nc\nd"},
		{3, "", "a\nb\nc\n… and 1 more"},
		{2, " (see withheld in the plan)", "a\nb\n… and 2 more (see withheld in the plan)"},
	}
	for _, c := range cases {
		if got := JoinFirst(lines, c.shown, c.hint); got != c.want {
			t.Errorf("JoinFirst(%d lines, %d, %q) = %q, want %q", len(lines), c.shown, c.hint, got, c.want)
		}
	}
	if got := JoinFirst(nil, 10, ""); got != "" {
		t.Errorf("JoinFirst(nil) = %q, want empty", got)
	}
}

func TestStringMap(t *testing.T) {
	m := map[string]string{"owner": "ops", "env": "prod"}
	v := StringMapVal(m)
	if got := StringMap(v); len(got) != 2 || got["owner"] != "ops" || got["env"] != "prod" {
		t.Errorf("StringMap(StringMapVal(%v)) = %v", m, got)
	}
	if v := StringMapVal(nil); v.IsNull() || !v.Type().Equals(cty.Map(cty.String)) || v.LengthInt() != 0 {
		t.Errorf("StringMapVal(nil) = %#v, want an empty map of strings", v)
	}
	for _, v := range []cty.Value{cty.NullVal(cty.Map(cty.String)), cty.UnknownVal(cty.Map(cty.String))} {
		if got := StringMap(v); got == nil || len(got) != 0 {
			t.Errorf("StringMap(%#v) = %#v, want an empty map", v, got)
		}
	}
	withNull := cty.MapVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.NullVal(cty.String)})
	if got := StringMap(withNull); len(got) != 1 || got["a"] != "x" {
		t.Errorf("StringMap with a null value = %v, want only a", got)
	}
}
