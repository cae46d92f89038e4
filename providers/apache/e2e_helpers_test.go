package apache_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/apache"
	"github.com/plumbhq/plumb/providers/builtin"
	"github.com/plumbhq/plumb/providers/dnsquery"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// registry is what cmd/plumb registers, limited to the providers these
// tests use.
func registry() *providers.Registry {
	r := providers.NewRegistry()
	r.Register(builtin.Name, builtin.New)
	r.Register(apache.Name, apache.New)
	r.Register(dnsquery.Name, dnsquery.New)
	return r
}

// workdir writes files into a new configuration folder and makes it the
// working directory, as plumb -chdir does.
func workdir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// engine loads the configuration in dir with the given -var values.
func engine(t testing.TB, dir string, vars ...string) *reconcile.Engine {
	t.Helper()
	e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: registry(), Inputs: reconcile.Inputs{Vars: vars}})
	if diags.HasErrors() {
		t.Fatalf("load: %s", render(e, diags))
	}
	return e
}

// planOnly plans dir against its state, as plumb plan does; diagnostics
// are returned rather than failing the test, and also rendered as plumb
// prints them.
func planOnly(t testing.TB, dir string, vars ...string) (*plan.Plan, hcl.Diagnostics, string) {
	t.Helper()
	e := engine(t, dir, vars...)
	defer e.Close()
	st, err := state.NewLocal(filepath.Join(dir, "plumb.state")).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, diags := e.Plan(context.Background(), st)
	return p, diags, render(e, diags)
}

// applyAll plans and applies dir, as plumb apply -auto-approve does, and
// returns the plan it applied.
func applyAll(t testing.TB, dir string, vars ...string) *plan.Plan {
	t.Helper()
	e := engine(t, dir, vars...)
	defer e.Close()
	b := state.NewLocal(filepath.Join(dir, "plumb.state"))
	st, err := b.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, diags := e.Plan(context.Background(), st)
	if diags.HasErrors() {
		t.Fatalf("plan: %s", render(e, diags))
	}
	if _, diags := e.Apply(context.Background(), st, p, b); diags.HasErrors() {
		t.Fatalf("apply: %s", render(e, diags))
	}
	return p
}

// render writes diagnostics as plumb prints them.
func render(e *reconcile.Engine, diags hcl.Diagnostics) string {
	var files map[string]*hcl.File
	if e != nil {
		files = e.Config().Files
	}
	var buf bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&buf, files, 0, false)
	for _, d := range diags {
		_ = w.WriteDiagnostic(d)
	}
	return buf.String()
}

// actions maps the address of every change that does something to its
// action.
func actions(p *plan.Plan) map[string]string {
	out := map[string]string{}
	for _, c := range p.Changes {
		if c.Action != plan.NoOp && c.Action != plan.Read {
			out[c.Addr] = c.Action.String()
		}
	}
	return out
}

// planText renders a plan as plumb plan prints it, without colour.
func planText(t testing.TB, p *plan.Plan) string {
	t.Helper()
	var b strings.Builder
	if err := plan.RenderText(&b, p, plan.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// hclList renders strings as an HCL list.
func hclList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
