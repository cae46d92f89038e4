package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// plant makes path a symbolic link to a victim file, a FIFO, or a folder,
// and returns the victim's path.
func plant(t *testing.T, path, kind string) string {
	t.Helper()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	var err error
	switch kind {
	case "symlink":
		err = os.Symlink(victim, path)
	case "fifo":
		err = syscall.Mkfifo(path, 0o600)
	case "dir":
		err = os.Mkdir(path, 0o700)
	}
	if err != nil {
		t.Fatal(err)
	}
	return victim
}

func TestOpenFileRefuses(t *testing.T) {
	for _, kind := range []string{"symlink", "fifo", "dir"} {
		for _, flag := range []int{os.O_RDONLY, os.O_RDWR | os.O_CREATE, os.O_WRONLY | os.O_CREATE | os.O_TRUNC} {
			path := filepath.Join(t.TempDir(), "f")
			victim := plant(t, path, kind)
			f, err := OpenFile(path, flag, 0o600)
			if err == nil {
				f.Close()
				t.Fatalf("%s, flag %#x: opened", kind, flag)
			}
			if !errors.Is(err, ErrNotRegular) && kind != "dir" {
				t.Errorf("%s, flag %#x: %v, want ErrNotRegular", kind, flag, err)
			}
			if kind != "dir" && !strings.Contains(err.Error(), "rm "+path) {
				t.Errorf("%s: the error does not say what to remove: %v", kind, err)
			}
			if got, _ := os.ReadFile(victim); string(got) != "precious" {
				t.Errorf("%s: victim changed to %q", kind, got)
			}
		}
	}
}

func TestOpenFileRegular(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("ok"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if data, err := ReadFile(path); err != nil || string(data) != "ok" {
		t.Fatalf("ReadFile = %q, %v", data, err)
	}
	if err := CheckReplaceable(path); err != nil {
		t.Errorf("CheckReplaceable(regular) = %v", err)
	}
	if err := CheckReplaceable(path + ".missing"); err != nil {
		t.Errorf("CheckReplaceable(missing) = %v", err)
	}
}

func TestOpenRegularFollowsLinksButNotFIFOs(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	plant(t, link, "symlink")
	f, err := OpenRegular(link)
	if err != nil {
		t.Fatalf("a link to a regular file: %v", err)
	}
	f.Close()
	fifo := filepath.Join(dir, "fifo")
	plant(t, fifo, "fifo")
	if _, err := OpenRegular(fifo); !errors.Is(err, ErrNotRegular) {
		t.Errorf("OpenRegular(fifo) = %v, want ErrNotRegular", err)
	}
}

func TestMkdirAll(t *testing.T) {
	root := t.TempDir()
	if err := MkdirAll(root, ".plumb/s3-journal", 0o700); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(root, ".plumb", "s3-journal")); err != nil || !fi.IsDir() {
		t.Fatalf("not made: %v", err)
	}
	other := t.TempDir()
	root2 := t.TempDir()
	if err := os.Symlink(other, filepath.Join(root2, ".plumb")); err != nil {
		t.Fatal(err)
	}
	if err := MkdirAll(root2, ".plumb/s3-journal", 0o700); !errors.Is(err, ErrNotRegular) {
		t.Errorf("MkdirAll through a link = %v, want a refusal", err)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 0 {
		t.Errorf("made %v in the linked folder", entries)
	}
}
