// Package sshtest starts Debian's OpenSSH sshd for tests: each Server is
// one "host", an sshd of its own on loopback (or inside a network
// namespace it creates), with a host key and a user key generated for the
// test, a known_hosts file listing it, and a folder for the test's files.
//
// It never touches the system's sshd, /etc/ssh or anyone's ~/.ssh:
// everything it writes is in a temporary folder removed when the test
// ends, and every process it starts is stopped then. sshd runs in a mount
// namespace of its own where /etc/passwd gives root a home in that
// folder, so the real root's ~/.ssh and shell start-up files are never
// read. It needs root (sshd
// logs users in, and namespaces can only be made as root): Require skips
// a test when not running as root and fails it, naming the Debian
// package, when sshd is missing. The one thing outside its folders that
// it may create is /run/sshd, the empty directory Debian's sshd insists
// on for privilege separation.
package sshtest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plumbhq/plumb/internal/netnstest"
	"github.com/plumbhq/plumb/providers/host"
	"golang.org/x/crypto/ssh"
)

// sshdPath is where Debian's openssh-server puts sshd; sshd must be
// started by its absolute path.
const sshdPath = "/usr/sbin/sshd"

// sftpServerPath is Debian's sftp-server.
const sftpServerPath = "/usr/lib/openssh/sftp-server"

// SudoUser is the login of a server started with Options.SudoUser: not
// root, with passwordless sudo.
const SudoUser = "plumbtest"

// sudoUID is SudoUser's user and group ID.
const sudoUID = 4242

// Require skips t when not running as root and fails it when sshd or
// one of the extra tools ("command:package") is missing.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: the tests start sshd, which logs users in (CI runs these tests as root)")
	}
	if _, err := os.Stat(sshdPath); err != nil {
		t.Fatalf("sshd is missing (%v): install the Debian package openssh-server (apt-get install openssh-server; make test does)", err)
	}
	for _, tool := range tools {
		cmd, pkg, _ := strings.Cut(tool, ":")
		if _, err := exec.LookPath(cmd); err != nil {
			t.Fatalf("the %s command is missing: install the Debian package %s (apt-get install %s)", cmd, pkg, pkg)
		}
	}
}

// Options shape a Server.
type Options struct {
	// Netns starts sshd in a network namespace of its own (needing
	// package iproute2), so that commands run over SSH, such as nft, act
	// on that namespace. The test reaches it through a forwarder on
	// loopback.
	Netns bool
	// SudoUser logs in as SudoUser, who is not root and has
	// passwordless sudo, instead of root. The account exists only for
	// this sshd: it runs in a mount namespace with its own /etc/passwd,
	// /etc/group, /etc/shadow and /etc/sudoers bound over the system's.
	SudoUser bool
	// KeyFile, when set, is the user's private key (made with NewKey),
	// so that several servers accept one key; otherwise each server makes
	// its own.
	KeyFile string
}

// Server is one sshd, standing for one host.
type Server struct {
	// Name labels the server in messages.
	Name string
	// Host and Port are where the workstation connects.
	Host string
	Port int
	// User is the login: root, or SudoUser.
	User string
	// KeyFile is the user's private key; KnownHosts a known_hosts file
	// that lists this server; HostKey its public key as a known_hosts
	// line without the name.
	KeyFile, KnownHosts, HostKey string
	// Dir is a folder for the test's files on this host (readable by
	// User); the same file system as the test's, so a test can look at
	// what plumb did there.
	Dir string
	// NS is the server's network namespace, when Options.Netns.
	NS *netnstest.NS

	t       testing.TB
	scratch string
	cmd     *exec.Cmd
	fwd     net.Listener
	exited  chan struct{}
	log     *tail
	mu      sync.Mutex
	stopped bool
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Start starts an sshd for the test and stops it when the test ends.
func Start(t testing.TB, name string, o Options) *Server {
	t.Helper()
	Require(t)
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatalf("sshd needs the privilege separation directory /run/sshd: %v", err)
	}
	scratch, err := os.MkdirTemp("", "plumb-sshtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(scratch) })
	// Readable by a login that is not root, down to Dir.
	if err := os.Chmod(scratch, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &Server{Name: name, Host: "127.0.0.1", User: "root", t: t, scratch: scratch, Dir: filepath.Join(scratch, "files")}
	if o.SudoUser {
		s.User = SudoUser
	}
	must(t, os.Mkdir(s.Dir, 0o755))
	etc := filepath.Join(scratch, "sshd")
	must(t, os.Mkdir(etc, 0o755))

	hostKey := writeKey(t, filepath.Join(etc, "host_ed25519"))
	s.HostKey = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(hostKey)))
	var userKey ssh.PublicKey
	if o.KeyFile != "" {
		s.KeyFile = o.KeyFile
		userKey = readPublic(t, o.KeyFile)
	} else {
		s.KeyFile = filepath.Join(scratch, "user_ed25519")
		userKey = writeKey(t, s.KeyFile)
	}
	must(t, os.WriteFile(filepath.Join(etc, "authorized_keys"), ssh.MarshalAuthorizedKey(userKey), 0o644))

	listen := "127.0.0.1"
	port := freePort(t)
	if o.Netns {
		netnstest.Require(t)
		s.NS = netnstest.New(t, name)
		port = 22
	}
	conf := fmt.Sprintf(`Port %d
ListenAddress %s
HostKey %s
PidFile %s
AuthorizedKeysFile %s
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
Subsystem sftp %s
LogLevel INFO
MaxStartups 100:30:200
MaxSessions 10
`, port, listen, filepath.Join(etc, "host_ed25519"), filepath.Join(etc, "sshd.pid"),
		filepath.Join(etc, "authorized_keys"), sftpServerPath)
	must(t, os.WriteFile(filepath.Join(etc, "sshd_config"), []byte(conf), 0o644))

	args := []string{sshdPath, "-D", "-e", "-f", filepath.Join(etc, "sshd_config")}
	args = s.accounts(etc, args, o.SudoUser)
	if o.Netns {
		args = append([]string{"ip", "netns", "exec", s.NS.Name}, args...)
	}
	s.start(args)
	if o.Netns {
		s.Port = s.forward(port)
	} else {
		s.Port = port
	}
	s.waitUp()
	kh := fmt.Sprintf("[%s]:%d %s\n", s.Host, s.Port, s.HostKey)
	s.KnownHosts = filepath.Join(scratch, "known_hosts")
	must(t, os.WriteFile(s.KnownHosts, []byte(kh), 0o644))
	return s
}

// start runs sshd in the foreground of a child process.
func (s *Server) start(args []string) {
	t := s.t
	cmd := exec.Command(args[0], args[1:]...)
	log := &tail{max: 8 << 10, count: "Accepted publickey for "}
	s.log = log
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sshd for %s: %v", s.Name, err)
	}
	s.cmd = cmd
	exited := make(chan struct{})
	s.exited = exited
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() && log.String() != "" {
			t.Logf("sshd %s said:\n%s", s.Name, log.String())
		}
	})
}

// forward listens on loopback and carries each connection to port 22 in
// the namespace; it returns the port it listens on.
func (s *Server) forward(inner int) int {
	t := s.t
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.fwd = l
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				up, err := s.NS.Dial("127.0.0.1", "127.0.0.1:"+strconv.Itoa(inner), 5*time.Second)
				if err != nil {
					return
				}
				defer up.Close()
				mu.Lock()
				open = append(open, c, up)
				mu.Unlock()
				done := make(chan struct{}, 2)
				go func() { io.Copy(up, c); up.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
				go func() { io.Copy(c, up); c.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
				<-done
				<-done
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().(*net.TCPAddr).Port
}

// waitUp waits until sshd answers with its banner.
func (s *Server) waitUp() {
	t := s.t
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 4)
			_, err = io.ReadFull(c, buf)
			c.Close()
			if err == nil && string(buf) == "SSH-" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd %s did not start listening on %s: %v", s.Name, s.Addr(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Settings are the SSH settings that reach this server, trusting its key
// through KnownHosts. With SudoUser, Sudo is set.
func (s *Server) Settings() host.Settings {
	return host.Settings{
		Host: s.Host, Port: s.Port, User: s.User,
		PrivateKeyFile: s.KeyFile, KnownHostsFile: s.KnownHosts,
		Sudo:           s.User != "root",
		ConnectTimeout: 5 * time.Second, CommandTimeout: time.Minute, MaxSessions: host.DefaultMaxSessions,
	}
}

// Dial connects to the server with Settings and closes the host when
// the test ends.
func (s *Server) Dial(t testing.TB) host.Host {
	t.Helper()
	h, err := host.Dial(context.Background(), s.Settings())
	if err != nil {
		t.Fatalf("connecting to sshd %s: %v", s.Name, err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// Block is the HCL of an ssh block that reaches this server.
func (s *Server) Block() string {
	sudo := ""
	if s.User != "root" {
		sudo = "\n    sudo             = true"
	}
	return fmt.Sprintf(`ssh {
    host             = %q
    port             = %d
    user             = %q
    private_key_file = %q
    known_hosts_file = %q%s
  }`, s.Host, s.Port, s.User, s.KeyFile, s.KnownHosts, sudo)
}

// writeKey makes an ed25519 key, writes its private half in OpenSSH's
// format to name (mode 0600) and returns the public half.
func writeKey(t testing.TB, name string) ssh.PublicKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(name, pem.EncodeToMemory(block), 0o600))
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// readPublic returns the public half of the private key in name.
func readPublic(t testing.TB, name string) ssh.PublicKey {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(b)
	if err != nil {
		t.Fatalf("reading the key %s: %v", name, err)
	}
	return signer.PublicKey()
}

// NewKey writes a fresh private key to name and returns its public half
// as an authorized_keys line: for tests of keys a server does not know.
func NewKey(t testing.TB, name string) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(writeKey(t, name))))
}

// freePort returns a TCP port on loopback that nothing listens on.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Logins counts the logins sshd has accepted since it started (one per
// connection).
func (s *Server) Logins() int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.log.n
}

// tail keeps the last max bytes written to it, and counts the lines
// holding count.
type tail struct {
	mu      sync.Mutex
	max     int
	b       []byte
	count   string
	n       int
	partial []byte // the unfinished last line
}

func (w *tail) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if len(w.b) > w.max {
		w.b = w.b[len(w.b)-w.max:]
	}
	if w.count != "" {
		w.partial = append(w.partial, p...)
		for {
			i := bytes.IndexByte(w.partial, '\n')
			if i < 0 {
				break
			}
			if bytes.Contains(w.partial[:i], []byte(w.count)) {
				w.n++
			}
			w.partial = w.partial[i+1:]
		}
	}
	return len(p), nil
}

func (w *tail) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}
