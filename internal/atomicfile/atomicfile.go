// Package atomicfile replaces files so that a reader sees the old content
// or the new, never a part, and a crash leaves one of the two: the data
// goes to a temporary file beside the target, which is synced and renamed
// over it. Every provider that writes local files (local_file, bind_zone,
// .htaccess blocks, SVN hooks) writes through it.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Options say how the new file is made.
type Options struct {
	// Perm is the new file's permission bits; ignored when Like is set.
	Perm fs.FileMode
	// DirPerm, when not zero, creates missing parent directories with
	// these permissions; when zero, a missing directory is an error.
	DirPerm fs.FileMode
	// Like, when set, is the file being replaced: the new file takes its
	// permissions, owner and group.
	Like fs.FileInfo
}

// Write replaces name with data. On error, name is untouched and no
// temporary file is left. The caller calls SyncDir to make the rename
// durable (once, after several writes to one directory if it likes).
func Write(name string, data []byte, o Options) error {
	p, err := Create(name, o)
	if err != nil {
		return err
	}
	if _, err := p.Write(data); err != nil {
		p.Abort()
		return err
	}
	return p.Commit()
}

// Pending is a replacement being written: the data goes to a temporary
// file beside the target until Commit renames it into place.
type Pending struct {
	name string
	o    Options
	f    *os.File
	done bool
}

// Create starts replacing name, creating missing parent directories when
// o.DirPerm is set. The caller writes the data, then calls Commit, or
// Abort to leave name untouched.
func Create(name string, o Options) (*Pending, error) {
	dir := filepath.Dir(name)
	if o.DirPerm != 0 {
		if err := os.MkdirAll(dir, o.DirPerm); err != nil {
			return nil, fmt.Errorf("creating directory %s: %w", dir, err)
		}
	}
	f, err := os.CreateTemp(dir, tempPattern(name))
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file beside %s: %w", name, err)
	}
	return &Pending{name: name, o: o, f: f}, nil
}

// Write adds data to the temporary file.
func (p *Pending) Write(data []byte) (int, error) {
	n, err := p.f.Write(data)
	if err != nil {
		return n, fmt.Errorf("writing %s: %w", p.f.Name(), err)
	}
	return n, nil
}

// Abort removes the temporary file; name is untouched. It does nothing
// after Commit.
func (p *Pending) Abort() {
	if p.done {
		return
	}
	p.done = true
	p.f.Close()
	os.Remove(p.f.Name())
}

// Commit gives the temporary file its mode (and owner, with Like), syncs
// it and renames it over name. On error name is untouched and the
// temporary file removed.
func (p *Pending) Commit() (err error) {
	if p.done {
		return fmt.Errorf("replacing %s: already finished", p.name)
	}
	defer func() {
		if err != nil {
			p.Abort()
		}
	}()
	f, tmp := p.f, p.f.Name()
	if p.o.Like != nil {
		if err := keepOwner(f, p.o.Like); err != nil {
			return fmt.Errorf("keeping the owner of %s: %w; run plumb as that owner or as root", p.name, err)
		}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp, err)
	}
	// The temporary file was made owner-only (0600, os.CreateTemp) and
	// stays so until just before the rename: a write killed part way
	// never leaves the content readable by others.
	perm := p.o.Perm
	if p.o.Like != nil {
		perm = p.o.Like.Mode().Perm()
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("setting the mode of %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, p.name); err != nil {
		return fmt.Errorf("replacing %s: %w", p.name, err)
	}
	p.done = true
	return nil
}

// tempPattern names the temporary file: hidden, beginning with the
// target's own name when that is already hidden, so ".htaccess" gets
// ".htaccess.plumb-*", which Apache's default rule for ".ht*" never
// serves.
func tempPattern(name string) string {
	base := filepath.Base(name)
	if base[0] != '.' {
		base = "." + base
	}
	return base + ".plumb-*"
}

// keepOwner gives f the owner and group of like, when they differ.
func keepOwner(f *os.File, like fs.FileInfo) error {
	uid, gid, ok := Owner(like)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	got, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || got.Uid == uid && got.Gid == gid {
		return nil
	}
	return f.Chown(int(uid), int(gid))
}

// Owner returns the owner and group that fi describes, for a description
// from os.Stat or from anything else whose Sys() has an Owner() (uid,
// gid) method; ok is false when fi does not tell.
func Owner(fi fs.FileInfo) (uid, gid uint32, ok bool) {
	switch s := fi.Sys().(type) {
	case *syscall.Stat_t:
		return s.Uid, s.Gid, true
	case interface{ Owner() (uint32, uint32) }:
		uid, gid := s.Owner()
		return uid, gid, true
	}
	return 0, 0, false
}

// SyncDir makes a rename or removal in dir durable. File systems that
// cannot sync a directory (EINVAL) are accepted as they are.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening %s to sync it: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}
