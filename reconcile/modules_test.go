package reconcile_test

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/state"
)

// siteModule is a module with inputs, a nested module with count, and
// outputs, used by the module tests.
var siteModule = map[string]string{
	"modules/site/main.hcl": `
variable "domain" { type = string }
variable "pages" {
  type    = number
  default = 1
}
resource "local_file" "index" {
  filename = "out/${var.domain}/index.html"
  content  = "<h1>${var.domain}</h1>"
}
module "page" {
  source = "../page"
  count  = var.pages
  title  = "${var.domain} page ${count.index}"
}
output "file" { value = local_file.index.filename }
output "titles" { value = module.page[*].title }
`,
	"modules/page/main.hcl": `
variable "title" { type = string }
resource "plumb_data" "p" { input = var.title }
output "title" { value = plumb_data.p.output }
`,
}

func withFiles(base map[string]string, extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func stateAddrs(st *state.State) []string {
	out := st.SortedAddrs()
	sort.Strings(out)
	return out
}

// TestModules calls a local module with for_each, inputs and a nested
// module with count, and checks addresses in plan and state, outputs read
// by the caller, a plan with nothing to do afterwards, and deletions when
// a module instance goes away.
func TestModules(t *testing.T) {
	dir := writeConfig(t, withFiles(siteModule, map[string]string{"main.hcl": `
variable "sites" {
  default = { a = 2, b = 1 }
}
module "site" {
  source   = "./modules/site"
  for_each = var.sites
  domain   = "${each.key}.example"
  pages    = each.value
}
module "single" {
  source = "./modules/site"
  domain = "single.example"
}
output "a_file" { value = module.site["a"].file }
output "a_titles" { value = module.site["a"].titles }
output "single_file" { value = module.single.file }
`}))
	p, st, diags := run(t, dir, reconcile.Options{})
	if diags.HasErrors() {
		t.Fatalf("apply: %s", render(nil, diags))
	}
	want := []string{
		`module.single.local_file.index`,
		`module.single.module.page[0].plumb_data.p`,
		`module.site["a"].local_file.index`,
		`module.site["a"].module.page[0].plumb_data.p`,
		`module.site["a"].module.page[1].plumb_data.p`,
		`module.site["b"].local_file.index`,
		`module.site["b"].module.page[0].plumb_data.p`,
	}
	if got := stateAddrs(st); !reflect.DeepEqual(got, want) {
		t.Fatalf("state holds\n%v\nwant\n%v", got, want)
	}
	for _, addr := range want {
		if actions(p)[addr] != "create" {
			t.Errorf("the plan does not create %s: %v", addr, actions(p))
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "out/b.example/index.html")); err != nil || string(b) != "<h1>b.example</h1>" {
		t.Errorf("module.site[\"b\"] wrote %q, %v", b, err)
	}
	outs := map[string]string{}
	for name, o := range st.Outputs {
		outs[name] = string(o.Value)
	}
	wantOuts := map[string]string{
		"a_file":      `"out/a.example/index.html"`,
		"a_titles":    `["a.example page 0","a.example page 1"]`,
		"single_file": `"out/single.example/index.html"`,
	}
	if !reflect.DeepEqual(outs, wantOuts) {
		t.Errorf("outputs = %v, want %v", outs, wantOuts)
	}
	if again := planOnly(t, dir, reconcile.Options{}); again.HasChanges() {
		t.Fatalf("a plan right after apply has changes: %v", actions(again))
	}

	// One module instance goes, another loses a page.
	writeFile(t, filepath.Join(dir, "main.hcl"), strings.Replace(strings.Replace(readFile(t, filepath.Join(dir, "main.hcl")), "{ a = 2, b = 1 }", "{ a = 1 }", 1), `output "a_titles" { value = module.site["a"].titles }`, "", 1))
	p, st, diags = run(t, dir, reconcile.Options{})
	if diags.HasErrors() {
		t.Fatalf("apply: %s", render(nil, diags))
	}
	wantActions := map[string]string{
		`module.site["a"].module.page[1].plumb_data.p`: "delete",
		`module.site["b"].local_file.index`:            "delete",
		`module.site["b"].module.page[0].plumb_data.p`: "delete",
	}
	if got := actions(p); !reflect.DeepEqual(got, wantActions) {
		t.Fatalf("actions = %v, want %v", got, wantActions)
	}
	for _, c := range p.Changes {
		if c.Addr == `module.site["b"].local_file.index` && !strings.Contains(c.Reason, `module.site["b"] is no longer in the configuration`) {
			t.Errorf("reason for deleting %s = %q", c.Addr, c.Reason)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out/b.example/index.html")); !os.IsNotExist(err) {
		t.Error("the file of module.site[\"b\"] was not deleted")
	}
	if len(st.Resources) != 4 {
		t.Errorf("state holds %v", stateAddrs(st))
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestModuleDependsOn makes one module wait for another with depends_on:
// every operation of the first ends before any of the second starts,
// although nothing else connects them.
func TestModuleDependsOn(t *testing.T) {
	dir := writeConfig(t, withFiles(siteModule, map[string]string{"main.hcl": `
module "first" {
  source = "./modules/site"
  domain = "first.example"
  pages  = 3
}
module "second" {
  source     = "./modules/site"
  domain     = "second.example"
  pages      = 3
  depends_on = [module.first]
}
`}))
	var mu sync.Mutex
	var order []string
	opts := reconcile.Options{Observer: func(ev reconcile.Event) {
		mu.Lock()
		defer mu.Unlock()
		state := "start"
		if ev.Done {
			state = "end"
		}
		order = append(order, state+" "+ev.Addr)
	}}
	if _, _, diags := run(t, dir, opts); diags.HasErrors() {
		t.Fatalf("apply: %s", render(nil, diags))
	}
	lastFirst, firstSecond := -1, len(order)
	for i, ev := range order {
		if strings.HasPrefix(ev, "end module.first.") {
			lastFirst = i
		}
		if strings.HasPrefix(ev, "start module.second.") && i < firstSecond {
			firstSecond = i
		}
	}
	if lastFirst < 0 || firstSecond == len(order) || lastFirst > firstSecond {
		t.Fatalf("module.second started before module.first ended:\n%s", strings.Join(order, "\n"))
	}
}

// TestModuleProviders passes provider configurations into modules: the
// default one by inheritance, an aliased one through providers = {}, and
// one instance of a configuration with for_each per module instance.
func TestModuleProviders(t *testing.T) {
	w := newRealms()
	reg := realmRegistry(w)
	dir := writeConfig(t, map[string]string{
		"main.hcl": `
provider "realm" { name = "home" }
provider "realm" {
  alias = "eu"
  name  = "eu"
}
provider "realm" {
  alias    = "host"
  for_each = toset(["web1", "web2"])
  name     = each.key
}
module "inherits" {
  source = "./m"
}
module "passed" {
  source    = "./m"
  providers = { realm = realm.eu }
}
module "per_host" {
  source    = "./m"
  for_each  = toset(["web1", "web2"])
  providers = { realm = realm.host[each.key] }
}
`,
		"m/main.hcl": `
resource "realm_object" "o" {
  key   = "o"
  value = "from ${path.module}"
}
data "realm_info" "here" {}
output "realm" { value = data.realm_info.here.realm }
`,
	})
	r := mustApply(t, dir, reg)
	for realm, addr := range map[string]string{
		"home": "module.inherits.realm_object.o",
		"eu":   "module.passed.realm_object.o",
		"web1": `module.per_host["web1"].realm_object.o`,
		"web2": `module.per_host["web2"].realm_object.o`,
	} {
		if _, ok := w.object(realm, "o"); !ok {
			t.Errorf("realm %s holds no object: %s went elsewhere", realm, addr)
		}
		wantProv := map[string]string{"home": "provider.realm", "eu": "provider.realm.eu", "web1": `provider.realm.host["web1"]`, "web2": `provider.realm.host["web2"]`}[realm]
		if got := providerOf(t, r.state, addr); got != wantProv {
			t.Errorf("state records %q for %s, want %s", got, addr, wantProv)
		}
	}
	// An aliased configuration is not inherited.
	writeFile(t, filepath.Join(dir, "m/main.hcl"), `
resource "realm_object" "o" {
  provider = realm.eu
  key      = "o"
}
`)
	bad := runWith(t, dir, reg, reconcile.Options{}, true)
	if msg := render(nil, bad.diags); !strings.Contains(msg, "which its call does not pass") || !strings.Contains(msg, "on m/main.hcl line 3") {
		t.Fatalf("want the error that realm.eu is not passed, at m/main.hcl:3; got:\n%s", msg)
	}
}

// TestModuleTargets plans one module instance, and one resource inside a
// module, with -target.
func TestModuleTargets(t *testing.T) {
	dir := writeConfig(t, withFiles(siteModule, map[string]string{"main.hcl": `
module "site" {
  source   = "./modules/site"
  for_each = toset(["a", "b"])
  domain   = "${each.key}.example"
}
resource "plumb_data" "outside" { input = "x" }
`}))
	tests := []struct {
		target string
		want   []string
	}{
		{`module.site["a"]`, []string{`module.site["a"].local_file.index`, `module.site["a"].module.page[0].plumb_data.p`}},
		{`module.site`, []string{`module.site["a"].local_file.index`, `module.site["a"].module.page[0].plumb_data.p`, `module.site["b"].local_file.index`, `module.site["b"].module.page[0].plumb_data.p`}},
		{`module.site["b"].local_file.index`, []string{`module.site["b"].local_file.index`}},
		{`module.site.module.page`, []string{`module.site["a"].module.page[0].plumb_data.p`, `module.site["b"].module.page[0].plumb_data.p`}},
	}
	for _, tt := range tests {
		p := planOnly(t, dir, reconcile.Options{Targets: []string{tt.target}})
		var got []string
		for addr := range actions(p) {
			got = append(got, addr)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("-target %s plans %v, want %v", tt.target, got, tt.want)
		}
	}
}

// TestImportIntoModule adopts an existing file into a resource inside a
// module instance with an import block.
func TestImportIntoModule(t *testing.T) {
	dir := writeConfig(t, withFiles(siteModule, map[string]string{
		"main.hcl": `
module "site" {
  source   = "./modules/site"
  for_each = toset(["a"])
  domain   = "${each.key}.example"
}
import {
  to = module.site["a"].local_file.index
  id = "out/a.example/index.html"
}
`,
		"out/a.example/index.html": "<h1>a.example</h1>",
	}))
	p, st, diags := run(t, dir, reconcile.Options{})
	if diags.HasErrors() {
		t.Fatalf("apply: %s", render(nil, diags))
	}
	var imported bool
	for _, c := range p.Changes {
		if c.Addr == `module.site["a"].local_file.index` {
			imported = c.ImportID == "out/a.example/index.html"
		}
	}
	if !imported {
		t.Fatalf("the plan does not import into the module: %v", actions(p))
	}
	if _, ok := st.Resources[`module.site["a"].local_file.index`]; !ok {
		t.Fatal("the imported object is not in state")
	}
}

// TestModuleMistakes checks the errors for module calls that cannot work,
// each at the line that causes it.
func TestModuleMistakes(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // FILE:LINE and a part of the summary or detail
	}{
		{"remote source", map[string]string{"main.hcl": `
module "x" {
  source = "git::https://example.org/m.git"
}`}, "main.hcl:3 not a local folder"},
		{"missing folder", map[string]string{"main.hcl": `
module "x" {
  source = "./nowhere"
}`}, "main.hcl:3 Module not found"},
		{"unknown input", map[string]string{"main.hcl": `
module "x" {
  source = "./m"
  colour = "red"
}`, "m/main.hcl": `variable "size" { default = 1 }`}, "main.hcl:4 declares no variable"},
		{"missing input", map[string]string{"main.hcl": `
module "x" {
  source = "./m"
}`, "m/main.hcl": `variable "size" {}`}, "main.hcl:2 Missing required argument size"},
		{"calls itself", map[string]string{"main.hcl": `
module "x" {
  source = "./m"
}`, "m/main.hcl": `
module "again" {
  source = "../m"
}`}, "m/main.hcl:3 Module calls itself"},
		{"undeclared output", map[string]string{"main.hcl": `
module "x" {
  source = "./m"
}
output "o" { value = module.x.nothing }`, "m/main.hcl": `output "something" { value = 1 }`}, "main.hcl:5 has no output"},
		{"provider in a module with for_each", map[string]string{"main.hcl": `
module "x" {
  source   = "./m"
  for_each = toset(["a"])
}`, "m/main.hcl": `
provider "plumb" {}`}, "m/main.hcl:2 Provider configuration in a module with count or for_each"},
		{"bad input type", map[string]string{"main.hcl": `
module "x" {
  source = "./m"
  size   = "large"
}`, "m/main.hcl": `
variable "size" { type = number }`}, "main.hcl:4 Invalid value for module variable size"},
		{"validation in a module", map[string]string{"main.hcl": `
module "x" {
  source = "./m"
  size   = 0
}`, "m/main.hcl": `
variable "size" {
  type = number
  validation {
    condition     = var.size > 0
    error_message = "size must be positive"
  }
}`}, "m/main.hcl:4 size must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeConfig(t, tt.files)
			e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry()})
			if !diags.HasErrors() {
				r := runWith(t, dir, testRegistry(), reconcile.Options{}, true)
				diags = r.diags
			}
			where, what, _ := strings.Cut(tt.want, " ")
			for _, d := range diags {
				if d.Subject != nil && d.Subject.Filename+":"+strconv.Itoa(d.Subject.Start.Line) == where && strings.Contains(d.Summary+" "+d.Detail, what) {
					return
				}
			}
			t.Fatalf("want an error at %s containing %q; got:\n%s", where, what, render(e, diags))
		})
	}
}

// TestValidateModules validates a configuration with modules without
// reading anything: a correct one passes, and a mistake inside a module
// called with for_each is reported at its line.
func TestValidateModules(t *testing.T) {
	dir := writeConfig(t, withFiles(siteModule, map[string]string{"main.hcl": `
module "site" {
  source   = "./modules/site"
  for_each = toset(["a", "b"])
  domain   = "${each.key}.example"
}
output "files" { value = { for k, m in module.site : k => m.file } }
`}))
	e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry()})
	if diags.HasErrors() {
		t.Fatal(render(e, diags))
	}
	if d := e.Validate(t.Context()); d.HasErrors() {
		t.Fatalf("validate: %s", render(e, d))
	}
	writeFile(t, filepath.Join(dir, "modules/page/main.hcl"), `
variable "title" { type = string }
resource "plumb_data" "p" { input = upper(var.title, 2) }
`)
	e, diags = reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry()})
	if diags.HasErrors() {
		t.Fatal(render(e, diags))
	}
	d := e.Validate(t.Context())
	found := false
	for _, x := range d {
		found = found || x.Subject != nil && x.Subject.Filename == "modules/page/main.hcl" && x.Subject.Start.Line == 3
	}
	if !found {
		t.Fatalf("want an error at modules/page/main.hcl:3; got:\n%s", render(e, d))
	}
}

// TestModuleVariableValues checks that a module's variables are made as
// root variables are: optional(T, DEFAULT) attributes filled in, a null
// argument of a nullable = false variable replaced by the default, and a
// sensitive variable kept sensitive through the module's output.
func TestModuleVariableValues(t *testing.T) {
	dir := writeConfig(t, map[string]string{
		"main.hcl": `
variable "secret" {
  default   = "hunter2"
  sensitive = true
}
module "m" {
  source   = "./m"
  settings = { name = "x" }
  size     = null
  token    = var.secret
}
resource "plumb_data" "seen" {
  input = "${module.m.summary}"
}
resource "plumb_data" "secret_seen" {
  input = module.m.token
}
output "summary" { value = module.m.summary }
`,
		"m/main.hcl": `
variable "settings" {
  type = object({
    name = string
    mode = optional(string, "0644")
  })
}
variable "size" {
  type     = number
  default  = 3
  nullable = false
}
variable "token" {
  type      = string
  sensitive = true
}
output "summary" { value = "${var.settings.name}/${var.settings.mode}/${var.size}" }
output "token" { value = var.token }
`,
	})
	p, st, diags := run(t, dir, reconcile.Options{})
	if diags.HasErrors() {
		t.Fatalf("apply: %s", render(nil, diags))
	}
	if got := string(st.Outputs["summary"].Value); got != `"x/0644/3"` {
		t.Errorf("summary = %s, want x/0644/3", got)
	}
	for _, c := range p.Changes {
		if c.Addr == "plumb_data.seen" && len(c.Sensitive) != 0 {
			t.Errorf("plumb_data.seen is marked sensitive (%v) though it does not use the token", c.Sensitive)
		}
		if c.Addr == "plumb_data.secret_seen" && !reflect.DeepEqual(c.Sensitive, []string{"input", "output"}) {
			t.Errorf("plumb_data.secret_seen has sensitive %v; the module's sensitive variable must stay sensitive", c.Sensitive)
		}
	}
}
