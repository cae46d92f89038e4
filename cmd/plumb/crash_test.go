package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashConfig writes many files, so an apply takes long enough to be
// killed part way; var.gen changes every file's content.
const crashConfig = `
variable "gen" {
  type    = string
  default = "0"
}

resource "plumb_data" "gen" {
  input = var.gen
}

resource "local_file" "f" {
  count    = 1500
  filename = "files/${count.index}.txt"
  content  = "gen ${plumb_data.gen.output} file ${count.index}\n"
}
`

// startApply starts an apply that is not waited for.
func startApply(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(plumbBin, append([]string{"-chdir=" + dir, "apply", "-auto-approve"}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// checkStateParses fails unless the state file is whole, valid JSON.
func checkStateParses(t *testing.T, dir, when string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "plumb.state"))
	if os.IsNotExist(err) {
		return // killed before anything was written: nothing to lose
	}
	if err != nil || !json.Valid(b) {
		t.Fatalf("%s: state file does not parse (%v); %d bytes", when, err, len(b))
	}
}

// TestKillDuringApply kills plumb with SIGKILL at several points of an
// apply, each time with a new generation of content. After every kill the
// state file parses and plumb can plan; at the end one more apply
// converges and a plan shows no changes.
func TestKillDuringApply(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": crashConfig})
	delays := []time.Duration{5 * time.Millisecond, 40 * time.Millisecond, 120 * time.Millisecond, 250 * time.Millisecond, 400 * time.Millisecond, 700 * time.Millisecond}
	for i, d := range delays {
		cmd := startApply(t, dir, "-var", fmt.Sprintf("gen=%d", i+1))
		time.Sleep(d)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		when := fmt.Sprintf("kill %d after %s", i+1, d)
		_, jerr := os.Stat(filepath.Join(dir, "plumb.state.journal"))
		t.Logf("%s: journal left behind: %v", when, jerr == nil)
		checkStateParses(t, dir, when)
		if r := plumb(t, dir, "plan", "-var", fmt.Sprintf("gen=%d", i+1)); r.code != exitOK {
			t.Fatalf("%s: plan fails:\n%s", when, r)
		}
	}
	final := fmt.Sprint(len(delays))
	if r := plumb(t, dir, "apply", "-auto-approve", "-var", "gen="+final); r.code != exitOK {
		t.Fatalf("converging apply:\n%s", r)
	}
	if r := plumb(t, dir, "plan", "-detailed-exitcode", "-var", "gen="+final); r.code != exitOK {
		t.Fatalf("plan after the converging apply shows changes:\n%s", r)
	}
	for _, n := range []int{0, 777, 1499} {
		b, _ := os.ReadFile(filepath.Join(dir, "files", fmt.Sprintf("%d.txt", n)))
		if want := fmt.Sprintf("gen %s file %d\n", final, n); string(b) != want {
			t.Errorf("files/%d.txt = %q, want %q", n, b, want)
		}
	}
	if r := plumb(t, dir, "state", "list"); strings.Count(r.stdout, "\n") != 1501 {
		t.Fatalf("state holds %d instances, want 1501", strings.Count(r.stdout, "\n"))
	}
}

// TestInterruptDuringApply sends one SIGINT, as Ctrl-C does: plumb stops
// starting work, saves what finished, says so and exits 1 with the
// journal folded into state.
func TestInterruptDuringApply(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": crashConfig})
	cmd := exec.Command(plumbBin, "-chdir="+dir, "apply", "-auto-approve", "-parallelism=2")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the apply has begun writing files, then interrupt.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if entries, _ := os.ReadDir(filepath.Join(dir, "files")); len(entries) > 50 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitError {
		t.Fatalf("interrupted apply: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "Apply interrupted") {
		t.Errorf("no word of the interruption:\n%s", stderr.String())
	}
	checkStateParses(t, dir, "after interrupt")
	if _, err := os.Stat(filepath.Join(dir, "plumb.state.journal")); !os.IsNotExist(err) {
		t.Error("journal left behind: it should be folded into state on a graceful stop")
	}
	r := plumb(t, dir, "state", "list")
	done := strings.Count(r.stdout, "\n")
	if done < 50 || done >= 1501 {
		t.Fatalf("after the interrupt state holds %d instances; want some but not all", done)
	}
	// Every file recorded in state exists with the content state says.
	entries, _ := os.ReadDir(filepath.Join(dir, "files"))
	if len(entries) < done-1 {
		t.Errorf("state records %d instances but only %d files exist", done, len(entries))
	}
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply after the interrupt:\n%s", r)
	}
	if r := plumb(t, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after finishing:\n%s", r)
	}
}
