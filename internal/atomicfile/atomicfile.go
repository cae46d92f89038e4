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
func Write(name string, data []byte, o Options) (err error) {
	dir := filepath.Dir(name)
	if o.DirPerm != 0 {
		if err := os.MkdirAll(dir, o.DirPerm); err != nil {
			return fmt.Errorf("creating directory %s: %w", dir, err)
		}
	}
	f, err := os.CreateTemp(dir, tempPattern(name))
	if err != nil {
		return fmt.Errorf("creating a temporary file beside %s: %w", name, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	perm := o.Perm
	if o.Like != nil {
		perm = o.Like.Mode().Perm()
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("setting the mode of %s: %w", tmp, err)
	}
	if o.Like != nil {
		if err := keepOwner(f, o.Like); err != nil {
			return fmt.Errorf("keeping the owner of %s: %w; run plumb as that owner or as root", name, err)
		}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("replacing %s: %w", name, err)
	}
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
	want, ok := like.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	got, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || got.Uid == want.Uid && got.Gid == want.Gid {
		return nil
	}
	return f.Chown(int(want.Uid), int(want.Gid))
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
