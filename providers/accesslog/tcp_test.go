package accesslog

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/netnstest"
	"github.com/plumbhq/plumb/providers"
)

// procLine renders a socket the way the kernel writes /proc/net/tcp*.
func procLine(i int, local, remote string, state int) string {
	enc := func(s string) string {
		ap := netip.MustParseAddrPort(s)
		b := ap.Addr().AsSlice()
		var hex strings.Builder
		for w := 0; w < len(b)/4; w++ {
			fmt.Fprintf(&hex, "%08X", binary.NativeEndian.Uint32(b[w*4:]))
		}
		return fmt.Sprintf("%s:%04X", hex.String(), ap.Port())
	}
	return fmt.Sprintf("%4d: %s %s %02X 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0", i, enc(local), enc(remote), state)
}

const procHeader = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"

func TestParseAndCountConnections(t *testing.T) {
	v4 := strings.Join([]string{procHeader,
		procLine(0, "0.0.0.0:80", "0.0.0.0:0", 10),
		procLine(1, "10.0.0.1:80", "203.0.113.5:50000", 1),
		procLine(2, "10.0.0.1:80", "203.0.113.5:50001", 1),
		procLine(3, "10.0.0.1:80", "203.0.113.5:50002", 3),
		procLine(4, "10.0.0.1:22", "198.51.100.4:40000", 1),
		procLine(5, "10.0.0.1:80", "203.0.113.77:50003", 6),
	}, "\n") + "\n"
	v6 := strings.Join([]string{procHeader,
		procLine(0, "[::ffff:10.0.0.1]:80", "[::ffff:203.0.113.5]:50010", 1),
		procLine(1, "[2001:db8::1]:80", "[2001:db8::7]:50011", 1),
	}, "\n") + "\n"
	c4, err := ParseProcNetTCP(strings.NewReader(v4), false)
	if err != nil {
		t.Fatal(err)
	}
	c6, err := ParseProcNetTCP(strings.NewReader(v6), true)
	if err != nil {
		t.Fatal(err)
	}
	conns := append(c4, c6...)
	if len(conns) != 8 || conns[1].Remote != netip.MustParseAddrPort("203.0.113.5:50000") || conns[1].State != "ESTABLISHED" {
		t.Fatalf("parsed %+v", conns)
	}
	if c6[0].Remote.Addr() != netip.MustParseAddr("203.0.113.5") {
		t.Errorf("IPv4-mapped remote %v not unmapped", c6[0].Remote)
	}
	cases := []struct {
		name string
		f    ConnFilter
		want string
	}{
		{"all but LISTEN", ConnFilter{}, "203.0.113.5=4 198.51.100.4=1 2001:db8::7=1 203.0.113.77=1"},
		{"port 80 established", ConnFilter{Port: 80, States: []string{"established"}}, "203.0.113.5=3 2001:db8::7=1"},
		{"SYN_RECV and TIME_WAIT", ConnFilter{States: []string{"SYN_RECV", "TIME_WAIT"}}, "203.0.113.5=1 203.0.113.77=1"},
		{"by prefix on port 80", ConnFilter{Port: 80, ByPrefix: true}, "203.0.113.0/24=5 2001:db8::/64=1"},
	}
	for _, c := range cases {
		var got []string
		for _, n := range CountConnections(conns, c.f) {
			got = append(got, fmt.Sprintf("%s=%d", n.Key, n.Count))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: %s, want %s", c.name, strings.Join(got, " "), c.want)
		}
	}
	if _, err := ParseProcNetTCP(strings.NewReader(procHeader+"\n   0: zz:0050 00000000:0000 0A\n"), false); err == nil {
		t.Error("a bad address parsed")
	}
}

// TestConnectionsInNamespace opens real connections in a network
// namespace and reads them back through the data source.
func TestConnectionsInNamespace(t *testing.T) {
	netnstest.Require(t)
	srv, cli := netnstest.New(t, "srv"), netnstest.New(t, "cli")
	netnstest.Link(t, srv, []string{"10.233.0.1/24"}, cli, []string{"10.233.0.2/24", "10.233.0.3/24"})
	srv.ListenHold("10.233.0.1:8080")
	srv.Listen("10.233.0.1:9090")
	for from, n := range map[string]int{"10.233.0.2": 2, "10.233.0.3": 5} {
		for i := 0; i < n; i++ {
			c, err := cli.Dial(from, "10.233.0.1:8080", 2*time.Second)
			if err != nil {
				t.Fatalf("dial from %s: %v", from, err)
			}
			t.Cleanup(func() { c.Close() })
		}
	}
	if c, err := cli.Dial("10.233.0.2", "10.233.0.1:9090", 2*time.Second); err == nil {
		c.Close()
	}
	proc := srv.Start("sleep", "30")
	ds := New().DataSources()["tcp_connections"]
	cfg := ds.Schema().Complete(cty.ObjectVal(map[string]cty.Value{
		"port":      cty.NumberIntVal(8080),
		"states":    cty.ListVal([]cty.Value{cty.StringVal("ESTABLISHED")}),
		"threshold": cty.NumberIntVal(3),
		"proc_net":  cty.StringVal(fmt.Sprintf("/proc/%d/net", proc.Process.Pid)),
	}))
	var resp providers.DataReadResponse
	// The accepts may lag the dials by a moment.
	for i := 0; i < 50; i++ {
		resp = ds.Read(context.Background(), providers.DataReadRequest{Config: cfg})
		if resp.Diagnostics.HasErrors() {
			t.Fatalf("read: %v", resp.Diagnostics)
		}
		if tot, _ := resp.State.GetAttr("total_connections").AsBigFloat().Int64(); tot == 7 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	s := resp.State
	if got := s.GetAttr("addresses"); !got.RawEquals(cty.ListVal([]cty.Value{cty.StringVal("10.233.0.3")})) {
		t.Errorf("addresses = %#v, want only 10.233.0.3 (5 connections; 10.233.0.2 has 2, under the threshold)", got)
	}
	if ev := s.GetAttr("evidence").Index(cty.StringVal("10.233.0.3")).AsString(); ev != "5 connections (ESTABLISHED) to port 8080" {
		t.Errorf("evidence = %q", ev)
	}
	if tot, _ := s.GetAttr("total_connections").AsBigFloat().Int64(); tot != 7 {
		t.Errorf("total_connections = %d, want 7", tot)
	}
}

// TestConnectionsThresholdRequired: without a threshold (or with one that
// lists every connected client) the data source refuses, saying why.
func TestConnectionsThresholdRequired(t *testing.T) {
	ds := New().DataSources()["tcp_connections"].(providers.ConfigValidator)
	schema := New().DataSources()["tcp_connections"].Schema()
	for _, c := range []struct {
		threshold cty.Value
		want      string
	}{
		{cty.NullVal(cty.Number), "every connected client"},
		{cty.NumberIntVal(1), "every connected client"},
		{cty.NumberIntVal(0), "every connected client"},
	} {
		cfg := schema.Complete(cty.ObjectVal(map[string]cty.Value{"threshold": c.threshold}))
		d := ds.ValidateConfig(context.Background(), cfg)
		if !d.HasErrors() || !strings.Contains(d.Error(), c.want) {
			t.Errorf("threshold %#v: diagnostics %v, want an error saying %q", c.threshold, d, c.want)
		}
	}
	cfg := schema.Complete(cty.ObjectVal(map[string]cty.Value{"threshold": cty.NumberIntVal(50)}))
	if d := ds.ValidateConfig(context.Background(), cfg); d.HasErrors() {
		t.Errorf("threshold 50: %v", d)
	}
}
