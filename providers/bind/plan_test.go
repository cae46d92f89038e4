package bind

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// applied creates a zone from cfg and returns its state.
func applied(t *testing.T, r *zoneResource, cfg cty.Value) cty.Value {
	t.Helper()
	cfg = r.schema.Complete(cfg)
	p := r.Plan(context.Background(), providers.PlanRequest{Prior: r.null, Config: cfg})
	if p.Diagnostics.HasErrors() {
		t.Fatalf("plan: %s", p.Diagnostics.Error())
	}
	a := r.Apply(context.Background(), providers.ApplyRequest{Prior: r.null, Planned: p.Planned, Config: cfg})
	if a.Diagnostics.HasErrors() {
		t.Fatalf("apply: %s", a.Diagnostics.Error())
	}
	return a.State
}

// plan plans cfg against prior.
func plan(r *zoneResource, prior, cfg cty.Value) providers.PlanResponse {
	return r.Plan(context.Background(), providers.PlanRequest{Prior: prior, Config: r.schema.Complete(cfg)})
}

func TestPlanRefusesBadZones(t *testing.T) {
	const org = "example.org."
	recs := siteRecords(org)
	for _, tc := range []struct {
		name    string
		cfg     cty.Value
		attr    string
		wantErr string
	}{
		{"apex SOA", zoneCfg(org, "z", append(recs, rec(org, "SOA", 3600, "ns1.example.com. h.example.org. 1 2 3 4 5")), nil),
			"records", `r if r.type != "SOA"`},
		{"SOA below the apex", zoneCfg(org, "z", append(recs, rec("x."+org, "SOA", 3600, "ns1.example.com. h.example.org. 1 2 3 4 5")), nil),
			"records", "not at the zone's apex"},
		{"no NS", zoneCfg(org, "z", without(recs, org+" NS"), nil), "records", "has no NS records at its apex"},
		{"no records", zoneCfg(org, "z", nil, nil), "records", "has no NS records at its apex"},
		{"in-zone name server without address", zoneCfg(org, "z", withRecord(recs, rec(org, "NS", 3600, "ns1.example.org.")), nil),
			"records", "ns1.example.org. is inside the zone"},
		{"CNAME at the apex", zoneCfg(org, "z", withRecord(without(recs, org+" A", org+" AAAA", org+" MX", org+" TXT"), rec(org, "CNAME", 300, "example.com.")), nil),
			"records", "CNAME at the zone's apex"},
		{"CNAME beside other data", zoneCfg(org, "z", withRecord(recs, rec("www."+org, "A", 300, "192.0.2.1")), nil),
			"records", "www.example.org. has a CNAME and other records (A, CNAME)"},
		{"record outside the zone", zoneCfg(org, "z", withRecord(recs, rec("www.example.com.", "A", 300, "192.0.2.1")), nil),
			"records", "www.example.com. A is outside the zone example.org."},
		{"set listed twice", zoneCfg(org, "z", nil, map[string]cty.Value{"records": cty.ListVal([]cty.Value{
			rec(org, "NS", 60, "ns1.example.com.").Value(), rec(org, "NS", 60, "ns2.example.com.").Value()})}),
			"records", "twice"},
		{"bad value", zoneCfg(org, "z", nil, map[string]cty.Value{"records": cty.ListVal([]cty.Value{
			looseRecord(org, "A", 60, "not-an-address")})}),
			"records", "invalid A value"},
		{"bad name", zoneCfg("exa mple..org", "z", recs, nil), "name", "empty label"},
		{"empty directory", zoneCfg(org, "", recs, nil), "directory", "empty string"},
		{"no directory", zoneCfg(org, "", recs, map[string]cty.Value{"directory": cty.NullVal(cty.String)}), "directory", "Set directory"},
		{"filename with a directory", zoneCfg(org, "z", recs, map[string]cty.Value{"filename": cty.StringVal("sub/x.zone")}),
			"filename", "plain file name"},
		{"negative ttl", zoneCfg(org, "z", recs, map[string]cty.Value{"ttl": cty.NumberIntVal(-1)}), "ttl", "whole number of seconds"},
		{"bad rname", zoneCfg(org, "z", recs, map[string]cty.Value{"soa": soaBlock(map[string]cty.Value{"rname": cty.StringVal("@example.org")})}),
			"soa.rname", "not a mail address"},
		{"fractional refresh", zoneCfg(org, "z", recs, map[string]cty.Value{"soa": soaBlock(map[string]cty.Value{"refresh": cty.NumberFloatVal(1.5)})}),
			"soa.refresh", "soa.refresh = 1.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := plan(testResource(), testResource().null, tc.cfg)
			if !resp.Diagnostics.HasErrors() {
				t.Fatalf("the plan was accepted; want an error about %s", tc.attr)
			}
			d := resp.Diagnostics[0]
			if d.Extra != providers.AttributePath(tc.attr) {
				t.Errorf("the error is about %v, want %s", d.Extra, tc.attr)
			}
			if !strings.Contains(resp.Diagnostics.Error(), tc.wantErr) {
				t.Errorf("error %q does not say %q", resp.Diagnostics.Error(), tc.wantErr)
			}
		})
	}
}

func TestPlanCreate(t *testing.T) {
	r := testResource()
	resp := plan(r, r.null, zoneCfg("Example.ORG", "out/zones", siteRecords("example.org."), nil))
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Error())
	}
	p := resp.Planned
	for attr, want := range map[string]cty.Value{
		"name":     cty.StringVal("Example.ORG"),
		"filename": cty.StringVal("example.org.zone"),
		"path":     cty.StringVal("out/zones/example.org.zone"),
		"id":       cty.StringVal("out/zones/example.org.zone"),
		"ttl":      cty.NumberIntVal(3600),
		"soa": cty.ObjectVal(map[string]cty.Value{
			"mname": cty.StringVal("ns1.example.com."), "rname": cty.StringVal("hostmaster.example.org."),
			"refresh": cty.NumberIntVal(7200), "retry": cty.NumberIntVal(3600), "expire": cty.NumberIntVal(1209600), "minimum": cty.NumberIntVal(3600),
		}),
		"serial": cty.UnknownVal(cty.Number),
	} {
		if got := p.GetAttr(attr); !got.RawEquals(want) {
			t.Errorf("planned %s = %#v, want %#v", attr, got, want)
		}
	}
}

func TestPlanUnknowns(t *testing.T) {
	r := testResource()
	cfg := zoneCfg("example.org.", "z", nil, map[string]cty.Value{"records": cty.UnknownVal(cty.List(dns.RecordType))})
	resp := plan(r, r.null, cfg)
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Error())
	}
	if resp.Planned.GetAttr("soa").GetAttr("mname").IsKnown() {
		t.Errorf("the default mname should be unknown while the records are")
	}
	if !resp.Planned.GetAttr("path").IsKnown() {
		t.Errorf("path should be known: it depends on name and directory only")
	}
	cfg = zoneCfg("example.org.", "z", siteRecords("example.org."), map[string]cty.Value{"name": cty.UnknownVal(cty.String)})
	resp = plan(r, r.null, cfg)
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Error())
	}
	for _, attr := range []string{"filename", "path", "id"} {
		if resp.Planned.GetAttr(attr).IsKnown() {
			t.Errorf("%s should be unknown while the name is", attr)
		}
	}
}

// TestPlanReplace checks which changes replace the zone and which are
// the same zone spelled differently.
func TestPlanReplace(t *testing.T) {
	dir := t.TempDir()
	r := testResource()
	prior := applied(t, r, zoneCfg("example.org.", dir, siteRecords("example.org."), nil))
	for _, tc := range []struct {
		name        string
		cfg         cty.Value
		wantReplace []string
	}{
		{"name in other case, no dot", zoneCfg("EXAMPLE.org", dir, siteRecords("example.org."), nil), nil},
		{"directory spelled differently", zoneCfg("example.org.", dir+"/./", siteRecords("example.org."), nil), nil},
		{"other name", zoneCfg("example.net.", dir, siteRecords("example.net."), nil), []string{"filename", "name"}},
		{"other directory", zoneCfg("example.org.", dir+"/sub", siteRecords("example.org."), nil), []string{"directory"}},
		{"other file name", zoneCfg("example.org.", dir, siteRecords("example.org."), map[string]cty.Value{"filename": cty.StringVal("db.example.org")}), []string{"filename"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := plan(r, prior, tc.cfg)
			if resp.Diagnostics.HasErrors() {
				t.Fatal(resp.Diagnostics.Error())
			}
			if !slices.Equal(resp.RequiresReplace, tc.wantReplace) {
				t.Errorf("RequiresReplace %q, want %q", resp.RequiresReplace, tc.wantReplace)
			}
			if tc.wantReplace == nil && !resp.Planned.GetAttr("serial").RawEquals(prior.GetAttr("serial")) {
				t.Errorf("the serial changes for a zone whose content does not")
			}
		})
	}
}

// bigZone returns n record sets of origin besides the apex NS.
func bigZone(origin string, n int) []dns.Record {
	rs := []dns.Record{rec(origin, "NS", 3600, "ns1.example.com.")}
	for i := range n {
		rs = append(rs, rec(fmt.Sprintf("host%d.%s", i, origin), "A", 300, fmt.Sprintf("192.0.2.%d", i+1)))
	}
	return rs
}

// changeHosts changes the address of the first n hosts of bigZone.
func changeHosts(rs []dns.Record, n int) []dns.Record {
	out := slices.Clone(rs)
	for i := 1; i <= n; i++ {
		out[i] = rec(out[i].Name, "A", 300, fmt.Sprintf("198.51.100.%d", i))
	}
	return out
}

func TestMassChange(t *testing.T) {
	const org = "example.org."
	dir := t.TempDir()
	r := testResource()
	zone := bigZone(org, 11) // 12 record sets
	prior := applied(t, r, zoneCfg(org, dir, zone, nil))
	allow := map[string]cty.Value{"allow_mass_change": cty.True}
	for _, tc := range []struct {
		name    string
		cfg     cty.Value
		refused bool
	}{
		{"3 of 12 changed", zoneCfg(org, dir, changeHosts(zone, 3), nil), false},
		{"4 of 12 changed", zoneCfg(org, dir, changeHosts(zone, 4), nil), true},
		{"4 of 12 deleted", zoneCfg(org, dir, zone[:8], nil), true},
		{"2 changed and 2 deleted", zoneCfg(org, dir, changeHosts(zone, 2)[:10], nil), true},
		{"20 added", zoneCfg(org, dir, append(slices.Clone(zone), bigZone("more."+org, 20)[1:]...), nil), false},
		{"4 changed, allowed", zoneCfg(org, dir, changeHosts(zone, 4), allow), false},
		{"all deleted but NS, allowed", zoneCfg(org, dir, zone[:1], allow), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := plan(r, prior, tc.cfg)
			var mass *hcl.Diagnostic
			for _, d := range resp.Diagnostics {
				if _, ok := d.Extra.(providers.MassChange); ok {
					mass = d
				}
			}
			switch {
			case tc.refused && mass == nil:
				t.Fatalf("the mass change was not refused (diagnostics: %v)", resp.Diagnostics)
			case !tc.refused && resp.Diagnostics.HasErrors():
				t.Fatalf("refused: %s", resp.Diagnostics.Error())
			case tc.refused:
				if mass.Severity != hcl.DiagError || !strings.Contains(mass.Detail, "4 of the 12 records of zone example.org (over 30%)") {
					t.Errorf("mass-change diagnostic: %s: %s", mass.Summary, mass.Detail)
				}
				if resp.Planned.IsNull() || resp.Planned.GetAttr("serial").IsKnown() {
					t.Errorf("a refused mass change must still carry the plan the engine applies with -allow-mass-change")
				}
			case strings.HasSuffix(tc.name, "allowed"):
				// Let through, and said so with the refusal's numbers, for
				// the plan to record.
				if mass == nil {
					t.Fatalf("an allowed mass change is not reported: %v", resp.Diagnostics)
				}
				m, _ := mass.Extra.(providers.MassChange)
				if mass.Severity != hcl.DiagWarning || m.AllowedBy != "allow_mass_change = true" || m.Total != 12 || m.Changed < 4 {
					t.Errorf("an allowed mass change is not reported as one: %v", resp.Diagnostics)
				}
			}
		})
	}

	// A zone under 10 record sets may change completely.
	small := bigZone("small.example.", 8)
	prior = applied(t, r, zoneCfg("small.example.", dir, small, nil))
	if resp := plan(r, prior, zoneCfg("small.example.", dir, changeHosts(small, 8), nil)); resp.Diagnostics.HasErrors() {
		t.Errorf("a zone of 9 record sets was guarded: %s", resp.Diagnostics.Error())
	}
}

// TestApplyReplansUnknowns applies a plan made while the records were
// unknown: Apply plans again with the configuration, now known.
func TestApplyReplansUnknowns(t *testing.T) {
	r := testResource()
	dir := t.TempDir()
	known := r.schema.Complete(zoneCfg("example.org.", dir, siteRecords("example.org."), nil))
	unknown := r.schema.Complete(zoneCfg("example.org.", dir, nil, map[string]cty.Value{"records": cty.UnknownVal(cty.List(dns.RecordType))}))
	p := r.Plan(context.Background(), providers.PlanRequest{Prior: r.null, Config: unknown})
	if p.Diagnostics.HasErrors() {
		t.Fatal(p.Diagnostics.Error())
	}
	a := r.Apply(context.Background(), providers.ApplyRequest{Prior: r.null, Planned: p.Planned, Config: known})
	if a.Diagnostics.HasErrors() {
		t.Fatal(a.Diagnostics.Error())
	}
	if !a.State.IsWhollyKnown() || !a.State.GetAttr("records").RawEquals(known.GetAttr("records")) {
		t.Errorf("applied state %#v", a.State)
	}
	checkZone(t, "example.org", a.State.GetAttr("path").AsString())
}
