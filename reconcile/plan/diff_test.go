package plan

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// valueComparer makes cmp compare cty values exactly, unknowns included.
var valueComparer = cmp.Comparer(func(a, b cty.Value) bool {
	if a.Type() == cty.NilType || b.Type() == cty.NilType {
		return a.Type() == b.Type()
	}
	return a.RawEquals(b)
})

func obj(attrs map[string]cty.Value) cty.Value { return cty.ObjectVal(attrs) }

var (
	nullStr = cty.NullVal(cty.String)
	unkStr  = cty.UnknownVal(cty.String)
)

func TestDiff(t *testing.T) {
	recKeys := map[string][]string{"records": {"name", "type"}}
	big := records(5000)
	bigChanged := slices.Clone(big)
	bigChanged[4242] = record("www4242", "A", 600, "192.0.2.242")
	bigValues := slices.Clone(big)
	bigValues[17] = record("www17", "A", 300, "192.0.2.99")
	withRecs := func(recs ...cty.Value) cty.Value {
		if len(recs) == 0 {
			return obj(map[string]cty.Value{"records": cty.ListValEmpty(recordType)})
		}
		return obj(map[string]cty.Value{"records": cty.ListVal(recs)})
	}
	lintType := cty.Object(map[string]cty.Type{"pattern": cty.String, "level": cty.String})
	lint := func(p, l string) cty.Value {
		return obj(map[string]cty.Value{"pattern": cty.StringVal(p), "level": cty.StringVal(l)})
	}
	settings := func(mode string, port int64) cty.Value {
		return obj(map[string]cty.Value{"settings": obj(map[string]cty.Value{"mode": cty.StringVal(mode), "port": cty.NumberIntVal(port)})})
	}
	tags := func(kv ...string) cty.Value {
		m := map[string]cty.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = cty.StringVal(kv[i+1])
		}
		return obj(map[string]cty.Value{"tags": cty.MapVal(m)})
	}
	allowSet := func(ss ...string) cty.Value { return obj(map[string]cty.Value{"allow": cty.SetVal(strs(ss...))}) }
	allowList := func(vs ...cty.Value) cty.Value { return obj(map[string]cty.Value{"allow": cty.ListVal(vs)}) }
	file := fileVal("hi", "a.txt", "0644", cty.StringVal("f-1"))

	tests := []struct {
		name string
		c    *Change
		want []AttrDiff
	}{
		{
			name: "no change",
			c:    &Change{Before: file, After: file},
			want: nil,
		},
		{
			name: "both null",
			c:    &Change{Before: cty.NullVal(fileType), After: cty.NullVal(fileType)},
			want: nil,
		},
		{
			name: "create lists non-null attributes, sorted, unknowns kept",
			c: &Change{Before: cty.NullVal(fileType), After: obj(map[string]cty.Value{
				"content": cty.StringVal("hi"), "filename": nullStr, "mode": cty.StringVal("0644"), "id": unkStr,
			})},
			want: []AttrDiff{
				{Path: "content", Action: Create, Before: nullStr, After: cty.StringVal("hi")},
				{Path: "id", Action: Create, Before: nullStr, After: unkStr},
				{Path: "mode", Action: Create, Before: nullStr, After: cty.StringVal("0644")},
			},
		},
		{
			name: "create from the zero value",
			c:    &Change{After: obj(map[string]cty.Value{"a": cty.True})},
			want: []AttrDiff{{Path: "a", Action: Create, Before: cty.NullVal(cty.DynamicPseudoType), After: cty.True}},
		},
		{
			name: "delete",
			c:    &Change{Before: obj(map[string]cty.Value{"a": cty.True, "b": cty.NullVal(cty.Bool)}), After: cty.NullVal(cty.Object(map[string]cty.Type{"a": cty.Bool, "b": cty.Bool}))},
			want: []AttrDiff{{Path: "a", Action: Delete, Before: cty.True, After: cty.NullVal(cty.Bool)}},
		},
		{
			name: "attribute set, changed, cleared; forces replacement",
			c: &Change{
				Before:          obj(map[string]cty.Value{"a": nullStr, "b": cty.StringVal("x"), "c": cty.StringVal("y"), "d": cty.StringVal("same")}),
				After:           obj(map[string]cty.Value{"a": cty.StringVal("new"), "b": cty.StringVal("z"), "c": nullStr, "d": cty.StringVal("same")}),
				RequiresReplace: []string{"b"},
			},
			want: []AttrDiff{
				{Path: "a", Action: Create, Before: nullStr, After: cty.StringVal("new")},
				{Path: "b", Action: Update, Before: cty.StringVal("x"), After: cty.StringVal("z"), ForcesReplace: true},
				{Path: "c", Action: Delete, Before: cty.StringVal("y"), After: nullStr},
			},
		},
		{
			name: "keyed list of 5000, one ttl changed",
			c:    &Change{Before: withRecs(big...), After: withRecs(bigChanged...), Keys: recKeys},
			want: []AttrDiff{{Path: `records[name="www4242",type="A"].ttl`, Action: Update, Before: cty.NumberIntVal(300), After: cty.NumberIntVal(600)}},
		},
		{
			name: "keyed list of 5000, one record's values changed",
			c:    &Change{Before: withRecs(big...), After: withRecs(bigValues...), Keys: recKeys},
			want: []AttrDiff{
				{Path: `records[name="www17",type="A"].values[-]`, Action: Delete, Before: cty.StringVal("192.0.2.17"), After: nullStr},
				{Path: `records[name="www17",type="A"].values[+]`, Action: Create, Before: nullStr, After: cty.StringVal("192.0.2.99")},
			},
		},
		{
			name: "keyed list, reordered, one added, one removed",
			c: &Change{
				Before: withRecs(record("a", "A", 1), record("b", "A", 1), record("b", "TXT", 1)),
				After:  withRecs(record("b", "TXT", 1), record("c", "A", 1), record("a", "A", 1)),
				Keys:   recKeys,
			},
			want: []AttrDiff{
				{Path: `records[name="c",type="A"]`, Action: Create, Before: cty.NullVal(recordType), After: record("c", "A", 1)},
				{Path: `records[name="b",type="A"]`, Action: Delete, Before: record("b", "A", 1), After: cty.NullVal(recordType)},
			},
		},
		{
			name: "keyed list, duplicate keys pair in order",
			c: &Change{
				Before: withRecs(record("a", "A", 1), record("a", "A", 2)),
				After:  withRecs(record("a", "A", 1), record("a", "A", 3)),
				Keys:   recKeys,
			},
			want: []AttrDiff{{Path: `records[name="a",type="A"].ttl`, Action: Update, Before: cty.NumberIntVal(2), After: cty.NumberIntVal(3)}},
		},
		{
			name: "keyed list, element with unknown key is added by index",
			c: &Change{
				Before: withRecs(record("a", "A", 1)),
				After: withRecs(record("a", "A", 1), obj(map[string]cty.Value{
					"name": unkStr, "type": cty.StringVal("A"), "ttl": cty.NumberIntVal(1), "values": cty.ListValEmpty(cty.String),
				})),
				Keys: recKeys,
			},
			want: []AttrDiff{{Path: `records[1]`, Action: Create, Before: cty.NullVal(recordType), After: obj(map[string]cty.Value{
				"name": unkStr, "type": cty.StringVal("A"), "ttl": cty.NumberIntVal(1), "values": cty.ListValEmpty(cty.String),
			})}},
		},
		{
			name: "keyed list emptied",
			c:    &Change{Before: withRecs(record("a", "A", 1)), After: withRecs(), Keys: recKeys},
			want: []AttrDiff{{Path: `records[name="a",type="A"]`, Action: Delete, Before: record("a", "A", 1), After: cty.NullVal(recordType)}},
		},
		{
			name: "set of strings",
			c:    &Change{Before: allowSet("10.0.0.1", "10.0.0.2", "10.0.0.3"), After: allowSet("10.0.0.2", "10.0.0.4", "10.0.0.3")},
			want: []AttrDiff{
				{Path: "allow[-]", Action: Delete, Before: cty.StringVal("10.0.0.1"), After: nullStr},
				{Path: "allow[+]", Action: Create, Before: nullStr, After: cty.StringVal("10.0.0.4")},
			},
		},
		{
			name: "list of strings as a multiset",
			c:    &Change{Before: allowList(strs("a", "a", "b")...), After: allowList(strs("b", "a", "c")...)},
			want: []AttrDiff{
				{Path: "allow[-]", Action: Delete, Before: cty.StringVal("a"), After: nullStr},
				{Path: "allow[+]", Action: Create, Before: nullStr, After: cty.StringVal("c")},
			},
		},
		{
			name: "list of strings reordered",
			c:    &Change{Before: allowList(strs("a", "b")...), After: allowList(strs("b", "a")...)},
			want: []AttrDiff{{Path: "allow", Action: Update, Before: cty.ListVal(strs("a", "b")), After: cty.ListVal(strs("b", "a"))}},
		},
		{
			name: "list of strings gains an unknown element",
			c:    &Change{Before: allowList(strs("a")...), After: allowList(cty.StringVal("a"), unkStr)},
			want: []AttrDiff{{Path: "allow[+]", Action: Create, Before: nullStr, After: unkStr}},
		},
		{
			name: "list becomes unknown",
			c: &Change{
				Before: allowList(strs("a")...),
				After:  obj(map[string]cty.Value{"allow": cty.UnknownVal(cty.List(cty.String))}),
			},
			want: []AttrDiff{{Path: "allow", Action: Update, Before: cty.ListVal(strs("a")), After: cty.UnknownVal(cty.List(cty.String))}},
		},
		{
			name: "whole object unknown",
			c: &Change{
				Before: obj(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.StringVal("y")}),
				After:  cty.UnknownVal(cty.Object(map[string]cty.Type{"a": cty.String, "b": cty.String})),
			},
			want: []AttrDiff{
				{Path: "a", Action: Update, Before: cty.StringVal("x"), After: unkStr},
				{Path: "b", Action: Update, Before: cty.StringVal("y"), After: unkStr},
			},
		},
		{
			name: "nested object",
			c:    &Change{Before: settings("strict", 80), After: settings("lax", 80), RequiresReplace: []string{"settings"}},
			want: []AttrDiff{{Path: "settings.mode", Action: Update, Before: cty.StringVal("strict"), After: cty.StringVal("lax"), ForcesReplace: true}},
		},
		{
			name: "map",
			c:    &Change{Before: tags("env", "prod", "old", "1", "team", "web"), After: tags("env", "dev", "new key", "2", "team", "web")},
			want: []AttrDiff{
				{Path: `tags["env"]`, Action: Update, Before: cty.StringVal("prod"), After: cty.StringVal("dev")},
				{Path: `tags["new key"]`, Action: Create, Before: nullStr, After: cty.StringVal("2")},
				{Path: `tags["old"]`, Action: Delete, Before: cty.StringVal("1"), After: nullStr},
			},
		},
		{
			name: "sensitive map is one diff, not recursed",
			c:    &Change{Before: tags("k", "v1", "j", "v"), After: tags("k", "v2", "j", "v"), Sensitive: []string{"tags"}},
			want: []AttrDiff{{
				Path: "tags", Action: Update, Sensitive: true,
				Before: cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v1"), "j": cty.StringVal("v")}),
				After:  cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v2"), "j": cty.StringVal("v")}),
			}},
		},
		{
			name: "sensitive attribute becoming unknown",
			c: &Change{
				Before:    obj(map[string]cty.Value{"password": cty.StringVal("hunter2")}),
				After:     obj(map[string]cty.Value{"password": unkStr}),
				Sensitive: []string{"password"},
			},
			want: []AttrDiff{{Path: "password", Action: Update, Before: cty.StringVal("hunter2"), After: unkStr, Sensitive: true}},
		},
		{
			name: "list of objects without keys pairs by index",
			c: &Change{
				Before: obj(map[string]cty.Value{"lint": cty.ListVal([]cty.Value{lint("*.php", "error")})}),
				After:  obj(map[string]cty.Value{"lint": cty.ListVal([]cty.Value{lint("*.inc", "error"), lint("*.js", "warn")})}),
			},
			want: []AttrDiff{
				{Path: "lint[0].pattern", Action: Update, Before: cty.StringVal("*.php"), After: cty.StringVal("*.inc")},
				{Path: "lint[1]", Action: Create, Before: cty.NullVal(lintType), After: lint("*.js", "warn")},
			},
		},
		{
			name: "set of objects without keys compares whole elements",
			c: &Change{
				Before: obj(map[string]cty.Value{"lint": cty.SetVal([]cty.Value{lint("a", "error"), lint("b", "warn")})}),
				After:  obj(map[string]cty.Value{"lint": cty.SetVal([]cty.Value{lint("a", "error"), lint("b", "error")})}),
			},
			want: []AttrDiff{
				{Path: "lint[-]", Action: Delete, Before: lint("b", "warn"), After: cty.NullVal(lintType)},
				{Path: "lint[+]", Action: Create, Before: cty.NullVal(lintType), After: lint("b", "error")},
			},
		},
		{
			name: "keys for a name whose elements lack the key attributes are ignored",
			c: &Change{
				Before: obj(map[string]cty.Value{"lint": cty.ListVal([]cty.Value{lint("a", "error")})}),
				After:  obj(map[string]cty.Value{"lint": cty.ListVal([]cty.Value{lint("a", "warn")})}),
				Keys:   map[string][]string{"lint": {"id"}},
			},
			want: []AttrDiff{{Path: "lint[0].level", Action: Update, Before: cty.StringVal("error"), After: cty.StringVal("warn")}},
		},
		{
			name: "dynamic attribute changing type",
			c: &Change{
				Before: obj(map[string]cty.Value{"input": cty.StringVal("1")}),
				After:  obj(map[string]cty.Value{"input": cty.NumberIntVal(1)}),
			},
			want: []AttrDiff{{Path: "input", Action: Update, Before: cty.StringVal("1"), After: cty.NumberIntVal(1)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.c)
			if diff := cmp.Diff(tt.want, got, valueComparer); diff != "" {
				t.Errorf("Diff mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		in   cty.Value
		want string
	}{
		{cty.StringVal("text"), `"text"`},
		{cty.StringVal("a \"q\" \\ b\nc\td"), `"a \"q\" \\ b\nc\td"`},
		{cty.StringVal("${var} %{if} $x %x"), `"$${var} %%{if} $x %x"`},
		{cty.StringVal("bell\a nbsp\u00a0 é ✓"), `"bell\u0007 nbsp\u00a0 é ✓"`},
		{cty.StringVal(""), `""`},
		{cty.NumberIntVal(42), "42"},
		{cty.NumberIntVal(-7), "-7"},
		{cty.NumberFloatVal(1.5), "1.5"},
		{cty.MustParseNumberVal("123456789012345678901234567890"), "123456789012345678901234567890"},
		{cty.True, "true"},
		{cty.False, "false"},
		{cty.NullVal(cty.String), "null"},
		{cty.NilVal, "null"},
		{cty.UnknownVal(cty.String), "(known after apply)"},
		{cty.DynamicVal, "(known after apply)"},
		{cty.ListVal(strs("a", "b")), `["a", "b"]`},
		{cty.ListValEmpty(cty.String), "[]"},
		{cty.SetVal(strs("b", "a")), `["a", "b"]`},
		{cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1), unkStr}), `["a", 1, (known after apply)]`},
		{obj(map[string]cty.Value{"b": cty.NumberIntVal(1), "a": cty.StringVal("x")}), `{ a = "x", b = 1 }`},
		{cty.EmptyObjectVal, "{}"},
		{cty.MapVal(map[string]cty.Value{"env": cty.True, "cost centre": cty.False}), `{ "cost centre" = false, env = true }`},
		{cty.MapValEmpty(cty.String), "{}"},
		{cty.StringVal("marked").Mark("sensitive"), `(sensitive)`},
		{cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b").Mark("sensitive")}), `["a", (sensitive)]`},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.in); got != tt.want {
			t.Errorf("FormatValue(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
