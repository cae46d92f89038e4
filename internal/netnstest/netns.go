// Package netnstest gives tests network namespaces of their own, joined
// by veth pairs, so that firewall rules and TCP connections can be tried
// for real without touching the host's network.
//
// Everything it creates is named with a random prefix and removed in
// t.Cleanup: namespaces (which takes their veth ends with them) and
// background processes. The tests need root: Require skips a test with a
// clear message when not running as root, and fails it, naming the Debian
// package, when a tool is missing.
package netnstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Require skips t when not running as root and fails it when ip (Debian
// package iproute2) or one of the extra tools is missing. Extra tools are
// given as "command:package", such as "nft:nftables".
func Require(t testing.TB, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: network namespaces and nftables can only be made as root (CI runs these tests as root)")
	}
	for _, tool := range append([]string{"ip:iproute2"}, tools...) {
		cmd, pkg, _ := strings.Cut(tool, ":")
		if _, err := exec.LookPath(cmd); err != nil {
			t.Fatalf("the %s command is missing: install the Debian package %s (apt-get install %s)", cmd, pkg, pkg)
		}
	}
}

// NS is a network namespace made for one test.
type NS struct {
	// Name is the namespace's name, as `ip netns` knows it.
	Name string
	t    testing.TB
}

// New creates a namespace with its loopback up, removed when the test
// ends. label (a few letters) makes the name readable.
func New(t testing.TB, label string) *NS {
	t.Helper()
	name := "plumbt-" + randomHex(3) + "-" + label
	run(t, "ip", "netns", "add", name)
	ns := &NS{Name: name, t: t}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "delete", name).CombinedOutput(); err != nil {
			t.Errorf("removing network namespace %s: %v: %s", name, err, out)
		}
	})
	ns.Run("ip", "link", "set", "lo", "up")
	return ns
}

// Link joins a and b with a veth pair and gives each end the addresses
// listed (in CIDR form, such as "10.77.0.1/24"); both ends are up.
func Link(t testing.TB, a *NS, aAddrs []string, b *NS, bAddrs []string) {
	t.Helper()
	id := randomHex(3)
	ea, eb := "pv"+id+"a", "pv"+id+"b"
	run(t, "ip", "link", "add", ea, "netns", a.Name, "type", "veth", "peer", "name", eb, "netns", b.Name)
	for _, side := range []struct {
		ns    *NS
		dev   string
		addrs []string
	}{{a, ea, aAddrs}, {b, eb, bAddrs}} {
		for _, addr := range side.addrs {
			side.ns.Run("ip", "addr", "add", addr, "dev", side.dev, "nodad")
		}
		side.ns.Run("ip", "link", "set", side.dev, "up")
	}
}

// SetResolvConf gives the namespace a resolv.conf of its own, as
// `ip netns exec` shows it there (/etc/netns/NAME/resolv.conf); it is
// removed when the test ends.
func (ns *NS) SetResolvConf(content string) {
	ns.t.Helper()
	dir := filepath.Join("/etc/netns", ns.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		ns.t.Fatalf("making %s: %v", dir, err)
	}
	ns.t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte(content), 0o644); err != nil {
		ns.t.Fatalf("writing the resolv.conf of %s: %v", ns.Name, err)
	}
}

// Run runs a command in the namespace and returns its output; a failure
// fails the test.
func (ns *NS) Run(args ...string) string {
	ns.t.Helper()
	return run(ns.t, append([]string{"ip", "netns", "exec", ns.Name}, args...)...)
}

// Command returns a command that runs in the namespace.
func (ns *NS) Command(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.Name}, args...)...)
}

// Start runs a command in the namespace in the background; it is killed
// and waited for when the test ends.
func (ns *NS) Start(args ...string) *exec.Cmd {
	ns.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.Name}, args...)...)
	if err := cmd.Start(); err != nil {
		cancel()
		ns.t.Fatalf("starting %v in %s: %v", args, ns.Name, err)
	}
	ns.t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	return cmd
}

// Do runs fn on an OS thread that has entered the namespace; sockets made
// in fn belong to the namespace for their whole life. The thread is
// discarded afterwards, so no other goroutine ever runs in the namespace.
func (ns *NS) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the goroutine's thread exits with it.
		runtime.LockOSThread()
		f, err := os.Open("/var/run/netns/" + ns.Name)
		if err != nil {
			errc <- fmt.Errorf("opening network namespace %s: %w", ns.Name, err)
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("entering network namespace %s: %w", ns.Name, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// Listen opens a TCP listener on addr inside the namespace that accepts
// connections and closes each at once, until the test ends.
func (ns *NS) Listen(addr string) net.Listener {
	ns.t.Helper()
	return ns.listen(addr, false)
}

// ListenHold is Listen, but it keeps every accepted connection open until
// the test ends, so the connections stay ESTABLISHED.
func (ns *NS) ListenHold(addr string) net.Listener {
	ns.t.Helper()
	return ns.listen(addr, true)
}

func (ns *NS) listen(addr string, hold bool) net.Listener {
	ns.t.Helper()
	var l net.Listener
	err := ns.Do(func() error {
		var err error
		l, err = net.Listen("tcp", addr)
		return err
	})
	if err != nil {
		ns.t.Fatalf("listening on %s in %s: %v", addr, ns.Name, err)
	}
	done := make(chan struct{})
	var held []net.Conn
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			if hold {
				held = append(held, c)
			} else {
				c.Close()
			}
		}
	}()
	ns.t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	return l
}

// Dial connects from local (an address of the namespace) to remote
// inside the namespace, waiting at most timeout.
func (ns *NS) Dial(local, remote string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	err := ns.Do(func() error {
		d := net.Dialer{Timeout: timeout, LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
		var err error
		c, err = d.Dial("tcp", remote)
		return err
	})
	return c, err
}

// IsTimeout reports whether err is a dial that timed out (what a dropped
// SYN looks like), rather than a refusal.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
