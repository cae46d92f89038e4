package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// killConfig manages var.n small files whose content changes with
// var.gen, so every run creates, updates and deletes files.
const killConfig = `
variable "n" {
  type    = number
  default = 0
}
variable "gen" {
  type    = string
  default = "0"
}
resource "local_file" "f" {
  count    = var.n
  filename = "files/${count.index}.txt"
  content  = "gen ${var.gen} file ${count.index}\n"
}
resource "local_file" "secret" {
  count             = var.n > 150 ? 1 : 0
  filename          = "secret-${var.gen}.txt"
  sensitive_content = "key ${var.gen}\n"
}
`

// TestRandomKillsLoseNothing kills applies with SIGKILL at 50 random
// points. After every kill, each file on disk is known to state, as a
// resource or as pending (a create that was announced and not yet
// settled); no temporary file left is readable by more than the file it
// was to become (owner-only until its last moment, so the secret file's
// never is). A final apply converges, and then there is no orphan and no
// temporary file at all.
func TestRandomKillsLoseNothing(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": killConfig})
	randomKills(t, nil, dir, 50)
}

// TestRandomKillsLoseNothingS3 is TestRandomKillsLoseNothing with the
// state in S3 (its journal on this machine, uploaded every few seconds),
// over ten kills.
func TestRandomKillsLoseNothingS3(t *testing.T) {
	env, bucket := s3Env(t)
	dir := configDir(t, map[string]string{"main.hcl": backendBlock(bucket) + killConfig})
	randomKills(t, env, dir, 10)
}

// randomKills kills that many applies of killConfig in dir at random
// points, checking after each, then converges and checks again.
func randomKills(t *testing.T, env []string, dir string, kills int) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 0))
	leftovers, pendingSeen := 0, 0
	n := 0
	for i := 1; i <= kills; i++ {
		n = 100 + rnd.IntN(200)
		cmd := exec.Command(plumbBin, "-chdir="+dir, "apply", "-auto-approve", "-var", fmt.Sprintf("n=%d", n), "-var", fmt.Sprintf("gen=%d", i))
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rnd.IntN(250)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		when := fmt.Sprintf("kill %d", i)
		if env == nil {
			checkStateParses(t, dir, when)
		} else {
			// A killed run holds the S3 lock until it is broken.
			r := runBinary(t, env, "-chdir="+dir, "plan", "-lock-timeout=0", "-var", fmt.Sprintf("n=%d", n))
			if strings.Contains(r.stderr, "force-unlock") {
				if id := lockID(r.stderr); id != "" {
					if r := runBinary(t, env, "-chdir="+dir, "force-unlock", "-force", id); r.code != exitOK {
						t.Fatalf("%s: force-unlock:\n%s", when, r)
					}
				}
			}
		}
		known, pending := stateFiles(t, env, dir)
		pendingSeen += pending
		orphans, temps := filesUnknown(t, dir, known)
		if len(orphans) > 0 {
			t.Fatalf("%s: files on disk that state does not know: %v", when, orphans)
		}
		for _, tmp := range temps {
			fi, err := os.Stat(filepath.Join(dir, tmp))
			if err != nil {
				continue
			}
			if m := fi.Mode().Perm(); m != 0o600 && (strings.Contains(tmp, "secret") || m != 0o644) {
				t.Errorf("%s: temporary file %s has mode %v", when, tmp, m)
			}
		}
		leftovers += len(temps)
	}
	t.Logf("%d kills left %d temporary files and %d pending creates for the next run to settle", kills, leftovers, pendingSeen)
	final := []string{"-var", fmt.Sprintf("n=%d", n), "-var", "gen=final"}
	if r := runBinary(t, env, append([]string{"-chdir=" + dir, "apply", "-auto-approve"}, final...)...); r.code != exitOK {
		t.Fatalf("converging apply:\n%s", r)
	}
	if r := runBinary(t, env, append([]string{"-chdir=" + dir, "plan", "-detailed-exitcode"}, final...)...); r.code != exitOK {
		t.Fatalf("plan after converging:\n%s", r)
	}
	known, pending := stateFiles(t, env, dir)
	if pending != 0 {
		t.Errorf("%d creates still pending after a full apply", pending)
	}
	orphans, temps := filesUnknown(t, dir, known)
	if len(orphans) > 0 || len(temps) > 0 {
		t.Fatalf("after converging: orphans %v, temporary files %v", orphans, temps)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "files"))
	if len(entries) != n {
		t.Errorf("%d files on disk, want %d", len(entries), n)
	}
}

// stateFiles reads the state as the next run would (plumb state pull
// folds a journal left behind) and returns the files it knows, as
// resources or pending, and how many are pending.
func stateFiles(t *testing.T, env []string, dir string) (map[string]bool, int) {
	t.Helper()
	r := runBinary(t, env, "-chdir="+dir, "state", "pull")
	if r.code != exitOK {
		t.Fatalf("state pull:\n%s", r)
	}
	type inst struct {
		Attributes struct {
			Filename string `json:"filename"`
		} `json:"attributes"`
	}
	var f struct {
		Resources []inst `json:"resources"`
		Pending   []inst `json:"pending"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &f); err != nil {
		t.Fatalf("state pull: %v", err)
	}
	known := map[string]bool{}
	for _, x := range append(f.Resources, f.Pending...) {
		known[filepath.Clean(x.Attributes.Filename)] = true
	}
	return known, len(f.Pending)
}

// filesUnknown lists the files under dir/files, and the secret files,
// that known does not hold, and the temporary files anywhere in dir.
func filesUnknown(t *testing.T, dir string, known map[string]bool) (orphans, temps []string) {
	t.Helper()
	for _, sub := range []string{"", "files"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			name := filepath.Join(sub, e.Name())
			switch {
			case isTempName(e.Name()):
				temps = append(temps, name)
			case (sub == "files" || strings.HasPrefix(e.Name(), "secret-")) && !known[name]:
				orphans = append(orphans, name)
			}
		}
	}
	return orphans, temps
}
