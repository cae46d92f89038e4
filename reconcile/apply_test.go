package reconcile_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// TestLifecycle walks one configuration through create, no-op, update,
// replace and delete, checking the plan's actions and the files on disk.
func TestLifecycle(t *testing.T) {
	dir := writeConfig(t, nil)
	steps := []struct {
		name string
		hcl  string
		want map[string]string
	}{
		{"create", `
resource "plumb_data" "v" { input = "one" }
resource "local_file" "f" {
  for_each = toset(["a", "b"])
  filename = "${each.key}.txt"
  content  = "${each.key}=${plumb_data.v.output}"
}`, map[string]string{"plumb_data.v": "create", `local_file.f["a"]`: "create", `local_file.f["b"]`: "create"}},
		{"update flows to dependents", `
resource "plumb_data" "v" { input = "two" }
resource "local_file" "f" {
  for_each = toset(["a", "b"])
  filename = "${each.key}.txt"
  content  = "${each.key}=${plumb_data.v.output}"
}`, map[string]string{"plumb_data.v": "update", `local_file.f["a"]`: "update", `local_file.f["b"]`: "update"}},
		{"replace on filename, delete a key", `
resource "plumb_data" "v" { input = "two" }
resource "local_file" "f" {
  for_each = toset(["a"])
  filename = "${each.key}-renamed.txt"
  content  = "${each.key}=${plumb_data.v.output}"
}`, map[string]string{`local_file.f["a"]`: "replace", `local_file.f["b"]`: "delete"}},
		{"remove from configuration", `
resource "plumb_data" "v" { input = "two" }`, map[string]string{`local_file.f["a"]`: "delete"}},
	}
	for _, s := range steps {
		os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(s.hcl), 0o644)
		p, st, diags := run(t, dir, reconcile.Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %s", s.name, render(nil, diags))
		}
		if got := actions(p); !reflect.DeepEqual(got, s.want) {
			t.Fatalf("%s: actions = %v, want %v", s.name, got, s.want)
		}
		if again := planOnly(t, dir, reconcile.Options{}); again.HasChanges() {
			t.Fatalf("%s: a plan right after apply still has changes: %v", s.name, actions(again))
		}
		for addr := range s.want {
			_, inState := st.Resources[addr]
			if inState != (s.want[addr] != "delete") {
				t.Errorf("%s: %s in state = %v after %s", s.name, addr, inState, s.want[addr])
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "a-renamed.txt")); err == nil {
		t.Errorf("a-renamed.txt should be deleted, holds %q", b)
	}
	for _, gone := range []string{"a.txt", "b.txt"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s should have been deleted", gone)
		}
	}
}

// TestFailureStopsOnlyDependents makes one file impossible to write: its
// dependent is skipped, an independent resource is still created, and
// state holds exactly what was done.
func TestFailureStopsOnlyDependents(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "local_file" "broken" {
  filename = "blocker/inside.txt"
  content  = "x"
}
resource "local_file" "after_broken" {
  filename = "after.txt"
  content  = local_file.broken.id
}
resource "local_file" "independent" {
  count    = 5
  filename = "ok-${count.index}.txt"
  content  = "fine"
}`})
	// A plain file where a directory is needed makes the write fail.
	os.WriteFile(filepath.Join(dir, "blocker"), []byte("not a directory"), 0o644)
	_, st, diags := run(t, dir, reconcile.Options{})
	if !diags.HasErrors() {
		t.Fatal("apply succeeded; want the error of local_file.broken")
	}
	if msg := render(nil, diags); !strings.Contains(msg, "local_file.broken") {
		t.Errorf("error does not name the failed resource:\n%s", msg)
	}
	for i := 0; i < 5; i++ {
		addr := "local_file.independent[" + string(rune('0'+i)) + "]"
		if _, ok := st.Resources[addr]; !ok {
			t.Errorf("%s is missing from state", addr)
		}
	}
	for _, addr := range []string{"local_file.broken", "local_file.after_broken"} {
		if _, ok := st.Resources[addr]; ok {
			t.Errorf("%s is in state although it was not created", addr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "after.txt")); !os.IsNotExist(err) {
		t.Error("the dependent of the failed resource was created")
	}
	// Fixing the cause lets the next apply converge.
	os.Remove(filepath.Join(dir, "blocker"))
	if _, _, diags := run(t, dir, reconcile.Options{}); diags.HasErrors() {
		t.Fatalf("second apply: %s", render(nil, diags))
	}
	if planOnly(t, dir, reconcile.Options{}).HasChanges() {
		t.Fatal("changes remain after the fixed apply")
	}
}

// TestDestroyOrder checks that destroy deletes dependents before what
// they depend on, and that prevent_destroy refuses.
func TestDestroyOrder(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "plumb_data" "base" { input = "b" }
resource "plumb_data" "mid" {
  count = 3
  input = plumb_data.base.output
}
resource "plumb_data" "top" { input = plumb_data.mid[*].output }`})
	if _, _, diags := run(t, dir, reconcile.Options{}); diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	var mu sync.Mutex
	var order []string
	obs := func(ev reconcile.Event) {
		if ev.Done && ev.Action == plan.Delete {
			mu.Lock()
			order = append(order, ev.Addr)
			mu.Unlock()
		}
	}
	_, st, diags := run(t, dir, reconcile.Options{Destroy: true, Observer: obs})
	if diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	if len(st.Resources) != 0 {
		t.Fatalf("state after destroy holds %v", st.SortedAddrs())
	}
	pos := map[string]int{}
	for i, a := range order {
		pos[a] = i
	}
	if len(order) != 5 || pos["plumb_data.top"] > pos["plumb_data.mid[0]"] || pos["plumb_data.mid[2]"] > pos["plumb_data.base"] {
		t.Fatalf("deletion order %v: dependents must go first", order)
	}
}

func TestPreventDestroy(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "plumb_data" "keep" {
  input = "x"
  lifecycle { prevent_destroy = true }
}`})
	if _, _, diags := run(t, dir, reconcile.Options{}); diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	_, _, diags := run(t, dir, reconcile.Options{Destroy: true})
	if !diags.HasErrors() || !strings.Contains(render(nil, diags), "prevent_destroy") {
		t.Fatalf("destroy of a prevent_destroy resource: %s", render(nil, diags))
	}
	st, _ := state.NewLocal(filepath.Join(dir, "plumb.state")).Read(context.Background())
	if _, ok := st.Resources["plumb_data.keep"]; !ok {
		t.Fatal("the protected resource left state")
	}
}

func TestIgnoreChanges(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "local_file" "f" {
  filename = "f.txt"
  content  = "from config"
  lifecycle { ignore_changes = [content] }
}`})
	if _, _, diags := run(t, dir, reconcile.Options{}); diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	os.WriteFile(filepath.Join(dir, "f.txt"), []byte("edited by hand"), 0o644)
	if p := planOnly(t, dir, reconcile.Options{}); p.HasChanges() {
		t.Fatalf("ignored content drift is planned: %v", actions(p))
	}
}

func TestDriftIsPlanned(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "local_file" "f" {
  filename = "f.txt"
  content  = "wanted"
}`})
	if _, _, diags := run(t, dir, reconcile.Options{}); diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	os.Remove(filepath.Join(dir, "f.txt"))
	p := planOnly(t, dir, reconcile.Options{})
	if got := actions(p); got["local_file.f"] != "create" {
		t.Fatalf("file deleted outside plumb: actions %v, want a create", got)
	}
	if p := planOnly(t, dir, reconcile.Options{NoRefresh: true}); p.HasChanges() {
		t.Fatalf("-refresh=false still saw the drift: %v", actions(p))
	}
}

func TestImportBlock(t *testing.T) {
	dir := writeConfig(t, map[string]string{
		"existing.txt": "already here",
		"main.hcl": `
import {
  to = local_file.adopted
  id = "existing.txt"
}
resource "local_file" "adopted" {
  filename = "existing.txt"
  content  = "already here"
}`})
	p, st, diags := run(t, dir, reconcile.Options{})
	if diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	if len(p.Changes) != 1 || p.Changes[0].ImportID != "existing.txt" || p.Changes[0].Action != plan.NoOp {
		t.Fatalf("import plan: %+v", p.Changes)
	}
	if _, ok := st.Resources["local_file.adopted"]; !ok {
		t.Fatal("imported object is not in state")
	}
	var text strings.Builder
	plan.RenderText(&text, p, plan.TextOptions{})
	if !strings.Contains(text.String(), `(imported from "existing.txt")`) || !strings.Contains(text.String(), "Plan: 1 to import, 0 to add") {
		t.Errorf("the plan does not show the import:\n%s", text.String())
	}
}

func TestTargetLimitsPlan(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "plumb_data" "a" { input = 1 }
resource "plumb_data" "b" { input = plumb_data.a.output }
resource "plumb_data" "c" { input = 3 }`})
	p := planOnly(t, dir, reconcile.Options{Targets: []string{"plumb_data.b"}})
	want := map[string]string{"plumb_data.a": "create", "plumb_data.b": "create"}
	if got := actions(p); !reflect.DeepEqual(got, want) {
		t.Fatalf("targeted plan = %v, want %v", got, want)
	}
}

func TestStalePlanRefused(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `resource "plumb_data" "a" { input = 1 }`})
	e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry()})
	if diags.HasErrors() {
		t.Fatal(render(e, diags))
	}
	b := state.NewLocal(filepath.Join(dir, "plumb.state"))
	st, _ := b.Read(context.Background())
	p, _ := e.Plan(context.Background(), st)
	if _, _, diags := run(t, dir, reconcile.Options{}); diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	st, _ = b.Read(context.Background())
	_, diags = e.Apply(context.Background(), st, p, b)
	if !diags.HasErrors() || !strings.Contains(render(nil, diags), "stale") {
		t.Fatalf("applying a stale plan: %s", render(nil, diags))
	}
}

func TestOutputsRecorded(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "plumb_data" "a" { input = { name = "x", n = 2 } }
output "name" { value = plumb_data.a.output.name }
output "secret" {
  value     = "hush"
  sensitive = true
}`})
	_, st, diags := run(t, dir, reconcile.Options{})
	if diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	v, err := st.Outputs["name"].Decode()
	if err != nil || v.AsString() != "x" {
		t.Fatalf("output name = %#v, %v", v, err)
	}
	if !st.Outputs["secret"].Sensitive {
		t.Error("sensitive output not marked sensitive")
	}
}

func TestSensitiveVariableHiddenInPlan(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
variable "password" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
resource "plumb_data" "login" { input = var.password }
output "pw" { value = var.password }`})
	p := planOnly(t, dir, reconcile.Options{})
	var text, js strings.Builder
	if err := plan.RenderText(&text, p, plan.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := plan.RenderJSON(&js, p); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "json": js.String()} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("the %s plan shows the sensitive value:\n%s", name, out)
		}
	}
	if !strings.Contains(text.String(), "(sensitive)") {
		t.Errorf("the text plan does not say (sensitive):\n%s", text.String())
	}
}

func TestPreventDestroyUpdateIsCalledOut(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "plumb_data" "keep" {
  input = "one"
  lifecycle { prevent_destroy = true }
}`})
	if _, _, diags := run(t, dir, reconcile.Options{}); diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	writeFile(t, "main.hcl", `
resource "plumb_data" "keep" {
  input = "two"
  lifecycle { prevent_destroy = true }
}`)
	p := planOnly(t, dir, reconcile.Options{})
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "prevent_destroy") {
		t.Fatalf("warnings = %q, want one about prevent_destroy", p.Warnings)
	}
	var md strings.Builder
	plan.RenderMarkdown(&md, p, plan.MarkdownOptions{})
	if !strings.Contains(md.String(), "is protected by lifecycle") {
		t.Errorf("the Markdown plan does not carry the warning:\n%s", md.String())
	}
}

func TestTargetOneInstance(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "plumb_data" "r" {
  for_each = toset(["a", "b", "c"])
  input    = each.key
}`})
	p, st, diags := run(t, dir, reconcile.Options{Targets: []string{`plumb_data.r["b"]`}})
	if diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	if got := actions(p); !reflect.DeepEqual(got, map[string]string{`plumb_data.r["b"]`: "create"}) {
		t.Fatalf("targeted plan = %v", got)
	}
	if len(st.Resources) != 1 {
		t.Fatalf("state after a targeted apply holds %v", st.SortedAddrs())
	}
	if got := actions(planOnly(t, dir, reconcile.Options{})); len(got) != 2 {
		t.Fatalf("the untargeted plan afterwards = %v, want the other two creates", got)
	}
}

// TestGoneOrphanIsForgotten removes a resource from the configuration
// after its file was deleted by hand: refresh finds it gone, the plan
// says so, and apply only forgets it.
func TestGoneOrphanIsForgotten(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "local_file" "a" {
  filename = "a.txt"
  content  = "a"
}
resource "local_file" "b" {
  filename = "b.txt"
  content  = "b"
}`})
	if _, _, diags := run(t, dir, reconcile.Options{}); diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	os.Remove(filepath.Join(dir, "a.txt"))
	writeFile(t, "main.hcl", "")
	p, st, diags := run(t, dir, reconcile.Options{})
	if diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	var gone, deleted []string
	for _, c := range p.Changes {
		if c.Action == plan.Delete && c.Gone {
			gone = append(gone, c.Addr)
		} else if c.Action == plan.Delete {
			deleted = append(deleted, c.Addr)
		}
	}
	if !reflect.DeepEqual(gone, []string{"local_file.a"}) || !reflect.DeepEqual(deleted, []string{"local_file.b"}) {
		t.Fatalf("gone %v, deleted %v", gone, deleted)
	}
	if len(st.Resources) != 0 {
		t.Fatalf("state still holds %v", st.SortedAddrs())
	}
	if _, err := os.Stat(filepath.Join(dir, "b.txt")); !os.IsNotExist(err) {
		t.Fatal("b.txt was not deleted")
	}
}
