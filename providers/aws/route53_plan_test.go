package aws

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// createZoneByHand creates a zone through a plain client with the caller
// reference ref, as an earlier run (or a person) would have.
func createZoneByHand(t *testing.T, e *awstest.Emulator, name, ref string) string {
	t.Helper()
	out, err := e.Route53Client().CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{
		Name: aws.String(name), CallerReference: aws.String(ref),
	})
	if err != nil {
		t.Fatal(err)
	}
	return bareZoneID(aws.ToString(out.HostedZone.Id))
}

// TestTakeBackInterruptedCreate: a run created the zone and died before
// recording it; the next plan finds the zone by its caller reference and
// takes it back instead of creating a second one.
func TestTakeBackInterruptedCreate(t *testing.T) {
	e := awstest.StartKumo(t)
	const addr, origin = `aws_route53_zone.site["back.test"]`, "back.test"
	id := createZoneByHand(t, e, origin, CallerReference(addr, origin, 1))
	_, r := zoneRes(t, e)
	config := zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin), "records": dns.ListValue(parseRecords(t, origin, standardLines...))})
	plan := planZone(r, addr, cty.NullVal(r.ty), config)
	if plan.Diagnostics.HasErrors() || findDiag(plan.Diagnostics, hcl.DiagWarning, "Taking back hosted zone "+id) == nil {
		t.Fatalf("plan diagnostics %v, want a warning taking back %s", plan.Diagnostics, id)
	}
	if got := plan.Planned.GetAttr("zone_id"); !got.RawEquals(cty.StringVal(id)) {
		t.Fatalf("planned zone_id = %#v, want %s", got, id)
	}
	e.Route53().ResetCounts()
	state := applyZone(t, r, addr, cty.NullVal(r.ty), config)
	if got := state.GetAttr("zone_id").AsString(); got != id {
		t.Errorf("zone_id = %s, want the zone taken back, %s", got, id)
	}
	if n := e.Route53().Counts()["CreateHostedZone"]; n != 0 {
		t.Errorf("%d CreateHostedZone sent; the zone existed", n)
	}
	if zs := zonesNamed(t, e, origin+"."); len(zs) != 1 {
		t.Errorf("%d zones named %s, want 1", len(zs), origin)
	}
	if got := liveSets(t, e, id)["www.back.test. CNAME"]; got != "back.test." {
		t.Errorf("records not written to the zone taken back: www CNAME = %q", got)
	}
	if ns := state.GetAttr("nameservers"); !ns.IsWhollyKnown() || ns.LengthInt() != 4 {
		t.Errorf("nameservers = %#v", ns)
	}
	// Another address's zone of the same name is not taken back.
	other := planZone(r, `aws_route53_zone.other["back.test"]`, cty.NullVal(r.ty), config)
	if !other.Diagnostics.HasErrors() {
		t.Error("a zone made for another address was taken back")
	}
}

// TestTakeBackRetriedCreate: CreateHostedZone went through but its answer
// was lost, so the retry finds its caller reference used; apply looks the
// zone up by name and reference and takes it back.
func TestTakeBackRetriedCreate(t *testing.T) {
	e := awstest.StartKumo(t)
	const addr, origin = "aws_route53_zone.retry", "retry.test"
	_, r := zoneRes(t, e)
	config := zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin), "records": dns.ListValue(parseRecords(t, origin, "@ A 192.0.2.1"))})
	plan := planZone(r, addr, cty.NullVal(r.ty), config)
	if len(plan.Diagnostics) != 0 || plan.Planned.GetAttr("zone_id").IsKnown() {
		t.Fatalf("plan of a new zone: %v", plan.Diagnostics)
	}
	id := createZoneByHand(t, e, origin, CallerReference(addr, origin, 1)) // the lost answer
	resp := r.Apply(context.Background(), providers.ApplyRequest{Addr: addr, Prior: cty.NullVal(r.ty), Planned: plan.Planned, Config: config})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Error())
	}
	if got := resp.State.GetAttr("zone_id").AsString(); got != id {
		t.Errorf("zone_id = %s, want %s", got, id)
	}
	if zs := zonesNamed(t, e, origin+"."); len(zs) != 1 {
		t.Errorf("%d zones named %s, want 1", len(zs), origin)
	}
	if got := liveSets(t, e, id)["retry.test. A"]; got != "192.0.2.1" {
		t.Errorf("apex A = %q", got)
	}
}

// TestCreateAgainAfterDelete: a zone deleted and created again at the same
// address gets the next caller reference, since Route 53 never takes one
// back.
func TestCreateAgainAfterDelete(t *testing.T) {
	e := awstest.StartKumo(t)
	const addr, origin = "aws_route53_zone.again", "again.test"
	_, r := zoneRes(t, e)
	config := zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin)})
	null := cty.NullVal(r.ty)
	for i, want := range []string{CallerReference(addr, origin, 1), CallerReference(addr, origin, 2), CallerReference(addr, origin, 3)} {
		state := applyZone(t, r, addr, null, config)
		if got := state.GetAttr("caller_reference").AsString(); got != want {
			t.Errorf("create %d: caller reference %s, want %s", i+1, got, want)
		}
		if del := r.Apply(context.Background(), providers.ApplyRequest{Addr: addr, Prior: state, Planned: null, Config: null}); del.Diagnostics.HasErrors() {
			t.Fatal(del.Diagnostics.Error())
		}
	}
}

// TestExistingZoneRefused: a zone of the same name that plumb did not make
// stops the plan, which says how to import it; adopt_existing takes it
// over instead.
func TestExistingZoneRefused(t *testing.T) {
	e := awstest.StartKumo(t)
	const addr, origin = `aws_route53_zone.site["taken.test"]`, "taken.test"
	id := createZoneByHand(t, e, origin, "made-by-hand")
	changeByHand(t, e, id, newChange("CREATE", recordSet("old.taken.test.", "A", 300, "192.0.2.77")))
	_, r := zoneRes(t, e)
	attrs := map[string]cty.Value{"name": cty.StringVal(origin), "records": dns.ListValue(parseRecords(t, origin, "@ A 192.0.2.1"))}
	plan := planZone(r, addr, cty.NullVal(r.ty), zoneConfig(attrs))
	d := findDiag(plan.Diagnostics, hcl.DiagError, "already exists")
	if d == nil {
		t.Fatalf("plan diagnostics %v, want the zone refused", plan.Diagnostics)
	}
	for _, want := range []string{
		"import {\n    to = " + addr + "\n    id = \"" + id + "\"\n  }",
		"plumb import '" + addr + "' " + id,
		"adopt_existing = true",
	} {
		if !strings.Contains(d.Detail, want) {
			t.Errorf("refusal lacks %q:\n%s", want, d.Detail)
		}
	}
	if got, _ := d.Extra.(providers.AttributePath); got != "name" {
		t.Errorf("refusal is about %q, want name", got)
	}

	attrs["adopt_existing"] = cty.True
	plan = planZone(r, addr, cty.NullVal(r.ty), zoneConfig(attrs))
	if plan.Diagnostics.HasErrors() || findDiag(plan.Diagnostics, hcl.DiagWarning, "Adopting hosted zone "+id) == nil {
		t.Fatalf("adopt plan: %v", plan.Diagnostics)
	}
	state := applyZone(t, r, addr, cty.NullVal(r.ty), zoneConfig(attrs))
	live := liveSets(t, e, id)
	if _, ok := live["old.taken.test. A"]; ok || live["taken.test. A"] != "192.0.2.1" || state.GetAttr("zone_id").AsString() != id {
		t.Errorf("adopted zone holds %v", live)
	}
}

// TestMassChange: a plan that changes or deletes over 30% of a zone of 10
// or more sets is refused, unless allow_mass_change; small zones and small
// changes pass.
func TestMassChange(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	const origin = "mass.test"
	lines := func(n, changed int) []string {
		var out []string
		for i := range n {
			last := 1
			if i < changed {
				last = 2
			}
			out = append(out, fmt.Sprintf("h%d A 192.0.2.%d", i, last))
		}
		return out
	}
	cfg := func(n, changed int, allow bool) cty.Value {
		attrs := map[string]cty.Value{"name": cty.StringVal(origin), "records": dns.ListValue(parseRecords(t, origin, lines(n, changed)...))}
		if allow {
			attrs["allow_mass_change"] = cty.True
		}
		return zoneConfig(attrs)
	}
	tests := []struct {
		name            string
		size, changed   int
		deleted         int
		allow, refused  bool
		wantChanged, of int
	}{
		{"3 of 10 changed", 10, 3, 0, false, false, 0, 0},
		{"4 of 10 changed", 10, 4, 0, false, true, 4, 10},
		{"2 changed, 2 deleted of 12", 12, 2, 2, false, true, 4, 12},
		{"4 of 10 allowed", 10, 4, 0, true, false, 0, 0},
		{"all of 9 changed", 9, 9, 0, false, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := applyZone(t, r, "", cty.NullVal(r.ty), cfg(tt.size, 0, false))
			t.Cleanup(func() {
				r.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: cty.NullVal(r.ty), Config: cty.NullVal(r.ty)})
			})
			desired := cfg(tt.size-tt.deleted, tt.changed, tt.allow)
			plan := planZone(r, "", state, desired)
			var got *providers.MassChange
			for _, d := range plan.Diagnostics {
				if mc, ok := d.Extra.(providers.MassChange); ok && d.Severity == hcl.DiagError {
					got = &mc
				}
			}
			if (got != nil) != tt.refused {
				t.Fatalf("refused = %v, want %v (%v)", got != nil, tt.refused, plan.Diagnostics)
			}
			if got != nil && (got.Changed != tt.wantChanged || got.Total != tt.of) {
				t.Errorf("MassChange = %+v, want %d of %d", *got, tt.wantChanged, tt.of)
			}
			if plan.Planned.IsNull() || !plan.Planned.GetAttr("records").RawEquals(desired.GetAttr("records")) {
				t.Error("the plan does not carry the planned state for -allow-mass-change to use")
			}
		})
	}
}

// TestPlanUnchangedSendsNothing: planning an unchanged zone compares cty
// values and sends no request.
func TestPlanUnchangedSendsNothing(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	config := zoneConfig(map[string]cty.Value{"name": cty.StringVal("same.test"), "records": dns.ListValue(parseRecords(t, "same.test", standardLines...))})
	state := applyZone(t, r, "", cty.NullVal(r.ty), config)
	e.Route53().ResetCounts()
	plan := planZone(r, "", state, config)
	if !plan.Planned.RawEquals(state) || len(plan.Diagnostics) > 0 {
		t.Errorf("plan of an unchanged zone is not a no-op: %v", plan.Diagnostics)
	}
	renamed := zoneConfig(map[string]cty.Value{"name": cty.StringVal("Same.Test."), "records": config.GetAttr("records")})
	if plan := planZone(r, "", state, renamed); len(plan.RequiresReplace) > 0 {
		t.Errorf("a name differing in case and dot replaces the zone: %v", plan.RequiresReplace)
	}
	if n := len(e.Route53().Counts()); n != 0 {
		t.Errorf("plan sent requests: %v", e.Route53().Counts())
	}
	other := zoneConfig(map[string]cty.Value{"name": cty.StringVal("other.test")})
	if plan := planZone(r, "", state, other); len(plan.RequiresReplace) != 1 || plan.RequiresReplace[0] != "name" {
		t.Errorf("a new name: RequiresReplace %v, want [name]", plan.RequiresReplace)
	}
}

// TestPlanRejectsBadRecords: records outside the zone, a CNAME beside
// other data or at the apex are refused at plan, about records.
func TestPlanRejectsBadRecords(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	rec := func(name, typ string, vals ...string) cty.Value {
		vs := make([]cty.Value, len(vals))
		for i, v := range vals {
			vs[i] = cty.StringVal(v)
		}
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "type": cty.StringVal(typ), "ttl": cty.NumberIntVal(300), "values": cty.ListVal(vs)})
	}
	tests := []struct {
		name  string
		recs  []cty.Value
		words string
	}{
		{"outside", []cty.Value{rec("www.elsewhere.test.", "A", "192.0.2.1")}, "outside the zone"},
		{"relative", []cty.Value{rec("www", "A", "192.0.2.1")}, "fully qualified"},
		{"cname beside", []cty.Value{rec("a.bad.test.", "CNAME", "x.test."), rec("a.bad.test.", "TXT", "hi")}, "CNAME beside"},
		{"cname at apex", []cty.Value{rec("bad.test.", "CNAME", "x.test.")}, "apex"},
		{"twice", []cty.Value{rec("a.bad.test.", "A", "192.0.2.1"), rec("A.bad.test", "A", "192.0.2.2")}, "twice"},
		{"bad value", []cty.Value{rec("a.bad.test.", "A", "not-an-address")}, "IPv4"},
		// A type BIND serves but Route 53 does not is refused by name.
		{"HINFO", []cty.Value{rec("h.bad.test.", "HINFO", `"PC" "Linux"`)}, "Route 53 does not support HINFO records"},
		{"generic type", []cty.Value{rec("h.bad.test.", "TYPE65534", `\# 1 00`)}, "Route 53 does not support TYPE65534 records"},
		{"DNSKEY", []cty.Value{rec("bad.test.", "DNSKEY", "257 3 13 AAAA")}, "Route 53 does not support DNSKEY records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := planZone(r, "", cty.NullVal(r.ty), zoneConfig(map[string]cty.Value{"name": cty.StringVal("bad.test"), "records": cty.ListVal(tt.recs)}))
			d := findDiag(plan.Diagnostics, hcl.DiagError, tt.words)
			if d == nil {
				t.Fatalf("diagnostics %v, want an error with %q", plan.Diagnostics, tt.words)
			}
			if got, _ := d.Extra.(providers.AttributePath); got != "records" {
				t.Errorf("error is about %q, want records", got)
			}
		})
	}
	if d := r.ValidateConfig(context.Background(), zoneConfig(map[string]cty.Value{"name": cty.StringVal("bad..name")})); !d.HasErrors() {
		t.Error("ValidateConfig accepted an invalid zone name")
	}
}

// Without credentials, the account's zones are listed once, not once a
// zone, and every zone fails at once: one of them with the whole
// credentials message, the others with a line pointing to it.
func TestNoCredentialsFailsOnce(t *testing.T) {
	e := awstest.StartKumo(t)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_WEB_IDENTITY_TOKEN_FILE": "",
	} {
		t.Setenv(k, v)
	}
	p := emulatorProvider(t, e, nil, map[string]cty.Value{"access_key": cty.NullVal(cty.String), "secret_key": cty.NullVal(cty.String)})
	r := p.Resources()[ZoneType].(*zoneResource)
	const zones = 20
	var wg sync.WaitGroup
	resps := make([]providers.PlanResponse, zones)
	for i := range zones {
		wg.Go(func() {
			resps[i] = planZone(r, "", cty.NullVal(r.ty), zoneConfig(map[string]cty.Value{"name": cty.StringVal(fmt.Sprintf("z%d.nocreds.test", i))}))
		})
	}
	wg.Wait()
	full := 0
	for i, resp := range resps {
		if !resp.Diagnostics.HasErrors() {
			t.Fatalf("zone %d planned without credentials", i)
		}
		d := resp.Diagnostics[0]
		switch {
		case d.Summary == "No usable AWS credentials":
			full++
			if !strings.Contains(d.Detail, "AWS_ACCESS_KEY_ID") {
				t.Errorf("the credentials message does not say what to do: %s", d.Detail)
			}
		case !strings.Contains(d.Detail, "as the first error about it says"):
			t.Errorf("zone %d: %s: %s", i, d.Summary, d.Detail)
		}
	}
	if full != 1 {
		t.Errorf("%d zones carry the credentials message, want 1", full)
	}
	if n := p.RequestCounts()["ListHostedZones"]; n > 1 {
		t.Errorf("%d ListHostedZones attempts, want 1", n)
	}
}

// A plan says, once per record set, what goes to Route 53 differently from
// how it is given: a UTF-8 name in both forms, TXT strings split at 255
// bytes. The plan with nothing to change says nothing.
func TestPlanSaysWhatNormalisingChanged(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	long := strings.Repeat("v", 300)
	rec := func(name, typ string, vals ...string) cty.Value {
		vs := make([]cty.Value, len(vals))
		for i, v := range vals {
			vs[i] = cty.StringVal(v)
		}
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "type": cty.StringVal(typ), "ttl": cty.NumberIntVal(300), "values": cty.ListVal(vs)})
	}
	cfg := zoneConfig(map[string]cty.Value{"name": cty.StringVal("notes.test"), "records": cty.ListVal([]cty.Value{
		rec("bücher.notes.test.", "A", "192.0.2.7"),
		rec("t.notes.test.", "TXT", long, long+"w"),
	})})
	plan := planZone(r, "aws_route53_zone.n", cty.NullVal(r.ty), cfg)
	d := findDiag(plan.Diagnostics, hcl.DiagWarning, "sends some records differently")
	if plan.Diagnostics.HasErrors() || d == nil {
		t.Fatalf("diagnostics %v, want a warning about normalising", plan.Diagnostics)
	}
	for _, want := range []string{
		"xn--bcher-kva.notes.test. A: the name bücher.notes.test is written in punycode as xn--bcher-kva.notes.test.",
		"t.notes.test. TXT: a string of this record is longer than 255 bytes",
	} {
		if !strings.Contains(d.Detail, want) {
			t.Errorf("warning detail\n%s\ndoes not say %q", d.Detail, want)
		}
	}
	if n := strings.Count(d.Detail, "t.notes.test. TXT"); n != 1 {
		t.Errorf("the split TXT set is named %d times, want once:\n%s", n, d.Detail)
	}
	state := applyZone(t, r, "aws_route53_zone.n", cty.NullVal(r.ty), cfg)
	if again := planZone(r, "aws_route53_zone.n", state, cfg); len(again.Diagnostics) != 0 {
		t.Errorf("the no-change plan: %v", again.Diagnostics)
	}
}
