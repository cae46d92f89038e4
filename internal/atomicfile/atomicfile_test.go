package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    string
		opts    Options
		wantErr bool
		perm    os.FileMode
	}{
		{name: "new file", path: "a.txt", opts: Options{Perm: 0o640}, perm: 0o640},
		{name: "creates directories", path: "x/y/b.txt", opts: Options{Perm: 0o600, DirPerm: 0o755}, perm: 0o600},
		{name: "missing directory without DirPerm", path: "nope/c.txt", opts: Options{Perm: 0o644}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.path)
			err := Write(p, []byte("hello"), tt.opts)
			if tt.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(p)
			fi, _ := os.Stat(p)
			if string(b) != "hello" || fi.Mode().Perm() != tt.perm {
				t.Fatalf("got %q mode %v", b, fi.Mode().Perm())
			}
			if err := SyncDir(filepath.Dir(p)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestWriteKeepsModeOfReplacedFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("old"), 0o604)
	os.Chmod(p, 0o604)
	like, _ := os.Stat(p)
	if err := Write(p, []byte("new"), Options{Perm: 0o600, Like: like}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o604 {
		t.Fatalf("mode %v, want the replaced file's 0604", fi.Mode().Perm())
	}
}

func TestWriteFailureLeavesTargetAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	os.Mkdir(target, 0o755) // renaming a file over a directory fails
	if err := Write(target, []byte("x"), Options{Perm: 0o644}); err == nil {
		t.Fatal("want an error replacing a directory")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary file left behind: %v", entries)
	}
}

func TestTempPatternKeepsHtPrefix(t *testing.T) {
	for name, want := range map[string]string{
		"/srv/www/.htaccess": ".htaccess.plumb-*",
		"zones/a.zone":       ".a.zone.plumb-*",
	} {
		if got := tempPattern(name); got != want {
			t.Errorf("tempPattern(%q) = %q, want %q", name, got, want)
		}
	}
}
