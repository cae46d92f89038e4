package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// plumbBin is the plumb binary built once for the whole-program tests.
var plumbBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "plumb-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	plumbBin = filepath.Join(dir, "plumb")
	if out, err := exec.Command("go", "build", "-o", plumbBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building plumb: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one plumb run printed and how it exited.
type result struct {
	code           int
	stdout, stderr string
}

// plumb runs the binary in dir with no terminal attached, as CI does.
func plumb(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runBinary(t, nil, append([]string{"-chdir=" + dir}, args...)...)
}

// runBinary runs plumb with args; env, when not nil, is its whole
// environment.
func runBinary(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(plumbBin, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running plumb %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

func configDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const simpleConfig = `
variable "greeting" {
  type    = string
  default = "hello"
}

resource "plumb_data" "hello" {
  input = var.greeting
}

resource "local_file" "note" {
  filename = "note.txt"
  content  = "${plumb_data.hello.output}, world\n"
}

output "note" {
  value = local_file.note.filename
}
`

// TestPlanApplyCycle is the CI path: plan -detailed-exitcode, apply,
// then a plan that finds nothing; no colour without a terminal.
func TestPlanApplyCycle(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	r := plumb(t, dir, "plan", "-detailed-exitcode")
	if r.code != exitChanges || !strings.Contains(r.stdout, "Plan: 2 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("first plan:\n%s", r)
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Error("colour codes printed although stdout is not a terminal")
	}
	r = plumb(t, dir, "apply")
	if r.code != exitError || !strings.Contains(r.stderr, "-auto-approve") {
		t.Fatalf("apply without a terminal or -auto-approve must refuse:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "note.txt")); !os.IsNotExist(err) {
		t.Fatal("the refused apply wrote a file")
	}
	r = plumb(t, dir, "apply", "-auto-approve")
	if r.code != exitOK || !strings.Contains(r.stdout, "Apply complete! Resources: 2 added, 0 changed, 0 destroyed.") {
		t.Fatalf("apply:\n%s", r)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "note.txt")); string(b) != "hello, world\n" {
		t.Fatalf("note.txt = %q", b)
	}
	r = plumb(t, dir, "plan", "-detailed-exitcode")
	if r.code != exitOK || !strings.Contains(r.stdout, "No changes") {
		t.Fatalf("plan after apply:\n%s", r)
	}
	r = plumb(t, dir, "plan", "-detailed-exitcode", "-var", "greeting=hi")
	if r.code != exitChanges || !strings.Contains(r.stdout, `"hello" -> "hi"`) {
		t.Fatalf("plan with -var:\n%s", r)
	}
	info, err := os.Stat(filepath.Join(dir, "plumb.state"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode: %v %v", info, err)
	}
	r = plumb(t, dir, "output", "-raw", "note")
	if r.code != exitOK || r.stdout != "note.txt" {
		t.Fatalf("output -raw:\n%s", r)
	}
}

func TestVariablesFromFileAndEnv(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig, "prod.vars": `greeting = "from file"`})
	r := plumb(t, dir, "plan", "-var-file", filepath.Join(dir, "prod.vars"))
	if !strings.Contains(r.stdout, `"from file"`) {
		t.Fatalf("-var-file not used:\n%s", r)
	}
	cmd := exec.Command(plumbBin, "-chdir="+dir, "plan")
	cmd.Env = append(os.Environ(), "PLUMB_VAR_greeting=from env")
	out, _ := cmd.Output()
	if !strings.Contains(string(out), `"from env"`) {
		t.Fatalf("PLUMB_VAR_greeting not used:\n%s", out)
	}
}

// TestBadInputLeavesStateUntouched breaks a working configuration in
// several ways: each run exits 1 with file and line, and the state file is
// byte for byte what it was.
func TestBadInputLeavesStateUntouched(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "plumb.state"))
	cases := []struct{ where, src string }{
		{"main.hcl:3", strings.Replace(simpleConfig, `type    = string`, `type    = = string`, 1)},
		{"main.hcl:13", strings.Replace(simpleConfig, `content  =`, `contents =`, 1)},
		{"main.hcl:8", strings.Replace(simpleConfig, `input = var.greeting`, `input = var.greting`, 1)},
		{"main.hcl:13", strings.Replace(simpleConfig, `"${plumb_data.hello.output}, world\n"`, `upperr("x")`, 1)},
	}
	for _, c := range cases {
		where := c.where
		os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(c.src), 0o644)
		for _, cmd := range [][]string{{"validate"}, {"plan"}, {"apply", "-auto-approve"}} {
			r := plumb(t, dir, cmd...)
			file, line, _ := strings.Cut(where, ":")
			if r.code != exitError || !strings.Contains(r.stderr, "on "+file+" line "+line) {
				t.Errorf("%s with the error at %s:\n%s", cmd[0], where, r)
			}
		}
		after, _ := os.ReadFile(filepath.Join(dir, "plumb.state"))
		if !bytes.Equal(before, after) {
			t.Fatalf("state changed by a run on bad input (%s)", where)
		}
	}
}

func TestCorruptStateRefused(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	plumb(t, dir, "apply", "-auto-approve")
	plumb(t, dir, "apply", "-auto-approve", "-var", "greeting=again")
	path := filepath.Join(dir, "plumb.state")
	good, _ := os.ReadFile(path)
	os.WriteFile(path, good[:len(good)/2], 0o600)
	r := plumb(t, dir, "plan")
	if r.code != exitError || !strings.Contains(r.stderr, "plumb.state.backup") {
		t.Fatalf("plan on a truncated state must refuse and point at the backup:\n%s", r)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, good[:len(good)/2]) {
		t.Fatal("the refused run rewrote the corrupt state")
	}
	// The backup is a complete earlier state: restoring it works.
	backup, _ := os.ReadFile(path + ".backup")
	if !json.Valid(backup) {
		t.Fatal("backup does not parse")
	}
	os.WriteFile(path, backup, 0o600)
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply after restoring the backup:\n%s", r)
	}
	if r := plumb(t, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after recovery:\n%s", r)
	}
}

func TestSavedPlan(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	planFile := filepath.Join(dir, "p.plan")
	if r := plumb(t, dir, "plan", "-out", planFile); r.code != exitOK {
		t.Fatalf("plan -out:\n%s", r)
	}
	r := plumb(t, dir, "show", "-format=json", planFile)
	var doc struct {
		FormatVersion   string `json:"format_version"`
		ResourceChanges []struct {
			Address string `json:"address"`
			Action  string `json:"action"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.FormatVersion == "" || len(doc.ResourceChanges) != 2 {
		t.Fatalf("show -format=json: %v\n%s", err, r)
	}
	if r := plumb(t, dir, "apply", planFile); r.code != exitOK {
		t.Fatalf("apply PLANFILE:\n%s", r)
	}
	if r := plumb(t, dir, "apply", planFile); r.code != exitError || !strings.Contains(r.stderr, "stale") {
		t.Fatalf("applying the same plan twice must be refused as stale:\n%s", r)
	}
	os.WriteFile(filepath.Join(dir, "junk.plan"), []byte("resource \"x\" \"y\" {}"), 0o644)
	if r := plumb(t, dir, "show", filepath.Join(dir, "junk.plan")); r.code != exitError || !strings.Contains(r.stderr, "plan") {
		t.Fatalf("show on a file that is not a plan:\n%s", r)
	}
}

func TestStateCommands(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	plumb(t, dir, "apply", "-auto-approve")
	if r := plumb(t, dir, "state", "list"); r.stdout != "local_file.note\nplumb_data.hello\n" {
		t.Fatalf("state list:\n%s", r)
	}
	if r := plumb(t, dir, "state", "show", "local_file.note"); !strings.Contains(r.stdout, `filename`) || !strings.Contains(r.stdout, `"note.txt"`) {
		t.Fatalf("state show:\n%s", r)
	}
	if r := plumb(t, dir, "state", "mv", "local_file.note", "local_file.moved"); r.code != exitOK {
		t.Fatalf("state mv:\n%s", r)
	}
	// The configuration still says "note": plumb plans to delete "moved" and
	// create "note", which is what a moved address means.
	r := plumb(t, dir, "plan", "-detailed-exitcode")
	if r.code != exitChanges || !strings.Contains(r.stdout, "local_file.moved will be destroyed") {
		t.Fatalf("plan after state mv:\n%s", r)
	}
	plumb(t, dir, "state", "mv", "local_file.moved", "local_file.note")
	if r := plumb(t, dir, "state", "rm", "local_file.note"); r.code != exitOK {
		t.Fatalf("state rm:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "note.txt")); err != nil {
		t.Fatal("state rm deleted the real file")
	}
	if r := plumb(t, dir, "import", "local_file.note", "note.txt"); r.code != exitOK {
		t.Fatalf("import:\n%s", r)
	}
	if r := plumb(t, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after import:\n%s", r)
	}
}

func TestDestroy(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	plumb(t, dir, "apply", "-auto-approve")
	r := plumb(t, dir, "destroy", "-auto-approve")
	if r.code != exitOK || !strings.Contains(r.stdout, "2 destroyed") {
		t.Fatalf("destroy:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "note.txt")); !os.IsNotExist(err) {
		t.Fatal("destroy left note.txt")
	}
	if r := plumb(t, dir, "state", "list"); r.stdout != "" {
		t.Fatalf("state after destroy:\n%s", r)
	}
}

func TestFmtAndGraph(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": "resource \"plumb_data\" \"a\" {\ninput=1\n}\n"})
	if r := plumb(t, dir, "fmt", "-check"); r.code != exitFormat || !strings.Contains(r.stdout, "main.hcl") {
		t.Fatalf("fmt -check on an unformatted file:\n%s", r)
	}
	if r := plumb(t, dir, "fmt"); r.code != exitOK {
		t.Fatalf("fmt:\n%s", r)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "main.hcl")); !strings.Contains(string(b), "input = 1") {
		t.Fatalf("fmt result: %q", b)
	}
	if r := plumb(t, dir, "fmt", "-check"); r.code != exitOK {
		t.Fatalf("fmt -check after fmt:\n%s", r)
	}
	if r := plumb(t, dir, "graph"); !strings.Contains(r.stdout, `"plumb_data.a" -> "provider.plumb"`) {
		t.Fatalf("graph:\n%s", r)
	}
}

func TestJSONLog(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	r := plumb(t, dir, "apply", "-auto-approve", "-json")
	if r.code != exitOK {
		t.Fatalf("apply -json:\n%s", r)
	}
	var completes int
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		if m["type"] == "operation_complete" {
			if _, ok := m["elapsed_seconds"].(float64); !ok {
				t.Errorf("operation without timing: %v", m)
			}
			completes++
		}
	}
	if completes != 2 {
		t.Fatalf("want 2 operation_complete lines, got %d:\n%s", completes, r.stdout)
	}
}

func TestShowMarkdownAndHTML(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	planFile := filepath.Join(dir, "p.plan")
	plumb(t, dir, "plan", "-out", planFile)
	md := plumb(t, dir, "show", "-format=markdown", planFile)
	if md.code != exitOK || !strings.Contains(md.stdout, "<details") || !strings.Contains(md.stdout, "local_file.note") {
		t.Fatalf("show -format=markdown:\n%s", md)
	}
	page := plumb(t, dir, "show", "-format=html", planFile)
	if page.code != exitOK || !strings.HasPrefix(strings.TrimSpace(page.stdout), "<!") || strings.Contains(page.stdout, "http://") || strings.Contains(page.stdout, "https://") {
		t.Fatalf("show -format=html is not a self-contained page:\n%.400s", page.stdout)
	}
	os.WriteFile(planFile, []byte("truncated"), 0o600)
	if r := plumb(t, dir, "show", "-format=markdown", planFile); r.code != exitError {
		t.Fatalf("markdown of a broken plan file:\n%s", r)
	}
}

// TestExamplesValidate keeps every example folder a valid configuration.
func TestExamplesValidate(t *testing.T) {
	for _, dir := range exampleDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if r := plumb(t, dir, "validate", "-no-color"); r.code != exitOK {
				t.Fatalf("validate %s:\n%s", dir, r)
			}
		})
	}
}
