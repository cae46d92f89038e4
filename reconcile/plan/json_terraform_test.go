package plan

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/zclconf/go-cty/cty"
)

// terraformPlan is samplePlan with what the sample lacks: modules, an
// import, failed and passed checks, a sensitive variable and request
// counts.
func terraformPlan() *Plan {
	p := samplePlan()
	obj := cty.ObjectVal(map[string]cty.Value{"input": cty.StringVal("v"), "output": cty.StringVal("v"), "id": cty.StringVal("d-9")})
	p.Changes = append(p.Changes,
		&Change{Addr: `module.site["a"].plumb_data.z[0]`, Mode: Managed, Type: "plumb_data", Name: "z", Provider: "plumb",
			Action: Create, Before: cty.NullVal(obj.Type()), After: obj},
		&Change{Addr: `module.site["a"].module.inner.plumb_data.y`, Mode: Managed, Type: "plumb_data", Name: "y", Provider: "plumb",
			Action: NoOp, Before: obj, After: obj},
		&Change{Addr: "plumb_data.adopted", Mode: Managed, Type: "plumb_data", Name: "adopted", Provider: "plumb",
			Action: NoOp, Before: obj, After: obj, ImportID: "d-9"},
	)
	for _, c := range p.Changes {
		switch c.Action {
		case DeleteThenCreate:
			c.ActionReason = ReasonReplaceCannotUpdate
		case Delete:
			c.ActionReason = ReasonDeleteNoConfig
		case Read:
			c.ActionReason = ReasonReadConfigUnknown
		}
	}
	p.Variables["password"] = cty.StringVal("hunter22")
	p.SensitiveVariables = []string{"password"}
	p.Checks = []*Check{
		{Config: "check.health", Addr: "check.health", Kind: CheckBlock, Status: CheckFail, Problems: []string{"the site answers 503"}},
		{Config: "local_file.site", Addr: `local_file.site["a"]`, Kind: CheckResource, Status: CheckPass},
		{Config: "local_file.site", Addr: `local_file.site["b"]`, Kind: CheckResource, Status: CheckUnknown},
		{Config: "module.site.output.url", Addr: `module.site["a"].output.url`, Kind: CheckOutput, Status: CheckPass},
	}
	p.RequestCounts = map[string]int{"route53:ListHostedZones": 2}
	return p
}

// TestJSONReadByTerraformJSON decodes the document with HashiCorp's
// terraform-json, the library Terraform's own tools use, and checks what
// they would read.
func TestJSONReadByTerraformJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderJSON(&buf, terraformPlan()); err != nil {
		t.Fatal(err)
	}
	var tp tfjson.Plan
	if err := json.Unmarshal(buf.Bytes(), &tp); err != nil {
		t.Fatalf("terraform-json cannot read the plan: %v", err)
	}
	if err := tp.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if err := tp.PriorState.Validate(); err != nil {
		t.Errorf("prior_state: %v", err)
	}
	if strings.Contains(buf.String(), "hunter22") || strings.Contains(buf.String(), "s3cret") {
		t.Error("a sensitive value is in the document")
	}
	if tp.Variables["password"].Value != SensitiveValue || tp.Variables["region"].Value != "eu-west-1" {
		t.Errorf("variables = %v, %v", tp.Variables["password"].Value, tp.Variables["region"].Value)
	}

	byAddr := map[string]*tfjson.ResourceChange{}
	for _, rc := range tp.ResourceChanges {
		byAddr[rc.Address] = rc
	}
	for _, tc := range []struct {
		addr    string
		actions tfjson.Actions
		reason  tfjson.ActionReason
	}{
		{"aws_route53_zone.site", tfjson.Actions{tfjson.ActionUpdate}, ""},
		{"data.dns_addresses.office", tfjson.Actions{tfjson.ActionRead}, tfjson.ActionReasonReadBecauseConfigUnknown},
		{"local_file.keep", tfjson.Actions{tfjson.ActionNoop}, ""},
		{"local_file.old", tfjson.Actions{tfjson.ActionDelete}, tfjson.ActionReasonDeleteBecauseNoResourceConfig},
		{`local_file.site["a"]`, tfjson.Actions{tfjson.ActionCreate}, ""},
		{"plumb_data.cbd", tfjson.Actions{tfjson.ActionCreate, tfjson.ActionDelete}, ""},
		{"plumb_data.x", tfjson.Actions{tfjson.ActionDelete, tfjson.ActionCreate}, tfjson.ActionReasonReplaceBecauseCannotUpdate},
		{"plumb_data.adopted", tfjson.Actions{tfjson.ActionNoop}, ""},
	} {
		rc := byAddr[tc.addr]
		if rc == nil {
			t.Errorf("%s is not in resource_changes", tc.addr)
			continue
		}
		if !slices.Equal(rc.Change.Actions, tc.actions) || rc.ActionReason != tc.reason {
			t.Errorf("%s: actions %v, reason %q; want %v, %q", tc.addr, rc.Change.Actions, rc.ActionReason, tc.actions, tc.reason)
		}
	}
	if got := byAddr["plumb_data.x"].Change.Actions; !got.Replace() || !got.DestroyBeforeCreate() {
		t.Errorf("plumb_data.x actions %v: terraform-json does not read a delete-then-create replacement", got)
	}
	if got := byAddr["plumb_data.cbd"].Change.Actions; !got.Replace() || !got.CreateBeforeDestroy() {
		t.Errorf("plumb_data.cbd actions %v: terraform-json does not read a create-then-delete replacement", got)
	}
	if got := byAddr["plumb_data.x"].Change.ReplacePaths; len(got) != 1 || got[0].([]any)[0] != "input" {
		t.Errorf("replace_paths = %v, want [[input]]", got)
	}
	if im := byAddr["plumb_data.adopted"].Change.Importing; im == nil || im.ID != "d-9" {
		t.Errorf("importing = %+v, want id d-9", im)
	}
	zone := byAddr["aws_route53_zone.site"].Change
	if zone.After.(map[string]any)["api_key"] != SensitiveValue || zone.AfterSensitive.(map[string]any)["api_key"] != true {
		t.Errorf("api_key: after %v, after_sensitive %v", zone.After.(map[string]any)["api_key"], zone.AfterSensitive)
	}
	mod := byAddr[`module.site["a"].plumb_data.z[0]`]
	if mod == nil || mod.ModuleAddress != `module.site["a"]` || mod.Index != 0.0 || mod.Name != "z" {
		t.Errorf("a change in a module: %+v", mod)
	}
	if byAddr[`local_file.site["a"]`].Index != "a" {
		t.Errorf(`index of local_file.site["a"] = %v`, byAddr[`local_file.site["a"]`].Index)
	}

	// planned_values and prior_state are Terraform's state representation.
	root := tp.PlannedValues.RootModule
	if got := resourceAddrs(root.Resources); slices.Contains(got, "local_file.old") || !slices.Contains(got, "local_file.keep") {
		t.Errorf("planned root resources %v: want local_file.keep and not the deleted local_file.old", got)
	}
	if len(root.ChildModules) != 1 || root.ChildModules[0].Address != `module.site["a"]` ||
		len(root.ChildModules[0].ChildModules) != 1 || root.ChildModules[0].ChildModules[0].Address != `module.site["a"].module.inner` {
		t.Errorf("planned child modules: %+v", root.ChildModules)
	}
	prior := resourceAddrs(tp.PriorState.Values.RootModule.Resources)
	for _, want := range []string{"local_file.old", "local_file.keep", "aws_route53_zone.site"} {
		if !slices.Contains(prior, want) {
			t.Errorf("prior_state lacks %s: %v", want, prior)
		}
	}
	for _, unwanted := range []string{`local_file.site["a"]`, "plumb_data.adopted"} {
		if slices.Contains(prior, unwanted) {
			t.Errorf("prior_state holds %s, which is not in state yet", unwanted)
		}
	}
	if o := tp.PlannedValues.Outputs["token"]; o == nil || !o.Sensitive || o.Value != SensitiveValue {
		t.Errorf("planned output token = %+v", o)
	}
	if oc := tp.OutputChanges["same"]; oc == nil || !slices.Equal(oc.Actions, tfjson.Actions{tfjson.ActionNoop}) {
		t.Errorf("output_changes.same = %+v, want a no-op", oc)
	}

	// Checks are grouped by configuration address.
	checks := map[string]tfjson.CheckResultStatic{}
	for _, c := range tp.Checks {
		checks[c.Address.ToDisplay] = c
	}
	if c := checks["check.health"]; c.Status != tfjson.CheckStatusFail || c.Address.Kind != tfjson.CheckKindCheckBlock ||
		len(c.Instances) != 1 || c.Instances[0].Problems[0].Message != "the site answers 503" {
		t.Errorf("check.health = %+v", c)
	}
	if c := checks["local_file.site"]; c.Status != tfjson.CheckStatusUnknown || len(c.Instances) != 2 || c.Instances[0].Address.InstanceKey != "a" || c.Address.Type != "local_file" {
		t.Errorf("local_file.site checks = %+v", c)
	}
	if c := checks["module.site.output.url"]; c.Address.Module != "module.site" || c.Address.Name != "url" || c.Instances[0].Address.Module != `module.site["a"]` {
		t.Errorf("module output check = %+v", c)
	}
}

func resourceAddrs(rs []*tfjson.StateResource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Address)
	}
	return out
}

// TestJSONPlumbExtension checks plumb's own member: the summary, the
// warnings (the partial-plan banner first) and the request counts.
func TestJSONPlumbExtension(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderJSON(&buf, terraformPlan()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Plumb struct {
			FormatVersion string         `json:"format_version"`
			Summary       map[string]int `json:"summary"`
			Warnings      []string       `json:"warnings"`
			RequestCounts map[string]int `json:"request_counts"`
		} `json:"plumb"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	x := doc.Plumb
	if x.FormatVersion != PlumbJSONVersion || x.Summary["add"] != 4 || x.Summary["import"] != 1 || x.Summary["checks_failed"] != 1 {
		t.Errorf("plumb = %+v", x)
	}
	if len(x.Warnings) < 2 || !strings.HasPrefix(x.Warnings[0], "This plan covers only: local_file.site") {
		t.Errorf("warnings = %q, want the -target banner first", x.Warnings)
	}
	if x.RequestCounts["route53:ListHostedZones"] != 2 {
		t.Errorf("request_counts = %v", x.RequestCounts)
	}
}

// TestLocate checks the fast reading of addresses against the full one.
func TestLocate(t *testing.T) {
	for _, addr := range []string{
		"x.y", `x.y[0]`, `x.y[12]`, `x.y["a.b"]`, `x.y["with \"quote\""]`, `x.y["$${x}"]`, `x.y["a]b"]`,
		`data.t.n["k"]`, `module.m.x.y`, `module.m[1].x.y["k"]`, `x.y[-1]`, `x.y[`, `x.y[]`, `x.y["]`,
	} {
		got := locate(&Change{Addr: addr})
		want := located{}
		if a, err := config.ParseAddr(addr); err == nil {
			want.module, want.key = a.Module, a.Key
		}
		if got.module.String() != want.module.String() || (got.key == cty.NilVal) != (want.key == cty.NilVal) ||
			(got.key != cty.NilVal && !got.key.RawEquals(want.key)) {
			t.Errorf("locate(%s) = %s %#v, want %s %#v", addr, got.module, got.key, want.module, want.key)
		}
	}
}

// TestJSONRefreshOnly checks that a refresh-only plan's findings are
// resource_drift, with no resource_changes, as Terraform writes them.
func TestJSONRefreshOnly(t *testing.T) {
	p := samplePlan()
	p.RefreshOnly = true
	var buf bytes.Buffer
	if err := RenderJSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	var tp tfjson.Plan
	if err := json.Unmarshal(buf.Bytes(), &tp); err != nil {
		t.Fatal(err)
	}
	if len(tp.ResourceChanges) != 0 || len(tp.ResourceDrift) == 0 {
		t.Errorf("refresh-only plan: %d resource_changes, %d resource_drift; want none and some", len(tp.ResourceChanges), len(tp.ResourceDrift))
	}
	for _, d := range tp.ResourceDrift {
		if d.Mode == tfjson.DataResourceMode || d.Change.Actions.NoOp() {
			t.Errorf("resource_drift lists %s (%v)", d.Address, d.Change.Actions)
		}
	}
}
