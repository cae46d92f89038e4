package host

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// maxDials bounds the SSH handshakes in progress at once across all
// hosts, so a fleet of fifty does not start fifty key exchanges on two
// cores.
const maxDials = 8

// failureMemory is how long a failed connection is remembered, so that
// the providers of one run that name a host that is down wait for it
// once, not once each.
const failureMemory = time.Minute

// pool holds the connections of this process: one per host, port, login
// and trust settings, shared by every provider that names them.
var pool = struct {
	sync.Mutex
	conns map[string]*poolEntry
	dials chan struct{}
}{conns: map[string]*poolEntry{}, dials: make(chan struct{}, maxDials)}

// poolEntry is one connection, being made or made.
type poolEntry struct {
	ready  chan struct{} // closed when the dial has finished
	conn   *conn
	err    error
	failed time.Time
	refs   int
}

// poolKey says which settings make two providers share a connection.
func poolKey(s Settings) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%v\x00%s\x00%s", s.User, s.Addr(), s.PrivateKeyFile, s.Agent, s.KnownHostsFile, s.HostKey)
}

// Dial returns the host s names, connecting to it or sharing the
// connection another provider of this process already made to the same
// host with the same login. Close the host when done; the connection
// closes with its last user.
func Dial(ctx context.Context, s Settings) (Host, error) {
	if s.MaxSessions < 1 {
		s.MaxSessions = DefaultMaxSessions
	}
	if s.ConnectTimeout <= 0 {
		s.ConnectTimeout = DefaultConnectTimeout
	}
	if s.CommandTimeout <= 0 {
		s.CommandTimeout = DefaultCommandTimeout
	}
	key := poolKey(s)
	for {
		pool.Lock()
		e, ok := pool.conns[key]
		if ok && stale(e) {
			delete(pool.conns, key)
			ok = false
		}
		if !ok {
			e = &poolEntry{ready: make(chan struct{})}
			pool.conns[key] = e
			e.refs++
			pool.Unlock()
			e.conn, e.err = dialConn(ctx, s, key)
			if e.err != nil {
				e.failed = time.Now()
			}
			close(e.ready)
			if e.err != nil {
				release(key, e)
				return nil, e.err
			}
			return newSSHHost(e, s), nil
		}
		e.refs++
		pool.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			release(key, e)
			return nil, ctx.Err()
		}
		if e.err != nil {
			release(key, e)
			return nil, e.err
		}
		return newSSHHost(e, s), nil
	}
}

// stale reports whether a finished entry should be dialled afresh: a
// failure older than failureMemory, or a connection lost since (its
// users still close it).
func stale(e *poolEntry) bool {
	select {
	case <-e.ready:
	default:
		return false // still dialling
	}
	if e.conn == nil {
		return time.Since(e.failed) > failureMemory
	}
	return e.conn.lost() != nil
}

// release drops one user of a connection, closing it with the last.
func release(key string, e *poolEntry) {
	pool.Lock()
	e.refs--
	last := e.refs == 0
	if last && pool.conns[key] == e && e.conn != nil {
		delete(pool.conns, key) // a failure stays remembered
	}
	pool.Unlock()
	if last && e.conn != nil {
		e.conn.close()
	}
}

// dialConn connects and logs in, within s.ConnectTimeout.
func dialConn(ctx context.Context, s Settings, key string) (*conn, error) {
	select {
	case pool.dials <- struct{}{}:
		defer func() { <-pool.dials }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	check, algos, err := hostKeyCheck(s)
	if err != nil {
		return nil, err
	}
	auth, closeAuth, err := authMethods(s)
	if err != nil {
		return nil, err
	}
	cfg := &ssh.ClientConfig{
		User:              s.User,
		Auth:              auth,
		HostKeyCallback:   check,
		HostKeyAlgorithms: algos,
		Timeout:           s.ConnectTimeout,
	}
	// AES-GCM first: with AES instructions it is the cheapest cipher on
	// both ends, which matters when a large log streams through.
	cfg.Ciphers = []string{ssh.CipherAES128GCM, ssh.CipherAES256GCM, ssh.CipherChaCha20Poly1305, ssh.CipherAES128CTR, ssh.CipherAES256CTR}
	dctx, cancel := context.WithTimeout(ctx, s.ConnectTimeout)
	defer cancel()
	nc, err := (&net.Dialer{}).DialContext(dctx, "tcp", s.Addr())
	if err != nil {
		closeAuth()
		if errors.Is(dctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("no answer from %s within connect_timeout (%s): the host is down, or a firewall drops the connection", s.Addr(), s.ConnectTimeout)
		}
		return nil, fmt.Errorf("connecting to %s: %w; check that the host is up and sshd listens on port %d", s.Addr(), err, s.Port)
	}
	stop := context.AfterFunc(dctx, func() { nc.SetDeadline(time.Now()) })
	sc, chans, reqs, err := ssh.NewClientConn(nc, s.Addr(), cfg)
	stop()
	closeAuth()
	if err != nil {
		nc.Close()
		var hk *hostKeyError
		switch {
		case errors.As(err, &hk):
			return nil, hk
		case dctx.Err() != nil:
			return nil, fmt.Errorf("%s accepted the connection but the SSH handshake did not finish within connect_timeout (%s)", s.Addr(), s.ConnectTimeout)
		case isAuthError(err):
			return nil, fmt.Errorf("%s refused the login %s: %v; check user, private_key_file or the keys in ssh-agent, and the account's authorized_keys on the host", s.Addr(), s.User, err)
		}
		return nil, fmt.Errorf("SSH handshake with %s: %w", s.Addr(), err)
	}
	nc.SetDeadline(time.Time{})
	c := newConn(ssh.NewClient(sc, chans, reqs), s, key)
	return c, nil
}

func isAuthError(err error) bool {
	var ne *ssh.ServerAuthError
	return errors.As(err, &ne) || containsAny(err.Error(), "unable to authenticate", "no supported methods remain")
}

// authMethods returns how to log in, and a function that closes the
// agent connection once the handshake is over.
func authMethods(s Settings) ([]ssh.AuthMethod, func(), error) {
	var methods []ssh.AuthMethod
	closeAuth := func() {}
	if s.PrivateKeyFile != "" {
		pem, err := os.ReadFile(s.PrivateKeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("reading private_key_file: %w", err)
		}
		signer, err := ssh.ParsePrivateKey(pem)
		var missing *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &missing):
			return nil, nil, fmt.Errorf("private_key_file %s is encrypted with a passphrase, which plumb never asks for: load it into ssh-agent (ssh-add %s) and set agent = true instead", s.PrivateKeyFile, s.PrivateKeyFile)
		case err != nil:
			return nil, nil, fmt.Errorf("private_key_file %s is not a private key plumb can read: %w", s.PrivateKeyFile, err)
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if s.Agent {
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			if len(methods) == 0 {
				return nil, nil, errors.New("no ssh-agent is running (SSH_AUTH_SOCK is not set) and no private_key_file is given: start ssh-agent and ssh-add your key, or set private_key_file")
			}
		} else {
			ac, err := net.Dial("unix", sock)
			if err != nil {
				if len(methods) == 0 {
					return nil, nil, fmt.Errorf("cannot reach ssh-agent at SSH_AUTH_SOCK=%s: %w", sock, err)
				}
			} else {
				methods = append(methods, ssh.PublicKeysCallback(agent.NewClient(ac).Signers))
				closeAuth = func() { ac.Close() }
			}
		}
	}
	return methods, closeAuth, nil
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
