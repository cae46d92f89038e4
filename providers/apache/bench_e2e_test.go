package apache_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/plumbhq/plumb/internal/dnstest"
)

// benchSites is how many sites the plan benchmarks manage.
const benchSites = 1000

// oneName is 1,000 sites whose admin folders follow one office name.
const oneName = `
variable "dns_server" { type = string }
variable "web_root" { type = string }
locals { sites = toset([for i in range(1000) : format("site%04d.example", i)]) }
data "dns_addresses" "office" {
  name   = "office.example.test"
  types  = ["A"]
  server = var.dns_server
}
resource "apache_htaccess_access" "admin" {
  for_each = local.sites
  path     = "${var.web_root}/${each.key}/.htaccess"
  allow    = concat(data.dns_addresses.office.ipv4, ["198.51.100.0/24"])
}
`

// nameEach is 1,000 sites, each following its own dynamic name.
const nameEach = `
variable "dns_server" { type = string }
variable "web_root" { type = string }
locals { sites = toset([for i in range(1000) : format("site%04d.example", i)]) }
data "dns_addresses" "site" {
  for_each = local.sites
  name     = "${each.key}.dyn.example.test"
  types    = ["A"]
  server   = var.dns_server
}
resource "apache_htaccess_access" "admin" {
  for_each = local.sites
  path     = "${var.web_root}/${each.key}/.htaccess"
  allow    = data.dns_addresses.site[each.key].ipv4
}
`

// benchEstate applies config over 1,000 site folders, each .htaccess
// holding hand-written lines too, and returns the configuration folder
// and the variables.
func benchEstate(b *testing.B, config string, dns *dnstest.Server) (string, []string) {
	b.Helper()
	web := b.TempDir()
	for i := 0; i < benchSites; i++ {
		site := filepath.Join(web, fmt.Sprintf("site%04d.example", i))
		if err := os.Mkdir(site, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(site, ".htaccess"), []byte("Options -Indexes\nRewriteEngine On\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	dir := workdir(b, map[string]string{"main.hcl": config})
	vars := []string{"dns_server=" + dns.Addr, "web_root=" + web}
	applyAll(b, dir, vars...)
	return dir, vars
}

// BenchmarkPlanOfficeAddressChanged plans 1,000 sites after the one
// office address they all follow changed: load, refresh every .htaccess,
// resolve, plan 1,000 updates.
func BenchmarkPlanOfficeAddressChanged(b *testing.B) {
	dns := dnstest.Start(b)
	dns.SetAddresses("office.example.test", "203.0.113.7")
	dir, vars := benchEstate(b, oneName, dns)
	dns.SetAddresses("office.example.test", "203.0.113.42")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, diags, text := planOnly(b, dir, vars...)
		if diags.HasErrors() {
			b.Fatal(text)
		}
		if n := p.Count(); n.Change != benchSites {
			b.Fatalf("%+v, want %d to change", n, benchSites)
		}
	}
}

// BenchmarkPlanOneOfThousandNamesChanged plans 1,000 sites that each
// follow their own name, one of which changed: 1,000 lookups (bounded per
// server) and one update.
func BenchmarkPlanOneOfThousandNamesChanged(b *testing.B) {
	dns := dnstest.Start(b)
	for i := 0; i < benchSites; i++ {
		dns.SetAddresses(fmt.Sprintf("site%04d.example.dyn.example.test", i), fmt.Sprintf("10.0.%d.%d", i/250, i%250+1))
	}
	dir, vars := benchEstate(b, nameEach, dns)
	dns.SetAddresses("site0500.example.dyn.example.test", "203.0.113.42")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, diags, text := planOnly(b, dir, vars...)
		if diags.HasErrors() {
			b.Fatal(text)
		}
		if n := p.Count(); n.Change != 1 {
			b.Fatalf("%+v, want 1 to change", n)
		}
	}
}

// BenchmarkPlanNoChanges plans 1,000 sites when nothing changed: the
// cron run every 15 minutes that finds the office where it was.
func BenchmarkPlanNoChanges(b *testing.B) {
	dns := dnstest.Start(b)
	dns.SetAddresses("office.example.test", "203.0.113.7")
	dir, vars := benchEstate(b, oneName, dns)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, diags, text := planOnly(b, dir, vars...)
		if diags.HasErrors() {
			b.Fatal(text)
		}
		if p.HasChanges() {
			b.Fatalf("changes: %+v", p.Count())
		}
	}
}
