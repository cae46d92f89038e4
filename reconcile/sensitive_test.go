package reconcile_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// canary is the secret the tests look for in everything plumb says.
const canary = "CANARY-7f3a9e"

// echoProvider repeats what it is given in its errors, as a careless
// provider would: its configuration's "key" in Configure, and a
// resource's "value" in ValidateConfig. It calls AsString, which panics
// on a marked value, so it also proves providers see no marks.
type echoProvider struct{ got *string }

func (echoProvider) Schema() providers.Schema {
	return providers.Schema{Attributes: map[string]*providers.Attribute{
		"key":  {Type: cty.String, Optional: true},
		"fail": {Type: cty.Bool, Optional: true},
	}}
}

func (p echoProvider) Configure(_ context.Context, req providers.ConfigureRequest) providers.ConfigureResponse {
	if req.Config.IsNull() {
		return providers.ConfigureResponse{}
	}
	key := req.Config.GetAttr("key")
	if key.IsNull() {
		return providers.ConfigureResponse{}
	}
	*p.got = key.AsString()
	if f := req.Config.GetAttr("fail"); !f.IsNull() && f.True() {
		return providers.ConfigureResponse{Diagnostics: providers.Errorf("Bad key", "the key %q is not accepted", key.AsString())}
	}
	return providers.ConfigureResponse{}
}

func (echoProvider) Resources() map[string]providers.Resource {
	return map[string]providers.Resource{"echo_thing": echoThing{}}
}
func (echoProvider) DataSources() map[string]providers.DataSource { return nil }

type echoThing struct{}

func (echoThing) Schema() providers.Schema {
	return providers.Schema{Attributes: map[string]*providers.Attribute{
		"value": {Type: cty.String, Required: true},
	}}
}
func (echoThing) ValidateConfig(_ context.Context, cfg cty.Value) hcl.Diagnostics {
	if v := cfg.GetAttr("value"); v.IsKnown() && strings.HasPrefix(v.AsString(), "bad") {
		return providers.AttributeErrorf("value", "Invalid value", "value = %q: it must not start with bad", v.AsString())
	}
	return nil
}
func (echoThing) Read(_ context.Context, req providers.ReadRequest) providers.ReadResponse {
	return providers.ReadResponse{State: req.Prior}
}
func (e echoThing) Plan(_ context.Context, req providers.PlanRequest) providers.PlanResponse {
	return providers.DefaultPlan(e.Schema(), req)
}
func (echoThing) Apply(_ context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	return providers.ApplyResponse{State: req.Planned}
}
func (echoThing) Import(context.Context, providers.ImportRequest) providers.ImportResponse {
	return providers.ImportResponse{}
}

func echoRegistry(got *string) *providers.Registry {
	reg := testRegistry()
	reg.Register("echo", func() providers.Provider { return echoProvider{got: got} })
	return reg
}

const secretVar = `
variable "k" {
  type      = string
  sensitive = true
  default   = "` + canary + `"
}
`

// TestSensitiveProviderConfig gives a provider block a sensitive
// variable: the provider gets the plain value (no panic), and what it
// says back never shows it.
func TestSensitiveProviderConfig(t *testing.T) {
	for _, fail := range []bool{false, true} {
		var got string
		dir := writeConfig(t, map[string]string{"main.hcl": secretVar + `
provider "echo" {
  key  = "prefix-${var.k}"
  fail = ` + map[bool]string{false: "false", true: "true"}[fail] + `
}
resource "echo_thing" "t" { value = "ok" }`})
		e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: echoRegistry(&got)})
		if diags.HasErrors() {
			t.Fatal(render(e, diags))
		}
		_, diags = e.Plan(context.Background(), state.New())
		if got != "prefix-"+canary {
			t.Errorf("provider got key %q, want the plain value", got)
		}
		text := render(e, diags)
		if fail && !diags.HasErrors() {
			t.Fatal("the provider's error was lost")
		}
		if !fail && diags.HasErrors() {
			t.Fatal(text)
		}
		if strings.Contains(text, canary) {
			t.Errorf("a provider error shows the secret:\n%s", text)
		}
		if fail && !strings.Contains(text, plan.SensitiveValue) {
			t.Errorf("the redacted error does not say (sensitive):\n%s", text)
		}
	}
}

// TestResourceErrorRedacted: a resource type that repeats a rejected
// value in its error (mode = var.pw) prints (sensitive) instead.
func TestResourceErrorRedacted(t *testing.T) {
	var got string
	dir := writeConfig(t, map[string]string{"main.hcl": secretVar + `
resource "echo_thing" "t" { value = "bad-${var.k}" }`})
	e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: echoRegistry(&got)})
	if diags.HasErrors() {
		t.Fatal(render(e, diags))
	}
	for name, d := range map[string]hcl.Diagnostics{"validate": e.Validate(context.Background()), "plan": second(e.Plan(context.Background(), state.New()))} {
		text := render(e, d)
		if !d.HasErrors() || !strings.Contains(text, "Invalid value") {
			t.Fatalf("%s: want the provider's error, got:\n%s", name, text)
		}
		if strings.Contains(text, canary) {
			t.Errorf("%s: the error shows the secret:\n%s", name, text)
		}
	}
}

func second[A, B any](_ A, b B) B { return b }

// TestSensitivePathsRecorded: the state records where values are
// sensitive, also for values derived from another resource's sensitive
// attribute, and a later plan hides them even when the configuration no
// longer says they are sensitive.
func TestSensitivePathsRecorded(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": secretVar + `
resource "plumb_data" "x" { input = var.k }
resource "plumb_data" "y" { input = { inner = "pre-${plumb_data.x.output}", plain = "p" } }
resource "plumb_data" "z" { input = "plain" }
resource "local_file" "f" {
  filename          = "f.txt"
  sensitive_content = "text"
}`})
	_, st, diags := run(t, dir, reconcile.Options{})
	if diags.HasErrors() {
		t.Fatal(render(nil, diags))
	}
	want := map[string]string{
		"plumb_data.x": "input output",
		"plumb_data.y": "input output",
		"plumb_data.z": "",
		// The hash of the secret (id, content_sha256) is as sensitive.
		"local_file.f": "content_sha256 id sensitive_content",
	}
	for addr, names := range want {
		inst := st.Resources[addr]
		if got := strings.Join(inst.Sensitive.TopNames(), " "); got != names {
			t.Errorf("%s: recorded sensitive %q, want %q", addr, got, names)
		}
	}
	// plumb_data.y's input is an object: only the part from the secret
	// is recorded, not its plain sibling.
	var paths []string
	for _, p := range st.Resources["plumb_data.y"].Sensitive {
		paths = append(paths, state.PathString(p))
	}
	if strings.Join(paths, " ") != "input.inner output.inner" {
		t.Errorf("plumb_data.y paths = %v, want input.inner and output.inner", paths)
	}
	// Read back from the file, the paths survive.
	reread, err := state.NewLocal(filepath.Join(dir, "plumb.state")).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := reread.Resources["plumb_data.x"].Sensitive.TopNames(); strings.Join(got, " ") != "input output" {
		t.Errorf("after reading the file: %v", got)
	}

	// The variable stops being sensitive: the values state holds still
	// print as (sensitive) in the plan that changes them.
	writeFile(t, "main.hcl", `
variable "k" {
  type    = string
  default = "other"
}
resource "plumb_data" "x" { input = var.k }`)
	p := planOnly(t, dir, reconcile.Options{})
	var text strings.Builder
	if err := plan.RenderText(&text, p, plan.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), canary) {
		t.Errorf("the plan shows the old secret from state:\n%s", text.String())
	}
}

// TestSensitiveForEachRefused: a sensitive value cannot name instances,
// since instance keys print everywhere.
func TestSensitiveForEachRefused(t *testing.T) {
	for _, meta := range []string{`for_each = toset([var.k])`, `count = length(var.k)`} {
		dir := writeConfig(t, map[string]string{"main.hcl": secretVar + `
resource "plumb_data" "x" {
  ` + meta + `
  input = 1
}`})
		e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry()})
		if diags.HasErrors() {
			t.Fatal(render(e, diags))
		}
		_, diags = e.Plan(context.Background(), state.New())
		text := render(e, diags)
		if !diags.HasErrors() || !strings.Contains(text, "sensitive") {
			t.Errorf("%s: want an error about the sensitive value, got:\n%s", meta, text)
		}
		if strings.Contains(text, canary) {
			t.Errorf("%s: the error shows the secret:\n%s", meta, text)
		}
	}
}

// TestValidationHidesSensitiveValues: a validation condition that fails
// in a function, or an error message built from the value, does not
// print a sensitive variable.
func TestValidationHidesSensitiveValues(t *testing.T) {
	for _, validation := range []string{
		`condition = tonumber(var.k) > 3
    error_message = "k must be a number over 3."`,
		`condition = length(var.k) < 3
    error_message = "k is too long: ${var.k}."`,
	} {
		dir := writeConfig(t, map[string]string{"main.hcl": `
variable "k" {
  type      = string
  sensitive = true
  default   = "` + canary + `"
  validation {
    ` + validation + `
  }
}
resource "plumb_data" "x" { input = var.k }`})
		e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: testRegistry()})
		text := render(e, diags)
		if !diags.HasErrors() {
			t.Fatalf("want a validation error for %s", validation)
		}
		if strings.Contains(text, canary) {
			t.Errorf("validation shows the secret:\n%s", text)
		}
	}
}
