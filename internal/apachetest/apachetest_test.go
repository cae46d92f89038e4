package apachetest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestServerHonoursHtaccess starts Apache and checks that an .htaccess in
// the document root lets one loopback address in and keeps the other
// out, in both syntaxes, and that stopping it leaves no process behind.
func TestServerHonoursHtaccess(t *testing.T) {
	s := Start(t, Options{})
	writeFile(t, filepath.Join(s.DocRoot, "open", "index.html"), "open\n")
	writeFile(t, filepath.Join(s.DocRoot, "v24", "index.html"), "v24\n")
	writeFile(t, filepath.Join(s.DocRoot, "v24", ".htaccess"), "<RequireAny>\n    Require ip 127.0.0.1\n</RequireAny>\n")
	writeFile(t, filepath.Join(s.DocRoot, "v22", "index.html"), "v22\n")
	writeFile(t, filepath.Join(s.DocRoot, "v22", ".htaccess"), "Order deny,allow\nDeny from all\nAllow from 127.0.0.2\n")
	tests := []struct {
		path, from string
		want       int
	}{
		{"/open/index.html", "127.0.0.1", 200},
		{"/open/index.html", "127.0.0.2", 200},
		{"/v24/index.html", "127.0.0.1", 200},
		{"/v24/index.html", "127.0.0.2", 403},
		{"/v22/index.html", "127.0.0.1", 403},
		{"/v22/index.html", "127.0.0.2", 200},
		{"/missing.html", "127.0.0.1", 404},
	}
	for _, tt := range tests {
		if got := s.Get(t, tt.from, tt.path); got != tt.want {
			t.Errorf("GET %s from %s: %d, want %d\n%s", tt.path, tt.from, got, tt.want, s.Logs())
		}
	}
	pid := s.cmd.Process.Pid
	s.stop()
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("processes of the server's group remain after stop (kill -0: %v)", err)
	}
}

// TestConfigChecksWithApachectl checks the configuration alone with
// apachectl -t, with and without mod_access_compat.
func TestConfigChecksWithApachectl(t *testing.T) {
	ctl := Apachectl(t)
	for _, tt := range []struct {
		name string
		opts Options
		ok22 bool
	}{
		{"with mod_access_compat", Options{}, true},
		{"without mod_access_compat", Options{NoAccessCompat: true}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := Config(t, tt.opts)
			file := filepath.Join(s.DocRoot, ".htaccess")
			writeFile(t, file, "Order deny,allow\nDeny from all\n")
			args := append(s.ApachectlArgs(), "-t", "-c", "<Directory \""+s.DocRoot+"\">", "-c", "Include \""+file+"\"", "-c", "</Directory>")
			out, err := exec.Command(ctl, args...).CombinedOutput()
			if (err == nil) != tt.ok22 {
				t.Fatalf("apachectl -t with Order/Deny: error %v, want ok=%v\n%s", err, tt.ok22, out)
			}
			if !tt.ok22 && !strings.Contains(string(out), "Invalid command 'Order'") {
				t.Errorf("apachectl does not name the unknown directive:\n%s", out)
			}
		})
	}
}
