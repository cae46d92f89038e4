package s3

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/plumbhq/plumb/internal/safefile"
)

// TestErroredNotWrittenThroughPlanted: with a symbolic link or a FIFO
// where the errored state goes, a failed write saves the state beside
// it (errored.2.plumb.state) and never writes through what was planted.
func TestErroredNotWrittenThroughPlanted(t *testing.T) {
	for _, kind := range []string{"symlink", "fifo"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			bucket := newBucket(t)
			dir1, dir2 := t.TempDir(), t.TempDir()
			victim := filepath.Join(t.TempDir(), "victim")
			if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
				t.Fatal(err)
			}
			planted := erroredPath(dir2)
			if kind == "symlink" {
				if err := os.Symlink(victim, planted); err != nil {
					t.Fatal(err)
				}
			} else if err := syscall.Mkfifo(planted, 0o600); err != nil {
				t.Fatal(err)
			}
			b1, b2 := newBackend(t, "", bucket, dir1), newBackend(t, "", bucket, dir2)
			st1, _ := b1.Read(ctx)
			st2, _ := b2.Read(ctx)
			st1.Resources["plumb_data.first"] = testInstance(t, "plumb_data.first", 1)
			st2.Resources["plumb_data.second"] = testInstance(t, "plumb_data.second", 2)
			if err := b1.Write(ctx, st1); err != nil {
				t.Fatal(err)
			}
			var se *SaveError
			if err := b2.Write(ctx, st2); !errors.As(err, &se) {
				t.Fatalf("second write: %v, want a *SaveError", err)
			}
			if se.Path == planted || se.Path == "" {
				t.Fatalf("the state was saved to %q", se.Path)
			}
			checkAddrs(t, readStateFile(t, se.Path), []string{"plumb_data.second"})
			if got, _ := os.ReadFile(victim); string(got) != "precious" {
				t.Errorf("the victim holds %q", got)
			}
			if fi, err := os.Lstat(planted); err != nil || fi.Mode().IsRegular() {
				t.Errorf("the planted %s was replaced (%v)", kind, err)
			}
		})
	}
}

// TestJournalFolderNotFollowed: a .plumb that is a symbolic link to
// another folder is refused when a recorder opens its local journal.
func TestJournalFolderNotFollowed(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(dir, ".plumb")); err != nil {
		t.Fatal(err)
	}
	b := newBackend(t, "", newBucket(t), dir)
	st, err := b.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Recorder(context.Background(), st)
	if !errors.Is(err, safefile.ErrNotRegular) {
		t.Fatalf("Recorder: %v, want a refusal of the linked .plumb", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("plumb wrote into the linked folder: %v", entries)
	}
}
