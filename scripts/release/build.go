package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// buildinfoPkg is where release builds stamp the version, commit and date.
const buildinfoPkg = "github.com/plumbhq/plumb/internal/buildinfo"

// platform is a GOOS/GOARCH pair.
type platform struct{ os, arch string }

func (p platform) String() string { return p.os + "/" + p.arch }

// parsePlatforms reads "linux/amd64,darwin/arm64".
func parsePlatforms(s string) ([]platform, error) {
	var out []platform
	for _, f := range strings.Split(s, ",") {
		goos, goarch, ok := strings.Cut(strings.TrimSpace(f), "/")
		if !ok || goos == "" || goarch == "" {
			return nil, fmt.Errorf("platform %q: write it as GOOS/GOARCH, such as linux/amd64", f)
		}
		out = append(out, platform{goos, goarch})
	}
	return out, nil
}

// options are what one release build makes and from what.
type options struct {
	// repo is the root of plumb's repository, whose ./cmd/plumb is built.
	repo string
	// out is the folder the artifacts go to; it must be empty or absent.
	out string
	// version is the tag, such as v0.3.0; commit and date (RFC 3339, the
	// commit's time, so a tag rebuilds to the same bytes) are stamped
	// into the binaries with it.
	version, commit, date string
	platforms             []platform
	// goCmd is the go command.
	goCmd string
	// maintainer is the .deb's Maintainer field.
	maintainer string
}

// artifacts lists the files a release build wrote, by base name.
type artifacts struct {
	archives, debs []string
	sums           string
}

// build makes the release: a binary per platform, packed with the manual
// page and shell completions in a .tar.gz; a .deb per Linux platform;
// and SHA256SUMS over all of them.
func build(ctx context.Context, o options) (artifacts, error) {
	var res artifacts
	mtime, err := time.Parse(time.RFC3339, o.date)
	if err != nil {
		return res, fmt.Errorf("date %q: %w", o.date, err)
	}
	if entries, err := os.ReadDir(o.out); err == nil && len(entries) > 0 {
		return res, fmt.Errorf("%s is not empty: remove it, or name another folder with -out", o.out)
	}
	work, err := os.MkdirTemp("", "plumb-release-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(work)
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return res, err
	}
	bins := map[platform]string{}
	for _, p := range o.platforms {
		bin := filepath.Join(work, p.os+"_"+p.arch, "plumb")
		if err := goBuild(ctx, o, p, bin); err != nil {
			return res, err
		}
		bins[p] = bin
	}
	// The manual page and completions come from a plumb this machine can
	// run: one of the release's own binaries when there is one.
	host := platform{runtime.GOOS, runtime.GOARCH}
	hostBin, ok := bins[host]
	if !ok {
		hostBin = filepath.Join(work, "host", "plumb")
		if err := goBuild(ctx, o, host, hostBin); err != nil {
			return res, err
		}
	}
	docs, err := generateDocs(ctx, hostBin, mtime, filepath.Join(work, "docs"))
	if err != nil {
		return res, err
	}
	readme, err := os.ReadFile(filepath.Join(o.repo, "README.md"))
	if err != nil {
		return res, err
	}
	version := strings.TrimPrefix(o.version, "v")
	for _, p := range o.platforms {
		name := fmt.Sprintf("plumb_%s_%s_%s", version, p.os, p.arch)
		binary, err := os.ReadFile(bins[p])
		if err != nil {
			return res, err
		}
		files := []archiveFile{
			{name + "/plumb", binary, 0o755},
			{name + "/README.md", readme, 0o644},
			{name + "/plumb.1", docs.manpage, 0o644},
			{name + "/completion/plumb.bash", docs.bash, 0o644},
			{name + "/completion/_plumb", docs.zsh, 0o644},
			{name + "/completion/plumb.fish", docs.fish, 0o644},
		}
		if err := writeTarGz(filepath.Join(o.out, name+".tar.gz"), files, mtime); err != nil {
			return res, err
		}
		res.archives = append(res.archives, name+".tar.gz")
		if p.os == "linux" {
			deb, err := writeDeb(o.out, debInput{version: o.version, arch: p.arch, binary: bins[p], docs: docs, mtime: mtime, maintainer: o.maintainer})
			if err != nil {
				return res, fmt.Errorf("packaging %s: %w", p, err)
			}
			res.debs = append(res.debs, deb)
		}
	}
	res.sums = "SHA256SUMS"
	return res, writeSums(o.out, append(slices.Clone(res.archives), res.debs...))
}

// goBuild builds ./cmd/plumb for p: static, without local paths, stamped
// with the version.
func goBuild(ctx context.Context, o options, p platform, out string) error {
	ldflags := fmt.Sprintf("-s -w -X %[1]s.version=%[2]s -X %[1]s.commit=%[3]s -X %[1]s.date=%[4]s", buildinfoPkg, o.version, o.commit, o.date)
	cmd := exec.CommandContext(ctx, o.goCmd, "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, "./cmd/plumb")
	cmd.Dir = o.repo
	cmd.Env = append(os.Environ(), "GOOS="+p.os, "GOARCH="+p.arch, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building plumb for %s: %v\n%s", p, err, b)
	}
	return nil
}

// docs are the files generated from plumb itself.
type docs struct {
	manpage, manpageGz []byte
	bash, zsh, fish    []byte
	// dir holds them as files too, named plumb.1.gz, plumb.bash,
	// _plumb and plumb.fish.
	dir string
}

// generateDocs runs plumb for its manual page and completion scripts,
// and writes them under dir for the packager.
func generateDocs(ctx context.Context, plumb string, mtime time.Time, dir string) (docs, error) {
	d := docs{dir: dir}
	run := func(args ...string) ([]byte, error) {
		var out, errb bytes.Buffer
		cmd := exec.CommandContext(ctx, plumb, args...)
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("plumb %s: %v\n%s", strings.Join(args, " "), err, errb.String())
		}
		return out.Bytes(), nil
	}
	var err error
	if d.manpage, err = run("__manpage", "-date", mtime.UTC().Format(time.DateOnly)); err != nil {
		return d, err
	}
	if d.bash, err = run("completion", "bash"); err != nil {
		return d, err
	}
	if d.zsh, err = run("completion", "zsh"); err != nil {
		return d, err
	}
	if d.fish, err = run("completion", "fish"); err != nil {
		return d, err
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(d.manpage)
	if err := zw.Close(); err != nil {
		return d, err
	}
	d.manpageGz = gz.Bytes()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return d, err
	}
	for name, b := range map[string][]byte{"plumb.1.gz": d.manpageGz, "plumb.bash": d.bash, "_plumb": d.zsh, "plumb.fish": d.fish} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return d, err
		}
	}
	return d, nil
}

// archiveFile is one file of a release archive.
type archiveFile struct {
	name string
	data []byte
	mode int64
}

// writeTarGz writes files into a .tar.gz at path, owned by root, every
// time set to mtime, so the same input makes the same bytes.
func writeTarGz(path string, files []archiveFile, mtime time.Time) error {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	dirs := map[string]bool{}
	for _, f := range files {
		for d := filepath.Dir(f.name); d != "." && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	var names []string
	for d := range dirs {
		names = append(names, d)
	}
	slices.Sort(names)
	for _, d := range names {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: mtime, Format: tar.FormatPAX, Uname: "root", Gname: "root"}); err != nil {
			return err
		}
	}
	for _, f := range files {
		h := &tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: mtime, Format: tar.FormatPAX, Uname: "root", Gname: "root"}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := errors.Join(tw.Close(), zw.Close()); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// writeSums writes SHA256SUMS in dir over the named files, in name
// order, in the form sha256sum -c reads.
func writeSums(dir string, names []string) error {
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		f, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), n)
	}
	return os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(b.String()), 0o644)
}
