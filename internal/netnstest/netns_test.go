package netnstest

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestLinkAndCleanup joins two namespaces, connects across them, and
// checks that nothing is left once the inner test has ended.
func TestLinkAndCleanup(t *testing.T) {
	Require(t)
	var names []string
	t.Run("inner", func(t *testing.T) {
		srv, cli := New(t, "srv"), New(t, "cli")
		names = []string{srv.Name, cli.Name}
		Link(t, srv, []string{"10.231.0.1/24"}, cli, []string{"10.231.0.2/24"})
		srv.Listen("10.231.0.1:8080")
		c, err := cli.Dial("10.231.0.2", "10.231.0.1:8080", 2*time.Second)
		if err != nil {
			t.Fatalf("dial across the veth pair: %v", err)
		}
		c.Close()
		// Nothing listens on 8081: refused, not a timeout.
		if _, err := cli.Dial("10.231.0.2", "10.231.0.1:8081", 2*time.Second); err == nil || IsTimeout(err) {
			t.Fatalf("dial to a closed port: %v, want connection refused", err)
		}
		if out := srv.Run("ip", "-o", "addr", "show"); !strings.Contains(out, "10.231.0.1/24") {
			t.Errorf("server namespace addresses:\n%s", out)
		}
		p := srv.Start("sleep", "30")
		if p.Process == nil {
			t.Fatal("background process not started")
		}
	})
	out, err := exec.Command("ip", "netns", "list").CombinedOutput()
	if err != nil {
		t.Fatalf("ip netns list: %v", err)
	}
	for _, n := range names {
		if strings.Contains(string(out), n) {
			t.Errorf("namespace %s left behind", n)
		}
	}
}
