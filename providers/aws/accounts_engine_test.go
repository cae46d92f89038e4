package aws

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/state"
)

// TestAccountsThroughProviderConfigurations manages Route 53 zones in two
// AWS accounts (two emulators, each its own account) from one
// configuration: the default aws configuration and an aliased one with
// for_each over the accounts. Each zone must land in the account of the
// provider instance it names, state must record that instance, and a plan
// after apply must be empty.
func TestAccountsThroughProviderConfigurations(t *testing.T) {
	blue, green := awstest.StartKumo(t), awstest.StartKumo(t)
	dir := t.TempDir()
	t.Chdir(dir)
	src := fmt.Sprintf(`
variable "accounts" {
  type    = map(string)
  default = { blue = %q, green = %q }
}
provider "aws" {
  region                  = "us-east-1"
  endpoint                = %q
  access_key              = %q
  secret_key              = %q
  max_requests_per_second = 0
}
provider "aws" {
  alias                   = "account"
  for_each                = var.accounts
  region                  = "eu-west-1"
  endpoint                = each.value
  access_key              = %q
  secret_key              = %q
  max_requests_per_second = 0
}
resource "aws_route53_zone" "home" {
  name = "home.example"
}
resource "aws_route53_zone" "team" {
  for_each = var.accounts
  provider = aws.account[each.key]
  name     = "${each.key}.example"
}
`, blue.URL(), green.URL(), blue.URL(), awstest.AccessKeyID, awstest.SecretAccessKey, awstest.AccessKeyID, awstest.SecretAccessKey)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := providers.NewRegistry()
	reg.Register("aws", New)
	backend := state.NewLocal(filepath.Join(dir, "plumb.state"))
	ctx := context.Background()
	run := func(apply bool) *state.State {
		t.Helper()
		e, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: reg})
		if diags.HasErrors() {
			t.Fatalf("load: %v", diags)
		}
		defer e.Close()
		st, err := backend.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p, diags := e.Plan(ctx, st)
		if diags.HasErrors() {
			t.Fatalf("plan: %v", diags)
		}
		if !apply {
			if p.HasChanges() {
				t.Fatalf("the plan after apply has changes: %+v", p.Count())
			}
			return st
		}
		final, diags := e.Apply(ctx, st, p, backend)
		if diags.HasErrors() {
			t.Fatalf("apply: %v", diags)
		}
		return final
	}
	st := run(true)
	if got, want := zoneNames(t, blue.Route53Client()), "blue.example. home.example."; got != want {
		t.Errorf("blue account holds %q, want %q", got, want)
	}
	if got, want := zoneNames(t, green.Route53Client()), "green.example."; got != want {
		t.Errorf("green account holds %q, want %q", got, want)
	}
	for addr, want := range map[string]string{
		"aws_route53_zone.home":          "provider.aws",
		`aws_route53_zone.team["blue"]`:  `provider.aws.account["blue"]`,
		`aws_route53_zone.team["green"]`: `provider.aws.account["green"]`,
	} {
		if inst := st.Resources[addr]; inst == nil || inst.Provider != want {
			t.Errorf("state records %+v for %s, want provider %s", inst, addr, want)
		}
	}
	run(false)
}

func zoneNames(t *testing.T, c *route53.Client) string {
	t.Helper()
	out, err := c.ListHostedZones(context.Background(), &route53.ListHostedZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, z := range out.HostedZones {
		names = append(names, *z.Name)
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}
