package sshtest

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/plumbhq/plumb/providers/host"
)

// TestServer starts both kinds of server and checks who the login is,
// that connections are counted and killed, and that a stopped server
// refuses connections.
func TestServer(t *testing.T) {
	for _, o := range []Options{{}, {SudoUser: true}} {
		srv := Start(t, "rig", o)
		s := srv.Settings()
		s.Sudo = false
		h, err := host.Dial(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		out, err := host.Output(context.Background(), h, host.Cmd{Args: []string{"id", "-u"}})
		want := map[bool]string{false: "0", true: "4242"}[o.SudoUser]
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Errorf("%+v: id -u = %q, %v; want %s", o, out, err, want)
		}
		if n := srv.Connections(); n != 1 {
			t.Errorf("%+v: %d connections, want 1", o, n)
		}
		if n := srv.Logins(); n != 1 {
			t.Errorf("%+v: %d logins, want 1", o, n)
		}
		if n := srv.KillSessions(); n == 0 {
			t.Errorf("%+v: KillSessions found nothing to kill", o)
		}
		h.Close()
		srv.Stop()
		if c, err := net.Dial("tcp", srv.Addr()); err == nil {
			c.Close()
			t.Errorf("%+v: a stopped server accepts connections", o)
		}
	}
}
