package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/internal/svntest"
)

// plumbCommand returns the command that runs plumb in dir, to start in
// the background.
func plumbCommand(dir string, args ...string) *exec.Cmd {
	return exec.Command(plumbBin, append([]string{"-chdir=" + dir}, args...)...)
}

// hostsVars writes a -var-file giving each server's SSH settings and
// folder as var.hosts, and returns its path.
func hostsVars(t *testing.T, dir string, srvs map[string]*sshtest.Server) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("hosts = {\n")
	for name, s := range srvs {
		fmt.Fprintf(&b, "  %s = { port = %d, user = %q, key = %q, known_hosts = %q, dir = %q }\n",
			name, s.Port, s.User, s.KeyFile, s.KnownHosts, s.Dir)
	}
	b.WriteString("}\n")
	p := filepath.Join(dir, "hosts.tfvars")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// hostsVariable declares var.hosts and one provider "plumb" instance per
// host, reached over SSH.
const hostsVariable = `
variable "hosts" {
  type = map(object({ port = number, user = string, key = string, known_hosts = string, dir = string }))
}

provider "plumb" {
  alias    = "host"
  for_each = var.hosts
  ssh {
    host             = "127.0.0.1"
    port             = each.value.port
    user             = each.value.user
    private_key_file = each.value.key
    known_hosts_file = each.value.known_hosts
    connect_timeout  = "3s"
  }
}
`

// TestFleetDownHost: a plan saved while two hosts are up is applied
// after one of them went down. Only that host's resource fails, saying
// which provider and why; the other host's is applied and recorded. A new
// plan fails for the down host's resources alone (a plan with errors is
// not applied, as in Terraform), -target applies around it, and once the
// host is back the next apply completes the fleet.
func TestFleetDownHost(t *testing.T) {
	up := sshtest.Start(t, "up", sshtest.Options{})
	down := sshtest.Start(t, "down", sshtest.Options{})
	dir := configDir(t, map[string]string{"main.hcl": hostsVariable + `
resource "local_file" "motd" {
  for_each = var.hosts
  provider = plumb.host[each.key]
  filename = "${each.value.dir}/motd"
  content  = "welcome to ${each.key}\n"
}
`})
	vars := hostsVars(t, dir, map[string]*sshtest.Server{"up": up, "down": down})
	if r := plumb(t, dir, "plan", "-out", "plan.bin", "-var-file", vars); r.code != exitOK {
		t.Fatalf("plan:\n%s", r)
	}
	down.Stop()

	r := plumb(t, dir, "apply", "plan.bin")
	if r.code != exitError {
		t.Fatalf("apply with a host down:\n%s", r)
	}
	for _, want := range []string{`local_file.motd["down"]: provider provider.plumb.host["down"] is not available`, "connection refused", "sshd listens on port"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the apply does not say %q:\n%s", want, r)
		}
	}
	if strings.Contains(r.stderr, `local_file.motd["up"]`) {
		t.Errorf("the host that is up has an error:\n%s", r)
	}
	if b, err := os.ReadFile(filepath.Join(up.Dir, "motd")); err != nil || string(b) != "welcome to up\n" {
		t.Errorf("the host that is up did not get its file: %q, %v\n%s", b, err, r)
	}
	if _, err := os.Stat(filepath.Join(down.Dir, "motd")); err == nil {
		t.Errorf("a file appeared on the host that is down")
	}
	list := plumb(t, dir, "state", "list")
	if !strings.Contains(list.stdout, `local_file.motd["up"]`) || strings.Contains(list.stdout, `local_file.motd["down"]`) {
		t.Errorf("state lists:\n%s", list.stdout)
	}

	// A new plan fails for the down host only; -target works around it.
	r = plumb(t, dir, "plan", "-var-file", vars)
	if r.code != exitError || !strings.Contains(r.stderr, `local_file.motd["down"]`) || strings.Contains(r.stderr, `local_file.motd["up"]`) {
		t.Errorf("plan with a host down:\n%s", r)
	}
	os.WriteFile(filepath.Join(up.Dir, "motd"), []byte("edited\n"), 0o644)
	if r := plumb(t, dir, "apply", "-auto-approve", "-var-file", vars, "-target", `local_file.motd["up"]`); r.code != exitOK {
		t.Errorf("apply around the host that is down:\n%s", r)
	}
	if b, _ := os.ReadFile(filepath.Join(up.Dir, "motd")); string(b) != "welcome to up\n" {
		t.Errorf("the targeted apply left %q", b)
	}

	// The host comes back (a new sshd, its key trusted).
	back := sshtest.Start(t, "back", sshtest.Options{})
	vars = hostsVars(t, dir, map[string]*sshtest.Server{"up": up, "down": back})
	if r := plumb(t, dir, "apply", "-auto-approve", "-var-file", vars); r.code != exitOK {
		t.Fatalf("apply once the host is back:\n%s", r)
	}
	if b, _ := os.ReadFile(filepath.Join(back.Dir, "motd")); string(b) != "welcome to down\n" {
		t.Errorf("the returning host holds %q", b)
	}
	if r := plumb(t, dir, "plan", "-detailed-exitcode", "-var-file", vars); r.code != exitOK {
		t.Errorf("plan after convergence:\n%s", r)
	}
}

// TestFleetUnknownHostKey: a host whose key is not in known_hosts fails
// its resources with the key's fingerprint and how to accept it, and
// nothing is written there.
func TestFleetUnknownHostKey(t *testing.T) {
	srv := sshtest.Start(t, "stranger", sshtest.Options{})
	os.WriteFile(srv.KnownHosts, nil, 0o644) // its key is not known
	dir := configDir(t, map[string]string{"main.hcl": hostsVariable + `
resource "local_file" "motd" {
  for_each = var.hosts
  provider = plumb.host[each.key]
  filename = "${each.value.dir}/motd"
  content  = "hello\n"
}
`})
	vars := hostsVars(t, dir, map[string]*sshtest.Server{"stranger": srv})
	r := plumb(t, dir, "apply", "-auto-approve", "-var-file", vars)
	if r.code != exitError || !strings.Contains(r.stderr, "is not known") || !strings.Contains(r.stderr, "SHA256:") || !strings.Contains(r.stderr, "ssh-keyscan") {
		t.Fatalf("apply to a host with an unknown key:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(srv.Dir, "motd")); err == nil {
		t.Errorf("a file was written to a host whose key was not checked")
	}
}

// TestFleetKilledMidApply kills the sshd session of one host while an
// apply is working there (Apache's check is running, slowed down by a
// wrapper): the resources that finished before are in state, the ones
// cut off are not, no access file is half-written, and the next apply
// converges with nothing lost or duplicated.
func TestFleetKilledMidApply(t *testing.T) {
	srv := sshtest.Start(t, "web", sshtest.Options{})
	marker := filepath.Join(t.TempDir(), "checking")
	slow := filepath.Join(t.TempDir(), "slowctl")
	script := fmt.Sprintf("#!/bin/sh\ntouch %s\nsleep 30\nexit 0\n", marker)
	if err := os.WriteFile(slow, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	fast := filepath.Join(t.TempDir(), "fastctl")
	os.WriteFile(fast, []byte("#!/bin/sh\nexit 0\n"), 0o755)
	for _, site := range []string{"a", "b", "c"} {
		os.MkdirAll(filepath.Join(srv.Dir, site), 0o755)
		os.WriteFile(filepath.Join(srv.Dir, site, ".htaccess"), []byte("Options -Indexes\n"), 0o644)
	}
	main := func(ctl string) string {
		return hostsVariable + fmt.Sprintf(`
provider "apache" {
  alias     = "web"
  for_each  = var.hosts
  apachectl = %q
  ssh {
    host             = "127.0.0.1"
    port             = each.value.port
    user             = each.value.user
    private_key_file = each.value.key
    known_hosts_file = each.value.known_hosts
  }
}

locals {
  sites = { for pair in setproduct(keys(var.hosts), ["a", "b", "c"]) : "${pair[0]}/${pair[1]}" => { host = pair[0], site = pair[1] } }
}

resource "local_file" "banner" {
  for_each = var.hosts
  provider = plumb.host[each.key]
  filename = "${each.value.dir}/banner"
  content  = "managed by plumb\n"
}

resource "apache_htaccess_access" "admin" {
  for_each   = local.sites
  provider   = apache.web[each.value.host]
  depends_on = [local_file.banner]
  path       = "${var.hosts[each.value.host].dir}/${each.value.site}/.htaccess"
  allow      = ["203.0.113.7"]
  validate   = true
}
`, ctl)
	}
	dir := configDir(t, map[string]string{"main.hcl": main(slow)})
	vars := hostsVars(t, dir, map[string]*sshtest.Server{"web": srv})

	cmd := plumbCommand(dir, "apply", "-auto-approve", "-var-file", vars)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("Apache's check never started:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.KillSessions(); n == 0 {
		t.Fatal("no sshd session to kill")
	}
	err := cmd.Wait()
	if err == nil {
		t.Fatalf("the apply succeeded although its connection was killed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "lost") {
		t.Errorf("the errors do not say the connection was lost:\n%s", out.String())
	}
	// The banner finished before the kill and is recorded; the access
	// files whose check was cut off are not.
	list := plumb(t, dir, "state", "list")
	if !strings.Contains(list.stdout, `local_file.banner["web"]`) {
		t.Errorf("the finished banner is not in state:\n%s", list.stdout)
	}
	if strings.Contains(list.stdout, "apache_htaccess_access") {
		t.Errorf("an access file whose check was cut off is in state:\n%s", list.stdout)
	}
	// Each access file is the old one or the new one, never a part.
	for _, site := range []string{"a", "b", "c"} {
		b, _ := os.ReadFile(filepath.Join(srv.Dir, site, ".htaccess"))
		whole := string(b) == "Options -Indexes\n" || strings.HasSuffix(string(b), "# END plumb apache_htaccess_access.admin[\"web/"+site+"\"]\n")
		if !whole {
			t.Errorf("%s/.htaccess is neither old nor new:\n%s", site, b)
		}
	}
	// The re-run (with a working check) converges, and the plan after
	// it is empty.
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(main(fast)), 0o644)
	if r := plumb(t, dir, "apply", "-auto-approve", "-var-file", vars); r.code != exitOK {
		t.Fatalf("the re-run:\n%s", r)
	}
	if r := plumb(t, dir, "plan", "-detailed-exitcode", "-var-file", vars); r.code != exitOK {
		t.Errorf("plan after the re-run:\n%s", r)
	}
	for _, site := range []string{"a", "b", "c"} {
		b, _ := os.ReadFile(filepath.Join(srv.Dir, site, ".htaccess"))
		if n := strings.Count(string(b), "# BEGIN plumb"); n != 1 || !strings.HasPrefix(string(b), "Options -Indexes\n") {
			t.Errorf("%s/.htaccess after the re-run holds %d blocks:\n%s", site, n, b)
		}
	}
}

// treeSnapshot lists every file and folder under dir with its size, mode
// and modification time, to show that nothing changed there.
func treeSnapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %v %d\n", p, fi.Size(), fi.Mode(), fi.ModTime().UnixNano())
		return nil
	})
	return b.String()
}

// TestFleetPlanOnlyReads plans every host-side resource type over SSH,
// with changes to make (a first plan, then drift by hand): the server's
// files are exactly as they were, down to their modification times. The
// five providers that name the server share one connection.
func TestFleetPlanOnlyReads(t *testing.T) {
	svntest.Require(t, "svnadmin")
	srv := sshtest.Start(t, "web", sshtest.Options{SudoUser: true})
	repo := filepath.Join(srv.Dir, "repo")
	if out, err := exec.Command("svnadmin", "create", repo).CombinedOutput(); err != nil {
		t.Fatalf("svnadmin create: %v\n%s", err, out)
	}
	os.MkdirAll(filepath.Join(srv.Dir, "admin"), 0o755)
	os.WriteFile(filepath.Join(srv.Dir, "admin", ".htaccess"), []byte("Options -Indexes\n"), 0o644)
	os.WriteFile(filepath.Join(srv.Dir, "access.log"), []byte(floodLog("203.0.113.7")), 0o644)
	var providersHCL strings.Builder
	for _, p := range []string{"plumb", "bind", "apache", "svn", "accesslog"} {
		fmt.Fprintf(&providersHCL, `
provider %q {
  ssh {
    host             = "127.0.0.1"
    port             = %d
    user             = %q
    private_key_file = %q
    known_hosts_file = %q
    sudo             = true
  }
}
`, p, srv.Port, srv.User, srv.KeyFile, srv.KnownHosts)
	}
	dir := configDir(t, map[string]string{"main.hcl": providersHCL.String() + fmt.Sprintf(`
locals { dir = %q }

resource "local_file" "motd" {
  filename = "${local.dir}/motd"
  content  = "hello\n"
}

resource "bind_zone" "site" {
  name      = "example.org"
  directory = "${local.dir}/zones"
  validate  = true
  records = [
    { name = "example.org.", type = "NS", ttl = 3600, values = ["ns1.example.net."] },
    { name = "example.org.", type = "A", ttl = 300, values = ["192.0.2.10"] },
  ]
}

data "access_log_offenders" "web" {
  paths     = ["${local.dir}/access.log"]
  threshold = 100
}

resource "apache_htaccess_access" "admin" {
  path  = "${local.dir}/admin/.htaccess"
  allow = concat(["198.51.100.0/24"], data.access_log_offenders.web.addresses)
}

resource "svn_pre_commit_hook" "policy" {
  repository = "${local.dir}/repo"
  plumb_path = "/bin/true"
}
`, srv.Dir)})
	before := treeSnapshot(t, srv.Dir)
	logins := srv.Logins()
	r := plumb(t, dir, "plan", "-detailed-exitcode")
	if r.code != exitChanges || !strings.Contains(r.stdout, "4 to add") {
		t.Fatalf("the first plan:\n%s", r)
	}
	// Five providers name the server: one connection serves them all.
	if n := srv.Logins() - logins; n != 1 {
		t.Errorf("the plan logged in %d times, want once for the five providers", n)
	}
	if after := treeSnapshot(t, srv.Dir); after != before {
		t.Errorf("planning changed the server:\nbefore\n%s\nafter\n%s", before, after)
	}
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	os.WriteFile(filepath.Join(srv.Dir, "motd"), []byte("edited\n"), 0o644)
	os.WriteFile(filepath.Join(srv.Dir, "admin", ".htaccess"), []byte("Options -Indexes\n"), 0o644)
	before = treeSnapshot(t, srv.Dir)
	if r := plumb(t, dir, "plan", "-detailed-exitcode"); r.code != exitChanges {
		t.Fatalf("the plan after hand edits:\n%s", r)
	}
	if after := treeSnapshot(t, srv.Dir); after != before {
		t.Errorf("planning changed the server:\nbefore\n%s\nafter\n%s", before, after)
	}
}
