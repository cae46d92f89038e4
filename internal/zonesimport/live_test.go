package zonesimport

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/plumbhq/plumb/providers/dns"
)

func TestFromLive(t *testing.T) {
	zones := []LiveZone{
		{Name: "example.org.", ID: "Z1ABC", Records: []dns.Record{
			{Name: "www.example.org.", Type: "A", TTL: 300, Values: []string{"192.0.2.1"}},
		}},
		{Name: "2nd-site.net.", ID: "Z2DEF"},
	}
	out := string(FromLive(zones))
	if _, diags := hclsyntax.ParseConfig([]byte(out), "gen.hcl", hcl.InitialPos); diags.HasErrors() {
		t.Fatalf("generated HCL does not parse: %s\n%s", diags, out)
	}
	for _, want := range []string{
		"to = aws_route53_zone.example_org",
		`id = "Z1ABC"`,
		`resource "aws_route53_zone" "example_org"`,
		`"192.0.2.1"`,
		`resource "aws_route53_zone" "zone_2nd_site_net"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("generated HCL lacks %q:\n%s", want, out)
		}
	}
}
