package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/plumbhq/plumb/internal/apachetest"
	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/internal/dnstest"
	"github.com/plumbhq/plumb/internal/netnstest"
	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/internal/svntest"
)

// floodLog is an access log in which attacker sends 300 requests to the
// login page in five minutes, among a few ordinary clients.
func floodLog(attacker string) string {
	var b strings.Builder
	t0 := time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)
	for i := 0; i < 300; i++ {
		ts := t0.Add(time.Duration(i) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&b, "%s - - [%s] \"POST /wp-login.php HTTP/1.1\" 200 512 \"-\" \"Mozilla/4.0 (compatible; LOIC)\"\n", attacker, ts)
		if i%20 == 0 {
			fmt.Fprintf(&b, "192.0.2.%d - - [%s] \"GET /index.html HTTP/1.1\" 200 2048 \"-\" \"Mozilla/5.0\"\n", i%7+1, ts)
		}
	}
	return b.String()
}

// fleetRig runs examples/fleet from "the workstation" (this process's
// plumb binary) against four sshd hosts: three web servers, each in a
// network namespace of its own (their nftables are separate) and one of
// them with its web root served by a real Apache, and a Subversion
// server with a real repository; S3 is kumo, the office's name is
// answered by a DNS server on loopback. Every login is a user who is not
// root and works through sudo, with one key and one known_hosts file, as
// a workstation or CI has.
//
// Its check, after the apply: the office gets into web1's admin area and
// others do not, the attackers of web1 and web2 are dropped on all three,
// the hook rejects a bad commit, a backup is in S3; then a CI-style plan
// exits 0, a hand edit of one remote .htaccess makes it exit 2 naming that
// file, and an apply puts it back.
func fleetRig(t *testing.T, dir string) exampleRun {
	netnstest.Require(t, "nft:nftables")
	svntest.Require(t, "svnadmin", "svnlook", "svn")
	key := filepath.Join(t.TempDir(), "id_ed25519")
	sshtest.NewKey(t, key)
	apache := apachetest.Start(t, apachetest.Options{})
	dns := dnstest.Start(t)
	dns.SetAddresses("office.example.org", "127.0.0.2")
	emu := awstest.StartKumo(t)
	bucket := fmt.Sprintf("fleet-svn-%d", time.Now().UnixNano())
	if _, err := emu.S3Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: awssdk.String(bucket)}); err != nil {
		t.Fatal(err)
	}

	attackers := map[string]string{"web1": "203.0.113.7", "web2": "203.0.113.9", "web3": ""}
	web := map[string]*sshtest.Server{}
	var known strings.Builder
	var servers strings.Builder
	for _, name := range []string{"web1", "web2", "web3"} {
		srv := sshtest.Start(t, name, sshtest.Options{Netns: true, SudoUser: true, KeyFile: key})
		web[name] = srv
		root := filepath.Join(srv.Dir, "www")
		if name == "web1" {
			root = apache.DocRoot
		}
		for _, site := range []string{"blog.example", "shop.example"} {
			admin := filepath.Join(root, site, "admin")
			must(t, os.MkdirAll(admin, 0o755))
			must(t, os.WriteFile(filepath.Join(admin, "index.html"), []byte("admin\n"), 0o644))
		}
		log := floodLog("198.51.100.200") // the VPN: never blocked
		if a := attackers[name]; a != "" {
			log = floodLog(a)
		}
		must(t, os.WriteFile(filepath.Join(srv.Dir, "access.log"), []byte(log), 0o644))
		b, _ := os.ReadFile(srv.KnownHosts)
		known.Write(b)
		fmt.Fprintf(&servers, "  %s = { address = %q, port = %d, web_root = %q, access_log = %q }\n",
			name, srv.Host, srv.Port, root, filepath.Join(srv.Dir, "access.log*"))
	}
	svnSrv := sshtest.Start(t, "svn", sshtest.Options{SudoUser: true, KeyFile: key})
	b, _ := os.ReadFile(svnSrv.KnownHosts)
	known.Write(b)
	repo := svntest.NewRepo(t, "website")
	knownHosts := filepath.Join(t.TempDir(), "known_hosts")
	must(t, os.WriteFile(knownHosts, []byte(known.String()), 0o644))

	apachectlArgs, _ := jsonList(apache.ApachectlArgs())
	vars := fmt.Sprintf(`web_servers = {
%s}
svn_server = { address = %q, port = %d, repositories = [%q] }
ssh_user             = %q
ssh_private_key_file = %q
known_hosts_file     = %q
dns_server           = %q
apachectl_args       = %s
allow_local          = true
plumb_on_svn_server  = %q
backup_bucket        = %q
`, servers.String(), svnSrv.Host, svnSrv.Port, repo.Path, sshtest.SudoUser, key, knownHosts, dns.Addr, apachectlArgs, plumbBin, bucket)
	varFile := filepath.Join(dir, "rig.tfvars")
	must(t, os.WriteFile(varFile, []byte(vars), 0o644))

	return exampleRun{
		env:  append(awsEnv(t, emu, emu.URL()), svntest.Env()...),
		args: []string{"-var-file", varFile},
		check: func(t *testing.T, x exampleExec) {
			if got := apache.Get(t, "127.0.0.2", "/shop.example/admin/index.html"); got != 200 {
				t.Errorf("the office (127.0.0.2) gets %d from web1's shop admin area, want 200", got)
			}
			if got := apache.Get(t, "127.0.0.1", "/shop.example/admin/index.html"); got != 403 {
				t.Errorf("another client gets %d from web1's shop admin area, want 403", got)
			}
			for name, srv := range web {
				set := srv.NS.Run("nft", "list", "table", "inet", "plumb_flood")
				if !strings.Contains(set, "203.0.113.7") || !strings.Contains(set, "203.0.113.9") || strings.Contains(set, "198.51.100.200") {
					t.Errorf("%s's block list is not both attackers (and never the VPN):\n%s", name, set)
				}
			}
			wc := repo.Checkout(t)
			wc.Write(t, "index.php", []byte("<?php echo 1;\n"))
			if r := wc.Commit("x"); r.Err == nil || !strings.Contains(r.Stderr, "6") {
				t.Errorf("the hook let a one-letter message through:\n%s", r)
			}
			wc.Write(t, "index.php", []byte("<?php\n$x = ;\n"))
			if r := wc.Commit("Add the home page"); r.Err == nil || !strings.Contains(r.Stderr, "index.php") || !strings.Contains(r.Stderr, "line 2") {
				t.Errorf("the hook let PHP with a syntax error through (php -l):\n%s", r)
			}
			out, err := emu.S3Client().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: awssdk.String(bucket)})
			if err != nil || len(out.Contents) != 1 || !strings.HasSuffix(awssdk.ToString(out.Contents[0].Key), ".svndump.age") {
				t.Errorf("the bucket holds %v (%v), want one encrypted dump", out, err)
			}

			// CI: plan -detailed-exitcode is 0 now, 2 once someone edits
			// one remote .htaccess by hand, and an apply repairs it.
			ci := append([]string{"plan", "-detailed-exitcode", "-no-color"}, x.run.args...)
			x.want("the CI plan after the apply", exitOK, ci...)
			edited := filepath.Join(web["web2"].Dir, "www", "shop.example", "admin", ".htaccess")
			text, err := os.ReadFile(edited)
			if err != nil {
				t.Fatal(err)
			}
			must(t, os.WriteFile(edited, []byte(strings.Replace(string(text), "Require ip 127.0.0.2", "Require ip 203.0.113.66", 1)), 0o644))
			r := x.want("the CI plan after a hand edit", exitChanges, ci...)
			if !strings.Contains(r.stdout, `apache_htaccess_access.admin["web2/shop.example"]`) || strings.Contains(r.stdout, `admin["web1/shop.example"] will`) {
				t.Errorf("the plan does not name just the edited file:\n%s", r.stdout)
			}
			x.want("the apply that repairs it", exitOK, append([]string{"apply", "-auto-approve", "-no-color"}, x.run.args...)...)
			if b, _ := os.ReadFile(edited); strings.Contains(string(b), "203.0.113.66") {
				t.Errorf("the hand edit is still there:\n%s", b)
			}
		},
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
