package aws

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers/dns"
)

// exampleDir is the migration example, relative to this package.
const exampleDir = "../../examples/route53-migration"

// TestMigrationExample checks the example's pieces that this package can:
// main.hcl parses and declares what the README relies on, and every zone
// file reads cleanly and applies to the emulator with Route 53's apex kept
// and the zone in sync afterwards. (Running the configuration end to end
// needs the engine, which cmd/plumb's tests have.)
func TestMigrationExample(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(exampleDir, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	f, diags := hclsyntax.ParseConfig(src, "main.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	body := f.Body.(*hclsyntax.Body)
	found := map[string]bool{}
	for _, b := range body.Blocks {
		found[b.Type+" "+strings.Join(b.Labels, " ")] = true
	}
	for _, want := range []string{`provider aws`, `resource aws_route53_zone site`, `output registrar_csv`, `variable aws_endpoint`} {
		if !found[want] {
			t.Errorf("main.hcl has no %s block", want)
		}
	}
	paths, err := filepath.Glob(filepath.Join(exampleDir, "zones", "*.zone"))
	if err != nil || len(paths) < 2 {
		t.Fatalf("example zone files: %v, %v", paths, err)
	}
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	for _, p := range paths {
		origin := strings.TrimSuffix(filepath.Base(p), ".zone")
		res, err := dns.ParseZoneFile(p, origin, dns.ParseOptions{})
		if err != nil || len(res.Warnings) > 0 {
			t.Fatalf("%s: %v %v", p, err, res.Warnings)
		}
		config := zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin), "records": dns.ListValue(res.Records)})
		state := applyZone(t, r, `aws_route53_zone.site["`+origin+`"]`, cty.NullVal(r.ty), config)
		live := liveSets(t, e, state.GetAttr("zone_id").AsString())
		if got, want := len(live), len(dns.WithoutApexSOANS(res.Records, origin))+2; got != want {
			t.Errorf("%s: zone holds %d sets, want %d and Route 53's SOA and NS", origin, got, want)
		}
		if strings.Contains(live[origin+". NS"], "ns1.example.org") {
			t.Errorf("%s: the file's apex NS replaced Route 53's: %s", origin, live[origin+". NS"])
		}
	}
}
