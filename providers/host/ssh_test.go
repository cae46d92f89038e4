package host_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/providers/host"
)

// TestHostKeyChecked: an unknown key, a changed key and a wrong pinned
// key are refused, each naming the key offered and how to accept it; the
// right pinned key is accepted.
func TestHostKeyChecked(t *testing.T) {
	srv := sshtest.Start(t, "keys", sshtest.Options{})
	fp := fingerprint(t, srv.HostKey)
	empty := filepath.Join(t.TempDir(), "known_hosts")
	os.WriteFile(empty, nil, 0o644)
	other := sshtest.NewKey(t, filepath.Join(t.TempDir(), "other"))
	changed := filepath.Join(t.TempDir(), "known_hosts")
	os.WriteFile(changed, fmt.Appendf(nil, "[%s]:%d %s\n", srv.Host, srv.Port, other), 0o644)

	cases := []struct {
		name string
		set  func(*host.Settings)
		want []string
	}{
		{"unknown", func(s *host.Settings) { s.KnownHostsFile = empty },
			[]string{"is not known", fp, "ssh-keyscan -p", empty, "host_key = "}},
		{"changed", func(s *host.Settings) { s.KnownHostsFile = changed },
			[]string{"CHANGED", fp, "ssh-keygen -R"}},
		{"wrong pin", func(s *host.Settings) { s.KnownHostsFile, s.HostKey = "", other },
			[]string{"not the pinned host_key", fp}},
		{"no known_hosts file", func(s *host.Settings) { s.KnownHostsFile = filepath.Join(t.TempDir(), "absent") },
			[]string{"known hosts", "ssh-keyscan"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := srv.Settings()
			c.set(&s)
			h, err := host.Dial(context.Background(), s)
			if err == nil {
				h.Close()
				t.Fatalf("connected despite the host key")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if c.name != "no known_hosts file" && !errors.Is(err, host.ErrHostKey) {
				t.Errorf("error does not match ErrHostKey: %v", err)
			}
		})
	}
	t.Run("right pin", func(t *testing.T) {
		s := srv.Settings()
		s.KnownHostsFile, s.HostKey = "", srv.HostKey
		h, err := host.Dial(context.Background(), s)
		if err != nil {
			t.Fatalf("the pinned key was refused: %v", err)
		}
		h.Close()
	})
}

func fingerprint(t *testing.T, line string) string {
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return ssh.FingerprintSHA256(k)
}

// TestLoginRefused: a key the host does not accept is a clear error.
func TestLoginRefused(t *testing.T) {
	srv := sshtest.Start(t, "auth", sshtest.Options{})
	s := srv.Settings()
	s.PrivateKeyFile = filepath.Join(t.TempDir(), "stranger")
	sshtest.NewKey(t, s.PrivateKeyFile)
	_, err := host.Dial(context.Background(), s)
	if err == nil || !strings.Contains(err.Error(), "refused the login root") || !strings.Contains(err.Error(), "authorized_keys") {
		t.Fatalf("Dial with a key the host does not know: %v", err)
	}
}

// TestDownHost: a host that refuses connections fails at once, saying so.
func TestDownHost(t *testing.T) {
	srv := sshtest.Start(t, "down", sshtest.Options{})
	srv.Stop()
	start := time.Now()
	_, err := host.Dial(context.Background(), srv.Settings())
	if err == nil || !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "sshd listens") {
		t.Fatalf("Dial of a stopped host: %v", err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("refusal took %s", took)
	}
}

// TestOneConnectionPerHost: two providers naming one host share a
// connection, and it closes with the last of them.
func TestOneConnectionPerHost(t *testing.T) {
	srv := sshtest.Start(t, "shared", sshtest.Options{})
	ctx := context.Background()
	a, err := host.Dial(ctx, srv.Settings())
	if err != nil {
		t.Fatal(err)
	}
	b, err := host.Dial(ctx, srv.Settings())
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []host.Host{a, b} {
		if _, err := host.Output(ctx, h, host.Cmd{Args: []string{"true"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Stat(ctx, srv.Dir); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("sshd serves %d connections for two hosts naming it, want 1", n)
	}
	a.Close()
	if _, err := b.Stat(ctx, srv.Dir); err != nil {
		t.Errorf("closing one user closed the connection for the other: %v", err)
	}
	b.Close()
	waitFor(t, func() bool { return srv.Connections() == 0 }, "the connection to close with its last user")
}

// TestKilledMidWrite: the connection dies while a replacement is being
// written; the file keeps its old content, and a new connection works.
func TestKilledMidWrite(t *testing.T) {
	for _, o := range []sshtest.Options{{}, {SudoUser: true}} {
		t.Run(fmt.Sprintf("sudo=%v", o.SudoUser), func(t *testing.T) {
			srv := sshtest.Start(t, "kill", o)
			ctx := context.Background()
			h := srv.Dial(t)
			file := filepath.Join(srv.Dir, "site.conf")
			if err := host.WriteFile(ctx, h, file, []byte("old\n"), host.WriteOptions{Perm: 0o644}); err != nil {
				t.Fatal(err)
			}
			p, err := h.Create(ctx, file, host.WriteOptions{Perm: 0o644})
			if err != nil {
				t.Fatal(err)
			}
			half := bytes.Repeat([]byte("new new new\n"), 300_000) // 3.6 MB, past the write buffer
			if _, err := p.Write(half); err != nil {
				t.Fatal(err)
			}
			if n := srv.KillSessions(); n == 0 {
				t.Fatal("no sshd session to kill")
			}
			_, werr := p.Write(half)
			cerr := p.Commit()
			if werr == nil && cerr == nil {
				t.Fatal("the write finished although its connection was killed")
			}
			if b, _ := os.ReadFile(file); string(b) != "old\n" {
				t.Errorf("after the connection died the file holds %d bytes, want the old content", len(b))
			}
			err = cerr
			if werr != nil {
				err = werr
			}
			if !strings.Contains(err.Error(), srv.User+"@") {
				t.Errorf("the error does not name the host: %v", err)
			}
			// Later operations say the connection is lost.
			if _, err := h.Stat(ctx, file); err == nil {
				t.Errorf("Stat on a dead connection succeeded")
			}
			// A new run connects afresh and converges.
			h2 := srv.Dial(t)
			if err := host.WriteFile(ctx, h2, file, []byte("new\n"), host.WriteOptions{Perm: 0o644}); err != nil {
				t.Fatalf("writing over a new connection: %v", err)
			}
			if b, _ := os.ReadFile(file); string(b) != "new\n" {
				t.Errorf("after the re-run the file holds %q", b)
			}
		})
	}
}

// TestCommandTimeout: a command past command_timeout is stopped.
func TestCommandTimeout(t *testing.T) {
	srv := sshtest.Start(t, "slow", sshtest.Options{})
	s := srv.Settings()
	s.CommandTimeout = 300 * time.Millisecond
	s.MaxSessions = 3 // another pool key: a connection of its own
	h, err := host.Dial(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	start := time.Now()
	err = h.Run(context.Background(), host.Cmd{Args: []string{"sleep", "30"}})
	if err == nil || !strings.Contains(err.Error(), "command_timeout") {
		t.Fatalf("Run past command_timeout: %v", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("stopping took %s", took)
	}
	// The connection is still good.
	if _, err := host.Output(context.Background(), h, host.Cmd{Args: []string{"true"}}); err != nil {
		t.Errorf("after a timed-out command: %v", err)
	}
}

// TestWithoutSudo: a login that is not root, without sudo, acts as
// itself: it cannot write where only root may, and says so.
func TestWithoutSudo(t *testing.T) {
	srv := sshtest.Start(t, "nosudo", sshtest.Options{SudoUser: true})
	s := srv.Settings()
	s.Sudo = false
	h, err := host.Dial(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	out, err := host.Output(ctx, h, host.Cmd{Args: []string{"id", "-un"}})
	if err != nil || strings.TrimSpace(string(out)) != sshtest.SudoUser {
		t.Fatalf("id -un = %q, %v", out, err)
	}
	rootDir := filepath.Join(srv.Dir, "root-only")
	os.Mkdir(rootDir, 0o755) // made by root, the test
	if err := host.WriteFile(ctx, h, filepath.Join(rootDir, "f"), []byte("x"), host.WriteOptions{Perm: 0o644}); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("writing into root's folder without sudo: %v, want a permission error", err)
	}
	if err := h.Access(ctx, rootDir, 2); err == nil {
		t.Errorf("Access(root's folder, W) = nil for a login that is not root")
	}
	if err := h.Access(ctx, srv.Dir, 2|1); err != nil {
		t.Errorf("Access(own folder, W|X) = %v", err)
	}
}

// TestAgentLogin logs in with a key held by ssh-agent.
func TestAgentLogin(t *testing.T) {
	sshtest.Require(t, "ssh-agent:openssh-client", "ssh-add:openssh-client")
	srv := sshtest.Start(t, "agent", sshtest.Options{})
	sock := filepath.Join(t.TempDir(), "agent.sock")
	agent := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	waitFor(t, func() bool { _, err := os.Stat(sock); return err == nil }, "ssh-agent to listen")
	add := exec.Command("ssh-add", srv.KeyFile)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v: %s", err, out)
	}
	t.Setenv("SSH_AUTH_SOCK", sock)
	s := srv.Settings()
	s.PrivateKeyFile, s.Agent = "", true
	h, err := host.Dial(context.Background(), s)
	if err != nil {
		t.Fatalf("login through the agent: %v", err)
	}
	h.Close()
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
