package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// conn is one SSH connection, shared by every Host that names the same
// host and login. Commands run in sessions multiplexed on it, at most
// Settings.MaxSessions at once; files go through one SFTP session per
// mode (plain, or sudo), opened on first use.
type conn struct {
	client *ssh.Client
	label  string // user@host:port
	key    string // the pool's key

	// cmds bounds the command sessions, locks the sessions that hold a
	// file lock. They are separate so that a lock holder waiting to run a
	// command can never be starved by other lock holders.
	cmds, locks chan struct{}

	mu    sync.Mutex
	sftps map[string]*sftpSession // by sftp_server ("" for the subsystem)
	idErr error
	uid   uint32
	gids  map[uint32]bool
	idSet bool

	done     chan struct{}
	lostOnce sync.Once
	lostErr  error
}

// sftpSession is one SFTP client and what it runs on.
type sftpSession struct {
	client *sftp.Client
	err    error
	ready  chan struct{}
}

func newConn(client *ssh.Client, s Settings, key string) *conn {
	locks := max(1, s.MaxSessions/4)
	c := &conn{
		client: client,
		label:  s.label(),
		key:    key,
		cmds:   make(chan struct{}, max(1, s.MaxSessions-locks)),
		locks:  make(chan struct{}, locks),
		sftps:  map[string]*sftpSession{},
		done:   make(chan struct{}),
	}
	go c.keepalive(s.ConnectTimeout)
	go func() {
		err := client.Wait()
		c.setLost(fmt.Errorf("the SSH connection to %s was lost: %v", c.label, errOr(err, "closed by the host")))
	}()
	return c
}

func errOr(err error, text string) string {
	if err == nil || errors.Is(err, io.EOF) {
		return text
	}
	return err.Error()
}

// setLost records why the connection ended, once.
func (c *conn) setLost(err error) {
	c.lostOnce.Do(func() {
		c.mu.Lock()
		c.lostErr = err
		c.mu.Unlock()
		close(c.done)
		c.client.Close()
	})
}

// lost returns why the connection ended, or nil while it is up.
func (c *conn) lost() error {
	select {
	case <-c.done:
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.lostErr
	default:
		return nil
	}
}

// close ends the connection on purpose.
func (c *conn) close() {
	c.setLost(fmt.Errorf("the SSH connection to %s is closed", c.label))
	c.mu.Lock()
	ss := c.sftps
	c.sftps = map[string]*sftpSession{}
	c.mu.Unlock()
	for _, s := range ss {
		select {
		case <-s.ready:
			if s.client != nil {
				s.client.Close()
			}
		default:
		}
	}
}

// keepalive asks the host for an answer every interval/2; a host silent
// for interval is lost, which ends whatever waits on the connection
// instead of leaving it hanging on a dead peer.
func (c *conn) keepalive(interval time.Duration) {
	tick := time.NewTicker(max(interval/2, 500*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-tick.C:
		}
		answered := make(chan struct{})
		go func() {
			c.client.SendRequest("keepalive@openssh.com", true, nil)
			close(answered)
		}()
		select {
		case <-answered:
		case <-c.done:
			return
		case <-time.After(interval):
			c.setLost(fmt.Errorf("the SSH connection to %s was lost: no answer for %s (connect_timeout)", c.label, interval))
			return
		}
	}
}

// lostSoon waits up to d for the connection to be seen lost (a session
// that ended oddly is often the first sign) and returns why, or nil.
func (c *conn) lostSoon(d time.Duration) error {
	select {
	case <-c.done:
		return c.lost()
	case <-time.After(d):
		return nil
	}
}

// wrap adds the connection's fate to an error from a lost connection.
func (c *conn) wrap(err error) error {
	if err == nil {
		return nil
	}
	if lost := c.lost(); lost != nil && !strings.Contains(err.Error(), c.label) {
		return fmt.Errorf("%w (%v)", err, lost)
	}
	return err
}

// acquire takes a slot of sem, or fails when ctx ends or the connection
// is lost.
func (c *conn) acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
		return c.lost()
	}
}

// sftp returns the SFTP client for server: the sftp subsystem when
// server is "", else that command (sudo'd sftp-server).
func (c *conn) sftp(server string, start func() (*sftp.Client, error)) (*sftp.Client, error) {
	c.mu.Lock()
	if err := c.lostErr; err != nil {
		c.mu.Unlock()
		return nil, err
	}
	s, ok := c.sftps[server]
	if !ok {
		s = &sftpSession{ready: make(chan struct{})}
		c.sftps[server] = s
	}
	c.mu.Unlock()
	if !ok {
		s.client, s.err = start()
		close(s.ready)
		if s.client != nil {
			// An SFTP session that ends (its sftp-server killed) is
			// forgotten, so the next use starts another while the
			// connection lives.
			go func() {
				s.client.Wait()
				c.mu.Lock()
				if c.sftps[server] == s {
					delete(c.sftps, server)
				}
				c.mu.Unlock()
			}()
		} else {
			c.mu.Lock()
			delete(c.sftps, server)
			c.mu.Unlock()
		}
	}
	<-s.ready
	return s.client, s.err
}

// identity returns the login's user and group IDs, asked once with id.
func (c *conn) identity(ctx context.Context, run func(context.Context, Cmd) ([]byte, error)) (uint32, map[uint32]bool, error) {
	c.mu.Lock()
	if c.idSet {
		defer c.mu.Unlock()
		return c.uid, c.gids, c.idErr
	}
	c.mu.Unlock()
	out, err := run(ctx, Cmd{Args: []string{"id", "-u"}})
	var uid uint64
	gids := map[uint32]bool{}
	if err == nil {
		uid, err = strconv.ParseUint(strings.TrimSpace(string(out)), 10, 32)
	}
	if err == nil {
		out, err = run(ctx, Cmd{Args: []string{"id", "-G"}})
		for _, f := range strings.Fields(string(out)) {
			if g, perr := strconv.ParseUint(f, 10, 32); perr == nil {
				gids[uint32(g)] = true
			}
		}
	}
	if err != nil {
		err = fmt.Errorf("asking %s who this login is (id -u, id -G): %w", c.label, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.uid, c.gids, c.idErr, c.idSet = uint32(uid), gids, err, true
	return c.uid, c.gids, c.idErr
}
