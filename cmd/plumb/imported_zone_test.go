package main

import (
	"context"
	"os"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/plumbhq/plumb/internal/awstest"
)

// TestImportedRoute53ZonePlansClean is the case of the review: a zone
// made in Route 53, adopted with plumb import, and a configuration that
// writes its name with a final dot and its records in upper case. The
// plan after the import has no changes.
func TestImportedRoute53ZonePlansClean(t *testing.T) {
	emu := awstest.StartKumo(t)
	client := emu.Route53Client()
	ctx := context.Background()
	zone, err := client.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: awssdk.String("imported.example"), CallerReference: awssdk.String("imported-zone-test")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: zone.HostedZone.Id,
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
			Action: r53types.ChangeActionCreate,
			ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: awssdk.String("www.imported.example."), Type: r53types.RRTypeCname, TTL: awssdk.Int64(300),
				ResourceRecords: []r53types.ResourceRecord{{Value: awssdk.String("web.imported.example.")}},
			},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := configDir(t, map[string]string{"provider.hcl": emu.ProviderHCL(), "main.hcl": `
resource "aws_route53_zone" "imported" {
  name    = "imported.example."
  records = [{ name = "WWW.Imported.Example", type = "CNAME", ttl = 300, values = ["Web.Imported.Example"] }]
}`})
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	id := strings.TrimPrefix(*zone.HostedZone.Id, "/hostedzone/")
	if r := plumbEnv(t, env, dir, "import", "aws_route53_zone.imported", id); r.code != exitOK {
		t.Fatalf("import:\n%s", r)
	}
	if r := plumbEnv(t, env, dir, "plan", "-no-color", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("the plan after the import is not clean:\n%s", r)
	}
}
