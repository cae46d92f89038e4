package svn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/plumbhq/plumb/providers/host"
)

// utf8Vars are added to the environment Subversion's tools run with.
// Hooks run with an empty environment, where svnlook would print
// non-ASCII path names transliterated ("é" as "e") and they could not be
// read back.
var utf8Vars = []string{"LC_ALL=C.UTF-8"}

// utf8Env is this process's environment with utf8Vars, for the tools
// plumb runs on its own machine (linters, restore).
func utf8Env() []string { return append(os.Environ(), utf8Vars...) }

// look runs svnlook on one transaction or revision of a repository.
type look struct {
	h     host.Host // where the repository is
	bin   string    // the svnlook program
	repos string    // the repository path
	sel   []string  // "-t TXN" or "-r REV"
}

// newLook returns a look at transaction txn, or at revision rev when txn
// is empty, of a repository on this machine (check-commit runs in the
// hook, on the server itself).
func newLook(bin, repos, txn string, rev int) look {
	if bin == "" {
		bin = "svnlook"
	}
	sel := []string{"-t", txn}
	if txn == "" {
		sel = []string{"-r", strconv.Itoa(rev)}
	}
	return look{h: host.Local(), bin: bin, repos: repos, sel: sel}
}

// run runs "svnlook SUBCOMMAND [-t TXN|-r REV] -- REPOS args..." and returns
// its output.
func (l look) run(ctx context.Context, sub string, args ...string) ([]byte, error) {
	var out, stderr bytes.Buffer
	if err := l.stream(ctx, &out, &stderr, sub, args...); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// stream runs svnlook with its output going to w.
func (l look) stream(ctx context.Context, w io.Writer, stderr *bytes.Buffer, sub string, args ...string) error {
	if stderr == nil {
		stderr = new(bytes.Buffer)
	}
	// "--" ends the options: a repository or a file in it whose name
	// begins with "-" (a commit may add "-r1.php") is a path, never an
	// option.
	full := append(append([]string{sub}, l.sel...), "--", l.repos)
	full = append(full, args...)
	err := l.h.Run(ctx, host.Cmd{Args: append([]string{l.bin}, full...), Env: utf8Vars, Stdout: w, Stderr: stderr})
	if err != nil {
		if errors.Is(err, host.ErrNotFound) {
			return fmt.Errorf("%s is not installed on %s (install Debian's subversion package): %w", l.bin, l.h, err)
		}
		return fmt.Errorf("svnlook %s %s: %w: %s", sub, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// change is one line of svnlook changed.
type change struct {
	// action is A (added), D (deleted), U (content modified), R
	// (replaced) or ' ' (only properties changed).
	action byte
	path   string // without the trailing slash
	dir    bool
}

// contentChanged reports whether the change brings new file content.
func (c change) contentChanged() bool {
	return !c.dir && (c.action == 'A' || c.action == 'U' || c.action == 'R')
}

// parseChanged reads svnlook changed output: a status of four columns,
// then the path; directories end with a slash.
func parseChanged(out []byte) ([]change, error) {
	var cs []change
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		if len(line) < 5 {
			return nil, fmt.Errorf("svnlook changed printed %q, which plumb cannot read", line)
		}
		c := change{action: line[0], path: line[4:]}
		if c.action == '_' {
			c.action = ' '
		}
		if strings.HasSuffix(c.path, "/") {
			c.dir, c.path = true, strings.TrimSuffix(c.path, "/")
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// checkRepository returns an error a person can act on when repos is not
// a Subversion repository on h.
func checkRepository(ctx context.Context, h host.Host, repos string) error {
	if repos == "" {
		return fmt.Errorf("no repository path given")
	}
	fi, err := h.Stat(ctx, repos)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("the repository %s does not exist: %w", repos, err)
		}
		return fmt.Errorf("the repository %s cannot be read: %w", repos, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is a file, not a Subversion repository", repos)
	}
	for _, want := range []string{"format", "db", "hooks"} {
		if _, err := h.Stat(ctx, filepath.Join(repos, want)); err != nil {
			return fmt.Errorf("%s is not a Subversion repository (it has no %s; create one with svnadmin create): %w", repos, want, err)
		}
	}
	return nil
}
