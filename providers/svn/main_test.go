package svn

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbhq/plumb/internal/svntest"
)

// asPlumbEnv, set to 1, makes the test binary act as plumb for the hooks
// the tests install: "svn check-commit REPOS TXN".
const asPlumbEnv = "PLUMB_SVN_TEST_AS_PLUMB"

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(asPlumbEnv) == "1":
		os.Exit(actAsPlumb(os.Args[1:]))
	case os.Getenv(backupChildEnv) != "":
		os.Exit(backupChild(os.Getenv(backupChildEnv)))
	}
	os.Exit(m.Run())
}

// actAsPlumb is the part of plumb's command line that hooks call.
func actAsPlumb(args []string) int {
	if len(args) != 4 || args[0] != "svn" || args[1] != "check-commit" {
		fmt.Fprintf(os.Stderr, "test plumb: unexpected arguments %q\n", args)
		return 2
	}
	return RunCheckCommit(context.Background(), CheckCommitOptions{Repos: args[2], Txn: args[3]}, os.Stdout, os.Stderr)
}

// fakePlumb writes a script that runs this test binary as plumb, for a
// hook's plumb_path, and returns its path.
func fakePlumb(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "plumb")
	script := fmt.Sprintf("#!/bin/sh\n%s=1 exec %s \"$@\"\n", asPlumbEnv, shellQuoteAlways(exe))
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// badPHP has a syntax error on line 3.
const badPHP = "<?php\necho \"hi\";\n$x = ;\n"

// goodPHP is clean.
const goodPHP = "<?php\necho \"hello\";\n"

// mustContain fails the test unless s contains every want.
func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, s)
		}
	}
}

// commitRepo makes a repository and a working copy with the svn client.
func commitRepo(t *testing.T, name string) (*svntest.Repo, *svntest.WC) {
	t.Helper()
	svntest.Require(t, "svnadmin", "svnlook", "svn", "php")
	repo := svntest.NewRepo(t, name)
	return repo, repo.Checkout(t)
}
