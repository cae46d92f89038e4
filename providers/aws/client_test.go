package aws

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers"
)

// noDelay retries at once, so tests of retries take no time.
var noDelay = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })

// emulatorProvider configures a provider for the emulator with the given
// extra attributes (no rate limit unless they set one) and clock.
func emulatorProvider(t testing.TB, e *awstest.Emulator, clock Clock, extra map[string]cty.Value) *Provider {
	t.Helper()
	attrs := map[string]cty.Value{
		"endpoint":                cty.StringVal(e.URL()),
		"access_key":              cty.StringVal(awstest.AccessKeyID),
		"secret_key":              cty.StringVal(awstest.SecretAccessKey),
		"max_requests_per_second": cty.Zero,
	}
	maps.Copy(attrs, extra)
	p := New().(*Provider)
	p.clock, p.backoff = clock, noDelay
	if d := p.Configure(context.Background(), providers.ConfigureRequest{Config: configValue(attrs)}); d.Diagnostics.HasErrors() {
		t.Fatal(d.Diagnostics.Error())
	}
	return p
}

var refSeq int

func createZone(c *route53.Client, name string) (*route53.CreateHostedZoneOutput, error) {
	refSeq++
	return c.CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{
		Name: aws.String(name), CallerReference: aws.String(fmt.Sprintf("%s-%d-%d", name, refSeq, time.Now().UnixNano())),
	})
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// prefixed returns the shim's counts keyed the way the provider keys them.
func prefixed(counts map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range counts {
		out["route53:"+k] = v
	}
	return out
}

func TestRequestCounts(t *testing.T) {
	e := awstest.StartKumo(t)
	p := emulatorProvider(t, e, nil, nil)
	c := p.Route53()
	ctx := context.Background()
	z, err := createZone(c, "count.test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.ListHostedZones(ctx, &route53.ListHostedZonesInput{}); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int{"route53:CreateHostedZone": 1, "route53:ListResourceRecordSets": 1, "route53:ListHostedZones": 3}
	if diff := cmp.Diff(want, p.RequestCounts()); diff != "" {
		t.Errorf("provider counts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, prefixed(e.Route53().Counts())); diff != "" {
		t.Errorf("requests the emulator saw (-want +got):\n%s", diff)
	}
	var rc RequestCounter = p
	rc.RequestCounts()["route53:ListHostedZones"] = 99
	if p.RequestCounts()["route53:ListHostedZones"] != 3 {
		t.Error("RequestCounts returned the provider's own map, not a copy")
	}
}

func TestPaginationReturnsAllRecords(t *testing.T) {
	e := awstest.StartKumo(t)
	p := emulatorProvider(t, e, nil, nil)
	c := p.Route53()
	z, err := createZone(c, "page.test")
	if err != nil {
		t.Fatal(err)
	}
	var changes []types.Change
	for i := range 998 { // with the apex SOA and NS: 1,000
		changes = append(changes, types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String(fmt.Sprintf("r%d.page.test", i)), Type: types.RRTypeA, TTL: aws.Int64(60),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String("192.0.2.7")}},
		}})
	}
	if _, err := c.ChangeResourceRecordSets(context.Background(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: z.HostedZone.Id, ChangeBatch: &types.ChangeBatch{Changes: changes},
	}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	pages := 0
	pg := route53.NewListResourceRecordSetsPaginator(c, &route53.ListResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id})
	for pg.HasMorePages() {
		out, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.ResourceRecordSets {
			seen[*r.Name+" "+string(r.Type)] = true
		}
	}
	if len(seen) != 1000 || pages != 4 {
		t.Errorf("listed %d distinct record sets in %d pages, want 1000 in 4", len(seen), pages)
	}
	if got := p.RequestCounts()["route53:ListResourceRecordSets"]; got != 4 {
		t.Errorf("ListResourceRecordSets requests counted: %d, want 4", got)
	}
}

func TestCallerReferenceReuseFails(t *testing.T) {
	e := awstest.StartKumo(t)
	c := emulatorProvider(t, e, nil, nil).Route53()
	in := &route53.CreateHostedZoneInput{Name: aws.String("ref.test"), CallerReference: aws.String("plumb-ref-1")}
	if _, err := c.CreateHostedZone(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateHostedZone(context.Background(), in)
	var exists *types.HostedZoneAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("reused caller reference: err = %v, want HostedZoneAlreadyExists", err)
	}
}

func TestThrottlingIsRetried(t *testing.T) {
	tests := []struct {
		name   string
		faults awstest.Faults
		code   string
	}{
		{"Throttling", awstest.Faults{ThrottleEvery: 2}, "Throttling"},
		{"PriorRequestNotComplete", awstest.Faults{PriorRequestNotCompleteEvery: 2}, "PriorRequestNotComplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := awstest.StartKumo(t)
			p := emulatorProvider(t, e, nil, nil)
			c := p.Route53()
			z, err := createZone(c, "retry.test")
			if err != nil {
				t.Fatal(err)
			}
			e.Route53().SetFaults(tt.faults)
			for i := range 6 {
				_, err := c.ChangeResourceRecordSets(context.Background(), &route53.ChangeResourceRecordSetsInput{
					HostedZoneId: z.HostedZone.Id,
					ChangeBatch: &types.ChangeBatch{Changes: []types.Change{{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
						Name: aws.String(fmt.Sprintf("r%d.retry.test", i)), Type: types.RRTypeA, TTL: aws.Int64(60),
						ResourceRecords: []types.ResourceRecord{{Value: aws.String("192.0.2.1")}},
					}}}},
				})
				if err != nil {
					t.Fatalf("change %d failed despite retries: %v", i, err)
				}
			}
			rejected := e.Route53().Rejected()["ChangeResourceRecordSets"]
			if rejected == 0 {
				t.Fatalf("the emulator injected no %s", tt.code)
			}
			if got := p.RequestCounts()["route53:ChangeResourceRecordSets"]; got != 6+rejected {
				t.Errorf("counted %d attempts, want 6 successes + %d retried", got, rejected)
			}
		})
	}
}

func TestRetriesGiveUp(t *testing.T) {
	e := awstest.StartKumo(t)
	p := emulatorProvider(t, e, nil, map[string]cty.Value{"max_retries": cty.NumberIntVal(2)})
	e.Route53().SetFaults(awstest.Faults{ThrottleEvery: 1})
	_, err := p.Route53().ListHostedZones(context.Background(), &route53.ListHostedZonesInput{})
	if code := errorCode(err); code != "Throttling" {
		t.Fatalf("err = %v, want Throttling after the retries ran out", err)
	}
	if got := e.Route53().Counts()["ListHostedZones"]; got != 3 {
		t.Errorf("emulator saw %d attempts, want 3 (max_retries 2)", got)
	}
}

// TestEmulatorProviderBlock configures the provider from the block the
// emulator hands to plumb configurations, decoded with the schema.
func TestEmulatorProviderBlock(t *testing.T) {
	e := awstest.StartKumo(t)
	f, diags := hclsyntax.ParseConfig([]byte(e.ProviderHCL()), "main.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	content, diags := f.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "provider", LabelNames: []string{"name"}}}})
	if diags.HasErrors() || len(content.Blocks) != 1 || content.Blocks[0].Labels[0] != Name {
		t.Fatalf("ProviderHCL is not one provider %q block: %v", Name, diags)
	}
	p := New().(*Provider)
	v, diags := hcldec.Decode(content.Blocks[0].Body, p.Schema().DecoderSpec(), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if d := p.Configure(context.Background(), providers.ConfigureRequest{Config: p.Schema().Complete(v)}); d.Diagnostics.HasErrors() {
		t.Fatal(d.Diagnostics.Error())
	}
	if p.limit != nil {
		t.Error("the emulator's block left a rate limit on")
	}
	if _, err := createZone(p.Route53(), "block.test"); err != nil {
		t.Fatal(err)
	}
	if got := e.Route53().Counts()["CreateHostedZone"]; got != 1 {
		t.Errorf("emulator saw %d CreateHostedZone, want 1", got)
	}
}
