package forexpr

import (
	"fmt"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

func rec(name, typ string, ttl int64, flag cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"name":   cty.StringVal(name),
		"type":   cty.StringVal(typ),
		"ttl":    cty.NumberIntVal(ttl),
		"flag":   flag,
		"nested": cty.ObjectVal(map[string]cty.Value{"x": cty.NumberIntVal(ttl % 2)}),
	})
}

var collections = map[string]cty.Value{
	"list": cty.ListVal([]cty.Value{
		rec("a", "SOA", 300, cty.True), rec("b", "A", 300, cty.False), rec("c", "AAAA", 61, cty.True),
	}),
	"tuple": cty.TupleVal([]cty.Value{
		rec("a", "A", 300, cty.True), cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("x")}), cty.StringVal("s"),
	}),
	"tuple-ok": cty.TupleVal([]cty.Value{
		rec("a", "A", 300, cty.True), rec("b", "NS", 3600, cty.False),
	}),
	"null-flag":     cty.ListVal([]cty.Value{rec("a", "A", 300, cty.NullVal(cty.Bool))}),
	"unknown-flag":  cty.ListVal([]cty.Value{rec("a", "A", 300, cty.UnknownVal(cty.Bool))}),
	"marked-flag":   cty.ListVal([]cty.Value{rec("a", "A", 300, cty.True.Mark("sensitive")), rec("b", "A", 300, cty.False.Mark("sensitive"))}),
	"marked-elem":   cty.ListVal([]cty.Value{rec("a", "A", 300, cty.True).Mark("sensitive")}),
	"marked-list":   cty.ListVal([]cty.Value{rec("a", "A", 300, cty.True)}).Mark("sensitive"),
	"null-elem":     cty.ListVal([]cty.Value{rec("a", "A", 300, cty.True), cty.NullVal(rec("a", "A", 1, cty.True).Type())}),
	"unknown-elem":  cty.ListVal([]cty.Value{rec("a", "A", 300, cty.True), cty.UnknownVal(rec("a", "A", 1, cty.True).Type())}),
	"unknown":       cty.UnknownVal(cty.List(rec("a", "A", 1, cty.True).Type())),
	"dynamic":       cty.DynamicVal,
	"null":          cty.NullVal(cty.List(cty.String)),
	"empty":         cty.ListValEmpty(rec("a", "A", 1, cty.True).Type()),
	"empty-tuple":   cty.EmptyTupleVal,
	"set":           cty.SetVal([]cty.Value{rec("a", "A", 300, cty.True), rec("b", "A", 1, cty.False)}),
	"map":           cty.MapVal(map[string]cty.Value{"k": rec("a", "A", 300, cty.True)}),
	"strings":       cty.ListVal([]cty.Value{cty.StringVal("true"), cty.StringVal("x")}),
	"bools":         cty.ListVal([]cty.Value{cty.True, cty.False}),
	"number":        cty.NumberIntVal(3),
	"marked-nested": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a"), "type": cty.StringVal("A").Mark("s"), "ttl": cty.NumberIntVal(1), "flag": cty.True, "nested": cty.ObjectVal(map[string]cty.Value{"x": cty.NumberIntVal(1)})})}),
}

var expressions = []string{
	`[for r in coll : r]`,
	`[for r in coll : r if r.type != "SOA"]`,
	`[for r in coll : r if r.type == "A" && r.ttl == 300]`,
	`[for r in coll : r.name if !(r.type == "A") || r.flag]`,
	`[for r in coll : r if r.flag]`,
	`[for r in coll : r if !r.flag]`,
	`[for i, r in coll : r if i == 1]`,
	`[for i, r in coll : i]`,
	`[for i, r in coll : i if r.flag]`,
	`[for r in coll : var.x if r.flag]`,
	`[for r in coll : r if var.flag]`,
	`[for r in coll : r if var.flag && r.type == var.x]`,
	`[for r in coll : r if r.missing == 1]`,
	`[for r in coll : r if r.name]`,
	`[for r in coll : r if r]`,
	`[for r in coll : r if r.flag && "true"]`,
	`[for r in coll : r if r.flag && var.x]`,
	`[for r in coll : r if null]`,
	`[for r in coll : r if true]`,
	`[for r in coll : r if "true"]`,
	`[for r in coll : {n = r.name} if r.flag]`,
	`[for r in coll : upper(r.name) if r.flag]`,
	`[for r in coll : upper(r) if r.flag]`,
	`[for r in coll : r if r.nested.x == 1]`,
	`[for r in coll : r if r.nested == var.obj]`,
	`[for r in coll : r if r == var.obj]`,
	`[for r, r in coll : r]`,
	`[for r in coll : r if r.flag == var.unknown]`,
	`[for r in coll : r if r.flag || r.missing]`,
	`[for r in coll : r if r.flag == null]`,
	`[for r in coll : r if r.type != var.marked]`,
	`[for r in coll : r if r.ttl == "300"]`,
	`[for r in coll : r if nope.x == 1]`,
	`[for r in coll : r if r.name == "${"a"}"]`,
	`[for r in coll : r if r.name == "${var.x}"]`,
	`[for r in coll : r.nested.x if r.flag]`,
	`[for r in coll : r.missing]`,
	`[for r in coll : r.name]`,
	`{for r in coll : r.name => r}`,
	`[for r in coll : r if r.type < 3]`,
}

func TestAgreesWithHCL(t *testing.T) {
	vars := map[string]cty.Value{
		"x":       cty.StringVal("A"),
		"flag":    cty.True,
		"unknown": cty.UnknownVal(cty.Bool),
		"marked":  cty.StringVal("SOA").Mark("sensitive"),
		"obj":     cty.ObjectVal(map[string]cty.Value{"x": cty.NumberIntVal(0)}),
	}
	fast := 0
	for _, src := range expressions {
		e, diags := hclsyntax.ParseExpression([]byte(src), "t.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", src, diags)
		}
		w, wrapped := Wrap(e)
		for name, coll := range collections {
			ctx := &hcl.EvalContext{
				Variables: map[string]cty.Value{"coll": coll, "var": cty.ObjectVal(vars)},
				Functions: map[string]function.Function{"upper": stdlib.UpperFunc},
			}
			want, wantDiags := e.Value(ctx)
			before := fastEvals.Load()
			got, gotDiags := w.Value(ctx)
			if fastEvals.Load() > before {
				fast++
			}
			if !want.RawEquals(got) {
				t.Errorf("%s over %s:\n got %#v\nwant %#v", src, name, got, want)
			}
			if d, w := describe(gotDiags), describe(wantDiags); d != w {
				t.Errorf("%s over %s: diagnostics\n got %s\nwant %s", src, name, d, w)
			}
		}
		if !wrapped && !isUnsupported(src) {
			t.Errorf("%s: not evaluated by this package", src)
		}
	}
	if fast < 40 {
		t.Errorf("only %d evaluations took the fast path", fast)
	}
}

// isUnsupported lists the expressions Wrap leaves to HCL altogether.
func isUnsupported(src string) bool {
	switch src {
	case `{for r in coll : r.name => r}`, `[for r in coll : r if r.type < 3]`, `[for r in coll : r if r.name == "${var.x}"]`, `[for r in coll : r if r.name == "${"a"}"]`:
		return true
	}
	return false
}

func describe(diags hcl.Diagnostics) string {
	s := ""
	for _, d := range diags {
		s += fmt.Sprintf("[%d %s: %s @%v]", d.Severity, d.Summary, d.Detail, d.Subject)
	}
	return s
}

// A long list of one element type, as zonefile() makes, takes the fast
// path and keeps every element the condition lets through.
func TestLongListTakesTheFastPath(t *testing.T) {
	n := 20_000
	elems := make([]cty.Value, n)
	for i := range elems {
		typ := "A"
		if i%100 == 0 {
			typ = "SOA"
		}
		elems[i] = rec(fmt.Sprint(i), typ, 300, cty.True)
	}
	e, _ := hclsyntax.ParseExpression([]byte(`[for r in coll : r if r.type != "SOA"]`), "t.hcl", hcl.InitialPos)
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"coll": cty.ListVal(elems)}}
	w, _ := Wrap(e)
	before := fastEvals.Load()
	v, diags := w.Value(ctx)
	if diags.HasErrors() || v.LengthInt() != n-n/100 {
		t.Fatalf("%d elements, %s", v.LengthInt(), diags)
	}
	if fastEvals.Load() != before+1 {
		t.Error("HCL evaluated the for-expression, not the fast path")
	}
	if got := v.Index(cty.NumberIntVal(0)); !got.RawEquals(elems[1]) {
		t.Errorf("first element %#v, want %#v", got, elems[1])
	}
}

func BenchmarkForExpression(b *testing.B) {
	n := 100_000
	elems := make([]cty.Value, n)
	for i := range elems {
		elems[i] = rec(fmt.Sprint(i), "A", 300, cty.True)
	}
	e, _ := hclsyntax.ParseExpression([]byte(`[for r in coll : r if r.type != "SOA"]`), "t.hcl", hcl.InitialPos)
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"coll": cty.ListVal(elems)}}
	for _, c := range []struct {
		name string
		e    hcl.Expression
	}{{"hcl", e}, {"forexpr", wrap(e)}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.e.Value(ctx)
			}
		})
	}
}

func wrap(e hcl.Expression) hcl.Expression {
	w, _ := Wrap(e)
	return w
}
