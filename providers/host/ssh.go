package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pkg/sftp"
)

// sshHost is a host reached over SSH: files through SFTP, commands in
// sessions, both on the shared connection. With sudo, commands run under
// sudo -n and files go through an sftp-server started under sudo -n on
// a session's pipes, so they are read and written as root with no
// password anywhere.
type sshHost struct {
	c          *conn
	entry      *poolEntry
	sudo       bool
	sftpServer string
	cmdTimeout time.Duration
	closeOnce  sync.Once
}

var _ Host = (*sshHost)(nil)

func newSSHHost(e *poolEntry, s Settings) *sshHost {
	return &sshHost{c: e.conn, entry: e, sudo: s.Sudo, sftpServer: s.SFTPServer, cmdTimeout: s.CommandTimeout}
}

func (h *sshHost) String() string { return h.c.label }

// Close lets go of the shared connection; the last user closes it.
func (h *sshHost) Close() error {
	h.closeOnce.Do(func() { release(h.c.key, h.entry) })
	return nil
}

// pathErr names the host in a file error, keeping what errors.Is sees.
func (h *sshHost) pathErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	// The errno a local call would give, so messages read the same over
	// both transports (and errors.Is still matches fs.ErrNotExist).
	var se *sftp.StatusError
	switch {
	case errors.As(err, &se) && se.FxCode() == sftp.ErrSSHFxNoSuchFile, errors.Is(err, fs.ErrNotExist):
		err = syscall.ENOENT
	case errors.As(err, &se) && se.FxCode() == sftp.ErrSSHFxPermissionDenied, errors.Is(err, fs.ErrPermission):
		err = syscall.EACCES
	}
	return &fs.PathError{Op: op, Path: h.c.label + ":" + name, Err: h.c.wrap(err)}
}

// files returns the SFTP client of this host's mode.
func (h *sshHost) files() (*sftp.Client, error) {
	if !h.sudo {
		return h.c.sftp("", func() (*sftp.Client, error) {
			cl, err := sftp.NewClient(h.c.client, sftpOptions()...)
			if err != nil {
				if lost := h.c.lostSoon(time.Second); lost != nil {
					return nil, fmt.Errorf("starting SFTP: %w", lost)
				}
				return nil, fmt.Errorf("starting SFTP on %s: %w; the host's sshd needs the sftp subsystem (Subsystem sftp in sshd_config)", h.c.label, err)
			}
			return cl, nil
		})
	}
	return h.c.sftp("sudo:"+h.sftpServer, h.startSudoSFTP)
}

func sftpOptions() []sftp.ClientOption {
	return []sftp.ClientOption{sftp.UseConcurrentWrites(true), sftp.UseConcurrentReads(true), sftp.MaxConcurrentRequestsPerFile(64)}
}

// sudoSFTPScript starts the first sftp-server found in the usual places.
const sudoSFTPScript = `for p in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server /usr/lib/ssh/sftp-server /usr/libexec/sftp-server; do [ -x "$p" ] && exec "$p"; done; echo "no sftp-server in the usual places; set sftp_server in the ssh block" >&2; exit 127`

// startSudoSFTP runs sftp-server under sudo -n on a session and speaks
// SFTP over its pipes.
func (h *sshHost) startSudoSFTP() (*sftp.Client, error) {
	sess, err := h.c.client.NewSession()
	if err != nil {
		return nil, fmt.Errorf("opening a session on %s: %w", h.c.label, h.c.wrap(err))
	}
	w, err := sess.StdinPipe()
	if err != nil {
		sess.Close()
		return nil, err
	}
	r, err := sess.StdoutPipe()
	if err != nil {
		sess.Close()
		return nil, err
	}
	stderr := &capped{max: 4 << 10}
	sess.Stderr = stderr
	cmd := []string{"sudo", "-n", "--", "sh", "-c", sudoSFTPScript}
	if h.sftpServer != "" {
		cmd = []string{"sudo", "-n", "--", h.sftpServer}
	}
	if err := sess.Start(quoteArgs(cmd)); err != nil {
		sess.Close()
		return nil, fmt.Errorf("starting sftp-server under sudo on %s: %w", h.c.label, h.c.wrap(err))
	}
	cl, err := sftp.NewClientPipe(r, w, sftpOptions()...)
	if err != nil {
		sess.Close()
		msg := strings.TrimSpace(stderr.String())
		if lost := h.c.lostSoon(time.Second); lost != nil {
			return nil, fmt.Errorf("starting sftp-server under sudo: %w", lost)
		}
		if strings.Contains(msg, "password") || strings.Contains(msg, "terminal") {
			return nil, fmt.Errorf("sudo on %s needs a password (%s): give the login passwordless sudo (NOPASSWD in sudoers), or log in as root and leave sudo out", h.c.label, msg)
		}
		return nil, fmt.Errorf("starting sftp-server under sudo on %s: %v %s", h.c.label, err, msg)
	}
	go func() {
		sess.Wait()
		cl.Close()
	}()
	go func() {
		cl.Wait()
		sess.Close()
	}()
	return cl, nil
}

func (h *sshHost) Open(_ context.Context, name string) (File, error) {
	fc, err := h.files()
	if err != nil {
		return nil, err
	}
	f, err := fc.Open(name)
	if err != nil {
		return nil, h.pathErr("open", name, err)
	}
	return &remoteFile{f: f, h: h, name: name}, nil
}

func (h *sshHost) Stat(_ context.Context, name string) (fs.FileInfo, error) {
	fc, err := h.files()
	if err != nil {
		return nil, err
	}
	fi, err := fc.Stat(name)
	if err != nil {
		return nil, h.pathErr("stat", name, err)
	}
	return remoteInfo{fi}, nil
}

func (h *sshHost) Lstat(_ context.Context, name string) (fs.FileInfo, error) {
	fc, err := h.files()
	if err != nil {
		return nil, err
	}
	fi, err := fc.Lstat(name)
	if err != nil {
		return nil, h.pathErr("lstat", name, err)
	}
	return remoteInfo{fi}, nil
}

func (h *sshHost) ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error) {
	fc, err := h.files()
	if err != nil {
		return nil, err
	}
	list, err := fc.ReadDirContext(ctx, name)
	if err != nil {
		return nil, h.pathErr("readdir", name, err)
	}
	out := make([]fs.FileInfo, len(list))
	for i, fi := range list {
		out[i] = remoteInfo{fi}
	}
	return out, nil
}

func (h *sshHost) RealPath(ctx context.Context, name string) (string, error) {
	fc, err := h.files()
	if err != nil {
		return "", err
	}
	if _, err := fc.Stat(name); err != nil {
		return "", h.pathErr("realpath", name, err)
	}
	p, err := fc.RealPath(name)
	if err != nil {
		return "", h.pathErr("realpath", name, err)
	}
	return p, nil
}

// Access decides from the file's mode bits and the login's IDs, as the
// kernel does (ACLs aside). A sudo host is root.
func (h *sshHost) Access(ctx context.Context, name string, mode uint32) error {
	if h.sudo {
		return nil
	}
	fi, err := h.Stat(ctx, name)
	if err != nil {
		return err
	}
	uid, gids, err := h.c.identity(ctx, func(ctx context.Context, c Cmd) ([]byte, error) { return Output(ctx, h, c) })
	if err != nil {
		return err
	}
	if uid == 0 {
		return nil
	}
	perm := uint32(fi.Mode().Perm())
	fuid, fgid, _ := ownerOf(fi)
	var have uint32
	switch {
	case fuid == uid:
		have = perm >> 6 & 7
	case gids[fgid]:
		have = perm >> 3 & 7
	default:
		have = perm & 7
	}
	if have&mode != mode {
		return &fs.PathError{Op: "access", Path: h.c.label + ":" + name, Err: syscall.EACCES}
	}
	return nil
}

func ownerOf(fi fs.FileInfo) (uint32, uint32, bool) {
	if s, ok := fi.Sys().(interface{ Owner() (uint32, uint32) }); ok {
		u, g := s.Owner()
		return u, g, true
	}
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		return s.Uid, s.Gid, true
	}
	return 0, 0, false
}
