package lang

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

const hostsCall = `templatefile("templates/hosts.tpl", {site = "lab", hosts = ["alpha", "beta"], net = "10.0.0.0/24"})`

func TestTemplateFile(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "templates", "hosts.golden"))
	if err != nil {
		t.Fatal(err)
	}
	runCases(t, "testdata", []exprCase{
		{expr: hostsCall, want: cty.StringVal(string(golden))},
		{expr: `templatefile("templates/value.tpl", {ports = [80, 443]})`, want: cty.TupleVal([]cty.Value{num(80), num(443)})},
		{expr: `templatefile("templates/unknown_var.tpl", tomap({zone = "example.org", serial = "1"}))`, want: cty.StringVal("zone example.org\nserial 1\n")},
		{expr: `templatefile("templates/hosts.tpl", {site = var.str, hosts = ["a"], net = "10.0.0.0/24"})`, want: cty.UnknownVal(cty.String)},
		{expr: `templatefile("templates/hosts.tpl", var.any)`, want: cty.DynamicVal},
		{expr: `templatefile(var.str, {})`, want: cty.DynamicVal},
		{expr: `templatefile("templates/unknown_var.tpl", {zone = "example.org"})`, wantErr: `templates/unknown_var.tpl:2,10-16: Unknown variable; There is no variable named "serial".`},
		{expr: `templatefile("templates/syntax.tpl", {})`, wantErr: `templates/syntax.tpl:3,1-1: Missing expression`},
		{expr: `templatefile("templates/nested.tpl", {})`, wantErr: "templatefile and templatestring cannot be called from inside a template"},
		{expr: `templatefile("templates/nope.tpl", {})`, wantErr: `no file exists at "templates/nope.tpl"`},
		{expr: `templatefile("binary.bin", {})`, wantErr: "not UTF-8 text"},
		{expr: `templatefile("templates/value.tpl", "ports")`, wantErr: "template variables must be a map or object, not string"},
		{expr: `templatefile("templates/value.tpl", {"2ports" = 1})`, wantErr: `template variable "2ports" is not a valid name`},
	})
}

// TestTemplateErrorKeepsDiagnostics checks that the engine can recover the
// template's own diagnostics, with the template file's position, from the
// diagnostic of the failed call.
func TestTemplateErrorKeepsDiagnostics(t *testing.T) {
	_, diags := evalExpr(t, Functions("testdata"), `templatefile("templates/unknown_var.tpl", {zone = "x"})`)
	if len(diags) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %s", len(diags), diags.Error())
	}
	extra, ok := diags[0].Extra.(hclsyntax.FunctionCallDiagExtra)
	if !ok {
		t.Fatalf("diagnostic extra is %T, want a FunctionCallDiagExtra", diags[0].Extra)
	}
	var inner hcl.Diagnostics
	if !errors.As(extra.FunctionCallError(), &inner) || len(inner) != 1 {
		t.Fatalf("call error %v does not hold one hcl.Diagnostic", extra.FunctionCallError())
	}
	subj := inner[0].Subject
	if subj == nil || subj.Filename != "templates/unknown_var.tpl" || subj.Start.Line != 2 || subj.Start.Column != 10 {
		t.Errorf("template diagnostic at %v, want templates/unknown_var.tpl line 2 column 10", subj)
	}
}

// TestTemplateFileConcurrent renders one template from many goroutines, as
// the parallel graph walk does, and checks every result.
func TestTemplateFileConcurrent(t *testing.T) {
	funcs := Functions("testdata")
	want, err := os.ReadFile(filepath.Join("testdata", "templates", "hosts.golden"))
	if err != nil {
		t.Fatal(err)
	}
	expr, diags := hclsyntax.ParseExpression([]byte(hostsCall), "test.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var wg sync.WaitGroup
	results := make([]string, 16)
	for i := range results {
		wg.Go(func() {
			v, diags := expr.Value(&hcl.EvalContext{Functions: funcs})
			if diags.HasErrors() {
				results[i] = diags.Error()
				return
			}
			results[i] = v.AsString()
		})
	}
	wg.Wait()
	for i, got := range results {
		if got != string(want) {
			t.Errorf("goroutine %d rendered %q, want %q", i, got, want)
		}
	}
}
