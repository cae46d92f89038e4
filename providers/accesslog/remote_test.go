package accesslog

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/netnstest"
	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/providertest"
)

// TestOffendersSameOverSSH reads one rotated set of logs (plain and
// gzip) on an sshd host through the data source over SSH and locally, in
// several shapes (whole logs, a window relative to the newest line, by
// prefix, excluding a URI), and requires identical results: over SSH the
// logs are streamed from the host, with the same answers.
func TestOffendersSameOverSSH(t *testing.T) {
	trs := providertest.Transports(t, sshtest.Options{})
	if len(trs) < 2 {
		t.Skip("needs root to start sshd")
	}
	remote := trs[1]
	dir := remote.Dir
	writeLog(t, dir, "access.log", smallLog)
	var old bytes.Buffer
	zw := gzip.NewWriter(&old)
	genLog(zw, genOpts{lines: 5000, perSecond: 10, normal: 200, attackers: 3, attackShare: 0.3, seed: 2})
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "access.log.1.gz"), old.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := cty.ListVal([]cty.Value{cty.StringVal(filepath.Join(dir, "access.log*"))})
	shapes := map[string]map[string]cty.Value{
		"whole":  {"paths": paths, "threshold": cty.NumberIntVal(300)},
		"window": {"paths": paths, "threshold": cty.NumberIntVal(20), "window": cty.StringVal("10m")},
		"prefix": {"paths": paths, "threshold": cty.NumberIntVal(100), "by": cty.StringVal("prefix"), "exclude_uris": cty.ListVal([]cty.Value{cty.StringVal("/static/")})},
	}
	sources := map[string]providers.DataSource{}
	for _, tr := range trs {
		sources[tr.Name] = providertest.Configure(t, New(), tr, nil).DataSources()["access_log_offenders"]
	}
	for name, attrs := range shapes {
		t.Run(name, func(t *testing.T) {
			got := map[string]cty.Value{}
			for tn, ds := range sources {
				resp := ds.Read(context.Background(), providers.DataReadRequest{Config: ds.Schema().Complete(cty.ObjectVal(attrs))})
				if resp.Diagnostics.HasErrors() {
					t.Fatalf("%s: %v", tn, resp.Diagnostics)
				}
				got[tn] = resp.State
			}
			if n := got["local"].GetAttr("addresses").LengthInt(); n == 0 {
				t.Fatalf("no offenders found locally; the case shows nothing")
			}
			if !got["ssh"].RawEquals(got["local"]) {
				t.Errorf("over SSH:\n%#v\nlocally:\n%#v", got["ssh"], got["local"])
			}
		})
	}
	t.Run("missing log", func(t *testing.T) {
		ds := sources["ssh"]
		cfg := ds.Schema().Complete(cty.ObjectVal(map[string]cty.Value{"paths": cty.ListVal([]cty.Value{cty.StringVal(filepath.Join(dir, "nope.log"))}), "threshold": cty.NumberIntVal(5)}))
		resp := ds.Read(context.Background(), providers.DataReadRequest{Config: cfg})
		if !resp.Diagnostics.HasErrors() {
			t.Fatal("reading a missing log over SSH succeeded")
		}
	})
}

// TestConnectionsOverSSH counts live connections of a server whose sshd
// runs in its network namespace: /proc/net/tcp is read on the server.
func TestConnectionsOverSSH(t *testing.T) {
	srv := sshtest.Start(t, "conns", sshtest.Options{Netns: true, SudoUser: true})
	cli := netnstest.New(t, "cli")
	netnstest.Link(t, srv.NS, []string{"10.234.0.1/24"}, cli, []string{"10.234.0.2/24", "10.234.0.3/24"})
	srv.NS.ListenHold("10.234.0.1:8080")
	for from, n := range map[string]int{"10.234.0.2": 2, "10.234.0.3": 4} {
		for i := 0; i < n; i++ {
			c, err := cli.Dial(from, "10.234.0.1:8080", 2*time.Second)
			if err != nil {
				t.Fatalf("dial from %s: %v", from, err)
			}
			t.Cleanup(func() { c.Close() })
		}
	}
	p := providertest.Configure(t, New(), providertest.Transport{Name: "ssh", Server: srv, Dir: srv.Dir}, nil)
	ds := p.DataSources()["tcp_connections"]
	cfg := ds.Schema().Complete(cty.ObjectVal(map[string]cty.Value{
		"port":      cty.NumberIntVal(8080),
		"states":    cty.ListVal([]cty.Value{cty.StringVal("ESTABLISHED")}),
		"threshold": cty.NumberIntVal(3),
	}))
	var resp providers.DataReadResponse
	for i := 0; i < 50; i++ {
		resp = ds.Read(context.Background(), providers.DataReadRequest{Config: cfg})
		if resp.Diagnostics.HasErrors() {
			t.Fatalf("read: %v", resp.Diagnostics)
		}
		if tot, _ := resp.State.GetAttr("total_connections").AsBigFloat().Int64(); tot == 6 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := resp.State.GetAttr("addresses"); !got.RawEquals(cty.ListVal([]cty.Value{cty.StringVal("10.234.0.3")})) {
		t.Errorf("addresses = %#v, want only 10.234.0.3", got)
	}
	if ev := resp.State.GetAttr("evidence").Index(cty.StringVal("10.234.0.3")).AsString(); ev != fmt.Sprintf("%d connections (ESTABLISHED) to port 8080", 4) {
		t.Errorf("evidence = %q", ev)
	}
}
