package netfilter

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/accesslog"
	"github.com/plumbhq/plumb/providers/builtin"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// floodLog writes an access log in which from sends n requests to the
// login page, within one minute ending at end.
func floodLog(b *strings.Builder, from string, n int, end time.Time) {
	for i := 0; i < n; i++ {
		ts := end.Add(-time.Duration(i%60) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(b, "%s - - [%s] \"POST /wp-login.php HTTP/1.1\" 200 512 \"-\" \"LOIC\"\n", from, ts)
	}
}

// TestEnginePlansEvidenceAndBlocks runs the whole chain through the
// engine: access_log_offenders reads a log, nftables_blocklist (in a
// namespace) blocks what it finds. The plan lists the address with its
// evidence and says why the host's own address is withheld; after apply
// the offender's connections are dropped; a second plan is empty.
func TestEnginePlansEvidenceAndBlocks(t *testing.T) {
	l := newLab(t)
	l.srv.Listen(srvAddr + ":8080")
	dir := t.TempDir()
	t.Chdir(dir)
	end := time.Date(2024, 11, 23, 22, 0, 0, 0, time.UTC)
	var log strings.Builder
	floodLog(&log, blockedAddr, 312, end)
	floodLog(&log, srvAddr, 100, end)    // the host itself: never blocked
	floodLog(&log, allowedAddr, 10, end) // under the threshold
	os.WriteFile("access.log", []byte(log.String()), 0o644)
	os.WriteFile("main.hcl", []byte(fmt.Sprintf(`
provider "netfilter" {
  netns = %q
}

data "access_log_offenders" "web" {
  paths     = ["access.log"]
  window    = "10m"
  threshold = 45
}

resource "nftables_blocklist" "web" {
  table     = "plumb_engine"
  addresses = data.access_log_offenders.web.addresses
  counts    = data.access_log_offenders.web.counts
  evidence  = data.access_log_offenders.web.evidence
  timeout   = "1h"
}
`, l.srv.Name)), 0o644)
	reg := providers.NewRegistry()
	reg.Register("plumb", builtin.New)
	reg.Register(accesslog.Name, accesslog.New)
	reg.Register(Name, New)
	backend := state.NewLocal(filepath.Join(dir, "plumb.state"))
	ctx := context.Background()
	planned := func() (*reconcile.Engine, *state.State, *plan.Plan) {
		t.Helper()
		e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: reg})
		if diags.HasErrors() {
			t.Fatalf("load: %v", diags)
		}
		st, err := backend.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p, diags := e.Plan(ctx, st)
		if diags.HasErrors() {
			t.Fatalf("plan: %v", diags)
		}
		return e, st, p
	}
	e, st, p := planned()
	var text bytes.Buffer
	if err := plan.RenderText(&text, p, plan.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`+ "10.232.0.3" = "312 requests (73.9%) in access.log, 10m to 2024-11-23T22:00:00Z"`,
		`+ "10.232.0.1" = "not blocked: overlaps 10.232.0.1 (this host's address on`,
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, text.String())
		}
	}
	t.Cleanup(func() { l.srv.Command(ctx, "nft", "delete", "table", "inet", "plumb_engine").Run() })
	if _, diags := e.Apply(ctx, st, p, backend); diags.HasErrors() {
		t.Fatalf("apply: %v", diags)
	}
	if c, err := l.cli.Dial(blockedAddr, srvAddr+":8080", 1500*time.Millisecond); err == nil {
		c.Close()
		t.Error("the offender still connects after apply")
	}
	if c, err := l.cli.Dial(allowedAddr, srvAddr+":8080", 1500*time.Millisecond); err != nil {
		t.Errorf("an ordinary client is blocked: %v", err)
	} else {
		c.Close()
	}
	if _, _, again := planned(); again.HasChanges() {
		var b bytes.Buffer
		plan.RenderText(&b, again, plan.TextOptions{})
		t.Errorf("a plan right after apply has changes:\n%s", b.String())
	}
	// The offender keeps going: the next plan refreshes its block and
	// shows the new evidence for that one address.
	floodLog(&log, blockedAddr, 100, end.Add(time.Minute))
	os.WriteFile("access.log", []byte(log.String()), 0o644)
	_, _, p = planned()
	text.Reset()
	plan.RenderText(&text, p, plan.TextOptions{})
	want := `~ blocked["10.232.0.3"] = "312 requests (73.9%) in access.log, 10m to 2024-11-23T22:00:00Z" -> "412 requests (78.9%) in access.log, 10m to 2024-11-23T22:01:00Z"`
	t.Logf("second plan:\n%s", text.String())
	if !strings.Contains(text.String(), want) {
		t.Errorf("second plan lacks %q:\n%s", want, text.String())
	}
}
