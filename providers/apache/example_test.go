package apache_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbhq/plumb/internal/dnstest"
)

var updateExample = flag.Bool("update-example", false, "rewrite the example's recorded plans")

// exampleDir is the example this test runs.
const exampleDir = "../../examples/htaccess-dynamic-ip"

// TestExamplePlans runs examples/htaccess-dynamic-ip against a DNS server
// on loopback and site folders in a temporary directory: it applies the
// example, changes the office's address and checks the plan a reviewer
// sees against the one recorded in the example (refresh it with
// -update-example), then shows the plan that fails when the name stops
// resolving.
func TestExamplePlans(t *testing.T) {
	example, err := filepath.Abs(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(example, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	dns := dnstest.Start(t)
	dns.SetAddresses("office.example.org", "203.0.113.7")
	web := t.TempDir()
	for _, site := range []string{"blog.example", "intranet.example", "shop.example"} {
		if err := os.MkdirAll(filepath.Join(web, site, "admin"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	keep := "# The shop's own rules, which plumb leaves alone.\nOptions -Indexes\n"
	shop := filepath.Join(web, "shop.example", "admin", ".htaccess")
	if err := os.WriteFile(shop, []byte(keep), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := workdir(t, map[string]string{"main.hcl": string(src)})
	vars := []string{"dns_server=" + dns.Addr, "web_root=" + web}

	first := applyAll(t, dir, vars...)
	if n := first.Count(); n.Add != 3 || n.Change+n.Destroy != 0 {
		t.Fatalf("first apply: %+v, want 3 to add", n)
	}
	got, err := os.ReadFile(shop)
	if err != nil {
		t.Fatal(err)
	}
	want := keep + `# BEGIN plumb apache_htaccess_access.admin["shop.example"]
<RequireAny>
    Require ip 203.0.113.7
    Require ip 198.51.100.0/24
</RequireAny>
# END plumb apache_htaccess_access.admin["shop.example"]
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("shop's .htaccess after the first apply (-want +got):\n%s", diff)
	}

	dns.SetAddresses("office.example.org", "203.0.113.42")
	changed, diags, text := planOnly(t, dir, vars...)
	if diags.HasErrors() {
		t.Fatal(text)
	}
	if n := changed.Count(); n.Change != 3 || n.Add+n.Destroy != 0 {
		t.Errorf("after the office's address changed: %+v, want 3 to change", n)
	}
	golden(t, example, "plan-office-ip-changed.txt", planText(t, changed))
	readme, err := os.ReadFile(filepath.Join(example, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), planText(t, changed)) {
		t.Errorf("the example's README.md does not show the plan recorded in plan-office-ip-changed.txt; paste it in")
	}

	dns.Remove("office.example.org")
	_, diags, text = planOnly(t, dir, vars...)
	if !diags.HasErrors() {
		t.Fatal("the plan succeeded although the office's name does not resolve")
	}
	golden(t, example, "plan-name-gone.txt", strings.ReplaceAll(text, dns.Addr, "127.0.0.1:5353"))
}

// golden compares got with the file name in dir, or rewrites it with
// -update-example.
func golden(t *testing.T, dir, name, got string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if *updateExample {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestExamplePlans -update-example to record it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs from the plan plumb makes now (-recorded +now); rerun with -update-example if the change is meant:\n%s", name, diff)
	}
}
