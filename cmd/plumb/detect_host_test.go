package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plumbhq/plumb/internal/sshtest"
)

// TestDetectOverSSH runs the same triage on a log kept on an sshd host,
// read over SSH with -host, and locally: the reports are the same. A
// host whose key is not known is refused with its fingerprint.
func TestDetectOverSSH(t *testing.T) {
	srv := sshtest.Start(t, "web", sshtest.Options{})
	log := filepath.Join(srv.Dir, "access.log")
	if err := os.WriteFile(log, []byte(attackLog()), 0o644); err != nil {
		t.Fatal(err)
	}
	target := srv.User + "@" + srv.Host + ":" + strconv.Itoa(srv.Port)
	args := []string{"detect", "-threshold", "45", "-format", "json", "-connections", "-port", "8080"}
	local := runBinary(t, nil, append(args, log)...)
	remote := runBinary(t, nil, append(args, "-host", target, "-identity", srv.KeyFile, "-known-hosts", srv.KnownHosts, log)...)
	if local.code != exitOK || remote.code != exitOK {
		t.Fatalf("local:\n%s\nover SSH:\n%s", local, remote)
	}
	if remote.stdout != local.stdout {
		t.Errorf("over SSH the report differs:\n%s\nlocally:\n%s", remote.stdout, local.stdout)
	}
	if !strings.Contains(remote.stdout, "203.0.113.7") {
		t.Errorf("the attacker is not in the report:\n%s", remote.stdout)
	}

	empty := filepath.Join(t.TempDir(), "known_hosts")
	os.WriteFile(empty, nil, 0o644)
	r := runBinary(t, nil, "detect", "-host", target, "-identity", srv.KeyFile, "-known-hosts", empty, log)
	if r.code != exitError || !strings.Contains(r.stderr, "is not known") || !strings.Contains(r.stderr, "SHA256:") {
		t.Errorf("an unknown host key:\n%s", r)
	}
	r = runBinary(t, nil, "detect", "-host", target, "-identity", srv.KeyFile, "-known-hosts", srv.KnownHosts)
	if r.code != exitError || !strings.Contains(r.stderr, "name them") {
		t.Errorf("-host without files:\n%s", r)
	}
}
