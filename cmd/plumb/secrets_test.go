package main

import (
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// canary is the secret the secrets tests look for in every output.
const canary = "CANARY-51d2c0e8"

// TestSensitiveVariableInEveryProviderBlock sets every string attribute
// of every provider's block (and of its nested blocks, such as ssh) from
// a sensitive variable, declares one resource of the provider so that it
// is configured, then validates and plans. Nothing may panic (providers
// get the plain value), and whatever a provider says about the value
// must not repeat it.
func TestSensitiveVariableInEveryProviderBlock(t *testing.T) {
	reg := registry()
	for _, name := range reg.Names() {
		f, _ := reg.Factory(name)
		p := f()
		body := secretAttrs(p.Schema(), "  ")
		if body == "" {
			continue
		}
		res := someResource(p)
		if res == "" {
			t.Errorf("provider %s has no resource type the test can declare", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			dir := configDir(t, map[string]string{"main.hcl": fmt.Sprintf(`
variable "secret" {
  type      = string
  sensitive = true
  default   = %q
}
provider %q {
%s}
%s
`, canary, name, body, res)})
			for _, cmd := range [][]string{{"validate"}, {"plan", "-no-color"}} {
				r := plumb(t, dir, cmd...)
				out := r.stdout + r.stderr
				if strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") {
					t.Fatalf("plumb %s panicked:\n%s", cmd[0], r)
				}
				if strings.Contains(out, canary) {
					t.Errorf("plumb %s shows the secret:\n%s", cmd[0], r)
				}
			}
		})
	}
}

// secretAttrs writes every string (or list of strings) attribute of a
// schema, and of its single nested blocks, as set from var.secret.
func secretAttrs(s providers.Schema, indent string) string {
	var lines []string
	for attr, a := range s.Attributes {
		switch {
		case a.Type == cty.String:
			lines = append(lines, fmt.Sprintf("%s%s = var.secret", indent, attr))
		case a.Type.IsListType() && a.Type.ElementType() == cty.String, a.Type.IsSetType() && a.Type.ElementType() == cty.String:
			lines = append(lines, fmt.Sprintf("%s%s = [var.secret]", indent, attr))
		}
	}
	for name, b := range s.Blocks {
		if b.Nesting != providers.NestingSingle {
			continue
		}
		if inner := secretAttrs(b.Schema, indent+"  "); inner != "" {
			lines = append(lines, fmt.Sprintf("%s%s {\n%s%s}", indent, name, inner, indent))
		}
	}
	sort.Strings(lines)
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// someResource declares one resource of p with its required attributes
// filled with placeholder values: enough for the provider to be
// configured before the resource is planned.
func someResource(p providers.Provider) string {
	schemas := map[string]providers.Schema{}
	for typ, r := range p.Resources() {
		schemas["resource "+typ] = r.Schema()
	}
	for typ, d := range p.DataSources() {
		schemas["data "+typ] = d.Schema()
	}
	kinds := make([]string, 0, len(schemas))
	for k := range schemas {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
next:
	for _, kind := range kinds {
		s := schemas[kind]
		for _, b := range s.Blocks {
			if b.MinItems > 0 {
				continue next
			}
		}
		var lines []string
		for attr, a := range s.Attributes {
			if !a.Required {
				continue
			}
			v, ok := placeholder(a.Type)
			if !ok {
				continue next
			}
			lines = append(lines, fmt.Sprintf("  %s = %s", attr, v))
		}
		sort.Strings(lines)
		block, typ, _ := strings.Cut(kind, " ")
		return fmt.Sprintf("%s %q \"probe\" {\n%s\n}\n", block, typ, strings.Join(lines, "\n"))
	}
	return ""
}

// placeholder is an HCL literal of type ty.
func placeholder(ty cty.Type) (string, bool) {
	switch {
	case ty == cty.String:
		return `"probe"`, true
	case ty == cty.Number:
		return "1", true
	case ty == cty.Bool:
		return "false", true
	case ty.IsListType() || ty.IsSetType():
		if v, ok := placeholder(ty.ElementType()); ok {
			return "[" + v + "]", true
		}
	case ty.IsMapType():
		if v, ok := placeholder(ty.ElementType()); ok {
			return "{ probe = " + v + " }", true
		}
	}
	return "", false
}

// canaryVar declares the sensitive variable every canary configuration
// uses.
const canaryVar = `
variable "pw" {
  type      = string
  sensitive = true
  default   = "` + canary + `"
}
`

// TestCanaryNeverPrinted runs every command and output format over a
// configuration that puts a sensitive value everywhere a value can go
// (provider block, resource attributes, values derived from them,
// outputs), and fails if the value appears in anything printed. Only the
// commands that exist to hand out raw data print it: plumb state pull
// (the state file itself) and plumb output NAME (one output asked for by
// name); the test checks that they do, which proves the grep can find
// it.
func TestCanaryNeverPrinted(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": canaryVar + `
provider "aws" {
  region     = "us-east-1"
  access_key = "AKIAEXAMPLE"
  secret_key = var.pw
}
resource "plumb_data" "x" { input = var.pw }
resource "plumb_data" "y" { input = { inner = "pre-${plumb_data.x.output}" } }
resource "local_file" "a" {
  filename = "a.txt"
  content  = "a ${var.pw}"
}
resource "local_file" "b" {
  filename          = "b.txt"
  sensitive_content = var.pw
}
output "derived" { value = plumb_data.y.output }
output "direct" { value = var.pw }
`})
	runs := [][]string{
		{"validate"}, {"plan"}, {"plan", "-json"}, {"plan", "-out=saved.plan"},
		{"show", "saved.plan"}, {"show", "-format=json", "saved.plan"}, {"show", "-format=markdown", "saved.plan"}, {"show", "-format=html", "saved.plan"},
		{"apply", "-auto-approve"}, {"apply", "-auto-approve", "-json", "-var", "pw=" + canary + "-2"},
		{"show"}, {"show", "-format=json"}, {"state", "list"},
		{"state", "show", "plumb_data.x"}, {"state", "show", "plumb_data.y"}, {"state", "show", "local_file.a"}, {"state", "show", "local_file.b"},
		{"output"}, {"output", "-json"}, {"graph"}, {"plan", "-detailed-exitcode"}, {"plan", "-destroy"},
	}
	for _, args := range runs {
		r := plumb(t, dir, args...)
		if r.code != exitOK && !(args[0] == "plan" && r.code == exitChanges) {
			t.Errorf("plumb %v failed:\n%s", args, r)
		}
		if strings.Contains(r.stdout+r.stderr, canary) {
			t.Errorf("plumb %v printed the secret:\n%s", args, r)
		}
	}
	// plumb console prints values as configuration sees them, state's
	// included: every sensitive part as (sensitive).
	console := exec.Command(plumbBin, "-chdir="+dir, "console")
	console.Stdin = strings.NewReader("var.pw\nplumb_data.x\nplumb_data.y\nlocal_file.b\n[var.pw, 1]\nupper(var.pw)\ntonumber(var.pw)\n")
	if out, _ := console.CombinedOutput(); strings.Contains(string(out), canary) || !strings.Contains(string(out), "(sensitive") {
		t.Errorf("plumb console:\n%s", out)
	}
	for _, args := range [][]string{{"state", "pull"}, {"output", "-raw", "direct"}} {
		if r := plumb(t, dir, args...); !strings.Contains(r.stdout, canary) {
			t.Errorf("plumb %v should print the raw value it is asked for:\n%s", args, r)
		}
	}
	if r := plumb(t, dir, "destroy", "-auto-approve"); r.code != exitOK || strings.Contains(r.stdout+r.stderr, canary) {
		t.Errorf("destroy:\n%s", r)
	}
}

// TestCanaryNotInErrors makes each kind of error meet the sensitive
// value: functions refusing it, a resource rejecting it, a variable's
// validation, a provider block, instance keys, an apply that fails on
// it. Each must fail, and no message may show the value.
func TestCanaryNotInErrors(t *testing.T) {
	cases := map[string]string{
		"cidrhost":     `resource "plumb_data" "x" { input = cidrhost(var.pw, 1) }`,
		"file":         `resource "plumb_data" "x" { input = file(var.pw) }`,
		"templatefile": `resource "plumb_data" "x" { input = templatefile(var.pw, {}) }`,
		"tonumber":     `resource "plumb_data" "x" { input = tonumber(var.pw) }`,
		"jsondecode":   `resource "plumb_data" "x" { input = jsondecode(var.pw) }`,
		"regex":        `resource "plumb_data" "x" { input = regex("(${var.pw}", "x") }`,
		"mode":         `resource "local_file" "x" { filename = "x.txt"` + "\n" + `content = "x"` + "\n" + `mode = var.pw }`,
		"validation message": `variable "v" {
  type    = string
  default = "x"
  validation {
    condition     = false
    error_message = "v is wrong; the password is ${var.pw}."
  }
}`,
		"validation condition": `variable "w" {
  type    = string
  default = "x"
  validation {
    condition     = tonumber(var.pw) > 1
    error_message = "w is wrong."
  }
}`,
		"provider block":  `provider "aws" { endpoint = var.pw }` + "\n" + `resource "aws_route53_zone" "z" { name = "example.org" }`,
		"instance keys":   `resource "plumb_data" "x" {` + "\n" + `for_each = toset([var.pw])` + "\n" + `input = 1 }`,
		"duplicate files": `resource "local_file" "a" {` + "\n" + `filename = var.pw` + "\n" + `content = "a" }` + "\n" + `resource "local_file" "b" {` + "\n" + `filename = var.pw` + "\n" + `content = "b" }`,
		"apply fails":     `resource "local_file" "x" {` + "\n" + `filename = "/proc/${var.pw}/x"` + "\n" + `content = "x" }`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			if name == "validation message" || name == "validation condition" {
				// these read var.pw from inside another variable's validation
				src = strings.Replace(canaryVar, `variable "pw"`, `variable "pw"`, 1) + src
			} else {
				src = canaryVar + src
			}
			dir := configDir(t, map[string]string{"main.hcl": src})
			failed := false
			for _, args := range [][]string{{"validate"}, {"plan"}, {"apply", "-auto-approve"}} {
				r := plumb(t, dir, args...)
				failed = failed || r.code == exitError
				if strings.Contains(r.stdout+r.stderr, canary) {
					t.Errorf("plumb %v printed the secret:\n%s", args, r)
				}
			}
			if !failed {
				t.Errorf("no command failed: the error path was not reached")
			}
		})
	}
}
