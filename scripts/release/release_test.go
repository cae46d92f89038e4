package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// repoRoot is plumb's repository, two folders up.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "plumb")); err != nil {
		t.Fatalf("no plumb repository at %s: %v", root, err)
	}
	return root
}

const (
	testVersion = "v0.9.0-test.1"
	testCommit  = "0123456789abcdef0123456789abcdef01234567"
	testDate    = "2026-05-01T10:00:00Z"
)

// TestRelease builds a release for this machine's platform only (make
// release builds all four), checks the archive, the .deb and SHA256SUMS,
// then installs the .deb with dpkg -i, runs plumb version, and removes
// it with dpkg -r. Installing needs root and dpkg (CI runs as root).
func TestRelease(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the release's .deb is tested on Linux")
	}
	out := filepath.Join(t.TempDir(), "dist")
	o := options{
		repo: repoRoot(t), out: out, version: testVersion, commit: testCommit, date: testDate,
		platforms: []platform{{runtime.GOOS, runtime.GOARCH}}, goCmd: "go", maintainer: "Test <test@example.com>",
	}
	res, err := build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	archive := "plumb_0.9.0-test.1_linux_" + runtime.GOARCH + ".tar.gz"
	debName := "plumb_0.9.0~test.1_" + runtime.GOARCH + ".deb"
	if !slices.Equal(res.archives, []string{archive}) || !slices.Equal(res.debs, []string{debName}) {
		t.Fatalf("build made %q and %q, want %s and %s", res.archives, res.debs, archive, debName)
	}

	// SHA256SUMS checks out with the tool users run, and covers both.
	cmd := exec.Command("sha256sum", "-c", "SHA256SUMS")
	cmd.Dir = out
	if b, err := cmd.CombinedOutput(); err != nil || strings.Count(string(b), ": OK") != 2 {
		t.Errorf("sha256sum -c SHA256SUMS: %v\n%s", err, b)
	}

	// The archive holds the stamped binary, the page and the scripts.
	files := readTarGz(t, filepath.Join(out, archive))
	dir := strings.TrimSuffix(archive, ".tar.gz") + "/"
	for _, name := range []string{"plumb", "README.md", "plumb.1", "completion/plumb.bash", "completion/_plumb", "completion/plumb.fish"} {
		if len(files[dir+name]) == 0 {
			t.Errorf("the archive has no %s%s", dir, name)
		}
	}
	if !bytes.HasPrefix(files[dir+"plumb.1"], []byte(`.TH PLUMB 1 "2026\-05\-01" "plumb 0.9.0\-test.1"`)) {
		t.Errorf("the manual page starts %q", firstLine(files[dir+"plumb.1"]))
	}
	bin := filepath.Join(t.TempDir(), "plumb")
	os.WriteFile(bin, files[dir+"plumb"], 0o755)
	checkVersion(t, bin)

	// The package lists what it installs where Debian looks for it.
	listing, err := exec.Command("dpkg-deb", "-c", filepath.Join(out, debName)).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb -c (Debian package dpkg): %v\n%s", err, listing)
	}
	debPaths := []string{"./usr/bin/plumb", "./usr/share/man/man1/plumb.1.gz", "./usr/share/bash-completion/completions/plumb", "./usr/share/zsh/vendor-completions/_plumb", "./usr/share/fish/vendor_completions.d/plumb.fish"}
	for _, p := range debPaths {
		if !strings.Contains(string(listing), " "+p+"\n") {
			t.Errorf("the .deb has no %s:\n%s", p, listing)
		}
	}
	if info, _ := exec.Command("dpkg-deb", "-f", filepath.Join(out, debName), "Version", "Architecture", "Maintainer").Output(); !strings.Contains(string(info), "Version: 0.9.0~test.1\nArchitecture: "+runtime.GOARCH+"\nMaintainer: Test <test@example.com>") {
		t.Errorf("the .deb's control fields:\n%s", info)
	}

	installDeb(t, filepath.Join(out, debName))
}

// installDeb installs the package with dpkg -i, checks what it put in
// place, and removes it again, leaving the machine as it was.
func installDeb(t *testing.T, deb string) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to dpkg -i the package (CI runs these tests as root)")
	}
	// One test at a time on this machine may own the plumb package.
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "plumb-deb-test.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if out, _ := exec.Command("dpkg-query", "-W", "-f", "${Status}", "plumb").Output(); strings.Contains(string(out), "installed") {
		t.Skipf("a plumb package is installed here already (%s); this test installs and removes its own only on a machine without one", out)
	}
	if _, err := os.Stat("/usr/bin/plumb"); err == nil {
		t.Skip("/usr/bin/plumb exists and is not from a package; this test will not replace it")
	}
	if out, err := exec.Command("dpkg", "-i", deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg -i: %v\n%s", err, out)
	}
	removed := false
	remove := func() {
		if removed {
			return
		}
		removed = true
		if out, err := exec.Command("dpkg", "--purge", "plumb").CombinedOutput(); err != nil {
			t.Errorf("dpkg --purge plumb: %v\n%s", err, out)
		}
	}
	defer remove()
	checkVersion(t, "/usr/bin/plumb")
	for _, p := range []string{"/usr/share/man/man1/plumb.1.gz", "/usr/share/bash-completion/completions/plumb", "/usr/share/zsh/vendor-completions/_plumb", "/usr/share/fish/vendor_completions.d/plumb.fish"} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("after dpkg -i: %v", err)
		}
	}
	// bash-completion's loader sources completions/plumb by name: the
	// installed file defines the function when sourced.
	if out, err := exec.Command("bash", "--norc", "-c", "source /usr/share/bash-completion/completions/plumb && complete -p plumb").CombinedOutput(); err != nil || !strings.Contains(string(out), "-F _plumb plumb") {
		t.Errorf("the installed bash completion: %v\n%s", err, out)
	}
	remove()
	if _, err := os.Stat("/usr/bin/plumb"); err == nil {
		t.Errorf("/usr/bin/plumb is still there after dpkg --purge")
	}
}

// checkVersion runs plumb version -json and checks the release stamp.
func checkVersion(t *testing.T, bin string) {
	t.Helper()
	out, err := exec.Command(bin, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", bin, err)
	}
	var v struct {
		Version  string `json:"plumb_version"`
		Commit   string
		Date     string `json:"build_date"`
		Platform string
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v\n%s", bin, err, out)
	}
	if v.Version != "0.9.0-test.1" || v.Commit != testCommit || v.Date != testDate || v.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("%s version -json = %+v, want the release's stamp", bin, v)
	}
}

func readTarGz(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uname != "root" || !h.ModTime.Equal(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: owner %s, time %s; want root and the commit's time", h.Name, h.Uname, h.ModTime)
		}
		b, _ := io.ReadAll(tr)
		files[h.Name] = b
	}
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return string(line)
}

// The same input packs to the same bytes: a tag rebuilt later gives the
// checksums published before.
func TestPackagesAreReproducible(t *testing.T) {
	mtime := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	docsDir := filepath.Join(dir, "docs")
	os.MkdirAll(docsDir, 0o755)
	for _, n := range []string{"plumb.1.gz", "plumb.bash", "_plumb", "plumb.fish"} {
		os.WriteFile(filepath.Join(docsDir, n), []byte(n), 0o644)
	}
	bin := filepath.Join(dir, "plumb")
	os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755)
	var debs, tars [][]byte
	for i := range 2 {
		out := filepath.Join(dir, "out", string(rune('a'+i)))
		os.MkdirAll(out, 0o755)
		name, err := writeDeb(out, debInput{version: "v1.2.3", arch: "arm64", binary: bin, docs: docs{dir: docsDir}, mtime: mtime, maintainer: "Test <test@example.com>"})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(out, name))
		debs = append(debs, b)
		if err := writeTarGz(filepath.Join(out, "x.tar.gz"), []archiveFile{{"x/plumb", []byte("bin"), 0o755}}, mtime); err != nil {
			t.Fatal(err)
		}
		b, _ = os.ReadFile(filepath.Join(out, "x.tar.gz"))
		tars = append(tars, b)
		time.Sleep(1100 * time.Millisecond) // a clock that moves must not show
	}
	if !bytes.Equal(debs[0], debs[1]) {
		t.Errorf("two .deb builds of the same input differ")
	}
	if !bytes.Equal(tars[0], tars[1]) {
		t.Errorf("two archives of the same input differ")
	}
}
