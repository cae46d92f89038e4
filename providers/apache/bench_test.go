package apache

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// benchFiles applies one block to each of n files holding hand-written
// lines too, and returns the states.
func benchFiles(b *testing.B, r *accessResource, n int) []cty.Value {
	b.Helper()
	dir := b.TempDir()
	null := cty.NullVal(r.Schema().ImpliedType())
	states := make([]cty.Value, n)
	for i := range states {
		site := filepath.Join(dir, fmt.Sprintf("site%04d", i))
		if err := os.Mkdir(site, 0o755); err != nil {
			b.Fatal(err)
		}
		file := filepath.Join(site, ".htaccess")
		if err := os.WriteFile(file, []byte("Options -Indexes\nRewriteEngine On\nRewriteRule ^old$ /new [R=301,L]\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		config := benchConfig(r, file, "203.0.113.7")
		p := r.Plan(context.Background(), providers.PlanRequest{Prior: null, Config: config})
		resp := r.Apply(context.Background(), providers.ApplyRequest{Prior: null, Planned: p.Planned, Config: config})
		if diags := append(p.Diagnostics, resp.Diagnostics...); diags.HasErrors() {
			b.Fatal(diagText(diags))
		}
		states[i] = resp.State
	}
	return states
}

func benchConfig(r *accessResource, file, office string) cty.Value {
	return r.Schema().Complete(cty.ObjectVal(map[string]cty.Value{
		"path": cty.StringVal(file), "marker": cty.StringVal("site"), "allow": strs(office, "198.51.100.0/24")}))
}

// benchRefreshPlan refreshes and plans every file against the office
// address given, as a plan does, and reports the time per file.
func benchRefreshPlan(b *testing.B, office string, wantChange bool) {
	r := resourceUnderTest()
	states := benchFiles(b, r, 1000)
	configs := make([]cty.Value, len(states))
	for i, s := range states {
		configs[i] = benchConfig(r, s.GetAttr("path").AsString(), office)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(states)
		read := r.Read(ctx, providers.ReadRequest{Prior: states[j]})
		if read.Diagnostics.HasErrors() {
			b.Fatal(diagText(read.Diagnostics))
		}
		if diags := r.ValidateConfig(ctx, configs[j]); diags.HasErrors() {
			b.Fatal(diagText(diags))
		}
		p := r.Plan(ctx, providers.PlanRequest{Prior: read.State, Config: configs[j]})
		if p.Diagnostics.HasErrors() || p.Planned.RawEquals(read.State) == wantChange {
			b.Fatalf("plan: change %v, want %v: %s", !wantChange, wantChange, diagText(p.Diagnostics))
		}
	}
}

// BenchmarkRefreshPlanUnchanged is one file's share of a plan that
// changes nothing: Read, ValidateConfig and a no-op Plan.
func BenchmarkRefreshPlanUnchanged(b *testing.B) { benchRefreshPlan(b, "203.0.113.7", false) }

// BenchmarkRefreshPlanChanged is one file's share of a plan after the
// office address changed: Read, ValidateConfig, and a Plan that looks at
// the file again.
func BenchmarkRefreshPlanChanged(b *testing.B) { benchRefreshPlan(b, "203.0.113.42", true) }

// BenchmarkParseFile parses a typical .htaccess holding one block.
func BenchmarkParseFile(b *testing.B) {
	f := &htFile{}
	f.set(`apache_htaccess_access.admin["shop.example"]`, access{syntax: Syntax24, allow: []string{"203.0.113.7", "198.51.100.0/24"}}.lines())
	data := append([]byte("Options -Indexes\nRewriteEngine On\nRewriteRule ^old$ /new [R=301,L]\n"), f.bytes()...)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		g, err := parseFile(data)
		if err != nil || len(g.blocks) != 1 {
			b.Fatal(err)
		}
		if _, err := parseBody(g.body(0)); err != nil {
			b.Fatal(err)
		}
	}
}
