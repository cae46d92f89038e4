// Package apachetest runs Debian's apache2 for tests: a child process on
// a free port of 127.0.0.1 with its own minimal configuration in the
// test's temporary folder (ServerRoot, PidFile, ErrorLog and DocumentRoot
// all inside it), mod_authz_core, mod_authz_host and mod_access_compat
// loaded, and AllowOverride All for the document root, so .htaccess files
// written there take effect on the next request. The server is stopped,
// with every process it started, when the test ends.
//
// Requests can be made from 127.0.0.2 as well as 127.0.0.1 (Linux routes
// all of 127.0.0.0/8 to the loopback interface), which is how tests see an
// allow list let one client in and keep another out.
//
// A test that needs Apache fails, naming the package to install, when it
// is missing; it is never skipped.
package apachetest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Options change the server's configuration.
type Options struct {
	// NoAccessCompat leaves mod_access_compat out, so that Apache rejects
	// the 2.2 syntax (Order, Allow, Deny).
	NoAccessCompat bool
}

// Server is one Apache configuration, and the running server when made by
// Start.
type Server struct {
	// Root is the ServerRoot: it holds the configuration, the pid file and
	// the error log.
	Root string
	// ConfigFile is the main configuration file.
	ConfigFile string
	// DocRoot is the DocumentRoot, with AllowOverride All.
	DocRoot string
	// Port is the TCP port Apache listens on, on 127.0.0.1.
	Port int
	// URL is "http://127.0.0.1:PORT".
	URL string

	cmd  *exec.Cmd
	done chan struct{}
}

// moduleDirs are where distributions install Apache's modules; Debian's
// comes first.
var moduleDirs = []string{"/usr/lib/apache2/modules", "/usr/lib64/httpd/modules", "/usr/lib/httpd/modules"}

// sbinDirs are searched for Apache's programs after PATH.
var sbinDirs = []string{"/usr/sbin", "/usr/local/sbin", "/sbin"}

// missing is the failure message when Apache is not installed.
const missing = "%s not found: install Debian apache2 (make test does)"

// Binary returns the path of the apache2 program, failing the test when
// it is not installed.
func Binary(t testing.TB) string {
	t.Helper()
	return program(t, "apache2", "httpd")
}

// Apachectl returns the path of apachectl (Debian: apache2ctl), failing
// the test when it is not installed.
func Apachectl(t testing.TB) string {
	t.Helper()
	return program(t, "apache2ctl", "apachectl")
}

func program(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	for _, d := range sbinDirs {
		for _, n := range names {
			p := filepath.Join(d, n)
			if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
				return p
			}
		}
	}
	t.Fatalf(missing, names[0])
	return ""
}

// moduleDir returns the folder holding mod_authz_core.so.
func moduleDir(t testing.TB) string {
	t.Helper()
	for _, d := range moduleDirs {
		if _, err := os.Stat(filepath.Join(d, "mod_authz_core.so")); err == nil {
			return d
		}
	}
	t.Fatalf(missing, "Apache modules (mod_authz_core.so in "+strings.Join(moduleDirs, ", ")+")")
	return ""
}

// Config writes a configuration without starting a server: enough for
// apachectl -t (see ApachectlArgs).
func Config(t testing.TB, opts Options) *Server {
	t.Helper()
	root := t.TempDir()
	// Apache's workers run as another user when the test runs as root;
	// they must be able to reach the document root.
	for _, d := range []string{filepath.Dir(root), root} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatalf("apachetest: %v", err)
		}
	}
	s := &Server{Root: root, ConfigFile: filepath.Join(root, "httpd.conf"), DocRoot: filepath.Join(root, "htdocs")}
	if err := os.Mkdir(s.DocRoot, 0o755); err != nil {
		t.Fatalf("apachetest: %v", err)
	}
	s.Port = freePort(t)
	s.URL = fmt.Sprintf("http://127.0.0.1:%d", s.Port)
	if err := os.WriteFile(s.ConfigFile, []byte(s.config(t, opts)), 0o644); err != nil {
		t.Fatalf("apachetest: %v", err)
	}
	return s
}

// ApachectlArgs are the arguments that make apachectl check this
// configuration instead of the system's: -d ROOT -f CONFIG.
func (s *Server) ApachectlArgs() []string { return []string{"-d", s.Root, "-f", s.ConfigFile} }

func (s *Server) config(t testing.TB, opts Options) string {
	t.Helper()
	mods := moduleDir(t)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("ServerRoot %q", s.Root)
	w("ServerName 127.0.0.1")
	w("Listen 127.0.0.1:%d", s.Port)
	w("PidFile %q", filepath.Join(s.Root, "httpd.pid"))
	w("ErrorLog %q", filepath.Join(s.Root, "error.log"))
	w("DefaultRuntimeDir %q", s.Root)
	w("Mutex file:%s default", s.Root)
	w("LogLevel warn")
	modules := []string{"mpm_event", "authz_core", "authz_host"}
	if !opts.NoAccessCompat {
		modules = append(modules, "access_compat")
	}
	for _, m := range modules {
		w("LoadModule %s_module %q", m, filepath.Join(mods, "mod_"+m+".so"))
	}
	w("StartServers 1")
	w("ServerLimit 2")
	w("ThreadsPerChild 8")
	w("MaxRequestWorkers 16")
	if os.Geteuid() == 0 {
		u := "www-data"
		if _, err := user.Lookup(u); err != nil {
			u = "nobody"
		}
		w("User %s", u)
		w("Group #%d", workerGid(u))
	}
	w("DocumentRoot %q", s.DocRoot)
	w("AccessFileName .htaccess")
	w("<Directory />")
	w("    AllowOverride None")
	w("    Require all denied")
	w("</Directory>")
	w("<Directory %q>", s.DocRoot)
	w("    AllowOverride All")
	w("    Require all granted")
	w("</Directory>")
	return b.String()
}

// workerGid returns the primary group of the named user.
func workerGid(name string) int {
	u, err := user.Lookup(name)
	if err != nil {
		return 65534
	}
	var gid int
	fmt.Sscan(u.Gid, &gid)
	return gid
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("apachetest: finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start writes a configuration and starts Apache with it, waiting until it
// answers. The server and all its processes are stopped when the test
// ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin := Binary(t)
	var s *Server
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		s = Config(t, opts)
		if err = s.start(bin); err == nil {
			t.Cleanup(s.stop)
			return s
		}
	}
	t.Fatalf("apachetest: starting %s: %v", bin, err)
	return nil
}

func (s *Server) start(bin string) error {
	cmd := exec.Command(bin, "-d", s.Root, "-f", s.ConfigFile, "-DFOREGROUND")
	cmd.Dir = s.Root
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LANG=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := os.Create(filepath.Join(s.Root, "console.log"))
	if err != nil {
		return err
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() {
		cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("apache2 exited at once: %s", s.Logs())
		default:
		}
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port), 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop()
	return fmt.Errorf("apache2 did not answer on port %d within 15s: %s", s.Port, s.Logs())
}

// stop ends the server: SIGTERM (Apache's stop), then SIGKILL to its
// whole process group if it lingers, and waits for it to exit.
func (s *Server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	pgid := s.cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.done
	}
	// Workers that outlived the parent, if any, go with their group.
	syscall.Kill(-pgid, syscall.SIGKILL)
}

// Logs returns what Apache wrote to its console and error log.
func (s *Server) Logs() string {
	var parts []string
	for _, name := range []string{"console.log", "error.log"} {
		if b, err := os.ReadFile(filepath.Join(s.Root, name)); err == nil && len(b) > 0 {
			parts = append(parts, name+":\n"+string(b))
		}
	}
	return strings.Join(parts, "\n")
}

// Get requests urlPath from the server with from (such as "127.0.0.2") as
// the client's address, and returns the HTTP status.
func (s *Server) Get(t testing.TB, from, urlPath string) int {
	t.Helper()
	status, err := s.get(from, urlPath)
	if err != nil {
		t.Fatalf("apachetest: GET %s%s from %s: %v\n%s", s.URL, urlPath, from, err, s.Logs())
	}
	return status
}

func (s *Server) get(from, urlPath string) (int, error) {
	ip := net.ParseIP(from)
	if ip == nil {
		return 0, errors.New("not an IP address: " + from)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 5 * time.Second}
	c := &http.Client{
		Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true},
		Timeout:   10 * time.Second,
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, s.URL+urlPath, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
