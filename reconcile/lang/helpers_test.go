package lang

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// exprCase is one expression and what evaluating it must give: a value, or
// an error whose text contains wantErr. A wholly unknown want means "some
// unknown value of this type" (cty.DynamicVal: of any type).
type exprCase struct {
	expr    string
	want    cty.Value
	wantErr string
}

// testVars are the variables every test expression can refer to.
func testVars() map[string]cty.Value {
	return map[string]cty.Value{
		"var": cty.ObjectVal(map[string]cty.Value{
			"a":       cty.StringVal("web"),
			"n":       cty.NumberIntVal(5),
			"str":     cty.UnknownVal(cty.String),
			"num":     cty.UnknownVal(cty.Number),
			"bool":    cty.UnknownVal(cty.Bool),
			"list":    cty.UnknownVal(cty.List(cty.String)),
			"map":     cty.UnknownVal(cty.Map(cty.String)),
			"any":     cty.DynamicVal,
			"secret":  cty.StringVal("hunter2").Mark("sensitive"),
			"partial": cty.ListVal([]cty.Value{cty.StringVal("x"), cty.UnknownVal(cty.String)}),
		}),
		"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(3)}),
	}
}

// evalExpr parses and evaluates src with funcs and testVars.
func evalExpr(t *testing.T, funcs map[string]function.Function, src string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parsing %s: %s", src, diags.Error())
	}
	return expr.Value(&hcl.EvalContext{Variables: testVars(), Functions: funcs})
}

// runCases evaluates each case with the function table of baseDir.
func runCases(t *testing.T, baseDir string, cases []exprCase) {
	t.Helper()
	funcs := Functions(baseDir)
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			got, diags := evalExpr(t, funcs, tc.expr)
			checkResult(t, got, diags, tc)
		})
	}
}

// checkResult compares one evaluation against its case.
func checkResult(t *testing.T, got cty.Value, diags hcl.Diagnostics, tc exprCase) {
	t.Helper()
	if tc.wantErr != "" {
		if !diags.HasErrors() {
			t.Fatalf("%s = %#v, want an error containing %q", tc.expr, got, tc.wantErr)
		}
		if msg := diags.Error(); !strings.Contains(msg, tc.wantErr) {
			t.Fatalf("%s: error %q does not contain %q", tc.expr, msg, tc.wantErr)
		}
		return
	}
	if diags.HasErrors() {
		t.Fatalf("%s: unexpected error: %s", tc.expr, diags.Error())
	}
	if !tc.want.IsKnown() {
		if got.IsKnown() {
			t.Fatalf("%s = %#v, want an unknown value", tc.expr, got)
		}
		if tc.want.Type() != cty.DynamicPseudoType && !got.Type().Equals(tc.want.Type()) {
			t.Fatalf("%s is unknown of type %s, want type %s", tc.expr, got.Type().FriendlyName(), tc.want.Type().FriendlyName())
		}
		return
	}
	if !got.RawEquals(tc.want) {
		t.Fatalf("%s = %#v, want %#v", tc.expr, got, tc.want)
	}
}

// strs builds a list of strings.
func strs(ss ...string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

// strSet builds a set of strings.
func strSet(ss ...string) cty.Value {
	if len(ss) == 0 {
		return cty.SetValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.SetVal(vals)
}

// num is a shorthand for a whole number.
func num(n int64) cty.Value { return cty.NumberIntVal(n) }
