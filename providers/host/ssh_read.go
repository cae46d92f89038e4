package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

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
