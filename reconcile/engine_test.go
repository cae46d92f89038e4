package reconcile_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/builtin"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

func testRegistry() *providers.Registry {
	r := providers.NewRegistry()
	r.Register("plumb", builtin.New)
	return r
}

// TestInvalidConfigurations loads each folder of testdata/invalid, plans
// it against an empty state, and expects the diagnostic its want.txt
// names ("FILE:LINE: summary"), rendered with the offending source line.
func TestInvalidConfigurations(t *testing.T) {
	dirs, err := filepath.Glob("testdata/invalid/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want := readWant(t, filepath.Join(dir, "want.txt"))
			e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry()})
			if !diags.HasErrors() {
				diags = append(diags, e.Validate(context.Background())...)
			}
			if !diags.HasErrors() {
				_, pd := e.Plan(context.Background(), state.New())
				diags = append(diags, pd...)
			}
			var found *hcl.Diagnostic
			for _, d := range diags {
				if d.Severity == hcl.DiagError && d.Subject != nil && d.Subject.Filename == want.file &&
					d.Subject.Start.Line == want.line && strings.Contains(d.Summary, want.summary) {
					found = d
				}
			}
			if found == nil {
				t.Fatalf("want an error at %s:%d containing %q; got:\n%s", want.file, want.line, want.summary, render(e, diags))
			}
			if found.Detail == "" {
				t.Errorf("diagnostic %q has no detail saying what to do", found.Summary)
			}
			text := render(e, hcl.Diagnostics{found})
			src, _ := os.ReadFile(filepath.Join(dir, want.file))
			line := strings.Split(string(src), "\n")[want.line-1]
			if !strings.Contains(text, strings.TrimSpace(line)) {
				t.Errorf("rendered diagnostic does not show the source line %q:\n%s", line, text)
			}
		})
	}
}

type wantDiag struct {
	file    string
	line    int
	summary string
}

func readWant(t *testing.T, path string) wantDiag {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(strings.TrimSpace(string(b)), ":", 3)
	if len(parts) != 3 {
		t.Fatalf("%s: want FILE:LINE: summary", path)
	}
	line, err := strconv.Atoi(parts[1])
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return wantDiag{file: parts[0], line: line, summary: strings.TrimSpace(parts[2])}
}

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

// writeConfig writes files into a new configuration folder and makes it
// the working directory, as plumb -chdir does.
func writeConfig(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// run plans and applies dir against the local state in it, returning
// the plan and the state written.
func run(t *testing.T, dir string, opts reconcile.Options) (*plan.Plan, *state.State, hcl.Diagnostics) {
	t.Helper()
	opts.Dir, opts.Registry = dir, testRegistry()
	e, diags := reconcile.Load(opts)
	if diags.HasErrors() {
		t.Fatalf("load: %s", render(e, diags))
	}
	b := state.NewLocal(filepath.Join(dir, "plumb.state"))
	st, err := b.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, diags := e.Plan(context.Background(), st)
	if diags.HasErrors() {
		return p, st, diags
	}
	final, diags := e.Apply(context.Background(), st, p, b)
	return p, final, diags
}

func planOnly(t *testing.T, dir string, opts reconcile.Options) *plan.Plan {
	t.Helper()
	opts.Dir, opts.Registry = dir, testRegistry()
	e, diags := reconcile.Load(opts)
	if diags.HasErrors() {
		t.Fatalf("load: %s", render(e, diags))
	}
	st, err := state.NewLocal(filepath.Join(dir, "plumb.state")).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, diags := e.Plan(context.Background(), st)
	if diags.HasErrors() {
		t.Fatalf("plan: %s", render(e, diags))
	}
	return p
}

func actions(p *plan.Plan) map[string]string {
	out := map[string]string{}
	for _, c := range p.Changes {
		if c.Action != plan.NoOp {
			out[c.Addr] = c.Action.String()
		}
	}
	return out
}

func writeFile(t *testing.T, name, src string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}
