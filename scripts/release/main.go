// Command release builds a plumb release from a tagged commit: binaries
// for Linux and macOS packed with the manual page and shell completions,
// Debian packages for Linux, and SHA256SUMS over them. make release runs
// it from the repository's root:
//
//	go -C scripts/release run . -repo ../.. -out ../../dist
//
// It is a module of its own so that the packaging library and what it
// pulls in stay out of plumb's module, which users go install.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/semver"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	repo := fs.String("repo", ".", "plumb's repository `DIR`")
	out := fs.String("out", "dist", "write the release into `DIR` (relative to the current folder); it must be empty or absent")
	version := fs.String("version", "", "the version, such as v0.3.0 (default: the tag of the commit checked out)")
	platforms := fs.String("platforms", "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64", "`GOOS/GOARCH` pairs to build, comma-separated; each linux one also gets a .deb")
	allowDirty := fs.Bool("allow-dirty", false, "build even with uncommitted changes (the commit stamped is then not quite what was built)")
	maintainer := fs.String("maintainer", "The plumb developers", "the .deb's Maintainer field, `NAME <EMAIL>`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := filepath.Abs(*repo)
	if err != nil {
		return err
	}
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		b, err := cmd.Output()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, ee.Stderr)
		}
		return strings.TrimSpace(string(b)), err
	}
	if *version == "" {
		tag, err := git("describe", "--tags", "--exact-match", "HEAD")
		if err != nil {
			return fmt.Errorf("a release is built from a tag, and HEAD has none (%v). Tag the commit (git tag v0.3.0), or pass VERSION=v0.3.0-rc.1 to make release to build one anyway", err)
		}
		*version = tag
	}
	if !semver.IsValid(*version) {
		return fmt.Errorf("version %q is not a semantic version with a leading v, such as v0.3.0 or v0.3.0-rc.1", *version)
	}
	if status, err := git("status", "--porcelain", "--untracked-files=no"); err != nil {
		return err
	} else if status != "" && !*allowDirty {
		return fmt.Errorf("the checkout has uncommitted changes, so the binaries would not be what the commit holds; commit or stash them (or pass -allow-dirty to try a build):\n%s", status)
	}
	commit, err := git("rev-parse", "HEAD")
	if err != nil {
		return err
	}
	ctime, err := git("log", "-1", "--format=%ct", "HEAD")
	if err != nil {
		return err
	}
	var secs int64
	if _, err := fmt.Sscan(ctime, &secs); err != nil {
		return fmt.Errorf("commit time %q: %w", ctime, err)
	}
	plats, err := parsePlatforms(*platforms)
	if err != nil {
		return err
	}
	goCmd := os.Getenv("GO")
	if goCmd == "" {
		goCmd = "go"
	}
	o := options{
		repo: root, out: *out, version: *version, commit: commit,
		date:      time.Unix(secs, 0).UTC().Format(time.RFC3339),
		platforms: plats, goCmd: goCmd, maintainer: *maintainer,
	}
	res, err := build(context.Background(), o)
	if err != nil {
		return err
	}
	for _, name := range append(append(res.archives, res.debs...), res.sums) {
		fmt.Println(filepath.Join(*out, name))
	}
	return nil
}
