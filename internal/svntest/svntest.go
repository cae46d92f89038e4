// Package svntest creates Subversion repositories and working copies for
// tests with Debian's subversion tools: svnadmin makes a repository,
// the svn client checks it out and commits over file://, svnlook reads
// what a revision holds. A test that needs a tool the machine lacks fails
// and names the Debian package to install; it is never skipped.
//
// Every command runs with LC_ALL=C.UTF-8, so file names with non-ASCII
// characters reach Subversion and come back unchanged.
package svntest

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// packages maps each tool a test may need to the Debian package that
// provides it.
var packages = map[string]string{
	"svn":      "subversion",
	"svnadmin": "subversion",
	"svnlook":  "subversion",
	"php":      "php-cli",
}

// Require fails the test unless every named tool is on PATH, naming the
// Debian package that provides a missing one.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			pkg := packages[tool]
			if pkg == "" {
				pkg = "the package that provides " + tool
			}
			t.Fatalf("%s is not installed (not found on PATH): install the Debian package %s (apt-get install %s); scripts/deps.sh lists it", tool, pkg, pkg)
		}
	}
}

// Env is the environment commands run with: the test's own, with
// LC_ALL=C.UTF-8 so Subversion reads and prints UTF-8 path names.
func Env() []string {
	env := make([]string, 0, len(os.Environ())+1)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LC_ALL=") {
			env = append(env, kv)
		}
	}
	return append(env, "LC_ALL=C.UTF-8")
}

// Run runs a command in dir ("" for the current directory) and returns
// its standard output; it fails the test when the command fails.
func Run(t testing.TB, dir, name string, args ...string) string {
	t.Helper()
	out, stderr, err := RunErr(dir, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr)
	}
	return out
}

// RunErr runs a command in dir and returns its standard output, its
// standard error and the error of a failed run.
func RunErr(dir, name string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = Env()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// Repo is a Subversion repository on disk.
type Repo struct {
	// Path is the repository's directory.
	Path string
}

// NewRepo creates an empty repository, named name, in a new temporary
// directory. A name with spaces or non-ASCII characters is kept as it is.
func NewRepo(t testing.TB, name string) *Repo {
	t.Helper()
	Require(t, "svnadmin")
	p := filepath.Join(t.TempDir(), name)
	Run(t, "", "svnadmin", "create", p)
	return &Repo{Path: p}
}

// URL is the repository's file:// URL, escaped for the svn client.
func (r *Repo) URL() string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(r.Path)}
	return u.String()
}

// Youngest returns the repository's youngest revision.
func (r *Repo) Youngest(t testing.TB) int {
	t.Helper()
	s := strings.TrimSpace(Run(t, "", "svnlook", "youngest", r.Path))
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("svnlook youngest %s printed %q, not a number", r.Path, s)
	}
	return n
}

// Log returns the log message of revision rev.
func (r *Repo) Log(t testing.TB, rev int) string {
	t.Helper()
	return Run(t, "", "svnlook", "log", "-r", strconv.Itoa(rev), r.Path)
}

// Cat returns the content of path at revision rev.
func (r *Repo) Cat(t testing.TB, rev int, path string) string {
	t.Helper()
	return Run(t, "", "svnlook", "cat", "-r", strconv.Itoa(rev), r.Path, path)
}

// Tree lists every path in revision rev, one per line, as svnlook tree
// --full-paths prints them.
func (r *Repo) Tree(t testing.TB, rev int) string {
	t.Helper()
	return Run(t, "", "svnlook", "tree", "--full-paths", "-r", strconv.Itoa(rev), r.Path)
}

// UUID returns the repository's UUID.
func (r *Repo) UUID(t testing.TB) string {
	t.Helper()
	return strings.TrimSpace(Run(t, "", "svnlook", "uuid", r.Path))
}

// WC is a working copy.
type WC struct {
	// Dir is the working copy's directory.
	Dir string
}

// Checkout checks out the repository's root into a new temporary
// directory.
func (r *Repo) Checkout(t testing.TB) *WC {
	t.Helper()
	Require(t, "svn")
	dir := filepath.Join(t.TempDir(), "wc")
	Run(t, "", "svn", "checkout", "--quiet", "--non-interactive", r.URL(), dir)
	return &WC{Dir: dir}
}

// Write writes a file into the working copy, creating directories, and
// schedules new files and directories for addition.
func (w *WC) Write(t testing.TB, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(w.Dir, filepath.FromSlash(rel))
	_, statErr := os.Stat(p)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		Run(t, w.Dir, "svn", "add", "--quiet", "--parents", "--force", "--", rel+"@")
	}
}

// Remove schedules paths for deletion.
func (w *WC) Remove(t testing.TB, rels ...string) {
	t.Helper()
	args := []string{"delete", "--quiet", "--"}
	for _, r := range rels {
		args = append(args, r+"@")
	}
	Run(t, w.Dir, "svn", args...)
}

// Revert undoes every local change, leaving no unversioned files from a
// rejected commit behind.
func (w *WC) Revert(t testing.TB) {
	t.Helper()
	Run(t, w.Dir, "svn", "revert", "--quiet", "--recursive", ".")
	Run(t, w.Dir, "svn", "cleanup", "--remove-unversioned")
}

// CommitResult is what one svn commit printed and whether it failed.
type CommitResult struct {
	Stdout, Stderr string
	Err            error
}

// Commit commits every change in the working copy with the message msg.
// A rejection by a hook is a result, not a test failure: Err is set and
// Stderr holds the hook's words.
func (w *WC) Commit(msg string) CommitResult {
	out, stderr, err := RunErr(w.Dir, "svn", "commit", "--non-interactive", "-m", msg)
	return CommitResult{Stdout: out, Stderr: stderr, Err: err}
}

// MustCommit commits and fails the test unless the commit is accepted.
func (w *WC) MustCommit(t testing.TB, msg string) {
	t.Helper()
	if r := w.Commit(msg); r.Err != nil {
		t.Fatalf("svn commit -m %q was rejected: %v\n%s", msg, r.Err, r.Stderr)
	}
	Run(t, w.Dir, "svn", "update", "--quiet")
}

// String describes a commit result for failure messages.
func (r CommitResult) String() string {
	return fmt.Sprintf("err %v\n--- stdout\n%s--- stderr\n%s", r.Err, r.Stdout, r.Stderr)
}
