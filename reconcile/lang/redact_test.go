package lang

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// TestFunctionErrorsHideSensitiveArguments calls functions that reject
// their argument with a sensitive one: the call still fails, and the
// message says (sensitive) where it would have shown the value. The same
// calls with a plain value still show it, so messages stay useful.
func TestFunctionErrorsHideSensitiveArguments(t *testing.T) {
	const secret = "CANARY-{(x9"
	funcs := Functions(t.TempDir())
	cases := []string{
		`cidrhost(var.pw, 1)`,
		`cidrsubnet(var.pw, 8, 1)`,
		`file(var.pw)`,
		`filebase64(var.pw)`,
		`templatefile(var.pw, {})`,
		`zonefile(var.pw, "example.org")`,
		`tonumber(var.pw)`,
		`tobool(var.pw)`,
		`parseint(var.pw, 10)`,
		`jsondecode(var.pw)`,
		`jsondecode("{\"a\": ${var.pw}}")`,
		`regex(var.pw, "x")`,
		`base64decode(var.pw)`,
		`tonumber(upper(var.pw))`,
		`tonumber(substr(var.pw, 0, 2))`,
	}
	for _, src := range cases {
		t.Run(src, func(t *testing.T) {
			for _, sensitive := range []bool{true, false} {
				pw := cty.StringVal(secret)
				if sensitive {
					pw = pw.Mark("sensitive")
				}
				expr, diags := hclsyntax.ParseExpression([]byte(src), "t.hcl", hcl.InitialPos)
				if diags.HasErrors() {
					t.Fatal(diags)
				}
				_, diags = expr.Value(&hcl.EvalContext{
					Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{"pw": pw})},
					Functions: funcs,
				})
				if !diags.HasErrors() {
					t.Fatalf("sensitive=%v: want an error", sensitive)
				}
				text := diags.Error()
				if sensitive && (strings.Contains(text, "CANARY") || strings.Contains(text, "'C'") || strings.Contains(text, `"CA"`)) {
					t.Errorf("the error shows the sensitive argument: %s", text)
				}
				if !sensitive && strings.HasPrefix(src, "tonumber(var") && !strings.Contains(text, secret) {
					t.Errorf("a plain argument should still be shown: %s", text)
				}
			}
		})
	}
}

// TestRedactingKeepsMarks: a wrapped function returns a marked result for
// a marked argument, as the function itself does.
func TestRedactingKeepsMarks(t *testing.T) {
	funcs := Functions(t.TempDir())
	expr, _ := hclsyntax.ParseExpression([]byte(`upper(var.pw)`), "t.hcl", hcl.InitialPos)
	v, diags := expr.Value(&hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{"pw": cty.StringVal("abc").Mark("sensitive")})},
		Functions: funcs,
	})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if !v.HasMark("sensitive") {
		t.Errorf("upper of a sensitive value is not sensitive: %#v", v)
	}
	if u, _ := v.Unmark(); u.AsString() != "ABC" {
		t.Errorf("upper = %#v", u)
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`no file at "s3cr\"et"`, `no file at "(sensitive)"`},
		{`key s3cr"et rejected`, `key (sensitive) rejected`},
		{`ab is short`, `ab is short`},
	} {
		if got := Redact(tc.in, []string{`s3cr"et`, "ab"}); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
