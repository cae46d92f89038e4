package lang

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestPlumbCollectionFunctions(t *testing.T) {
	runCases(t, ".", []exprCase{
		{expr: `alltrue([true, true])`, want: cty.True},
		{expr: `alltrue([])`, want: cty.True},
		{expr: `alltrue([true, false])`, want: cty.False},
		{expr: `alltrue([var.bool, false])`, want: cty.False},
		{expr: `alltrue([var.bool, true])`, want: cty.UnknownVal(cty.Bool)},
		{expr: `alltrue([null])`, want: cty.False},
		{expr: `alltrue(["true", "false"])`, want: cty.False},
		{expr: `alltrue(["maybe"])`, wantErr: `a bool is required`},
		{expr: `anytrue([false, true])`, want: cty.True},
		{expr: `anytrue([])`, want: cty.False},
		{expr: `anytrue([var.bool, true])`, want: cty.True},
		{expr: `anytrue([var.bool, false])`, want: cty.UnknownVal(cty.Bool)},

		{expr: `coalesce("", null, "b", "c")`, want: cty.StringVal("b")},
		{expr: `coalesce(null, 2)`, want: num(2)},
		{expr: `coalesce(1, "x")`, want: cty.StringVal("1")},
		{expr: `coalesce(null, var.str, "c")`, want: cty.UnknownVal(cty.String)},
		{expr: `coalesce("", null)`, wantErr: "every argument is null or an empty string"},
		{expr: `coalesce({a = 1}, "x")`, wantErr: "convertible to one type"},

		{expr: `index(["a", "b", "c"], "b")`, want: num(1)},
		{expr: `index(["a", 2], 2)`, want: num(1)},
		{expr: `index(var.partial, "x")`, want: num(0)},
		{expr: `index(var.partial, "y")`, want: cty.UnknownVal(cty.Number)},
		{expr: `index(["a"], "z")`, wantErr: "no element equal"},
		{expr: `index({a = 1}, 1)`, wantErr: "index needs a list or tuple"},

		{expr: `length("héllo")`, want: num(5)},
		{expr: `length(["a", "b"])`, want: num(2)},
		{expr: `length({a = 1, b = "x"})`, want: num(2)},
		{expr: `length(tomap({a = 1}))`, want: num(1)},
		{expr: `length(toset(["a", "a", "b"]))`, want: num(2)},
		{expr: `length(var.partial)`, want: num(2)},
		{expr: `length(toset(var.partial))`, want: cty.UnknownVal(cty.Number)},
		{expr: `length(var.list)`, want: cty.UnknownVal(cty.Number)},
		{expr: `length(var.any)`, want: cty.UnknownVal(cty.Number)},
		{expr: `length(5)`, wantErr: "length needs a string, list, set, map, tuple or object, not number"},

		{expr: `one([])`, want: cty.NullVal(cty.DynamicPseudoType)},
		{expr: `one(["a"])`, want: cty.StringVal("a")},
		{expr: `one(tolist([]))`, want: cty.NullVal(cty.DynamicPseudoType)},
		{expr: `one(toset(["a", "a"]))`, want: cty.StringVal("a")},
		{expr: `one(var.list)`, want: cty.UnknownVal(cty.String)},
		{expr: `one(toset(var.partial))`, want: cty.UnknownVal(cty.String)},
		{expr: `one(["a", "b"])`, wantErr: "at most one element, but this tuple has 2"},
		{expr: `one(tolist(["a", "b"]))`, wantErr: "at most one element, but this one has 2"},

		{expr: `sum([1, 2, 3.5])`, want: cty.NumberFloatVal(6.5)},
		{expr: `sum(toset([2, 2, 3]))`, want: num(5)},
		{expr: `sum(["1", 2])`, want: num(3)},
		{expr: `sum([1, var.num])`, want: cty.UnknownVal(cty.Number)},
		{expr: `sum([])`, wantErr: "cannot sum an empty list"},
		{expr: `sum(["a"])`, wantErr: "every element must be a number"},
		{expr: `sum([{}])`, wantErr: "sum needs numbers"},
		{expr: `sum([1, null])`, wantErr: "null elements"},
		{expr: `sum(5)`, wantErr: "sum needs a list, set or tuple of numbers"},
	})
}
