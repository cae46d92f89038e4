package reconcile_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/state"
)

// BenchmarkNoChangePlan plans 10,000 unchanged plumb_data instances from
// a state already applied: the per-instance hot path of the engine that
// docs/benchmarks.md measures for the whole program.
func BenchmarkNoChangePlan(b *testing.B) {
	dir := b.TempDir()
	b.Chdir(dir)
	src := "resource \"plumb_data\" \"r\" {\n  count = 10000\n  input = \"value-${count.index}\"\n}\n"
	writeBenchFile(b, filepath.Join(dir, "main.hcl"), src)
	backend := state.NewLocal(filepath.Join(dir, "plumb.state"))
	e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry()})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	st, _ := backend.Read(context.Background())
	p, diags := e.Plan(context.Background(), st)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	if _, diags := e.Apply(context.Background(), st, p, backend); diags.HasErrors() {
		b.Fatal(diags)
	}
	st, _ = backend.Read(context.Background())
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry()})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		p, diags := e.Plan(context.Background(), st)
		if diags.HasErrors() || p.HasChanges() {
			b.Fatal(diags, fmt.Sprint(p.Count()))
		}
	}
}

func writeBenchFile(b *testing.B, name, src string) {
	b.Helper()
	if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
}
