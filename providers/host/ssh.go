package host

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
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

// remoteFile is a file on the host. Reading it from its start streams
// it through cat(1) in a session of its own: the bytes cross the
// connection once, in order, with nothing but the session's flow control
// between the disk and the reader, which is the fastest way SSH has to
// move a large log. ReadAt and Stat go through SFTP.
type remoteFile struct {
	f    *sftp.File
	h    *sshHost
	name string

	pos    int64 // bytes Read so far
	stream *catStream
	err    error
}

func (r *remoteFile) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.stream == nil {
		if r.pos != 0 {
			// Not reached: the stream starts with the first Read.
			return 0, fmt.Errorf("reading %s: the stream is not at its start", r.name)
		}
		r.stream, r.err = r.h.cat(r.name)
		if r.err != nil {
			return 0, r.err
		}
	}
	n, err := r.stream.Read(p)
	r.pos += int64(n)
	if err != nil {
		r.err = err
	}
	return n, err
}

func (r *remoteFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.f.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) {
		err = r.h.pathErr("read", r.name, err)
	}
	return n, err
}

func (r *remoteFile) Close() error {
	if r.stream != nil {
		r.stream.Close()
	}
	return r.f.Close()
}

// catStream is a file streaming from cat(1) on the host.
type catStream struct {
	h      *sshHost
	name   string
	sess   *ssh.Session
	out    io.Reader
	stderr *capped
	once   sync.Once
}

// cat starts streaming name, holding one of the connection's command
// sessions until Close.
func (h *sshHost) cat(name string) (*catStream, error) {
	if err := h.c.acquire(context.Background(), h.c.cmds); err != nil {
		return nil, h.pathErr("read", name, err)
	}
	sess, err := h.c.client.NewSession()
	if err != nil {
		<-h.c.cmds
		return nil, h.pathErr("read", name, err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		sess.Close()
		<-h.c.cmds
		return nil, h.pathErr("read", name, err)
	}
	c := &catStream{h: h, name: name, sess: sess, out: out, stderr: &capped{max: 4 << 10}}
	sess.Stderr = c.stderr
	if err := sess.Start(quoteArgs(h.wrapArgs(Cmd{Args: []string{"cat", "--", name}}))); err != nil {
		sess.Close()
		<-h.c.cmds
		return nil, h.pathErr("read", name, err)
	}
	return c, nil
}

// Read reads the stream; at its end it checks that cat read the whole
// file.
func (c *catStream) Read(p []byte) (int, error) {
	n, err := c.out.Read(p)
	if errors.Is(err, io.EOF) {
		if werr := c.sess.Wait(); werr != nil {
			msg := strings.TrimSpace(c.stderr.String())
			if lost := c.h.c.lostSoon(time.Second); lost != nil {
				return n, c.h.pathErr("read", c.name, lost)
			}
			return n, c.h.pathErr("read", c.name, fmt.Errorf("cat stopped early: %v %s", werr, msg))
		}
	}
	return n, err
}

// Close ends the session and gives its place back.
func (c *catStream) Close() {
	c.once.Do(func() {
		c.sess.Close()
		<-c.h.c.cmds
	})
}

func (r *remoteFile) Stat() (fs.FileInfo, error) {
	fi, err := r.f.Stat()
	if err != nil {
		return nil, r.h.pathErr("stat", r.name, err)
	}
	return remoteInfo{fi}, nil
}

// remoteInfo is a file description read over SFTP; its Sys is a
// *RemoteStat.
type remoteInfo struct{ fs.FileInfo }

func (ri remoteInfo) Sys() any {
	if st, ok := ri.FileInfo.Sys().(*sftp.FileStat); ok {
		return &RemoteStat{UID: st.UID, GID: st.GID}
	}
	return nil
}

// RemoteStat is what Sys() of a file description read over SSH holds.
type RemoteStat struct {
	UID, GID uint32
}

// Owner returns the file's owner and group IDs.
func (s *RemoteStat) Owner() (uint32, uint32) { return s.UID, s.GID }

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

// Lock runs flock(1) on the host in a session that holds the lock until
// unlock closes its input (or the connection drops, which also frees it).
func (h *sshHost) Lock(ctx context.Context, name string) (func(), error) {
	key := h.c.label + "\x00" + name
	m, _ := inProcess.LoadOrStore(key, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	fail := func(err error) (func(), error) {
		mu.Unlock()
		return nil, err
	}
	if err := h.c.acquire(ctx, h.c.locks); err != nil {
		return fail(fmt.Errorf("locking %s on %s: %w", name, h.c.label, err))
	}
	release := func() { <-h.c.locks }
	sess, err := h.c.client.NewSession()
	if err != nil {
		release()
		return fail(fmt.Errorf("locking %s: opening a session on %s: %w", name, h.c.label, h.c.wrap(err)))
	}
	in, _ := sess.StdinPipe()
	out, _ := sess.StdoutPipe()
	stderr := &capped{max: 4 << 10}
	sess.Stderr = stderr
	args := h.wrapArgs(Cmd{Args: []string{"flock", "-x", name, "sh", "-c", "echo locked; exec cat >/dev/null"}})
	if err := sess.Start(quoteArgs(args)); err != nil {
		sess.Close()
		release()
		return fail(fmt.Errorf("locking %s on %s: %w", name, h.c.label, h.c.wrap(err)))
	}
	got := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(out).ReadString('\n')
		if err == nil && line != "locked\n" {
			err = fmt.Errorf("flock printed %q", line)
		}
		got <- err
	}()
	select {
	case err = <-got:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		sess.Close()
		sess.Wait()
		release()
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "not found") {
			return fail(fmt.Errorf("locking %s: flock is not installed on %s (Debian package util-linux)", name, h.c.label))
		}
		if ctx.Err() != nil {
			return fail(fmt.Errorf("%s on %s is still locked by another run: %w", name, h.c.label, ctx.Err()))
		}
		return fail(fmt.Errorf("locking %s on %s: %v %s", name, h.c.label, h.c.wrap(err), msg))
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			in.Close()
			done := make(chan struct{})
			go func() { sess.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				sess.Close()
			}
			release()
			mu.Unlock()
		})
	}, nil
}

// wrapArgs returns the command line to run for c: under sudo -n when the
// host is sudo, with env setting c.Env.
func (h *sshHost) wrapArgs(c Cmd) []string {
	var args []string
	if h.sudo {
		args = append(args, "sudo", "-n", "--")
	}
	if len(c.Env) > 0 {
		args = append(append(args, "env"), c.Env...)
	}
	return append(args, c.Args...)
}

// Run runs c in a session, within the command timeout. When ctx ends
// first, the command is sent SIGKILL and the session closed.
func (h *sshHost) Run(ctx context.Context, c Cmd) error {
	if len(c.Args) == 0 {
		return errors.New("no command to run")
	}
	parent := ctx
	if h.cmdTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.cmdTimeout)
		defer cancel()
	}
	if err := h.c.acquire(ctx, h.c.cmds); err != nil {
		return fmt.Errorf("running %s on %s: %w", c.Args[0], h.c.label, err)
	}
	defer func() { <-h.c.cmds }()
	sess, err := h.c.client.NewSession()
	if err != nil {
		return fmt.Errorf("running %s: opening a session on %s: %w", c.Args[0], h.c.label, h.c.wrap(err))
	}
	defer sess.Close()
	errTail := &capped{max: 4 << 10}
	if c.Stdout != nil && c.Stdout == c.Stderr {
		// One writer for both, as os/exec allows: the session copies
		// each stream in its own goroutine.
		w := &lockedWriter{w: c.Stdout}
		c.Stdout, c.Stderr = w, w
	}
	sess.Stdin = c.Stdin
	sess.Stdout = c.Stdout
	if sess.Stdout == nil {
		sess.Stdout = io.Discard
	}
	if c.Stderr != nil {
		sess.Stderr = io.MultiWriter(c.Stderr, errTail)
	} else {
		sess.Stderr = errTail
	}
	args := h.wrapArgs(c)
	if h.cmdTimeout > 0 {
		// sshd cannot pass a signal to the command (not for root, and
		// not to a command run under sudo), and closing the session does
		// not stop it: timeout(1) on the host ends it by itself.
		args = append([]string{"timeout", "-k", "5s", fmt.Sprintf("%ds", int(h.cmdTimeout.Seconds()+0.999))}, args...)
	}
	if err := sess.Start(quoteArgs(args)); err != nil {
		return fmt.Errorf("running %s on %s: %w", c.Args[0], h.c.label, h.c.wrap(err))
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		sess.Signal(ssh.SIGKILL)
		sess.Close()
		if parent.Err() == nil {
			return fmt.Errorf("%s on %s did not finish within command_timeout (%s); it was stopped", c.Args[0], h.c.label, h.cmdTimeout)
		}
		return fmt.Errorf("%s on %s: %w", c.Args[0], h.c.label, ctx.Err())
	case <-h.c.done:
		sess.Close()
		return fmt.Errorf("%s on %s: %w", c.Args[0], h.c.label, h.c.lost())
	}
	var exit *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit):
		msg := errTail.String()
		code := exit.ExitStatus()
		if exit.Signal() != "" {
			code = -1
		}
		if h.sudo && code == 1 && strings.HasPrefix(msg, "sudo: ") && (strings.Contains(msg, "password") || strings.Contains(msg, "terminal")) {
			return fmt.Errorf("sudo on %s needs a password (%s): give the login passwordless sudo (NOPASSWD in sudoers), or log in as root and leave sudo out", h.c.label, strings.TrimSpace(msg))
		}
		if code == 124 && h.cmdTimeout > 0 && parent.Err() == nil {
			return fmt.Errorf("%s on %s did not finish within command_timeout (%s); it was stopped", c.Args[0], h.c.label, h.cmdTimeout)
		}
		notFound := code == 127 || h.sudo && code == 1 && strings.HasPrefix(msg, "sudo: ") && strings.Contains(msg, "command not found")
		return &ExitError{Host: h.c.label, Args: c.Args, Code: code, notFound: notFound}
	case errors.As(err, &missing):
		if lost := h.c.lostSoon(time.Second); lost != nil {
			return fmt.Errorf("%s on %s: %w", c.Args[0], h.c.label, lost)
		}
		return fmt.Errorf("%s on %s ended without an exit status (its session was killed?): %w", c.Args[0], h.c.label, err)
	}
	return fmt.Errorf("running %s on %s: %w", c.Args[0], h.c.label, h.c.wrap(err))
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// quoteArgs joins args into a POSIX shell command line, each quoted so
// the login shell passes it through unchanged.
func quoteArgs(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(shellQuote(a))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell; plain words stay as they are.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
