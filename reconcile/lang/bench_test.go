package lang

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// benchEval evaluates src b.N times with one function table, as the engine
// does for each instance of a resource.
func benchEval(b *testing.B, baseDir, src string) {
	b.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "bench.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	ctx := &hcl.EvalContext{Variables: testVars(), Functions: Functions(baseDir)}
	if _, diags := expr.Value(ctx); diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		expr.Value(ctx)
	}
}

func BenchmarkStringTemplate(b *testing.B) {
	benchEval(b, ".", `"${upper(var.a)}-${format("%05d", count.index)}"`)
}

func BenchmarkCIDRSubnet(b *testing.B) {
	benchEval(b, ".", `cidrhost(cidrsubnet("10.0.0.0/8", 8, count.index), 10)`)
}

func BenchmarkFile(b *testing.B) {
	benchEval(b, "testdata", `file("hello.txt")`)
}

func BenchmarkTemplateFile(b *testing.B) {
	benchEval(b, "testdata", hostsCall)
}

func BenchmarkFileSet(b *testing.B) {
	benchEval(b, "testdata", `fileset("tree", "**/*.txt")`)
}

func BenchmarkFunctions(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Functions(".")
	}
}
