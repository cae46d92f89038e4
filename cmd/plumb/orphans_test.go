package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// checkNoOrphans fails if a file under dir/files is not in state (an
// orphan: written, then forgotten), or if a temporary file of plumb's
// naming is left anywhere in dir. env is the environment for plumb
// (nil for a local state).
func checkNoOrphans(t *testing.T, env []string, dir string) {
	t.Helper()
	orphans, temps := findOrphans(t, env, dir)
	if len(orphans) > 0 {
		t.Errorf("%d files on disk that state does not know: %v", len(orphans), orphans)
	}
	if len(temps) > 0 {
		t.Errorf("%d temporary files left behind: %v", len(temps), temps)
	}
}

// findOrphans lists the files under dir/files that state does not know,
// and the temporary files left in dir.
func findOrphans(t *testing.T, env []string, dir string) (orphans, temps []string) {
	t.Helper()
	r := runBinary(t, env, "-chdir="+dir, "state", "list")
	if r.code != exitOK {
		t.Fatalf("state list:\n%s", r)
	}
	known := map[string]bool{}
	for _, addr := range strings.Fields(r.stdout) {
		known[addr] = true
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "files"))
	for _, e := range entries {
		name := e.Name()
		if isTempName(name) {
			temps = append(temps, "files/"+name)
			continue
		}
		n := strings.TrimSuffix(name, ".txt")
		if !known["local_file.f["+n+"]"] {
			orphans = append(orphans, "files/"+name)
		}
	}
	top, _ := os.ReadDir(dir)
	for _, e := range top {
		if isTempName(e.Name()) {
			temps = append(temps, e.Name())
		}
	}
	return orphans, temps
}

// isTempName reports whether a file name is one of plumb's temporary
// files: a provider's .NAME.plumb-*, or the state's NAME.tmp-*.
func isTempName(name string) bool {
	return strings.Contains(name, ".plumb-") || strings.Contains(name, ".tmp-") || strings.HasSuffix(name, ".tmp")
}

// TestShowListsPending: an apply killed while creating leaves pending
// creates in state; plumb show lists them (hidden values as always), and
// the next apply settles every one.
func TestShowListsPending(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": killConfig})
	for delay := 30 * time.Millisecond; ; delay += 20 * time.Millisecond {
		cmd := startApply(t, dir, "-var", "n=300", "-var", "gen=1")
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if _, pending := stateFiles(t, nil, dir); pending > 0 {
			break
		}
		if delay > 2*time.Second {
			// Kills from 30 ms to 2 s into an apply of 300 creates must
			// catch one in flight; none did, so intents are not recorded.
			t.Fatal("no kill from 30 ms to 2 s into the apply left a pending create in state")
		}
	}
	r := plumb(t, dir, "show")
	if r.code != exitOK || !strings.Contains(r.stdout, "# Pending: an apply was interrupted") {
		t.Fatalf("show does not list the pending creates:\n%s", r)
	}
	if r := plumb(t, dir, "apply", "-auto-approve", "-var", "n=300", "-var", "gen=1"); r.code != exitOK {
		t.Fatal(r)
	}
	if _, pending := stateFiles(t, nil, dir); pending != 0 {
		t.Errorf("%d creates still pending after an apply", pending)
	}
	checkNoOrphans(t, nil, dir)
}
