package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/internal/svntest"
	"github.com/plumbhq/plumb/providers/host"
)

// The fleet benchmarks run the plumb binary against real sshd hosts on
// loopback; make bench runs them and writes their lines into
// docs/benchmarks.md. They need root (they start sshd).

// fleetHosts is how many hosts the no-change plan benchmark plans.
const fleetHosts = 20

// fleetConfig is 4 host-side resources per host (a file, a zone, an
// .htaccess block, a pre-commit hook), over SSH when ssh is true, else
// the same on this machine.
func fleetConfig(ssh bool) string {
	conn := ""
	if ssh {
		conn = `
  ssh {
    host             = "127.0.0.1"
    port             = each.value.port
    user             = each.value.user
    private_key_file = each.value.key
    known_hosts_file = each.value.known_hosts
    sudo             = true
  }`
	}
	var b strings.Builder
	b.WriteString(`
variable "hosts" {
  type = map(object({ port = number, user = string, key = string, known_hosts = string, dir = string, repo = string }))
}
`)
	for _, p := range []string{"plumb", "bind", "apache", "svn"} {
		fmt.Fprintf(&b, "provider %q {\n  alias    = \"h\"\n  for_each = var.hosts%s\n}\n", p, conn)
	}
	b.WriteString(`
resource "local_file" "motd" {
  for_each = var.hosts
  provider = plumb.h[each.key]
  filename = "${each.value.dir}/motd"
  content  = "welcome to ${each.key}\n"
}

resource "bind_zone" "site" {
  for_each  = var.hosts
  provider  = bind.h[each.key]
  name      = "${each.key}.example.org"
  directory = "${each.value.dir}/zones"
  records = [
    { name = "${each.key}.example.org.", type = "NS", ttl = 3600, values = ["ns1.example.net."] },
    { name = "${each.key}.example.org.", type = "A", ttl = 300, values = ["192.0.2.10"] },
    { name = "www.${each.key}.example.org.", type = "CNAME", ttl = 300, values = ["${each.key}.example.org."] },
  ]
}

resource "apache_htaccess_access" "admin" {
  for_each = var.hosts
  provider = apache.h[each.key]
  path     = "${each.value.dir}/admin/.htaccess"
  allow    = ["203.0.113.7", "198.51.100.0/24"]
}

resource "svn_pre_commit_hook" "policy" {
  for_each           = var.hosts
  provider           = svn.h[each.key]
  repository         = each.value.repo
  plumb_path         = "/bin/true"
  min_message_length = 6
}
`)
	return b.String()
}

// BenchmarkFleetPlan measures the no-change plan of 20 hosts × 4
// host-side resources over SSH (20 sshd, a login through sudo) against the
// same plan on this machine, and the cost of one connection (TCP, key
// exchange, login, and the sudo'd SFTP session plumb reads through). Each
// plan is the median of 3 runs of the binary.
func BenchmarkFleetPlan(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root: starts sshd")
	}
	svntest.Require(b, "svnadmin")
	key := filepath.Join(b.TempDir(), "id")
	sshtest.NewKey(b, key)
	var remote, local strings.Builder
	remote.WriteString("hosts = {\n")
	local.WriteString("hosts = {\n")
	var first *sshtest.Server
	for i := range fleetHosts {
		name := fmt.Sprintf("h%02d", i)
		srv := sshtest.Start(b, name, sshtest.Options{SudoUser: true, KeyFile: key})
		if first == nil {
			first = srv
		}
		for _, side := range []struct {
			w   *strings.Builder
			dir string
		}{{&remote, srv.Dir}, {&local, filepath.Join(b.TempDir(), name)}} {
			os.MkdirAll(filepath.Join(side.dir, "admin"), 0o755)
			repo := filepath.Join(side.dir, "repo")
			if out, err := exec.Command("svnadmin", "create", repo).CombinedOutput(); err != nil {
				b.Fatalf("svnadmin create: %v\n%s", err, out)
			}
			fmt.Fprintf(side.w, "  %s = { port = %d, user = %q, key = %q, known_hosts = %q, dir = %q, repo = %q }\n",
				name, srv.Port, srv.User, key, srv.KnownHosts, side.dir, repo)
		}
	}
	remote.WriteString("}\n")
	local.WriteString("}\n")
	plan := func(name, config, vars string) time.Duration {
		dir := b.TempDir()
		os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config), 0o644)
		os.WriteFile(filepath.Join(dir, "hosts.tfvars"), []byte(vars), 0o644)
		if out, err := exec.Command(plumbBin, "-chdir="+dir, "apply", "-auto-approve", "-var-file", "hosts.tfvars").CombinedOutput(); err != nil {
			b.Fatalf("%s: apply: %v\n%s", name, err, out)
		}
		var runs []time.Duration
		for range 3 {
			start := time.Now()
			out, err := exec.Command(plumbBin, "-chdir="+dir, "plan", "-detailed-exitcode", "-var-file", "hosts.tfvars").CombinedOutput()
			runs = append(runs, time.Since(start))
			if err != nil {
				b.Fatalf("%s: the no-change plan: %v\n%s", name, err, out)
			}
		}
		sort.Slice(runs, func(i, j int) bool { return runs[i] < runs[j] })
		return runs[1]
	}
	for b.Loop() {
		tLocal := plan("local", fleetConfig(false), local.String())
		tSSH := plan("ssh", fleetConfig(true), remote.String())
		// The cost of one connection, as a run pays it: dial, log in,
		// start the sudo'd SFTP session and stat a file.
		var conns []time.Duration
		for i := range 5 {
			s := first.Settings()
			s.MaxSessions = 20 + i // a pool key of its own: a new connection
			start := time.Now()
			h, err := host.Dial(context.Background(), s)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := h.Stat(context.Background(), first.Dir); err != nil {
				b.Fatal(err)
			}
			conns = append(conns, time.Since(start))
			h.Close()
		}
		sort.Slice(conns, func(i, j int) bool { return conns[i] < conns[j] })
		conn := conns[2]
		bound := 2*tLocal + fleetHosts*conn
		fmt.Printf("fleet plan: %d hosts × 4 resources: over SSH %.2f s; locally %.2f s; one connection %.0f ms; 2×local + %d×connection = %.2f s\n",
			fleetHosts, tSSH.Seconds(), tLocal.Seconds(), float64(conn.Microseconds())/1000, fleetHosts, bound.Seconds())
	}
}

// BenchmarkDetectOverSSH reads one generated combined log of
// PLUMB_BENCH_LOG_MB megabytes (default 1024; made by the shared genlog.py
// when PLUMB_GENLOG names it, else by writeBenchLog) with plumb detect, locally
// and with -host over SSH (a login through sudo), and reports each one's
// wall time, throughput and peak memory (the binary's maximum resident
// set).
func BenchmarkDetectOverSSH(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root: starts sshd")
	}
	mb := 1024
	if v, err := strconv.Atoi(os.Getenv("PLUMB_BENCH_LOG_MB")); err == nil && v > 0 {
		mb = v
	}
	srv := sshtest.Start(b, "logs", sshtest.Options{SudoUser: true})
	log := filepath.Join(srv.Dir, "access.log")
	var size int64
	if gen := os.Getenv("PLUMB_GENLOG"); gen != "" {
		// The shared generator, as scripts/bench-detect.sh uses it.
		if out, err := exec.Command("python3", gen, strconv.Itoa(mb), log).CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", gen, err, out)
		}
		fi, err := os.Stat(log)
		if err != nil {
			b.Fatal(err)
		}
		size = fi.Size()
	} else {
		size = writeBenchLog(b, log, int64(mb)<<20)
	}
	syscall.Sync()                 // no writeback of the new file competes with the runs
	exec.Command("cat", log).Run() // both start from the page cache
	target := fmt.Sprintf("%s@%s:%d", srv.User, srv.Host, srv.Port)
	run := func(args ...string) (time.Duration, int64) {
		cmd := exec.Command(plumbBin, append([]string{"detect", "-threshold", "45", "-format", "json"}, args...)...)
		start := time.Now()
		out, err := cmd.Output()
		wall := time.Since(start)
		if err != nil || !strings.Contains(string(out), "203.0.113.") {
			b.Fatalf("plumb detect %v: %v\n%s", args, err, out)
		}
		return wall, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss / 1024
	}
	for b.Loop() {
		// Each side twice, alternating; the faster run of each counts.
		lw, lmem := run(log)
		rw, rmem := run("-host", target, "-identity", srv.KeyFile, "-known-hosts", srv.KnownHosts, "-sudo", log)
		if w, m := run(log); w < lw {
			lw, lmem = w, m
		}
		if w, m := run("-host", target, "-identity", srv.KeyFile, "-known-hosts", srv.KnownHosts, "-sudo", log); w < rw {
			rw, rmem = w, m
		}
		lt, rt := float64(size)/(1<<20)/lw.Seconds(), float64(size)/(1<<20)/rw.Seconds()
		fmt.Printf("detect %d MB: locally %.2f s (%.0f MB/s, %d MB); over SSH %.2f s (%.0f MB/s, %d MB); SSH reaches %.0f%% of local\n",
			mb, lw.Seconds(), lt, lmem, rw.Seconds(), rt, rmem, 100*rt/lt)
	}
}

// writeBenchLog writes a combined log of about size bytes shaped like
// the shared generator's (genlog.py, which scripts/bench-detect.sh uses):
// 100,000 ordinary clients, and 20 attackers sending 15% of the lines to
// the login page, 2,000 lines a second.
func writeBenchLog(b *testing.B, name string, size int64) int64 {
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(7, 7))
	normal := make([]string, 100000)
	for i := range normal {
		normal[i] = fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	}
	uris := []string{"/", "/index.php", "/about", "/contact", "/blog/post-%d", "/img/logo.png", "/css/site.css", "/search?q=%d"}
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0", "curl/8.5.0"}
	t0 := time.Unix(1732400000, 0).UTC()
	var n int64
	for i := 1; n < size; i++ {
		ts := t0.Add(time.Duration(i/2000) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		ip, uri, ua := "", "/wp-login.php", "Mozilla/4.0 (compatible; LOIC)"
		if r.Float64() < 0.15 {
			ip = fmt.Sprintf("203.0.113.%d", 1+r.IntN(20))
		} else {
			ip, uri, ua = normal[r.IntN(len(normal))], uris[r.IntN(len(uris))], agents[r.IntN(len(agents))]
			if strings.Contains(uri, "%d") {
				uri = fmt.Sprintf(uri, 1+r.IntN(500))
			}
		}
		k, _ := fmt.Fprintf(w, "%s - - [%s] \"GET %s HTTP/1.1\" 200 %d \"-\" \"%s\"\n", ip, ts, uri, 200+r.IntN(49800), ua)
		n += int64(k)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return n
}
