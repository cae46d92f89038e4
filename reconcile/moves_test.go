package reconcile_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
)

// moves lists a plan's moves: new address → previous one.
func moves(p *plan.Plan) map[string]string {
	out := map[string]string{}
	for _, c := range p.Changes {
		if c.PrevAddr != "" {
			out[c.Addr] = c.PrevAddr
		}
	}
	return out
}

// TestMovedBlocks walks one configuration through renames with moved
// blocks — a resource, into a module, between count and for_each keys,
// a chain of moves, a whole module — checking each time that the objects
// are moved, not deleted and made again, and that a plan after the apply
// is empty.
func TestMovedBlocks(t *testing.T) {
	dir := writeConfig(t, map[string]string{"m/main.hcl": `
variable "name" { type = string }
resource "local_file" "f" {
  filename = "files/${var.name}.txt"
  content  = var.name
}
`})
	steps := []struct {
		name      string
		hcl       string
		wantMoves map[string]string
		wantActs  map[string]string
	}{
		{"start", `
resource "plumb_data" "a" { input = "a" }
resource "local_file" "f" {
  filename = "files/f.txt"
  content  = "f"
}
resource "plumb_data" "single" { input = "s" }
resource "plumb_data" "keyed" {
  for_each = toset(["x"])
  input    = each.key
}
module "old" {
  source = "./m"
  name   = "old"
}`, nil, map[string]string{"plumb_data.a": "create", "local_file.f": "create", "plumb_data.single": "create", `plumb_data.keyed["x"]`: "create", "module.old.local_file.f": "create"}},
		{"rename, into a module, count, for_each key, module", `
resource "plumb_data" "b" { input = "a" }
module "files" {
  source = "./m"
  name   = "f"
}
resource "plumb_data" "single" {
  count = 1
  input = "s"
}
resource "plumb_data" "keyed" {
  for_each = toset(["y"])
  input    = "x"
}
module "new" {
  source = "./m"
  name   = "old"
}
moved {
  from = plumb_data.a
  to   = plumb_data.b
}
moved {
  from = local_file.f
  to   = module.files.local_file.f
}
moved {
  from = plumb_data.single
  to   = plumb_data.single[0]
}
moved {
  from = plumb_data.keyed["x"]
  to   = plumb_data.keyed["y"]
}
moved {
  from = module.old
  to   = module.new
}`, map[string]string{
			"plumb_data.b":              "plumb_data.a",
			"module.files.local_file.f": "local_file.f",
			"plumb_data.single[0]":      "plumb_data.single",
			`plumb_data.keyed["y"]`:     `plumb_data.keyed["x"]`,
			"module.new.local_file.f":   "module.old.local_file.f",
		}, map[string]string{}},
		{"a chain, written backwards", `
resource "plumb_data" "d" { input = "a" }
module "files" {
  source = "./m"
  name   = "f"
}
resource "plumb_data" "single" {
  count = 1
  input = "s"
}
resource "plumb_data" "keyed" {
  for_each = toset(["y"])
  input    = "x"
}
module "new" {
  source = "./m"
  name   = "old"
}
moved {
  from = plumb_data.c
  to   = plumb_data.d
}
moved {
  from = plumb_data.b
  to   = plumb_data.c
}`, map[string]string{"plumb_data.d": "plumb_data.b"}, map[string]string{}},
		{"out of a module", `
resource "plumb_data" "d" { input = "a" }
resource "local_file" "f" {
  filename = "files/f.txt"
  content  = "f"
}
resource "plumb_data" "single" {
  count = 1
  input = "s"
}
resource "plumb_data" "keyed" {
  for_each = toset(["y"])
  input    = "x"
}
module "new" {
  source = "./m"
  name   = "old"
}
moved {
  from = module.files.local_file.f
  to   = local_file.f
}`, map[string]string{"local_file.f": "module.files.local_file.f"}, map[string]string{}},
	}
	for _, s := range steps {
		writeFile(t, filepath.Join(dir, "main.hcl"), s.hcl)
		before, _ := os.Stat(filepath.Join(dir, "files/f.txt"))
		p, st, diags := run(t, dir, reconcile.Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %s", s.name, render(nil, diags))
		}
		if got := moves(p); len(s.wantMoves) > 0 && !reflect.DeepEqual(got, s.wantMoves) {
			t.Errorf("%s: moves = %v, want %v", s.name, got, s.wantMoves)
		}
		if got := actions(p); !reflect.DeepEqual(got, s.wantActs) {
			t.Errorf("%s: actions = %v, want %v (moves are not deletes and creates)", s.name, got, s.wantActs)
		}
		if len(s.wantMoves) > 0 && !p.HasChanges() {
			t.Errorf("%s: a plan that only moves has no changes", s.name)
		}
		for to, from := range s.wantMoves {
			if _, ok := st.Resources[to]; !ok {
				t.Errorf("%s: %s is not in state after the move", s.name, to)
			}
			if _, ok := st.Resources[from]; ok {
				t.Errorf("%s: %s is still in state after the move", s.name, from)
			}
		}
		if again := planOnly(t, dir, reconcile.Options{}); again.HasChanges() {
			t.Fatalf("%s: a plan after apply has changes: %v %v", s.name, actions(again), moves(again))
		}
		if after, err := os.Stat(filepath.Join(dir, "files/f.txt")); err != nil || before != nil && !after.ModTime().Equal(before.ModTime()) {
			t.Errorf("%s: files/f.txt was rewritten or lost by a move: %v", s.name, err)
		}
	}
}

// TestMovedMistakes checks a moved block whose from is still declared, and
// a move onto an address state already holds, which is left undone with
// a warning.
func TestMovedMistakes(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "plumb_data" "a" { input = "a" }
resource "plumb_data" "b" { input = "b" }
moved {
  from = plumb_data.a
  to   = plumb_data.c
}`})
	e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry()})
	if diags.HasErrors() {
		t.Fatal(render(e, diags))
	}
	if msg := render(e, e.Validate(t.Context())); !strings.Contains(msg, "Moved object still declared") {
		t.Errorf("validate does not report the moved block:\n%s", msg)
	}
	r := runWith(t, dir, testRegistry(), reconcile.Options{}, true)
	if msg := render(nil, r.diags); !strings.Contains(msg, "Moved object still declared") || !strings.Contains(msg, "main.hcl line 4") {
		t.Fatalf("want the error that plumb_data.a is still declared, at main.hcl:4; got:\n%s", msg)
	}
	writeFile(t, filepath.Join(dir, "main.hcl"), `
resource "plumb_data" "a" { input = "a" }
resource "plumb_data" "b" { input = "b" }`)
	if _, _, diags := run(t, dir, reconcile.Options{}); diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	writeFile(t, filepath.Join(dir, "main.hcl"), `
resource "plumb_data" "b" { input = "b" }
moved {
  from = plumb_data.a
  to   = plumb_data.b
}`)
	p := planOnly(t, dir, reconcile.Options{})
	if got := actions(p); !reflect.DeepEqual(got, map[string]string{"plumb_data.a": "delete"}) {
		t.Errorf("actions = %v; the move onto an occupied address must not be made", got)
	}
	if len(p.Warnings) == 0 || !strings.Contains(p.Warnings[0], "state already has an object there") {
		t.Errorf("warnings = %q", p.Warnings)
	}
}

// TestRemovedBlocks forgets a resource with removed { lifecycle { destroy
// = false } } — the file stays, state forgets it — and deletes another
// whose removed block lets it be destroyed.
func TestRemovedBlocks(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "local_file" "keep" {
  count    = 2
  filename = "keep-${count.index}.txt"
  content  = "kept"
}
resource "local_file" "drop" {
  filename = "drop.txt"
  content  = "dropped"
}`})
	if _, _, diags := run(t, dir, reconcile.Options{}); diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	writeFile(t, filepath.Join(dir, "main.hcl"), `
removed {
  from = local_file.keep
  lifecycle {
    destroy = false
  }
}
removed {
  from = local_file.drop
}`)
	p, st, diags := run(t, dir, reconcile.Options{})
	if diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	want := map[string]string{"local_file.keep[0]": "forget", "local_file.keep[1]": "forget", "local_file.drop": "delete"}
	if got := actions(p); !reflect.DeepEqual(got, want) {
		t.Fatalf("actions = %v, want %v", got, want)
	}
	if n := p.Count(); n.Forget != 2 || n.Destroy != 1 {
		t.Errorf("counts = %+v", n)
	}
	if len(st.Resources) != 0 {
		t.Errorf("state still holds %v", st.SortedAddrs())
	}
	for _, f := range []string{"keep-0.txt", "keep-1.txt"} {
		if b, err := os.ReadFile(filepath.Join(dir, f)); err != nil || string(b) != "kept" {
			t.Errorf("%s was touched: %q, %v", f, b, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "drop.txt")); !os.IsNotExist(err) {
		t.Error("drop.txt was not deleted")
	}
	writeFile(t, filepath.Join(dir, "main.hcl"), `
resource "local_file" "keep" {
  filename = "keep.txt"
  content  = "kept"
}
removed {
  from = local_file.keep
  lifecycle {
    destroy = false
  }
}`)
	r := runWith(t, dir, testRegistry(), reconcile.Options{}, true)
	if msg := render(nil, r.diags); !strings.Contains(msg, "Removed object still declared") {
		t.Fatalf("want the error that local_file.keep is still declared; got:\n%s", msg)
	}
}

// TestMovedInsideModule writes a moved block in a module called with
// for_each: it moves the object of every instance, each within its own.
func TestMovedInsideModule(t *testing.T) {
	dir := writeConfig(t, map[string]string{
		"main.hcl": `
module "site" {
  source   = "./m"
  for_each = toset(["a", "b"])
}`,
		"m/main.hcl": `resource "plumb_data" "old" { input = "x" }`,
	})
	if _, _, diags := run(t, dir, reconcile.Options{}); diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	writeFile(t, filepath.Join(dir, "m/main.hcl"), `
resource "plumb_data" "new" { input = "x" }
moved {
  from = plumb_data.old
  to   = plumb_data.new
}`)
	p, _, diags := run(t, dir, reconcile.Options{})
	if diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	want := map[string]string{
		`module.site["a"].plumb_data.new`: `module.site["a"].plumb_data.old`,
		`module.site["b"].plumb_data.new`: `module.site["b"].plumb_data.old`,
	}
	if got := moves(p); !reflect.DeepEqual(got, want) || len(actions(p)) != 0 {
		t.Fatalf("moves = %v, actions = %v; want %v and nothing else", got, actions(p), want)
	}
}
