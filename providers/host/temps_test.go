package host_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbhq/plumb/providers/host"
)

// TestTempFilesOwnerOnlyUntilCommit: through every transport, the
// temporary file of a write in progress is mode 0600 whatever the final
// mode, so a write killed part way never leaves its content readable by
// others; Commit gives the final mode.
func TestTempFilesOwnerOnlyUntilCommit(t *testing.T) {
	ctx := context.Background()
	for name, tr := range transports(t) {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(tr.dir, "site.txt")
			p, err := tr.h.Create(ctx, file, host.WriteOptions{Perm: 0o644})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Write([]byte("the whole content\n")); err != nil {
				t.Fatal(err)
			}
			temps := tempsBeside(t, file)
			if len(temps) != 1 {
				t.Fatalf("temporary files: %v, want one", temps)
			}
			if fi, err := os.Stat(temps[0]); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("the temporary file has mode %v (%v), want 0600", fi.Mode().Perm(), err)
			}
			if err := p.Commit(); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("after Commit the file has mode %v (%v), want 0644", fi.Mode().Perm(), err)
			}
		})
	}
}

// TestTempSweeper: the leftovers of writes killed part way are removed
// when their target is swept, and nothing else is: not another file's
// leftovers, not files that merely look alike.
func TestTempSweeper(t *testing.T) {
	ctx := context.Background()
	for name, tr := range transports(t) {
		t.Run(name, func(t *testing.T) {
			dir := tr.dir
			// Two writes of a.txt and one of .htaccess die before Commit.
			for _, target := range []string{"a.txt", "a.txt", ".htaccess", "b.txt"} {
				p, err := tr.h.Create(ctx, filepath.Join(dir, target), host.WriteOptions{Perm: 0o644})
				if err != nil {
					t.Fatal(err)
				}
				p.Write([]byte("x"))
				// no Commit, no Abort: the process "died"
			}
			keep := []string{"a.txt", "notes.plumb-x", ".a.txt.plumbing"}
			for _, n := range keep {
				os.WriteFile(filepath.Join(dir, n), []byte("keep"), 0o644)
			}
			var s host.TempSweeper
			for _, target := range []string{"a.txt", ".htaccess"} {
				if err := s.Sweep(ctx, tr.h, filepath.Join(dir, target)); err != nil {
					t.Fatal(err)
				}
			}
			if got := tempsBeside(t, filepath.Join(dir, "a.txt")); len(got) != 0 {
				t.Errorf("a.txt's leftovers remain: %v", got)
			}
			if got := tempsBeside(t, filepath.Join(dir, ".htaccess")); len(got) != 0 {
				t.Errorf(".htaccess's leftovers remain: %v", got)
			}
			if got := tempsBeside(t, filepath.Join(dir, "b.txt")); len(got) != 1 {
				t.Errorf("b.txt was not swept, but its leftover is gone: %v", got)
			}
			for _, n := range keep {
				if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
					t.Errorf("%s was removed", n)
				}
			}
			// A folder that does not exist has nothing to sweep.
			if err := s.Sweep(ctx, tr.h, filepath.Join(dir, "missing", "c.txt")); err != nil {
				t.Errorf("sweeping in a missing folder: %v", err)
			}
		})
	}
}

// tempsBeside lists the temporary files of writes of file.
func tempsBeside(t *testing.T, file string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(file))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), host.TempPrefix(file)) {
			out = append(out, filepath.Join(filepath.Dir(file), e.Name()))
		}
	}
	return out
}
