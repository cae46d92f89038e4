package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/plumbhq/plumb/internal/awstest"
)

// TestPlanJSONJudgedByPolicy runs the policy of examples/ci/policy with
// Open Policy Agent, as conftest would, against plans of real Route 53
// zones (kumo): a plan that changes nothing and one that adds a zone are
// allowed; one that deletes a zone is denied, naming it. Every document
// is first read with terraform-json, which must validate it.
func TestPlanJSONJudgedByPolicy(t *testing.T) {
	emu := awstest.StartKumo(t)
	zone := func(name string) string {
		return `resource "aws_route53_zone" "` + strings.ReplaceAll(name, ".", "_") + `" {
  name    = "` + name + `"
  records = [{ name = "www.` + name + `.", type = "A", ttl = 300, values = ["192.0.2.1"] }]
}
`
	}
	dir := configDir(t, map[string]string{"main.hcl": emu.ProviderHCL() + zone("example.org") + zone("example.net")})
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	policy := filepath.Join("..", "..", "examples", "ci", "policy", "route53.rego")

	if deny := judge(t, dir, policy); len(deny) != 0 {
		t.Errorf("a plan with no changes is denied: %q", deny)
	}
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(emu.ProviderHCL()+zone("example.org")+zone("example.net")+zone("example.com")), 0o644)
	if deny := judge(t, dir, policy); len(deny) != 0 {
		t.Errorf("a plan that adds a zone is denied: %q", deny)
	}
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(emu.ProviderHCL()+zone("example.org")), 0o644)
	deny := judge(t, dir, policy)
	if len(deny) != 1 || !strings.Contains(deny[0], "aws_route53_zone.example_net would be deleted (delete)") {
		t.Errorf("a plan that deletes a zone: deny = %q, want one message naming aws_route53_zone.example_net", deny)
	}
}

// judge saves a plan of dir, renders it with show -json, checks that
// terraform-json reads it, and returns the messages of the policy's deny
// rules.
func judge(t *testing.T, dir, policy string) []string {
	t.Helper()
	planFile := filepath.Join(dir, "plan.bin")
	if r := plumb(t, dir, "plan", "-out", planFile); r.code != exitOK {
		t.Fatalf("plan:\n%s", r)
	}
	r := plumb(t, dir, "show", "-json", planFile)
	if r.code != exitOK {
		t.Fatalf("show -json:\n%s", r)
	}
	var tp tfjson.Plan
	if err := json.Unmarshal([]byte(r.stdout), &tp); err != nil {
		t.Fatalf("terraform-json cannot read show -json: %v\n%s", err, r.stdout)
	}
	if err := tp.Validate(); err != nil {
		t.Fatalf("terraform-json: %v", err)
	}
	var input any
	if err := json.Unmarshal([]byte(r.stdout), &input); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(policy)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rego.New(
		rego.Query("data.main.deny"),
		rego.Module(filepath.Base(policy), string(src)),
		rego.Input(input),
	).Eval(context.Background())
	if err != nil {
		t.Fatalf("evaluating %s: %v", policy, err)
	}
	var deny []string
	for _, res := range rs {
		for _, expr := range res.Expressions {
			for _, m := range expr.Value.([]any) {
				deny = append(deny, m.(string))
			}
		}
	}
	slices.Sort(deny)
	return deny
}
