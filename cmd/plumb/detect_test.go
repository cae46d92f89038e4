package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/plumbhq/plumb/internal/netnstest"
	"github.com/plumbhq/plumb/providers/netfilter"
)

// attackLog writes a small combined log: 203.0.113.7 hammers the login
// page, four ordinary clients browse, one line is garbage. It returns
// the log's text.
func attackLog() string {
	var b strings.Builder
	t0 := time.Date(2024, 11, 23, 22, 0, 0, 0, time.UTC)
	line := func(i int, ip, uri, ua string) {
		ts := t0.Add(time.Duration(i) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&b, "%s - - [%s] \"GET %s HTTP/1.1\" 200 512 \"-\" \"%s\"\n", ip, ts, uri, ua)
	}
	for i := 0; i < 600; i++ {
		line(i, "203.0.113.7", "/wp-login.php", "Mozilla/4.0 (compatible; LOIC)")
		if i%10 == 0 {
			line(i, fmt.Sprintf("198.51.100.%d", i%4+1), "/index.html", "Mozilla/5.0")
		}
		if i == 300 {
			b.WriteString("garbage line without structure\n")
		}
	}
	return b.String()
}

func TestDetectText(t *testing.T) {
	dir := configDir(t, map[string]string{"access.log": attackLog()})
	r := plumb(t, dir, "detect", "-threshold", "45", "-top", "3", "access.log")
	if r.code != exitOK {
		t.Fatalf("detect:\n%s", r)
	}
	for _, want := range []string{
		"Read 661 lines from 1 input(s): 660 requests from 2024-11-23T22:00:00Z to 2024-11-23T22:09:59Z (10m0s), 1.1 requests/s.",
		"Skipped 1 malformed lines (no valid [timestamp]: 1).",
		"access.log:333: no valid [timestamp]",
		"600  90.9%   1.00  203.0.113.7  (offender)",
		"600  90.9%   1.00          1  203.0.113.0/24  203.0.113.7 600",
		"60   9.1%   0.10          2  198.51.100.0/24  198.51.100.1 30, 198.51.100.3 30",
		"Every count is exact.",
		"203.0.113.7 /wp-login.php",
		"Mozilla/4.0 (compatible; LOIC)",
		"1 offender(s): at least 45 requests (by ip).",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Count(r.stdout, "(offender)") != 1 {
		t.Errorf("want exactly one offender marked:\n%s", r.stdout)
	}
}

func TestDetectJSON(t *testing.T) {
	dir := configDir(t, map[string]string{"access.log": attackLog()})
	r := plumb(t, dir, "detect", "-format", "json", "-threshold", "45", "-window", "5m", "access.log")
	if r.code != exitOK {
		t.Fatalf("detect:\n%s", r)
	}
	var out struct {
		Requests  int64 `json:"requests"`
		Malformed int64 `json:"malformed"`
		Clients   []struct {
			Key      string  `json:"key"`
			Count    int64   `json:"count"`
			Share    float64 `json:"share"`
			Rate     float64 `json:"requests_per_second"`
			Offender bool    `json:"offender"`
		} `json:"clients"`
		Offenders []struct {
			Key string `json:"key"`
		} `json:"offenders"`
		Seconds float64 `json:"seconds"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
	}
	// The last 5 minutes: 300 seconds of the attacker, 30 of the others.
	if out.Requests != 330 || out.Seconds != 300 || out.Malformed != 1 {
		t.Errorf("requests %d over %v s, malformed %d; want 330 over 300 s and 1", out.Requests, out.Seconds, out.Malformed)
	}
	if c := out.Clients[0]; c.Key != "203.0.113.7" || c.Count != 300 || !c.Offender || c.Rate != 1 {
		t.Errorf("top client %+v", c)
	}
	if len(out.Offenders) != 1 || out.Offenders[0].Key != "203.0.113.7" {
		t.Errorf("offenders %+v", out.Offenders)
	}
}

// TestDetectHCL checks that -format hcl prints a block that parses and
// fits the nftables_blocklist schema, with evidence for the offender.
func TestDetectHCL(t *testing.T) {
	dir := configDir(t, map[string]string{"access.log": attackLog()})
	r := plumb(t, dir, "detect", "-format", "hcl", "-threshold", "45", "access.log")
	if r.code != exitOK {
		t.Fatalf("detect:\n%s", r)
	}
	f, diags := hclparse.NewParser().ParseHCL([]byte(r.stdout), "detected.hcl")
	if diags.HasErrors() {
		t.Fatalf("output does not parse: %v\n%s", diags, r.stdout)
	}
	content, diags := f.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "resource", LabelNames: []string{"type", "name"}}}})
	if diags.HasErrors() || len(content.Blocks) != 1 || content.Blocks[0].Labels[0] != "nftables_blocklist" {
		t.Fatalf("want one nftables_blocklist block: %v\n%s", diags, r.stdout)
	}
	schema := netfilter.New().Resources()["nftables_blocklist"].Schema()
	v, diags := hcldec.Decode(content.Blocks[0].Body, schema.DecoderSpec(), nil)
	if diags.HasErrors() {
		t.Fatalf("block does not fit the schema: %v\n%s", diags, r.stdout)
	}
	if addrs := v.GetAttr("addresses"); addrs.LengthInt() != 1 {
		t.Errorf("addresses %#v", addrs)
	}
	ev := v.GetAttr("evidence").AsValueMap()["203.0.113.7"]
	if ev.IsNull() || !strings.HasPrefix(ev.AsString(), "600 requests (90.9%) in access.log") {
		t.Errorf("evidence %#v", ev)
	}
}

// TestDetectInputs reads standard input with a window, and a rotated set
// with a compressed part.
func TestDetectInputs(t *testing.T) {
	log := attackLog()
	lines := strings.SplitAfter(log, "\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Join(lines[:300], "")))
	zw.Close()
	dir := configDir(t, map[string]string{"access.log": strings.Join(lines[300:], ""), "access.log.1.gz": gz.String()})

	cmd := exec.Command(plumbBin, "-chdir="+dir, "detect", "-format", "json", "-window", "1m")
	cmd.Stdin = strings.NewReader(log)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("detect from stdin: %v", err)
	}
	var res struct{ Requests int64 }
	if err := json.Unmarshal(out, &res); err != nil || res.Requests != 66 {
		t.Errorf("stdin with a 1m window: %d requests (%v), want 66", res.Requests, err)
	}
	r := plumb(t, dir, "detect", "-format", "json", "access.log*")
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Requests != 660 {
		t.Errorf("rotated set: %d requests (%v), want 660\n%s", res.Requests, err, r)
	}
}

func TestDetectBadArguments(t *testing.T) {
	dir := configDir(t, map[string]string{"access.log": attackLog()})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-format", "xml", "access.log"}, "use text, json or hcl"},
		{[]string{"-format", "hcl", "access.log"}, "-threshold"},
		{[]string{"-by", "asn", "access.log"}, "use ip or prefix"},
		{[]string{"-since", "yesterday", "access.log"}, "2024-11-23T22:00:00Z"},
		{[]string{"-window", "5m", "-since", "2024-11-23T22:00:00Z", "access.log"}, "one or the other"},
		{[]string{"-states", "BOGUS", "access.log"}, "not a TCP state"},
		{[]string{"missing.log"}, "missing.log"},
	} {
		r := plumb(t, dir, append([]string{"detect"}, c.args...)...)
		if r.code != exitError || !strings.Contains(r.stderr, c.want) {
			t.Errorf("detect %v: want exit 1 saying %q:\n%s", c.args, c.want, r)
		}
	}
}

// TestDetectConnections counts real connections held open in a network
// namespace, read through -proc-net.
func TestDetectConnections(t *testing.T) {
	netnstest.Require(t)
	srv, cli := netnstest.New(t, "srv"), netnstest.New(t, "cli")
	netnstest.Link(t, srv, []string{"10.234.0.1/24"}, cli, []string{"10.234.0.7/24"})
	srv.ListenHold("10.234.0.1:8080")
	for i := 0; i < 4; i++ {
		c, err := cli.Dial("10.234.0.7", "10.234.0.1:8080", 2*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		t.Cleanup(func() { c.Close() })
	}
	proc := srv.Start("sleep", "30")
	dir := configDir(t, map[string]string{"access.log": strings.ReplaceAll(attackLog(), "203.0.113.7", "10.234.0.7")})
	var r result
	for i := 0; i < 50; i++ {
		r = plumb(t, dir, "detect", "-top", "2", "-connections", "-port", "8080", "-states", "established",
			"-proc-net", filepath.Join("/proc", fmt.Sprint(proc.Process.Pid), "net"), "access.log")
		if strings.Contains(r.stdout, "4  10.234.0.7") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r.code != exitOK || !strings.Contains(r.stdout, "CONNS") || !strings.Contains(r.stdout, "600  90.9%   1.00      4  10.234.0.7") {
		t.Fatalf("want 4 connections beside 10.234.0.7:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join("/proc", fmt.Sprint(proc.Process.Pid))); err != nil {
		t.Fatalf("the namespace's process ended early: %v", err)
	}
}

// TestDetectEscapesHostileText: URIs, user agents and file names from a
// hostile log reach the terminal escaped, and -format hcl quotes a file
// name that holds a newline, so it cannot write HCL of its own.
func TestDetectEscapesHostileText(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, "203.0.113.9 - - [23/Nov/2024:22:00:%02d +0000] \"GET /\x1b[2J\x1b[H HTTP/1.1\" 200 5 \"-\" \"evil\rUA\u202e\x9b31m\"\n", i)
	}
	b.WriteString("garbage \x1b]0;title\x07 line\n")
	name := "access\n resource \"x\" \"y\" {}\n${evil}.log"
	dir := configDir(t, map[string]string{name: b.String()})
	r := plumb(t, dir, "detect", "-threshold", "10", name)
	if r.code != exitOK {
		t.Fatalf("detect:\n%s", r)
	}
	for _, bad := range []string{"\x1b", "\r", "\u202e", "\x9b", "\x07"} {
		if strings.Contains(r.stdout, bad) || strings.Contains(r.stderr, bad) {
			t.Errorf("output holds the raw control %q:\n%q", bad, r.stdout)
		}
	}
	for _, want := range []string{`/\x1b[2J\x1b[H`, `evil\rUA\u202e\x9b31m`, `access\n resource`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks the escaped %q:\n%s", want, r.stdout)
		}
	}
	r = plumb(t, dir, "detect", "-format", "hcl", "-threshold", "10", name)
	if r.code != exitOK {
		t.Fatalf("detect -format hcl:\n%s", r)
	}
	f, diags := hclparse.NewParser().ParseHCL([]byte(r.stdout), "detected.hcl")
	if diags.HasErrors() {
		t.Fatalf("output does not parse: %v\n%s", diags, r.stdout)
	}
	content, _, diags := f.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "resource", LabelNames: []string{"type", "name"}}}})
	if diags.HasErrors() || len(content.Blocks) != 1 || content.Blocks[0].Labels[0] != "nftables_blocklist" {
		t.Fatalf("a file name wrote HCL of its own: %v\n%s", diags, r.stdout)
	}
	attrs, _ := content.Blocks[0].Body.JustAttributes()
	ev, diags := attrs["evidence"].Expr.Value(nil)
	if diags.HasErrors() {
		t.Fatalf("evidence: %v", diags)
	}
	if got := ev.GetAttr("203.0.113.9").AsString(); !strings.Contains(got, "${evil}") {
		t.Errorf("evidence %q does not keep the file name as text", got)
	}
}

// TestDetectFormats: Debian's vhost_combined, nginx's $request_time
// variants, a log behind a trusted proxy, and journald (a journal
// directory written by systemd-journal-remote, read with -journal).
func TestDetectFormats(t *testing.T) {
	var vhost, nginx, proxied strings.Builder
	for i := 0; i < 60; i++ {
		ts := fmt.Sprintf("23/Nov/2024:22:%02d:%02d +0000", i/60, i%60)
		fmt.Fprintf(&vhost, "www.example.org:443 203.0.113.7 - - [%s] \"GET /wp-login.php HTTP/1.1\" 200 512 \"-\" \"x\"\n", ts)
		fmt.Fprintf(&nginx, "203.0.113.8 - - [%s] \"POST /xmlrpc.php HTTP/1.1\" 200 512 0.%03d \"-\" \"WordPress/6.4\" rt=0.004\n", ts, i)
		fmt.Fprintf(&proxied, "10.0.0.1 - - [%s] \"GET / HTTP/1.1\" 200 512 \"-\" \"curl\" \"198.51.100.%d, 203.0.113.9\"\n", ts, i)
	}
	dir := configDir(t, map[string]string{"vhost.log": vhost.String(), "nginx.log": nginx.String(), "proxied.log": proxied.String()})
	for file, want := range map[string]string{
		"vhost.log": "60  100.0%   1.00  203.0.113.7  (offender)",
		"nginx.log": "60  100.0%   1.00  WordPress/6.4",
	} {
		r := plumb(t, dir, "detect", "-threshold", "50", file)
		if r.code != exitOK || !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "malformed") {
			t.Errorf("detect %s: want %q and no malformed lines:\n%s", file, want, r)
		}
	}
	r := plumb(t, dir, "detect", "-threshold", "50", "-trusted-proxy", "10.0.0.0/8", "proxied.log")
	if r.code != exitOK || !strings.Contains(r.stdout, "60  100.0%   1.00  203.0.113.9  (offender)") || strings.Contains(r.stdout, "10.0.0.1") {
		t.Errorf("behind a trusted proxy, want the client 203.0.113.9 counted, never the proxy:\n%s", r)
	}
	if r := plumb(t, dir, "detect", "-threshold", "50", "proxied.log"); !strings.Contains(r.stdout, "10.0.0.1  (offender)") {
		t.Errorf("without -trusted-proxy the proxy is the client:\n%s", r)
	}

	remote := "/lib/systemd/systemd-journal-remote"
	if _, err := os.Stat(remote); err != nil {
		t.Fatalf("%s is missing: install the Debian package systemd-journal-remote (scripts/deps.sh does)", remote)
	}
	var export bytes.Buffer
	for i, line := range strings.Split(strings.TrimSpace(vhost.String()), "\n") {
		fmt.Fprintf(&export, "__CURSOR=s=1;i=%d\n__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_SYSTEMD_UNIT=apache2.service\nMESSAGE=%s\n\n",
			i, 1732399200000000+i*1000000, 1000+i, line)
	}
	jdir := filepath.Join(dir, "journal")
	os.Mkdir(jdir, 0o755)
	cmd := exec.Command(remote, "--output="+filepath.Join(jdir, "remote.journal"), "-")
	cmd.Stdin = &export
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("systemd-journal-remote: %v\n%s", err, out)
	}
	r = plumb(t, dir, "detect", "-threshold", "50", "-journal", "apache2.service", "-journal-dir", jdir)
	if r.code != exitOK || !strings.Contains(r.stdout, "Read 60 lines from 1 input(s): 60 requests") || !strings.Contains(r.stdout, "203.0.113.7  (offender)") {
		t.Errorf("detect -journal:\n%s", r)
	}
}

// TestDetectRules: plumb detect -rules FILE prints what each rule matched
// and whom it caught, and -format hcl carries the rules' bans.
func TestDetectRules(t *testing.T) {
	rules := `
rule {
  name     = "wp_login"
  method   = ["POST"]
  uri      = "^/wp-login\\.php"
  requests = 5
  within   = "1m"
  ban      = "2h"
}
rule {
  name     = "scanner"
  status   = ["4xx"]
  requests = 20
  within   = "1m"
}
`
	var log strings.Builder
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&log, "203.0.113.7 - - [23/Nov/2024:22:00:%02d +0000] \"POST /wp-login.php HTTP/1.1\" 200 5 \"-\" \"x\"\n", i)
		fmt.Fprintf(&log, "198.51.100.9 - - [23/Nov/2024:22:%02d:00 +0000] \"POST /wp-login.php HTTP/1.1\" 200 5 \"-\" \"x\"\n", i) // one a minute
	}
	dir := configDir(t, map[string]string{"access.log": log.String(), "rules.hcl": rules, "bad.hcl": "rule {\n  name = \"x\"\n}\n"})
	r := plumb(t, dir, "detect", "-rules", "rules.hcl", "access.log")
	for _, want := range []string{
		"Rule wp_login (5 requests within 1m, ban 2h): 60 matching requests from 2 clients; 1 caught",
		"30        30  2024-11-23T22:00:00Z  22:00:29  203.0.113.7",
		"Rule scanner (20 requests within 1m): 0 matching requests from 0 clients; 0 caught",
		"1 offender(s): caught by a rule.",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r)
		}
	}
	r = plumb(t, dir, "detect", "-rules", "rules.hcl", "-format", "hcl", "access.log")
	if r.code != exitOK || !strings.Contains(r.stdout, `"203.0.113.7" = "2h"`) || !strings.Contains(r.stdout, "rule wp_login: 30 matching requests within 1m") {
		t.Errorf("-format hcl:\n%s", r)
	}
	if r := plumb(t, dir, "detect", "-rules", "bad.hcl", "access.log"); r.code != exitError || !strings.Contains(r.stderr, "on bad.hcl line 1") {
		t.Errorf("a bad rules file: want its file and line:\n%s", r)
	}
}
