package host

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

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
