package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/plumbhq/plumb/internal/awstest"
)

const goodZone = `$ORIGIN example.org.
$TTL 3600
@   IN SOA ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 3600
@   IN NS  ns1.example.org.
ns1 IN A   192.0.2.53
www IN A   192.0.2.80
`

// TestZonesImportDir generates configuration from a folder holding one
// good and one broken zone: the HCL covers the good one and plumb
// validates it; the broken one is named with its line, and the exit is 1.
func TestZonesImportDir(t *testing.T) {
	dir := configDir(t, map[string]string{
		"zones/example.org.zone": goodZone,
		"zones/broken.net.zone":  "$ORIGIN broken.net.\n@ IN SOA a. b. 1 2 3 4 5\nwww IN AAAAA ::1\n",
	})
	r := plumb(t, dir, "zones", "import", "-type", "bind_zone", "zones")
	if r.code != exitError || !strings.Contains(r.stderr, "broken.net.zone:3") {
		t.Fatalf("zones import with a broken file:\n%s", r)
	}
	if !strings.Contains(r.stdout, "bind_zone") || !strings.Contains(r.stdout, "zonefile(") {
		t.Fatalf("no configuration generated:\n%s", r)
	}
	// The plain form, the same for both providers: no for-expression.
	if !strings.Contains(r.stdout, `records   = zonefile("zones/${each.value}", each.key)`) || strings.Contains(r.stdout, "[for r in") {
		t.Errorf("bind_zone's records are not the plain zonefile():\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "The configuration above covers the zones that parse") {
		t.Errorf("no word that the configuration above covers the rest:\n%s", r)
	}
	// With nothing written, plumb does not speak of a configuration above.
	bad := configDir(t, map[string]string{"zones/broken.net.zone": "$ORIGIN broken.net.\n@ IN SOA a. b. 1 2 3 4 5\nwww IN AAAAA ::1\n"})
	if r := plumb(t, bad, "zones", "import", "zones"); r.code != exitError || r.stdout != "" || strings.Contains(r.stderr, "configuration above") || !strings.Contains(r.stderr, "no configuration written") {
		t.Errorf("zones import of only bad files:\n%s", r)
	}
	os.Remove(filepath.Join(dir, "zones", "broken.net.zone"))
	r = plumb(t, dir, "zones", "import", "-type", "bind_zone", "zones")
	if r.code != exitOK {
		t.Fatalf("zones import:\n%s", r)
	}
	os.WriteFile(filepath.Join(dir, "zones.hcl"), []byte(r.stdout), 0o644)
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("applying the generated configuration:\n%s", r)
	}
	if r := plumb(t, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after applying the generated configuration:\n%s", r)
	}
}

// TestZonesImportFromRoute53 reads zones from Route 53 (kumo behind the
// project's shim) and checks the generated import blocks and records.
func TestZonesImportFromRoute53(t *testing.T) {
	emu := awstest.StartKumo(t)
	client := emu.Route53Client()
	ctx := context.Background()
	zone, err := client.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: awssdk.String("import-me.example."), CallerReference: awssdk.String("zones-import-test")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: zone.HostedZone.Id,
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
			Action: r53types.ChangeActionCreate,
			ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: awssdk.String("www.import-me.example."), Type: r53types.RRTypeA, TTL: awssdk.Int64(300),
				ResourceRecords: []r53types.ResourceRecord{{Value: awssdk.String("192.0.2.7")}},
			},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(plumbBin, "zones", "import", "-from", "route53", "-endpoint", emu.URL())
	for k, v := range emu.Env() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "PATH="+os.Getenv("PATH"), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("zones import -from route53: %v\n%s", err, out)
	}
	id := strings.TrimPrefix(*zone.HostedZone.Id, "/hostedzone/")
	for _, want := range []string{"to = aws_route53_zone.import_me_example", `id = "` + id + `"`, `"192.0.2.7"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The generated configuration adopts the zone without changing it.
	gen := exec.Command(plumbBin, "zones", "import", "-from", "route53", "-endpoint", emu.URL())
	gen.Env = cmd.Env
	hclOut, err := gen.Output()
	if err != nil {
		t.Fatalf("zones import -from route53: %v", err)
	}
	dir := configDir(t, map[string]string{"provider.hcl": emu.ProviderHCL(), "zones.hcl": string(hclOut)})
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	r := plumbEnv(t, env, dir, "plan", "-no-color", "-target=aws_route53_zone.import_me_example")
	if r.code != exitOK || !strings.Contains(r.stdout, "1 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("plan of the generated configuration:\n%s", r)
	}
	if r := plumbEnv(t, env, dir, "apply", "-auto-approve", "-target=aws_route53_zone.import_me_example"); r.code != exitOK {
		t.Fatalf("apply of the import:\n%s", r)
	}
	if r := plumbEnv(t, env, dir, "plan", "-detailed-exitcode", "-target=aws_route53_zone.import_me_example"); r.code != exitOK {
		t.Fatalf("plan after the import:\n%s", r)
	}
}

// TestRoute53MigrationExample runs examples/route53-migration against
// kumo behind the project's Route 53 shim: apply (plan and apply in one
// run), the registrar CSV, a plan with nothing to do, and one edited
// record showing as one change. It also checks the API calls.
func TestRoute53MigrationExample(t *testing.T) {
	emu := awstest.StartKumo(t)
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", "../../examples/route53-migration/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copying the example: %v %s", err, out)
	}
	var env []string
	env = append(env, "PATH="+os.Getenv("PATH"), "HOME="+t.TempDir(), "PLUMB_VAR_aws_endpoint="+emu.URL(), "PLUMB_VAR_max_requests_per_second=0")
	for k, v := range emu.Env() {
		env = append(env, k+"="+v)
	}
	r := plumbEnv(t, env, dir, "apply", "-auto-approve")
	if r.code != exitOK || !strings.Contains(r.stdout, "2 added") {
		t.Fatalf("apply:\n%s", r)
	}
	if !strings.Contains(r.stderr, "route53: ") || !strings.Contains(r.stderr, "CreateHostedZone 2") {
		t.Errorf("apply did not report its API requests:\n%s", r.stderr)
	}
	csv := plumbEnv(t, env, dir, "output", "-raw", "registrar_csv")
	lines := strings.Split(strings.TrimSpace(csv.stdout), "\n")
	if csv.code != exitOK || len(lines) != 3 || lines[0] != "domain,ns1,ns2,ns3,ns4" || strings.Count(lines[1], ",") != 4 {
		t.Fatalf("registrar CSV:\n%s", csv)
	}
	if r := plumbEnv(t, env, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after apply:\n%s", r)
	}
	zone := filepath.Join(dir, "zones", "example.org.zone")
	src, _ := os.ReadFile(zone)
	edited := strings.Replace(string(src), "192.0.2.", "198.51.100.", 1)
	if edited == string(src) {
		t.Fatal("the example zone has no 192.0.2.x address to edit")
	}
	os.WriteFile(zone, []byte(edited), 0o644)
	r = plumbEnv(t, env, dir, "plan", "-detailed-exitcode", "-no-color")
	if r.code != exitChanges || !strings.Contains(r.stdout, "198.51.100.") || !strings.Contains(r.stdout, "Plan: 0 to add, 1 to change, 0 to destroy.") {
		t.Fatalf("plan after editing one record:\n%s", r)
	}
	// destroy runs no resource node, yet must configure the provider.
	r = plumbEnv(t, env, dir, "destroy", "-auto-approve")
	if r.code != exitOK || !strings.Contains(r.stdout, "2 destroyed") {
		t.Fatalf("destroy:\n%s", r)
	}
	zones, err := emu.Route53Client().ListHostedZonesByName(context.Background(), &route53.ListHostedZonesByNameInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zones.HostedZones {
		if name := *z.Name; name == "example.org." || name == "example.net." {
			t.Errorf("zone %s is still in Route 53 after destroy", name)
		}
	}
}

// TestDuplicateZoneRefused declares one zone twice: the plan fails at the
// second declaration, names both, and changes nothing.
func TestDuplicateZoneRefused(t *testing.T) {
	emu := awstest.StartKumo(t)
	dir := configDir(t, map[string]string{"main.hcl": emu.ProviderHCL() + `
resource "aws_route53_zone" "a" {
  name = "dup.example"
}

resource "aws_route53_zone" "b" {
  name = "Dup.Example."
}
`})
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	r := plumbEnv(t, env, dir, "plan", "-no-color")
	if r.code != exitError || !strings.Contains(r.stderr, "Duplicate zone dup.example.") || !strings.Contains(r.stderr, "main.hcl line 13") {
		t.Fatalf("plan with one zone declared twice:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, StateFile)); !os.IsNotExist(err) {
		t.Error("a refused plan wrote state")
	}
}
