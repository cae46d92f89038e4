// Package conformance runs the language conformance cases in cases/: one
// folder per case, with a configuration written as a Terraform user
// writes it and the outputs plumb must give, run through the real plumb
// binary. README.md describes the layout of a case.
package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// plumbBin is the plumb binary the cases run, built once.
var plumbBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "plumb-conformance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	plumbBin = filepath.Join(dir, "plumb")
	if out, err := exec.Command("go", "build", "-o", plumbBin, "../cmd/plumb").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building plumb: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestConformance runs every case folder.
func TestConformance(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("cases", "*"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, c := range cases {
		t.Run(filepath.Base(c), func(t *testing.T) {
			t.Parallel()
			runCase(t, c)
		})
	}
}

// expectFiles are the names in a step folder that say what to check;
// everything else is configuration copied into the work folder.
var expectFiles = map[string]bool{
	"args": true, "README.md": true, "console.in": true,
	"want-error.txt": true, "want-plan.txt": true, "want-warnings.txt": true,
	"want-outputs.json": true, "want-state.txt": true, "want-apply-error.txt": true,
	"want-console.txt": true, "want-files.txt": true, "want-changes-after-apply": true,
	"want-validate-error.txt": true,
}

// runCase runs the steps of one case in one work folder, so state
// carries from step to step.
func runCase(t *testing.T, dir string) {
	steps, _ := filepath.Glob(filepath.Join(dir, "step*"))
	sort.Slice(steps, func(i, j int) bool { return stepNumber(steps[i]) < stepNumber(steps[j]) })
	if len(steps) == 0 {
		steps = []string{dir}
	}
	work := t.TempDir()
	var copied []string
	for _, step := range steps {
		for _, f := range copied {
			if isConfig(f) {
				os.Remove(filepath.Join(work, f))
			}
		}
		copied = copyStep(t, step, work)
		runStep(t, step, work)
		if t.Failed() {
			return
		}
	}
}

// isConfig reports whether a copied file is configuration, which the next
// step's replaces; other files (a file the estate holds, changed by hand
// in a step) stay.
func isConfig(name string) bool {
	for _, suf := range []string{".hcl", ".plumbvars", ".plumbvars.json"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

func stepNumber(p string) int {
	var n int
	fmt.Sscanf(filepath.Base(p), "step%d", &n)
	return n
}

// copyStep copies the configuration of a step (files and folders, not
// the want-* files nor other steps) into work and returns what it copied.
func copyStep(t *testing.T, step, work string) []string {
	t.Helper()
	var copied []string
	err := filepath.WalkDir(step, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(step, p)
		if rel == "." {
			return nil
		}
		if d.IsDir() {
			if strings.HasPrefix(rel, "step") && filepath.Dir(rel) == "." {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(work, rel), 0o755)
		}
		if expectFiles[rel] {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		copied = append(copied, rel)
		return os.WriteFile(filepath.Join(work, rel), src, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return copied
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run runs plumb in work with args, and stdin when given.
func run(t *testing.T, work, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(plumbBin, append([]string{"-chdir=" + work}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "NO_COLOR=1"}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running plumb %v: %v", args, err)
	}
	norm := func(s string) string { return strings.ReplaceAll(s, work, "$DIR") }
	return result{code: code, stdout: norm(out.String()), stderr: norm(errb.String())}
}

// read returns the text of a step's file, and whether it is there.
func read(step, name string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(step, name))
	return string(b), err == nil
}

// lines returns the non-blank lines of s, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// containsInOrder reports the first of want's lines that is not found in
// got after the ones before it (each want line must be contained in one
// line of got, runs of spaces counting as one); "" when all are.
func containsInOrder(got string, want []string) string {
	gl := strings.Split(got, "\n")
	i := 0
	for _, w := range want {
		for i < len(gl) && !strings.Contains(squeeze(gl[i]), squeeze(w)) {
			i++
		}
		if i == len(gl) {
			return w
		}
		i++
	}
	return ""
}

// runStep runs what the step's want-* files ask for, in a fixed order:
// validate, plan, apply, outputs, state, files, console.
func runStep(t *testing.T, step, work string) {
	t.Helper()
	var args []string
	if a, ok := read(step, "args"); ok {
		args = lines(a)
	}
	name := filepath.Base(step)
	if want, ok := read(step, "want-validate-error.txt"); ok {
		r := run(t, work, "", "validate", "-no-color")
		if miss := containsInOrder(r.stderr, lines(want)); r.code != 1 || miss != "" {
			t.Fatalf("%s: validate must fail with %q:\n%s", name, miss, r)
		}
		return
	}
	if want, ok := read(step, "want-error.txt"); ok {
		r := run(t, work, "", append([]string{"plan", "-no-color"}, args...)...)
		if miss := containsInOrder(r.stderr, lines(want)); r.code != 1 || miss != "" {
			t.Fatalf("%s: plan must fail with %q:\n%s", name, miss, r)
		}
		return
	}
	wantWarnings, checkWarnings := read(step, "want-warnings.txt")
	_, wantOutputs := read(step, "want-outputs.json")
	_, wantState := read(step, "want-state.txt")
	_, wantFiles := read(step, "want-files.txt")
	wantApplyErr, applyFails := read(step, "want-apply-error.txt")
	applies := wantOutputs || wantState || wantFiles || applyFails
	if want, ok := read(step, "want-plan.txt"); ok {
		r := run(t, work, "", append([]string{"plan", "-no-color"}, args...)...)
		if miss := containsInOrder(r.stdout, lines(want)); r.code != 0 || miss != "" {
			t.Fatalf("%s: the plan lacks %q:\n%s", name, miss, r)
		}
		if checkWarnings && !applies {
			if miss := containsInOrder(r.stderr, lines(wantWarnings)); miss != "" {
				t.Fatalf("%s: the plan's warnings lack %q:\n%s", name, miss, r)
			}
		}
	}
	if applies {
		r := run(t, work, "", append([]string{"apply", "-auto-approve", "-no-color"}, args...)...)
		if applyFails {
			if miss := containsInOrder(r.stderr, lines(wantApplyErr)); r.code != 1 || miss != "" {
				t.Fatalf("%s: apply must fail with %q:\n%s", name, miss, r)
			}
		} else if r.code != 0 {
			t.Fatalf("%s: apply:\n%s", name, r)
		}
		if checkWarnings {
			if miss := containsInOrder(r.stderr, lines(wantWarnings)); miss != "" {
				t.Fatalf("%s: the apply's warnings lack %q:\n%s", name, miss, r)
			}
		}
		if _, changes := read(step, "want-changes-after-apply"); !changes && !applyFails {
			if r := run(t, work, "", append([]string{"plan", "-no-color", "-detailed-exitcode"}, args...)...); r.code != 0 {
				t.Fatalf("%s: a plan after apply is not empty:\n%s", name, r)
			}
		}
	}
	if want, ok := read(step, "want-outputs.json"); ok {
		checkOutputs(t, name, work, want)
	}
	if want, ok := read(step, "want-state.txt"); ok {
		r := run(t, work, "", "state", "list")
		if got := lines(r.stdout); !reflect.DeepEqual(got, lines(want)) {
			t.Fatalf("%s: state list = %q, want %q", name, got, lines(want))
		}
	}
	if want, ok := read(step, "want-files.txt"); ok {
		checkFiles(t, name, work, want)
	}
	if want, ok := read(step, "want-console.txt"); ok {
		in, _ := read(step, "console.in")
		r := run(t, work, in, "console")
		if got := lines(r.stdout); r.code != 0 || !reflect.DeepEqual(got, lines(want)) {
			t.Fatalf("%s: console printed %q, want %q\n%s", name, got, lines(want), r)
		}
	}
}

// checkOutputs compares plumb output -json with want, a JSON object of
// output values.
func checkOutputs(t *testing.T, name, work, want string) {
	t.Helper()
	r := run(t, work, "", "output", "-json")
	if r.code != 0 {
		t.Fatalf("%s: output -json:\n%s", name, r)
	}
	var doc map[string]struct {
		Value any `json:"value"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%s: output -json: %v\n%s", name, err, r.stdout)
	}
	got := map[string]any{}
	for k, v := range doc {
		got[k] = v.Value
	}
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: want-outputs.json: %v", name, err)
	}
	for k := range w {
		if !reflect.DeepEqual(got[k], w[k]) {
			g, _ := json.Marshal(got[k])
			x, _ := json.Marshal(w[k])
			t.Errorf("%s: output %s = %s, want %s", name, k, g, x)
		}
	}
	for k := range got {
		if _, ok := w[k]; !ok {
			t.Errorf("%s: output %s is not in want-outputs.json", name, k)
		}
	}
}

// checkFiles checks want-files.txt: each line "PATH" (the file exists),
// "!PATH" (it does not) or "PATH: TEXT" (it holds exactly TEXT, with \n
// for newlines).
func checkFiles(t *testing.T, name, work, want string) {
	t.Helper()
	for _, l := range lines(want) {
		if p, ok := strings.CutPrefix(l, "!"); ok {
			if _, err := os.Stat(filepath.Join(work, p)); err == nil {
				t.Errorf("%s: %s exists, want it absent", name, p)
			}
			continue
		}
		p, text, hasText := strings.Cut(l, ": ")
		b, err := os.ReadFile(filepath.Join(work, p))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if hasText && string(b) != strings.ReplaceAll(text, `\n`, "\n") {
			t.Errorf("%s: %s holds %q, want %q", name, p, b, text)
		}
	}
}

// squeeze trims s and turns each run of spaces into one, so aligned
// columns match however wide they are.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
