package reconcile_test

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile"
)

// TestOptionalAttributesAndNullable loads variables with optional(T,
// DEFAULT) attributes and nullable = false, given values from a
// variables file, and checks the values the configuration sees.
func TestOptionalAttributesAndNullable(t *testing.T) {
	const decls = `
variable "site" {
  type = object({
    name  = string
    port  = optional(number, 443)
    tls   = optional(bool, true)
    tags  = optional(map(string), {})
    owner = optional(string)
    backends = optional(list(object({
      host   = string
      weight = optional(number, 1)
    })), [])
  })
}
variable "sites" {
  type    = map(object({ port = optional(number, 80) }))
  default = { a = {}, b = { port = 8080 } }
}
variable "region" {
  type     = string
  default  = "eu-west-1"
  nullable = false
}
variable "maybe" {
  type    = string
  default = "x"
}
resource "plumb_data" "x" { input = 1 }
`
	dir := writeConfig(t, map[string]string{
		"main.hcl": decls,
		"values.vars": `
site   = { name = "www", backends = [{ host = "a" }, { host = "b", weight = 3 }] }
region = null
maybe  = null
`,
	})
	e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry(), Inputs: reconcile.Inputs{VarFiles: []string{"values.vars"}}})
	if diags.HasErrors() {
		t.Fatal(render(e, diags))
	}
	vars := e.Variables()
	site := vars["site"]
	for attr, want := range map[string]cty.Value{
		"name":  cty.StringVal("www"),
		"port":  cty.NumberIntVal(443),
		"tls":   cty.True,
		"tags":  cty.MapValEmpty(cty.String),
		"owner": cty.NullVal(cty.String),
	} {
		if got := site.GetAttr(attr); !got.RawEquals(want) {
			t.Errorf("site.%s = %#v, want %#v", attr, got, want)
		}
	}
	backends := site.GetAttr("backends")
	if w := backends.Index(cty.NumberIntVal(0)).GetAttr("weight"); !w.RawEquals(cty.NumberIntVal(1)) {
		t.Errorf("backends[0].weight = %#v, want the default 1", w)
	}
	if w := backends.Index(cty.NumberIntVal(1)).GetAttr("weight"); !w.RawEquals(cty.NumberIntVal(3)) {
		t.Errorf("backends[1].weight = %#v, want the given 3", w)
	}
	if p := vars["sites"].Index(cty.StringVal("a")).GetAttr("port"); !p.RawEquals(cty.NumberIntVal(80)) {
		t.Errorf("the default's optional attribute: sites.a.port = %#v, want 80", p)
	}
	if r := vars["region"]; !r.RawEquals(cty.StringVal("eu-west-1")) {
		t.Errorf("nullable = false given null: region = %#v, want the default", r)
	}
	if m := vars["maybe"]; !m.IsNull() {
		t.Errorf("nullable given null: maybe = %#v, want null, as in Terraform", m)
	}
}

func TestNullableFalseRefusesNull(t *testing.T) {
	for _, tc := range []struct {
		name, decl, vars, want string
	}{
		{"no default", `variable "v" {
  type     = string
  nullable = false
}`, "v = null\n", "values.vars gives null, but the variable has nullable = false and no default"},
		{"null default", `variable "v" {
  type     = string
  default  = null
  nullable = false
}`, "", "nullable = false, so its default cannot be null"},
		{"missing required attribute", `variable "v" {
  type = object({ name = string, port = optional(number, 1) })
}`, "v = { port = 2 }\n", `attribute "name" is required`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeConfig(t, map[string]string{"main.hcl": tc.decl + "\nresource \"plumb_data\" \"x\" { input = 1 }\n", "values.vars": tc.vars})
			e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry(), Inputs: reconcile.Inputs{VarFiles: []string{"values.vars"}}})
			if !diags.HasErrors() || !strings.Contains(render(e, diags), tc.want) {
				t.Errorf("want an error containing %q, got:\n%s", tc.want, render(e, diags))
			}
		})
	}
}
