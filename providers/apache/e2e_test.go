package apache_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbhq/plumb/internal/apachetest"
	"github.com/plumbhq/plumb/internal/dnstest"
)

// e2eConfig is the configuration the end-to-end test applies: the admin
// folder's allow list follows the office's name, checked by Apache before
// it stays.
const e2eConfig = `
variable "dns_server" { type = string }
variable "docroot" { type = string }
variable "syntax" { type = string }
variable "apachectl" { type = string }
variable "apachectl_args" { type = list(string) }

provider "apache" {
  apachectl      = var.apachectl
  apachectl_args = var.apachectl_args
}

data "dns_addresses" "office" {
  name    = "office.example.test"
  types   = ["A"]
  server  = var.dns_server
  timeout = "1s"
}

resource "apache_htaccess_access" "admin" {
  path     = "${var.docroot}/admin/.htaccess"
  allow    = data.dns_addresses.office.ipv4
  syntax   = var.syntax
  validate = true
  # The test's Apache serves its clients on loopback directly.
  allow_local = true
}
`

// TestOfficeAddressChanges runs plumb against a real DNS server and a real
// Apache: the office's address lets it into the admin folder and keeps
// another client out; when the DNS answer changes, the next apply swaps
// the two. A name that stops resolving, or a server that stops answering,
// fails the plan and leaves the file (and the office's access) as it was.
func TestOfficeAddressChanges(t *testing.T) {
	for _, syntax := range []string{"apache24", "apache22"} {
		t.Run(syntax, func(t *testing.T) {
			dns := dnstest.Start(t)
			dns.SetAddresses("office.example.test", "127.0.0.1")
			web := apachetest.Start(t, apachetest.Options{})
			admin := filepath.Join(web.DocRoot, "admin")
			if err := os.Mkdir(admin, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(admin, "index.html"), []byte("admin\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			dir := workdir(t, map[string]string{"main.hcl": e2eConfig})
			vars := []string{"dns_server=" + dns.Addr, "docroot=" + web.DocRoot, "syntax=" + syntax,
				"apachectl=" + apachetest.Apachectl(t), "apachectl_args=" + hclList(web.ApachectlArgs())}
			wantAccess := func(step string, allowed, denied string) {
				t.Helper()
				if got := web.Get(t, allowed, "/admin/index.html"); got != 200 {
					t.Errorf("%s: GET from %s is %d, want 200\n%s", step, allowed, got, web.Logs())
				}
				if got := web.Get(t, denied, "/admin/index.html"); got != 403 {
					t.Errorf("%s: GET from %s is %d, want 403", step, denied, got)
				}
			}
			if got := web.Get(t, "127.0.0.2", "/admin/index.html"); got != 200 {
				t.Fatalf("before plumb the admin folder is not open (%d): the test proves nothing", got)
			}

			p := applyAll(t, dir, vars...)
			if diff := cmp.Diff(map[string]string{"apache_htaccess_access.admin": "create"}, actions(p)); diff != "" {
				t.Errorf("first apply (-want +got):\n%s", diff)
			}
			wantAccess("after the first apply", "127.0.0.1", "127.0.0.2")
			if p, diags, text := planOnly(t, dir, vars...); diags.HasErrors() || p.HasChanges() {
				t.Fatalf("a plan right after apply: %v %s", actions(p), text)
			}

			dns.SetAddresses("office.example.test", "127.0.0.2")
			p = applyAll(t, dir, vars...)
			if diff := cmp.Diff(map[string]string{"apache_htaccess_access.admin": "update"}, actions(p)); diff != "" {
				t.Errorf("apply after the address changed (-want +got):\n%s", diff)
			}
			text := planText(t, p)
			for _, want := range []string{`- "127.0.0.1"`, `+ "127.0.0.2"`} {
				if !strings.Contains(text, want) {
					t.Errorf("the plan does not show %s:\n%s", want, text)
				}
			}
			wantAccess("after the address changed", "127.0.0.2", "127.0.0.1")

			before, err := os.ReadFile(filepath.Join(admin, ".htaccess"))
			if err != nil {
				t.Fatal(err)
			}
			for _, failure := range []struct {
				name    string
				breakIt func()
				want    string
			}{
				{"the name stops resolving", func() { dns.Remove("office.example.test") }, "No addresses for office.example.test"},
				{"the server stops answering", func() {
					dns.SetAddresses("office.example.test", "127.0.0.9")
					dns.SetSilent(true)
				}, "no answer from " + dns.Addr},
			} {
				failure.breakIt()
				_, diags, text := planOnly(t, dir, vars...)
				if !diags.HasErrors() || !strings.Contains(text, failure.want) {
					t.Errorf("%s: plan gives %q; want an error saying %q", failure.name, text, failure.want)
				}
				after, _ := os.ReadFile(filepath.Join(admin, ".htaccess"))
				if string(after) != string(before) {
					t.Errorf("%s: the file changed:\n%s", failure.name, after)
				}
				wantAccess(fmt.Sprintf("%s, after the failed plan", failure.name), "127.0.0.2", "127.0.0.1")
				dns.SetSilent(false)
			}
		})
	}
}

// localAnswerConfig is e2eConfig's allow list fed by both address
// families, with no allow_local: behind a reverse proxy.
const localAnswerConfig = `
variable "dns_server" { type = string }
variable "docroot" { type = string }

data "dns_addresses" "office" {
  name    = "office.example.test"
  types   = ["A", "AAAA"]
  server  = var.dns_server
  timeout = "1s"
}

resource "apache_htaccess_access" "admin" {
  path  = "${var.docroot}/admin/.htaccess"
  allow = data.dns_addresses.office.addresses
}
`

// TestLocalDNSAnswersRefused: a dynamic-DNS name that answers a loopback,
// link-local or unspecified address never reaches the allow list (behind
// a local reverse proxy, Require ip 127.0.0.1 lets everyone in): the
// plan stops, naming the address, and the file is not written.
func TestLocalDNSAnswersRefused(t *testing.T) {
	dns := dnstest.Start(t)
	docroot := t.TempDir()
	if err := os.Mkdir(filepath.Join(docroot, "admin"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := workdir(t, map[string]string{"main.hcl": localAnswerConfig})
	vars := []string{"dns_server=" + dns.Addr, "docroot=" + docroot}
	for _, answer := range []string{"127.0.0.1", "::1", "fe80::1", "169.254.1.1", "0.0.0.0"} {
		dns.SetAddresses("office.example.test", "192.0.2.10", answer)
		_, diags, text := planOnly(t, dir, vars...)
		if !diags.HasErrors() || !strings.Contains(text, answer) {
			t.Errorf("answer %s: plan gives %q; want it refused, naming the address", answer, text)
		}
		if _, err := os.Stat(filepath.Join(docroot, "admin", ".htaccess")); err == nil {
			t.Fatalf("answer %s: the access file was written", answer)
		}
	}
	dns.SetAddresses("office.example.test", "192.0.2.10", "2001:db8::10")
	if _, diags, text := planOnly(t, dir, vars...); diags.HasErrors() {
		t.Errorf("ordinary answers refused: %s", text)
	}
}
