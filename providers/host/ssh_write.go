package host

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/pkg/sftp"
)

// Create writes to a hidden temporary file beside name (".NAME.plumb-…",
// which Apache never serves for an .htaccess) and renames it into place
// at Commit with posix-rename, which replaces the old file atomically.
func (h *sshHost) Create(_ context.Context, name string, o WriteOptions) (Pending, error) {
	fc, err := h.files()
	if err != nil {
		return nil, err
	}
	if _, ok := fc.HasExtension("posix-rename@openssh.com"); !ok {
		return nil, fmt.Errorf("the SFTP server of %s cannot replace a file atomically (no posix-rename@openssh.com); plumb needs OpenSSH's sftp-server", h.c.label)
	}
	dir := path.Dir(name)
	if o.DirPerm != 0 {
		if err := h.mkdirAll(fc, dir, o.DirPerm); err != nil {
			return nil, err
		}
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	base := path.Base(name)
	if !strings.HasPrefix(base, ".") {
		base = "." + base
	}
	tmp := path.Join(dir, base+".plumb-"+hex.EncodeToString(rnd[:]))
	f, err := fc.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return nil, h.pathErr("create", tmp, err)
	}
	// The server creates it with its umask (0644, often): owner-only
	// before a byte is written, and until Commit renames it into place,
	// so a leftover never shows its content to others.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		fc.Remove(tmp)
		return nil, h.pathErr("chmod", tmp, err)
	}
	return &remotePending{h: h, fc: fc, f: f, w: bufio.NewWriterSize(f, 1<<20), name: name, tmp: tmp, o: o}, nil
}

// mkdirAll makes dir and its missing parents with perm.
func (h *sshHost) mkdirAll(fc *sftp.Client, dir string, perm fs.FileMode) error {
	fi, err := fc.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return h.pathErr("mkdir", dir, syscall.ENOTDIR)
		}
		return nil
	}
	if parent := path.Dir(dir); parent != dir {
		if err := h.mkdirAll(fc, parent, perm); err != nil {
			return err
		}
	}
	if err := fc.Mkdir(dir); err != nil {
		if fi, serr := fc.Stat(dir); serr == nil && fi.IsDir() {
			return nil // made meanwhile
		}
		return h.pathErr("mkdir", dir, err)
	}
	return h.pathErr("chmod", dir, fc.Chmod(dir, perm))
}

// remotePending is a file being written over SFTP.
type remotePending struct {
	h         *sshHost
	fc        *sftp.Client
	f         *sftp.File
	w         *bufio.Writer
	name, tmp string
	o         WriteOptions
	done      bool
}

func (p *remotePending) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if err != nil {
		err = p.h.pathErr("write", p.tmp, err)
	}
	return n, err
}

func (p *remotePending) Abort() {
	if p.done {
		return
	}
	p.done = true
	p.f.Close()
	p.fc.Remove(p.tmp)
}

func (p *remotePending) Commit() (err error) {
	if p.done {
		return fmt.Errorf("replacing %s: already finished", p.name)
	}
	defer func() {
		if err != nil {
			p.Abort()
		}
	}()
	if err := p.w.Flush(); err != nil {
		return p.h.pathErr("write", p.tmp, err)
	}
	if p.o.Like != nil {
		if uid, gid, ok := ownerOf(p.o.Like); ok {
			fi, err := p.f.Stat()
			if err != nil {
				return p.h.pathErr("stat", p.tmp, err)
			}
			if u, g, _ := ownerOf(remoteInfo{fi}); u != uid || g != gid {
				if err := p.f.Chown(int(uid), int(gid)); err != nil {
					return fmt.Errorf("keeping the owner of %s: %w; log in as that owner, or set sudo = true", p.name, p.h.pathErr("chown", p.tmp, err))
				}
			}
		}
	}
	if _, ok := p.fc.HasExtension("fsync@openssh.com"); ok {
		if err := p.f.Sync(); err != nil {
			return p.h.pathErr("sync", p.tmp, err)
		}
	}
	// The final mode last, just before the rename: until then the
	// temporary file stays owner-only.
	perm := p.o.Perm
	if p.o.Like != nil {
		perm = p.o.Like.Mode().Perm()
	}
	if err := p.f.Chmod(perm); err != nil {
		return p.h.pathErr("chmod", p.tmp, err)
	}
	if err := p.f.Close(); err != nil {
		return p.h.pathErr("close", p.tmp, err)
	}
	if err := p.fc.PosixRename(p.tmp, p.name); err != nil {
		return p.h.pathErr("rename", p.name, err)
	}
	p.done = true
	return nil
}

func (h *sshHost) Rename(_ context.Context, from, to string) error {
	fc, err := h.files()
	if err != nil {
		return err
	}
	return h.pathErr("rename", from, fc.PosixRename(from, to))
}

func (h *sshHost) Remove(_ context.Context, name string) error {
	fc, err := h.files()
	if err != nil {
		return err
	}
	return h.pathErr("remove", name, fc.Remove(name))
}
