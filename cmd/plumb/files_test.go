package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRefusesPlantedFiles plants a symbolic link to a victim file, or a
// FIFO, in each place plumb writes a file of its own (the lock, the
// state, its backup and journal, a saved plan) and runs the command that
// writes there. plumb must refuse, name the file, not hang, and leave the
// victim as it was.
func TestRefusesPlantedFiles(t *testing.T) {
	cases := []struct {
		name    string
		file    string   // the planted path, in the configuration folder
		applied bool     // apply once before planting, so a state exists
		args    []string // the command that writes there
	}{
		{name: "lock", file: "plumb.state.lock", args: []string{"plan"}},
		{name: "state", file: "plumb.state", args: []string{"plan"}},
		{name: "backup", file: "plumb.state.backup", applied: true, args: []string{"apply", "-auto-approve", "-var", "v=2"}},
		{name: "journal", file: "plumb.state.journal", applied: true, args: []string{"apply", "-auto-approve", "-var", "v=2"}},
		{name: "plan out", file: "saved.plan", args: []string{"plan", "-out", "saved.plan"}},
		{name: "plan in", file: "saved.plan", args: []string{"apply", "saved.plan"}},
	}
	for _, tc := range cases {
		for _, kind := range []string{"symlink", "fifo"} {
			if tc.name == "plan in" && kind == "symlink" {
				continue // a saved plan is only read: a link to one is followed
			}
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				dir := configDir(t, map[string]string{"main.hcl": `
variable "v" { default = "1" }
resource "plumb_data" "d" { input = var.v }
`})
				if tc.applied {
					if r := plumb(t, dir, "apply", "-auto-approve"); r.code != 0 {
						t.Fatal(r)
					}
				}
				victim := filepath.Join(t.TempDir(), "victim")
				const content = "precious\n"
				if err := os.WriteFile(victim, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				planted := filepath.Join(dir, tc.file)
				os.Remove(planted)
				if kind == "symlink" {
					if err := os.Symlink(victim, planted); err != nil {
						t.Fatal(err)
					}
				} else if err := syscall.Mkfifo(planted, 0o600); err != nil {
					t.Fatal(err)
				}
				r := plumbWithin(t, 20*time.Second, dir, tc.args...)
				if r.code == 0 {
					t.Fatalf("plumb %v went ahead with %s planted:\n%s", tc.args, kind, r)
				}
				if !strings.Contains(r.stderr, tc.file) || !strings.Contains(r.stderr, "Remove it") {
					t.Errorf("the error does not name %s and say what to do:\n%s", tc.file, r)
				}
				if got, _ := os.ReadFile(victim); string(got) != content {
					t.Errorf("the victim was changed to %q", got)
				}
				if fi, err := os.Lstat(planted); err != nil || fi.Mode().Type() == 0 {
					t.Errorf("the planted %s was replaced: %v", kind, err)
				}
			})
		}
	}
}

// plumbWithin runs plumb in dir and fails the test if it has not exited
// after limit (a FIFO opened by mistake blocks for ever).
func plumbWithin(t *testing.T, limit time.Duration, dir string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, plumbBin, append([]string{"-chdir=" + dir}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("plumb %v did not finish within %v: it blocked", args, limit)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}
