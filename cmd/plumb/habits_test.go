package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// plumbIn runs plumb in dir with stdin, not a terminal, as in a pipe.
func plumbIn(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(plumbBin, append([]string{"-chdir=" + dir}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// planJSON runs plan -json with args and decodes the document.
func planJSON(t *testing.T, dir string, args ...string) map[string]any {
	t.Helper()
	r := plumb(t, dir, append([]string{"plan", "-json"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("plan -json %v:\n%s", args, r)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, r.stdout)
	}
	return doc
}

// variable returns a root variable's value from a plan document.
func variable(doc map[string]any, name string) any {
	return doc["variables"].(map[string]any)[name].(map[string]any)["value"]
}

// TestTerraformFlagsAccepted runs the flags Terraform users type in CI.
func TestTerraformFlagsAccepted(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	for _, args := range [][]string{
		{"plan", "-input=false", "-lock=false", "-compact-warnings", "-no-color"},
		{"apply", "-input=false", "-auto-approve", "-lock-timeout=5s", "-compact-warnings"},
		{"plan", "-input=false", "-detailed-exitcode", "-lock=false"},
		{"show", "-json"},
		{"validate", "-json"},
		{"fmt", "-check", "-diff", "-recursive"},
	} {
		if r := plumb(t, dir, args...); r.code != exitOK {
			t.Errorf("plumb %v:\n%s", args, r)
		}
	}
}

func TestVarsInOrderGivenLaterWins(t *testing.T) {
	dir := configDir(t, map[string]string{
		"main.hcl": `
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
resource "plumb_data" "x" { input = [var.a, var.b, var.c] }
`,
		"one.vars":    "a = \"one\"\nb = \"one\"\n",
		"two.json":    `{"a": "two", "c": "${not a template}"}`,
		"broken.vars": "a = \n",
	})
	doc := planJSON(t, dir, "-var-file=one.vars", "-var", "a=cli", "-var-file=two.json", "-var", "b=cli")
	if a, b, c := variable(doc, "a"), variable(doc, "b"), variable(doc, "c"); a != "two" || b != "cli" || c != "${not a template}" {
		t.Errorf("a, b, c = %v, %v, %v; want two (the file after -var), cli, and the JSON string as written", a, b, c)
	}
	doc = planJSON(t, dir, "-var", "a=cli", "-var-file=one.vars")
	if a := variable(doc, "a"); a != "one" {
		t.Errorf("-var then -var-file: a = %v, want one", a)
	}
	if r := plumb(t, dir, "plan", "-var-file=broken.vars"); r.code != exitError || !strings.Contains(r.stderr, "on broken.vars line 1") || !strings.Contains(r.stderr, "1: a =") {
		t.Errorf("a broken var file must be an error naming it:\n%s", r)
	}
}

func TestAutoLoadedVariableFiles(t *testing.T) {
	dir := configDir(t, map[string]string{
		"main.hcl": `
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
resource "plumb_data" "x" { input = [var.a, var.b, var.c, var.d, var.e] }
`,
		"plumb.plumbvars":       "a = \"project\"\nb = \"project\"\nc = \"project\"\nd = \"project\"\n",
		"plumb.plumbvars.json":  `{"b": "project-json", "c": "project-json", "d": "project-json"}`,
		"a.auto.plumbvars":      "c = \"a.auto\"\nd = \"a.auto\"\nunused = 1\n",
		"b.auto.plumbvars.json": `{"d": "b.auto.json"}`,
		"ignored.plumbvars":     "e = \"not auto-loaded\"\n",
		"sub/c.auto.plumbvars":  "e = \"not in the folder\"\n",
		"explicit.vars":         "d = \"explicit\"\n",
	})
	r := plumb(t, dir, "plan", "-json")
	if !strings.Contains(r.stderr, "Value for undeclared variable") || !strings.Contains(r.stderr, "a.auto.plumbvars") {
		t.Errorf("an undeclared variable in an auto-loaded file must be a warning naming the file:\n%s", r.stderr)
	}
	doc := planJSON(t, dir)
	want := map[string]string{"a": "project", "b": "project-json", "c": "a.auto", "d": "b.auto.json", "e": "default"}
	for name, w := range want {
		if got := variable(doc, name); got != w {
			t.Errorf("%s = %v, want %s", name, got, w)
		}
	}
	if got := variable(planJSON(t, dir, "-var-file=explicit.vars"), "d"); got != "explicit" {
		t.Errorf("-var-file after the auto-loaded files: d = %v, want explicit", got)
	}
	// The environment is below every file, as TF_VAR_ is in Terraform.
	cmd := exec.Command(plumbBin, "-chdir="+dir, "plan", "-json")
	cmd.Env = append(os.Environ(), "PLUMB_VAR_a=env", "PLUMB_VAR_e=env")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var envDoc map[string]any
	json.Unmarshal(out, &envDoc)
	if a, e := variable(envDoc, "a"), variable(envDoc, "e"); a != "project" || e != "env" {
		t.Errorf("with PLUMB_VAR_a and PLUMB_VAR_e: a = %v (want the file's project), e = %v (want env)", a, e)
	}
}

func TestRequiredVersion(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": "plumb {\n  required_version = \">= 99.0\"\n}\nresource \"plumb_data\" \"x\" { input = 1 }\n"})
	for _, cmd := range []string{"plan", "validate"} {
		r := plumb(t, dir, cmd)
		if r.code != exitError || !strings.Contains(r.stderr, "Unsupported plumb version") || !strings.Contains(r.stderr, "requires plumb >= 99.0") || !strings.Contains(r.stderr, "on main.hcl line 2") {
			t.Errorf("%s with required_version >= 99.0:\n%s", cmd, r)
		}
	}
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte("plumb {\n  required_version = \">= 0.1, < 99\"\n}\nresource \"plumb_data\" \"x\" { input = 1 }\n"), 0o644)
	if r := plumb(t, dir, "plan"); r.code != exitOK {
		t.Errorf("plan with a constraint this plumb meets:\n%s", r)
	}
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte("plumb {\n  required_version = \"newest please\"\n}\n"), 0o644)
	if r := plumb(t, dir, "plan"); r.code != exitError || !strings.Contains(r.stderr, "Invalid required_version") {
		t.Errorf("plan with a constraint that does not parse:\n%s", r)
	}
}

func TestApplyConfirmationFromPipe(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	r := plumbIn(t, dir, "yes\n", "apply")
	if r.code != exitError || !strings.Contains(r.stderr, "-confirm-stdin") {
		t.Fatalf("apply with yes piped in but no flag must be refused, naming the flag:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "note.txt")); err == nil {
		t.Fatal("the refused apply wrote note.txt")
	}
	if r := plumbIn(t, dir, "no\n", "apply", "-confirm-stdin"); r.code != exitError || !strings.Contains(r.stdout, "Nothing was changed") {
		t.Fatalf("apply -confirm-stdin answered no:\n%s", r)
	}
	if r := plumbIn(t, dir, "yes\n", "apply", "-confirm-stdin"); r.code != exitOK {
		t.Fatalf("apply -confirm-stdin answered yes:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "note.txt")); err != nil {
		t.Fatal("apply -confirm-stdin with yes did not apply")
	}
}

func TestTaintAndUntaint(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	plumb(t, dir, "apply", "-auto-approve")
	if r := plumb(t, dir, "taint", "plumb_data.hello"); r.code != exitOK || !strings.Contains(r.stdout, "-replace=plumb_data.hello") {
		t.Fatalf("taint:\n%s", r)
	}
	if r := plumb(t, dir, "taint", "plumb_data.hello"); r.code != exitError || !strings.Contains(r.stderr, "already tainted") {
		t.Errorf("taint twice:\n%s", r)
	}
	doc := planJSON(t, dir)
	found := false
	for _, rc := range doc["resource_changes"].([]any) {
		m := rc.(map[string]any)
		if m["address"] == "plumb_data.hello" {
			found = m["action_reason"] == "replace_because_tainted"
		}
	}
	if !found {
		t.Errorf("a tainted instance is not planned for replacement as tainted")
	}
	if r := plumb(t, dir, "untaint", "plumb_data.hello"); r.code != exitOK {
		t.Fatalf("untaint:\n%s", r)
	}
	if r := plumb(t, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Errorf("plan after untaint:\n%s", r)
	}
	if r := plumb(t, dir, "taint", "nothing.here"); r.code != exitError || !strings.Contains(r.stderr, "not in state") {
		t.Errorf("taint of an address not in state:\n%s", r)
	}
}

func TestValidateJSON(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": "resource \"plumb_data\" \"x\" {\n  input = uper(\"a\")\n}\n"})
	r := plumb(t, dir, "validate", "-json")
	var doc struct {
		FormatVersion string `json:"format_version"`
		Valid         bool   `json:"valid"`
		ErrorCount    int    `json:"error_count"`
		Diagnostics   []struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Range    struct {
				Filename string `json:"filename"`
				Start    struct{ Line, Column int }
			} `json:"range"`
			Snippet struct {
				Code      string `json:"code"`
				StartLine int    `json:"start_line"`
			} `json:"snippet"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("validate -json: %v\n%s", err, r)
	}
	if r.code != exitError || doc.Valid || doc.ErrorCount != 1 || len(doc.Diagnostics) != 1 {
		t.Fatalf("validate -json of a bad configuration: %+v\n%s", doc, r)
	}
	d := doc.Diagnostics[0]
	if d.Severity != "error" || !strings.Contains(d.Summary, "unknown function") || d.Range.Filename != "main.hcl" || d.Range.Start.Line != 2 ||
		d.Snippet.Code != `  input = uper("a")` || d.Snippet.StartLine != 2 {
		t.Errorf("diagnostic = %+v", d)
	}
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte("resource \"plumb_data\" \"x\" { input = 1 }\n"), 0o644)
	r = plumb(t, dir, "validate", "-json")
	if r.code != exitOK || !strings.Contains(r.stdout, `"valid": true`) || !strings.Contains(r.stdout, `"diagnostics": []`) {
		t.Errorf("validate -json of a good configuration:\n%s", r)
	}
}

func TestFmtDiffAndRecursive(t *testing.T) {
	dir := configDir(t, map[string]string{
		"main.hcl":              "resource \"plumb_data\" \"a\" {\ninput=1\n}\n",
		"modules/site/main.hcl": "variable \"x\" {\ndefault=1\n}\n",
		"plumb.plumbvars":       "a=1\n",
		".hidden/x.hcl":         "a=1\n",
	})
	r := plumb(t, dir, "fmt", "-check", "-diff")
	if r.code != exitFormat || !strings.Contains(r.stdout, "--- old/main.hcl\n+++ new/main.hcl\n") || !strings.Contains(r.stdout, "-input=1\n+  input = 1\n") {
		t.Errorf("fmt -check -diff:\n%s", r)
	}
	if strings.Contains(r.stdout, "modules/site") {
		t.Errorf("fmt without -recursive went into modules/:\n%s", r)
	}
	if !strings.Contains(r.stdout, "plumb.plumbvars") {
		t.Errorf("fmt does not format the variables file:\n%s", r)
	}
	r = plumb(t, dir, "fmt", "-recursive")
	if r.code != exitOK || !strings.Contains(r.stdout, filepath.Join("modules", "site", "main.hcl")) || strings.Contains(r.stdout, ".hidden") {
		t.Errorf("fmt -recursive:\n%s", r)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "modules", "site", "main.hcl")); !strings.Contains(string(b), "default = 1") {
		t.Errorf("fmt -recursive left modules/site/main.hcl as %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".hidden", "x.hcl")); string(b) != "a=1\n" {
		t.Errorf("fmt -recursive changed a hidden folder: %q", b)
	}
	if r := plumb(t, dir, "fmt", "-check", "-recursive"); r.code != exitOK {
		t.Errorf("fmt -check -recursive after fmt -recursive:\n%s", r)
	}
}

// TestTargetWarning checks that a -target plan says it is partial, in
// text and in the JSON warnings.
func TestTargetWarning(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	r := plumb(t, dir, "plan", "-target=plumb_data.hello")
	if r.code != exitOK || !strings.Contains(r.stdout, "This plan covers only: plumb_data.hello") {
		t.Errorf("plan -target does not warn that it is partial:\n%s", r)
	}
	doc := planJSON(t, dir, "-target=plumb_data.hello")
	warnings := doc["plumb"].(map[string]any)["warnings"].([]any)
	if len(warnings) == 0 || !strings.Contains(warnings[0].(string), "This plan covers only: plumb_data.hello") || doc["complete"] != false {
		t.Errorf("plan -json -target: warnings %v, complete %v", warnings, doc["complete"])
	}
}

// TestPlanTimestampKeptBySavedPlan checks that plantimestamp() is the
// plan's time, in the plan and in the apply of the saved plan.
func TestPlanTimestampKeptBySavedPlan(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": `
resource "plumb_data" "stamp" { input = plantimestamp() }
output "stamp" { value = plumb_data.stamp.output }
`})
	planFile := filepath.Join(dir, "p.plan")
	if r := plumb(t, dir, "plan", "-out", planFile); r.code != exitOK {
		t.Fatalf("plan:\n%s", r)
	}
	r := plumb(t, dir, "show", "-json", planFile)
	var doc struct {
		Timestamp       string `json:"timestamp"`
		ResourceChanges []struct {
			Change struct {
				After map[string]any `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.ResourceChanges) != 1 {
		t.Fatalf("show -json: %v\n%s", err, r)
	}
	if got := doc.ResourceChanges[0].Change.After["input"]; got != doc.Timestamp || doc.Timestamp == "" {
		t.Fatalf("plantimestamp() = %v, plan timestamp %q", got, doc.Timestamp)
	}
	if r := plumb(t, dir, "apply", planFile); r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	if r := plumb(t, dir, "output", "-raw", "stamp"); r.stdout != doc.Timestamp {
		t.Errorf("after applying the saved plan the value is %q, want the plan's %q", r.stdout, doc.Timestamp)
	}
}
