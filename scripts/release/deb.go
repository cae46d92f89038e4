package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

// debInput is what one .deb holds.
type debInput struct {
	version string // the tag: v0.3.0, or v0.3.0-rc.1 (Debian 0.3.0~rc.1)
	arch    string // GOARCH, which nfpm names as Debian does
	binary  string // the plumb binary for that architecture
	docs    docs
	mtime   time.Time
	// maintainer is the Maintainer field: "Name <email>".
	maintainer string
}

// debFiles are where the package puts each file: the binary, the manual
// page, and the completions where bash-completion, zsh and fish look.
func debFiles(in debInput) files.Contents {
	file := func(src, dst string, mode os.FileMode) *files.Content {
		return &files.Content{Source: src, Destination: dst, Type: files.TypeFile,
			FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode, MTime: in.mtime}}
	}
	return files.Contents{
		file(in.binary, "/usr/bin/plumb", 0o755),
		file(filepath.Join(in.docs.dir, "plumb.1.gz"), "/usr/share/man/man1/plumb.1.gz", 0o644),
		file(filepath.Join(in.docs.dir, "plumb.bash"), "/usr/share/bash-completion/completions/plumb", 0o644),
		file(filepath.Join(in.docs.dir, "_plumb"), "/usr/share/zsh/vendor-completions/_plumb", 0o644),
		file(filepath.Join(in.docs.dir, "plumb.fish"), "/usr/share/fish/vendor_completions.d/plumb.fish", 0o644),
	}
}

// writeDeb packages in into dir and returns the file's name, as Debian
// names packages: plumb_0.3.0_amd64.deb.
func writeDeb(dir string, in debInput) (string, error) {
	info := nfpm.WithDefaults(&nfpm.Info{
		Name:            "plumb",
		Arch:            in.arch,
		Platform:        "linux",
		Version:         in.version,
		Section:         "admin",
		Priority:        "optional",
		Maintainer:      in.maintainer,
		Homepage:        "https://github.com/plumbhq/plumb",
		Description:     "Makes a hosting estate match its HCL description\nplumb reads HCL files that say how a small hosting business's estate should be\n(DNS zones, allow and block lists, backups, files), reads how it is, shows the\ndifference as a plan and applies it, in the line of Terraform.",
		DisableGlobbing: true,
		MTime:           in.mtime,
		Overridables:    nfpm.Overridables{Contents: debFiles(in)},
	})
	if err := info.Validate(); err != nil {
		return "", err
	}
	name := deb.Default.ConventionalFileName(info)
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	if err := deb.Default.Package(info, f); err != nil {
		f.Close()
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return name, f.Close()
}
