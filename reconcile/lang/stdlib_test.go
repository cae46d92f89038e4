package lang

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestNumberFunctions(t *testing.T) {
	runCases(t, ".", []exprCase{
		{expr: `abs(-3)`, want: num(3)},
		{expr: `ceil(1.2)`, want: num(2)},
		{expr: `floor(1.8)`, want: num(1)},
		{expr: `log(8, 2)`, want: num(3)},
		{expr: `max(3, 9, 4)`, want: num(9)},
		{expr: `min(3, 9, 4)`, want: num(3)},
		{expr: `pow(2, 10)`, want: num(1024)},
		{expr: `signum(-7)`, want: num(-1)},
		{expr: `parseint("ff", 16)`, want: num(255)},
		{expr: `parseint("zz", 10)`, wantErr: "cannot parse"},
		{expr: `max(1, var.num)`, want: cty.UnknownVal(cty.Number)},
	})
}

func TestStringFunctions(t *testing.T) {
	runCases(t, ".", []exprCase{
		{expr: `chomp("a\n\n")`, want: cty.StringVal("a")},
		{expr: `format("%s-%03d", "web", 7)`, want: cty.StringVal("web-007")},
		{expr: `formatlist("%s.example.org", ["a", "b"])`, want: strs("a.example.org", "b.example.org")},
		{expr: `indent(2, "a\nb")`, want: cty.StringVal("a\n  b")},
		{expr: `join(",", ["a", "b"])`, want: cty.StringVal("a,b")},
		{expr: `lower("ABC")`, want: cty.StringVal("abc")},
		{expr: `upper("abc")`, want: cty.StringVal("ABC")},
		{expr: `regex("[0-9]+", "ab123")`, want: cty.StringVal("123")},
		{expr: `regexall("[0-9]", "a1b2")`, want: strs("1", "2")},
		{expr: `split(".", "www.example.org")`, want: strs("www", "example", "org")},
		{expr: `strrev("abc")`, want: cty.StringVal("cba")},
		{expr: `substr("hello", 1, 3)`, want: cty.StringVal("ell")},
		{expr: `title("hello world")`, want: cty.StringVal("Hello World")},
		{expr: `trim("--a--", "-")`, want: cty.StringVal("a")},
		{expr: `trimprefix("www.example.org", "www.")`, want: cty.StringVal("example.org")},
		{expr: `trimsuffix("example.org.", ".")`, want: cty.StringVal("example.org")},
		{expr: `trimspace("  a  ")`, want: cty.StringVal("a")},
		{expr: `upper(var.str)`, want: cty.UnknownVal(cty.String)},
		{expr: `join(",", var.partial)`, want: cty.UnknownVal(cty.String)},
		{expr: `regex("(", "a")`, wantErr: "invalid regexp pattern"},
	})
}

func TestCollectionFunctions(t *testing.T) {
	runCases(t, ".", []exprCase{
		{expr: `chunklist(["a", "b", "c"], 2)`, want: cty.ListVal([]cty.Value{strs("a", "b"), strs("c")})},
		{expr: `coalescelist([], ["a"])`, want: cty.TupleVal([]cty.Value{cty.StringVal("a")})},
		{expr: `compact(["a", "", "b"])`, want: strs("a", "b")},
		{expr: `concat(["a"], ["b"])`, want: cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		{expr: `contains(["a", "b"], "b")`, want: cty.True},
		{expr: `distinct(["a", "b", "a"])`, want: strs("a", "b")},
		{expr: `element(["a", "b"], 3)`, want: cty.StringVal("b")},
		{expr: `flatten([["a"], ["b", ["c"]]])`, want: cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b"), cty.StringVal("c")})},
		{expr: `keys({b = 1, a = 2})`, want: cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		{expr: `lookup({a = "x"}, "b", "def")`, want: cty.StringVal("def")},
		{expr: `merge({a = 1}, {b = 2})`, want: cty.ObjectVal(map[string]cty.Value{"a": num(1), "b": num(2)})},
		{expr: `range(3)`, want: cty.ListVal([]cty.Value{num(0), num(1), num(2)})},
		{expr: `reverse(["a", "b"])`, want: cty.TupleVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")})},
		{expr: `setintersection(["a", "b"], ["b", "c"])`, want: strSet("b")},
		{expr: `length(setproduct(["a", "b"], ["1", "2"]))`, want: num(4)},
		{expr: `setsubtract(["a", "b"], ["b"])`, want: strSet("a")},
		{expr: `setunion(["a"], ["b"])`, want: strSet("a", "b")},
		{expr: `slice(["a", "b", "c"], 1, 3)`, want: cty.TupleVal([]cty.Value{cty.StringVal("b"), cty.StringVal("c")})},
		{expr: `sort(["b", "a"])`, want: strs("a", "b")},
		{expr: `values({b = "2", a = "1"})`, want: cty.TupleVal([]cty.Value{cty.StringVal("1"), cty.StringVal("2")})},
		{expr: `zipmap(["a", "b"], [1, 2])`, want: cty.ObjectVal(map[string]cty.Value{"a": num(1), "b": num(2)})},
		{expr: `keys(var.map)`, want: cty.UnknownVal(cty.List(cty.String))},
		{expr: `contains(var.partial, "y")`, want: cty.UnknownVal(cty.Bool)},
		{expr: `slice(["a"], 0, 5)`, wantErr: "end index"},
	})
}

func TestConversionFunctions(t *testing.T) {
	runCases(t, ".", []exprCase{
		{expr: `tostring(5)`, want: cty.StringVal("5")},
		{expr: `tonumber("5")`, want: num(5)},
		{expr: `tobool("true")`, want: cty.True},
		{expr: `tolist(["a", "b"])`, want: strs("a", "b")},
		{expr: `toset(["a", "a"])`, want: strSet("a")},
		{expr: `tomap({a = "x"})`, want: cty.MapVal(map[string]cty.Value{"a": cty.StringVal("x")})},
		{expr: `tostring(null)`, want: cty.NullVal(cty.String)},
		{expr: `tonumber("five")`, wantErr: `cannot convert "five" to number`},
		{expr: `tobool(var.any)`, want: cty.UnknownVal(cty.Bool)},
	})
}

func TestDateAndEncodingFunctions(t *testing.T) {
	runCases(t, ".", []exprCase{
		{expr: `formatdate("YYYY-MM-DD", "2024-03-05T10:00:00Z")`, want: cty.StringVal("2024-03-05")},
		{expr: `timeadd("2024-03-05T10:00:00Z", "36h")`, want: cty.StringVal("2024-03-06T22:00:00Z")},
		{expr: `csvdecode("name,ttl\nwww,300\n")`, want: cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"name": cty.StringVal("www"), "ttl": cty.StringVal("300"),
		})})},
		{expr: `jsondecode("{\"a\": [1, true]}")`, want: cty.ObjectVal(map[string]cty.Value{
			"a": cty.TupleVal([]cty.Value{num(1), cty.True}),
		})},
		{expr: `jsonencode({a = ["x"]})`, want: cty.StringVal(`{"a":["x"]}`)},
		{expr: `jsondecode("{")`, wantErr: "EOF"},
		{expr: `timeadd("yesterday", "1h")`, wantErr: "yesterday"},
	})
}

func TestTryAndCan(t *testing.T) {
	runCases(t, ".", []exprCase{
		{expr: `try(tonumber("x"), 7)`, want: num(7)},
		{expr: `try(var.a, "fallback")`, want: cty.StringVal("web")},
		{expr: `can(tonumber("x"))`, want: cty.False},
		{expr: `can(regex("^w", var.a))`, want: cty.True},
		{expr: `can(var.str)`, want: cty.UnknownVal(cty.Bool)},
		{expr: `try(tonumber("x"), tonumber("y"))`, wantErr: "no expression succeeded"},
	})
}
