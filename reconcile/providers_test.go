package reconcile_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// engineRun is one plan (and apply, unless planOnly) with a registry.
type engineRun struct {
	plan  *plan.Plan
	state *state.State
	diags hcl.Diagnostics
}

func runWith(t *testing.T, dir string, reg *providers.Registry, opts reconcile.Options, planOnly bool) engineRun {
	t.Helper()
	opts.Dir, opts.Registry = dir, reg
	e, diags := reconcile.Load(opts)
	if diags.HasErrors() {
		return engineRun{diags: diags}
	}
	defer e.Close()
	b := state.NewLocal(filepath.Join(dir, "plumb.state"))
	st, err := b.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, diags := e.Plan(context.Background(), st)
	if diags.HasErrors() || planOnly {
		return engineRun{plan: p, state: st, diags: diags}
	}
	final, diags := e.Apply(context.Background(), st, p, b)
	return engineRun{plan: p, state: final, diags: diags}
}

func mustApply(t *testing.T, dir string, reg *providers.Registry) engineRun {
	t.Helper()
	r := runWith(t, dir, reg, reconcile.Options{}, false)
	if r.diags.HasErrors() {
		t.Fatalf("apply: %s", render(nil, r.diags))
	}
	again := runWith(t, dir, reg, reconcile.Options{}, true)
	if again.diags.HasErrors() || again.plan.HasChanges() {
		t.Fatalf("a plan right after apply: %v %s", actions(again.plan), render(nil, again.diags))
	}
	return r
}

func providerOf(t *testing.T, st *state.State, addr string) string {
	t.Helper()
	inst, ok := st.Resources[addr]
	if !ok {
		t.Fatalf("%s is not in state; state has %v", addr, st.SortedAddrs())
	}
	return inst.Provider
}

// TestProviderAliases configures one provider twice, the default and an
// alias, and checks that each resource and data source is handled by the
// configuration it names, and that state records it.
func TestProviderAliases(t *testing.T) {
	w := newRealms()
	reg := realmRegistry(w)
	dir := writeConfig(t, map[string]string{"main.hcl": `
provider "realm" { name = "eu" }
provider "realm" {
  alias = "us"
  name  = "us"
}
resource "realm_object" "home" {
  key   = "a"
  value = "home"
}
resource "realm_object" "away" {
  provider = realm.us
  key      = "a"
  value    = "away"
}
data "realm_info" "us" { provider = realm.us }
resource "realm_object" "seen" {
  key   = "seen"
  value = data.realm_info.us.realm
}
`})
	r := mustApply(t, dir, reg)
	if v, _ := w.object("eu", "a"); v != "home" {
		t.Errorf("realm eu holds a=%q, want home", v)
	}
	if v, _ := w.object("us", "a"); v != "away" {
		t.Errorf("realm us holds a=%q, want away", v)
	}
	if v, _ := w.object("eu", "seen"); v != "us" {
		t.Errorf("the data source through realm.us read realm %q", v)
	}
	if got := providerOf(t, r.state, "realm_object.home"); got != "provider.realm" {
		t.Errorf("state records %q for realm_object.home, want provider.realm", got)
	}
	if got := providerOf(t, r.state, "realm_object.away"); got != "provider.realm.us" {
		t.Errorf("state records %q for realm_object.away, want provider.realm.us", got)
	}
	for _, c := range r.plan.Changes {
		if c.Addr == "realm_object.away" && c.ProviderConfig != "provider.realm.us" {
			t.Errorf("the plan names %q as the provider of realm_object.away", c.ProviderConfig)
		}
	}
	// Each configuration was configured once per engine, plan and apply
	// together.
	if w.configs["eu"] != 2 || w.configs["us"] != 2 {
		t.Errorf("configures per realm = %v; want one per engine (two engines ran)", w.configs)
	}
}

// TestProviderForEach makes one provider instance per key and binds each
// resource instance to one of them with each.key; the provider instances
// are configured at the same time, and one that fails to configure fails
// only its own resources.
func TestProviderForEach(t *testing.T) {
	w := newRealms()
	w.together = 3
	reg := realmRegistry(w)
	hcl := func(hosts, fail string) string {
		return `
variable "hosts" { default = [` + hosts + `] }
provider "realm" {
  alias    = "host"
  for_each = toset(var.hosts)
  name     = each.key
  fail     = each.key == "` + fail + `" ? "connection refused" : null
}
resource "realm_object" "motd" {
  for_each = toset(var.hosts)
  provider = realm.host[each.key]
  key      = "motd"
  value    = "welcome to ${each.key}"
}
resource "realm_object" "local" {
  key = "independent"
}
`
	}
	dir := writeConfig(t, map[string]string{"main.hcl": hcl(`"web1", "web2", "web3"`, "web2")})
	r := runWith(t, dir, reg, reconcile.Options{}, false)
	if !w.overlapped {
		t.Error("the three provider instances were not configured at the same time")
	}
	msg := render(nil, r.diags)
	if !r.diags.HasErrors() || !strings.Contains(msg, `realm_object.motd["web2"]: provider provider.realm.host["web2"] is not available`) || !strings.Contains(msg, "connection refused") {
		t.Fatalf("want the plan of web2's resource to fail with the provider's message; got:\n%s", msg)
	}
	// A plan with errors is not applied; fix the host and apply.
	writeFile(t, filepath.Join(dir, "main.hcl"), hcl(`"web1", "web2", "web3"`, ""))
	w.together = 0
	r = mustApply(t, dir, reg)
	for _, h := range []string{"web1", "web2", "web3"} {
		if v, _ := w.object(h, "motd"); v != "welcome to "+h {
			t.Errorf("realm %s holds motd=%q", h, v)
		}
		addr := `realm_object.motd["` + h + `"]`
		if got, want := providerOf(t, r.state, addr), `provider.realm.host["`+h+`"]`; got != want {
			t.Errorf("state records %q for %s, want %s", got, addr, want)
		}
	}
	// Now web2 is down during an apply that changes every host: web1 and
	// web3 are changed, web2's resource fails alone, with the message.
	writeFile(t, filepath.Join(dir, "main.hcl"), strings.ReplaceAll(hcl(`"web1", "web2", "web3"`, "web2"), "welcome to", "hello from"))
	r = runWith(t, dir, reg, reconcile.Options{}, false)
	if !r.diags.HasErrors() {
		t.Fatal("want an error for web2")
	}
	// The plan failed for web2 only; apply the others with -target, as a
	// user would while web2 is down.
	r = runWith(t, dir, reg, reconcile.Options{Targets: []string{`realm_object.motd["web1"]`, `realm_object.motd["web3"]`}}, false)
	if r.diags.HasErrors() {
		t.Fatalf("targeted apply around the dead host: %s", render(nil, r.diags))
	}
	for h, want := range map[string]string{"web1": "hello from web1", "web2": "welcome to web2", "web3": "hello from web3"} {
		if v, _ := w.object(h, "motd"); v != want {
			t.Errorf("realm %s holds motd=%q, want %q", h, v, want)
		}
	}
}

// TestFailedProviderFailsOnlyItsResourcesDuringApply makes a provider
// instance fail between plan and apply (a host that goes down): apply
// changes everything else and reports the one resource.
func TestFailedProviderFailsOnlyItsResourcesDuringApply(t *testing.T) {
	w := newRealms()
	reg := realmRegistry(w)
	dir := writeConfig(t, map[string]string{
		"main.hcl": `
variable "down" { default = "" }
provider "realm" {
  alias    = "host"
  for_each = toset(["a", "b"])
  name     = each.key
  fail     = each.key == var.down ? "host is down" : null
}
resource "realm_object" "o" {
  for_each = toset(["a", "b"])
  provider = realm.host[each.key]
  key      = "o"
}
resource "realm_object" "p" {
  provider = realm.host["a"]
  key      = "p"
}
`})
	opts := reconcile.Options{Dir: dir, Registry: reg}
	e, diags := reconcile.Load(opts)
	if diags.HasErrors() {
		t.Fatal(render(e, diags))
	}
	b := state.NewLocal(filepath.Join(dir, "plumb.state"))
	st, _ := b.Read(context.Background())
	p, diags := e.Plan(context.Background(), st)
	if diags.HasErrors() {
		t.Fatal(render(e, diags))
	}
	// A fresh engine applies the saved plan with b down.
	opts.Inputs = reconcile.Inputs{Vars: []string{"down=b"}}
	e2, diags := reconcile.Load(opts)
	if diags.HasErrors() {
		t.Fatal(render(e2, diags))
	}
	p.Variables = e2.Variables()
	final, diags := e2.Apply(context.Background(), st, p, b)
	msg := render(nil, diags)
	if !strings.Contains(msg, `realm_object.o["b"]: provider provider.realm.host["b"] is not available`) || !strings.Contains(msg, "host is down") {
		t.Fatalf("want the error of o[b] naming its provider; got:\n%s", msg)
	}
	for _, addr := range []string{`realm_object.o["a"]`, "realm_object.p"} {
		if _, ok := final.Resources[addr]; !ok {
			t.Errorf("%s was not applied although its provider was up", addr)
		}
	}
	if _, ok := final.Resources[`realm_object.o["b"]`]; ok {
		t.Error(`realm_object.o["b"] is in state although its provider was down`)
	}
}

// TestRemovedProviderConfigurationIsRefused checks Terraform's rule: an
// instance whose provider configuration is gone cannot be deleted, so the
// plan is refused with what to do; removing only the resource deletes it
// through the configuration state recorded.
func TestRemovedProviderConfigurationIsRefused(t *testing.T) {
	w := newRealms()
	reg := realmRegistry(w)
	write := func(providerHosts, resourceHosts string, alias bool) {
		src := `
provider "realm" {
  alias    = "host"
  for_each = toset([` + providerHosts + `])
  name     = each.key
}
resource "realm_object" "o" {
  for_each = toset([` + resourceHosts + `])
  provider = realm.host[each.key]
  key      = "o"
}
`
		if alias {
			src += `
provider "realm" {
  alias = "extra"
  name  = "extra"
}
resource "realm_object" "x" {
  provider = realm.extra
  key      = "x"
}
`
		}
		writeFile(t, filepath.Join(writeDirOf(t), "main.hcl"), src)
	}
	dir := writeConfig(t, nil)
	write(`"a", "b", "c"`, `"a", "b", "c"`, true)
	mustApply(t, dir, reg)

	write(`"a", "b"`, `"a", "b"`, true)
	r := runWith(t, dir, reg, reconcile.Options{}, true)
	msg := render(nil, r.diags)
	if !strings.Contains(msg, "Provider configuration not present") || !strings.Contains(msg, `To delete realm_object.o["c"] plumb needs provider.realm.host["c"]`) {
		t.Fatalf("removing a provider instance with its resource must be refused; got:\n%s", msg)
	}
	write(`"a", "b", "c"`, `"a", "b", "c"`, false)
	r = runWith(t, dir, reg, reconcile.Options{}, true)
	if msg := render(nil, r.diags); !strings.Contains(msg, "realm_object.x plumb needs provider.realm.extra") {
		t.Fatalf("removing an aliased provider block with its resource must be refused; got:\n%s", msg)
	}
	// The way out: keep the provider, delete the resource, then remove the
	// provider.
	write(`"a", "b", "c"`, `"a", "b"`, true)
	r = mustApply(t, dir, reg)
	if got := actions(r.plan); !reflect.DeepEqual(got, map[string]string{`realm_object.o["c"]`: "delete"}) {
		t.Fatalf("actions = %v", got)
	}
	if keys := w.keys("c"); len(keys) != 0 {
		t.Errorf("realm c still holds %v: the delete went elsewhere", keys)
	}
	write(`"a", "b"`, `"a", "b"`, true)
	mustApply(t, dir, reg)
}

func writeDirOf(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

// TestOldStateProviderNames reads a state written before provider
// configurations had names ("provider": "realm"): it means the default
// configuration, so nothing changes, and deleting goes through it.
func TestOldStateProviderNames(t *testing.T) {
	w := newRealms()
	reg := realmRegistry(w)
	dir := writeConfig(t, map[string]string{"main.hcl": `
provider "realm" { name = "old" }
resource "realm_object" "a" { key = "a" }
resource "realm_object" "b" { key = "b" }
`})
	mustApply(t, dir, reg)
	path := filepath.Join(dir, "plumb.state")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.ReplaceAll(string(src), `"provider":"provider.realm"`, `"provider":"realm"`)
	if old == string(src) {
		t.Fatalf("the state does not record provider.realm:\n%s", src)
	}
	os.WriteFile(path, []byte(old), 0o600)
	if r := runWith(t, dir, reg, reconcile.Options{}, true); r.diags.HasErrors() || r.plan.HasChanges() {
		t.Fatalf("an old state plans changes: %v %s", actions(r.plan), render(nil, r.diags))
	}
	writeFile(t, filepath.Join(dir, "main.hcl"), `
provider "realm" { name = "old" }
resource "realm_object" "a" { key = "a" }
`)
	r := mustApply(t, dir, reg)
	if got := actions(r.plan); !reflect.DeepEqual(got, map[string]string{"realm_object.b": "delete"}) {
		t.Fatalf("actions = %v", got)
	}
	if _, ok := w.object("old", "b"); ok {
		t.Error("b was not deleted from the realm of the default configuration")
	}
}

// TestProviderReferenceMistakes checks the errors for provider references
// that cannot work, each at the line of the reference.
func TestProviderReferenceMistakes(t *testing.T) {
	reg := realmRegistry(newRealms())
	tests := []struct {
		name, src, want string
	}{
		{"undeclared alias", `
resource "realm_object" "o" {
  provider = realm.nowhere
  key      = "o"
}`, "undeclared provider configuration realm.nowhere"},
		{"missing key", `
provider "realm" {
  alias    = "h"
  for_each = toset(["a"])
}
resource "realm_object" "o" {
  provider = realm.h
  key      = "o"
}`, "Missing provider instance key"},
		{"key without for_each", `
provider "realm" { alias = "h" }
resource "realm_object" "o" {
  provider = realm.h["a"]
  key      = "o"
}`, "Unexpected provider instance key"},
		{"no such key", `
provider "realm" {
  alias    = "h"
  for_each = toset(["a"])
}
resource "realm_object" "o" {
  provider = realm.h["b"]
  key      = "o"
}`, `asks for provider.realm.h["b"], but its for_each has no such key; the keys are ["a"]`},
		{"unknown key", `
provider "realm" {
  alias    = "h"
  for_each = toset(["a"])
}
resource "plumb_data" "k" { input = "a" }
resource "realm_object" "o" {
  provider = realm.h[plumb_data.k.id]
  key      = "o"
}`, "must be known at plan time"},
		{"wrong provider", `
provider "realm" { alias = "h" }
resource "plumb_data" "o" {
  provider = realm.h
}`, `plumb_data is served by provider "plumb", not "realm"`},
		{"for_each without alias", `
provider "realm" { for_each = toset(["a"]) }`, "for_each without alias"},
		{"quoted reference", `
resource "realm_object" "o" {
  provider = "realm"
  key      = "o"
}`, "Invalid provider reference"},
		{"import through another configuration", `
provider "realm" { alias = "h" }
resource "realm_object" "o" { key = "o" }
import {
  to       = realm_object.o
  id       = "o"
  provider = realm.h
}`, "Import through another provider configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeConfig(t, map[string]string{"main.hcl": tt.src})
			r := runWith(t, dir, reg, reconcile.Options{}, true)
			msg := render(nil, r.diags)
			if !r.diags.HasErrors() || !strings.Contains(msg, tt.want) {
				t.Fatalf("want an error containing %q; got:\n%s", tt.want, msg)
			}
			for _, d := range r.diags {
				if d.Severity == hcl.DiagError && d.Subject == nil {
					t.Errorf("%q has no source location", d.Summary)
				}
			}
		})
	}
}
