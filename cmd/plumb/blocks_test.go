package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plumbhq/plumb/internal/netnstest"
)

// TestUnbanAndRestore drives the block list through the plumb binary in
// a network namespace: a rule catches a brute force, apply blocks it;
// plumb unban lifts it and the next apply, which still sees it in the
// log, leaves it out; after a "reboot" (the ruleset flushed) plumb
// restore puts the other block back from state, without reading the log.
func TestUnbanAndRestore(t *testing.T) {
	netnstest.Require(t, "nft:nftables")
	srv := netnstest.New(t, "srv")
	end := time.Now().UTC().Truncate(time.Second)
	var log strings.Builder
	for i := 0; i < 20; i++ {
		ts := end.Add(-time.Duration(i) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&log, "203.0.113.7 - - [%s] \"POST /wp-login.php HTTP/1.1\" 200 5 \"-\" \"x\"\n", ts)
		fmt.Fprintf(&log, "203.0.113.8 - - [%s] \"POST /wp-login.php HTTP/1.1\" 200 5 \"-\" \"x\"\n", ts)
	}
	dir := configDir(t, map[string]string{"access.log": log.String(), "main.hcl": fmt.Sprintf(`
provider "netfilter" {
  netns = %q
}

data "access_log_offenders" "web" {
  paths = ["access.log"]
  rule {
    name     = "wp_login"
    method   = ["POST"]
    uri      = "^/wp-login\\.php"
    requests = 10
    within   = "1m"
    ban      = "2h"
  }
}

resource "nftables_blocklist" "web" {
  table     = "plumb_cli"
  addresses = data.access_log_offenders.web.addresses
  evidence  = data.access_log_offenders.web.evidence
  bans      = data.access_log_offenders.web.bans
  timeout   = "1h"
}
`, srv.Name)})
	t.Cleanup(func() { srv.Command(t.Context(), "nft", "delete", "table", "inet", "plumb_cli").Run() })
	set := func() string {
		out, _ := srv.Command(t.Context(), "nft", "list", "set", "inet", "plumb_cli", "blocked_v4").CombinedOutput()
		return string(out)
	}
	r := plumb(t, dir, "apply", "-auto-approve")
	if r.code != exitOK || !strings.Contains(r.stdout, "rule wp_login: 20 matching requests within 1m") {
		t.Fatalf("apply:\n%s", r)
	}
	if s := set(); !strings.Contains(s, "203.0.113.7 timeout 2h") || !strings.Contains(s, "203.0.113.8 timeout 2h") {
		t.Fatalf("after apply the set holds:\n%s", s)
	}
	if r := plumb(t, dir, "unban", "192.0.2.99"); r.code != exitError || !strings.Contains(r.stderr, "192.0.2.99 is not blocked") {
		t.Errorf("unban of an address not blocked:\n%s", r)
	}
	r = plumb(t, dir, "unban", "-auto-approve", "203.0.113.7")
	if r.code != exitOK || !strings.Contains(r.stdout, `"not blocked: lifted with plumb unban at`) || !strings.Contains(r.stdout, "Unbanned 203.0.113.7") {
		t.Fatalf("unban:\n%s", r)
	}
	if s := set(); strings.Contains(s, "203.0.113.7") || !strings.Contains(s, "203.0.113.8") {
		t.Fatalf("after unban the set holds:\n%s", s)
	}
	// The log still shows the brute force: the next run leaves it out.
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK || strings.Contains(set(), "203.0.113.7") {
		t.Errorf("the next apply blocked the unbanned address again:\n%s\n%s", r, set())
	}
	// A reboot empties the kernel's sets; restore needs no log.
	srv.Run("nft", "flush", "ruleset")
	r = plumb(t, dir, "restore")
	if r.code != exitOK || !strings.Contains(r.stdout, "nftables_blocklist.web: 1 block(s) in place with the time each had left") {
		t.Fatalf("restore:\n%s", r)
	}
	if s := set(); !regexp.MustCompile(`203\.0\.113\.8 timeout 2h expires 1h5\dm`).MatchString(s) {
		t.Errorf("after restore the set holds:\n%s\nwant 203.0.113.8 with the time it had left", s)
	}
	if r := plumb(t, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Errorf("a plan after restore has changes:\n%s", r)
	}
}
