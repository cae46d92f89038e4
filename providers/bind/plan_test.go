package bind

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
		{"two SOA records", zoneCfg(org, "z", append(recs, rec(org, "SOA", 3600, "ns1.example.com. h.example.org. 1 2 3 4 5", "ns2.example.com. h.example.org. 1 2 3 4 5")), nil),
			"records", "the zone has 2 SOA records"},
		{"DS at the apex", zoneCfg(org, "z", append(recs, rec(org, "DS", 3600, "1 13 2 8A9F8A9F8A9F8A9F8A9F8A9F8A9F8A9F8A9F8A9F8A9F8A9F8A9F8A9F8A9F8A9F")), nil),
			"records", "DS record at the zone apex example.org."},
		{"NS at a wildcard", zoneCfg(org, "z", append(recs, rec("*.w."+org, "NS", 3600, "ns1.example.com.")), nil),
			"records", "NS records at the wildcard *.w.example.org."},
		{"SVCB mandatory key absent", zoneCfg(org, "z", nil, map[string]cty.Value{"records": cty.ListVal(append(recordValues(recs),
			recordObj("s."+org, "SVCB", 300, "1 . mandatory=port alpn=h2")))}),
			"records", "mandatory list names port, which the record does not give"},
		{"check-names", zoneCfg(org, "z", append(recs, rec("_x."+org, "A", 300, "192.0.2.9")), nil),
			"records", "_x.example.org. is not a host name"},
		{"long origin", zoneCfg(strings.Repeat("a", 63)+"."+strings.Repeat("b", 63)+"."+strings.Repeat("c", 63)+"."+strings.Repeat("d", 54)+".", "z", nil, map[string]cty.Value{"records": cty.ListVal([]cty.Value{
			recordObj(strings.Repeat("a", 63)+"."+strings.Repeat("b", 63)+"."+strings.Repeat("c", 63)+"."+strings.Repeat("d", 54)+".", "NS", 3600, "ns1.example.com.")})}),
			"soa", "The SOA's rname would be"},
		{"SOA below the apex", zoneCfg(org, "z", append(recs, rec("x."+org, "SOA", 3600, "ns1.example.com. h.example.org. 1 2 3 4 5")), nil),
			"records", "is not at the zone apex"},
		{"no NS", zoneCfg(org, "z", without(recs, org+" NS"), nil), "records", "has no NS records at its apex"},
		{"no records", zoneCfg(org, "z", nil, nil), "records", "has no NS records at its apex"},
		{"in-zone name server without address", zoneCfg(org, "z", withRecord(recs, rec(org, "NS", 3600, "ns1.example.org.")), nil),
			"records", "ns1.example.org. is inside the zone"},
		{"CNAME at the apex", zoneCfg(org, "z", withRecord(without(recs, org+" A", org+" AAAA", org+" MX", org+" TXT"), rec(org, "CNAME", 300, "example.com.")), nil),
			"records", "CNAME at the zone apex"},
		{"CNAME beside other data", zoneCfg(org, "z", withRecord(recs, rec("www."+org, "A", 300, "192.0.2.1")), nil),
			"records", "www.example.org. has a CNAME and other records (A)"},
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

// The records may hold the zone file's own SOA (records = zonefile(...)):
// bind_zone takes its fields and TTL as the defaults of the soa block and
// ttl, writes a serial above the file's, and plans no change the next time.
func TestZoneFileSOAAccepted(t *testing.T) {
	const org = "example.org."
	r := testResource()
	dir := t.TempDir()
	soa := rec(org, "SOA", 7200, "ns9.example.com. admin.example.org. 4000000000 1000 200 3000000 400")
	cfg := zoneCfg(org, dir, append(siteRecords(org), soa), nil)
	p := plan(r, r.null, cfg)
	if p.Diagnostics.HasErrors() {
		t.Fatalf("plan: %s", p.Diagnostics.Error())
	}
	if got, want := p.Planned.GetAttr("records"), dns.ListValue(siteRecords(org)); !got.RawEquals(want) {
		t.Errorf("planned records keep the SOA:\n%#v", got)
	}
	if ttl, _ := ttlOf(p.Planned.GetAttr("ttl")); ttl != 7200 {
		t.Errorf("planned ttl %d, want the SOA's 7200", ttl)
	}
	f, ok := soaOf(p.Planned.GetAttr("soa"))
	if want := (soaFields{"ns9.example.com.", "admin.example.org.", 1000, 200, 3000000, 400}); !ok || f != want {
		t.Errorf("planned soa %+v, want the file's %+v", f, want)
	}
	state := applied(t, r, cfg)
	if s, _ := uint32Of(state.GetAttr("serial")); s != 4000000001 {
		t.Errorf("serial %d, want one above the file's 4000000000", s)
	}
	data, err := os.ReadFile(filepath.Join(dir, "example.org.zone"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "@    7200\tIN\tSOA\tns9.example.com. admin.example.org. 4000000001 1000 200 3000000 400") {
		t.Errorf("the written SOA is not the file's:\n%s", data)
	}
	again := plan(r, state, cfg)
	if again.Diagnostics.HasErrors() || !again.Planned.RawEquals(state) {
		t.Errorf("second plan changes the zone: %v\n%#v", again.Diagnostics, again.Planned)
	}
	read := r.Read(context.Background(), providers.ReadRequest{Prior: state})
	if read.Diagnostics.HasErrors() || !read.State.RawEquals(state) {
		t.Errorf("read after apply differs from the state: %v", read.Diagnostics)
	}
	// The soa block still wins over the file's SOA.
	over := zoneCfg(org, dir, append(siteRecords(org), soa), map[string]cty.Value{"soa": soaBlock(map[string]cty.Value{"rname": cty.StringVal("dns@example.org")})})
	p = plan(r, state, over)
	if got := p.Planned.GetAttr("soa").GetAttr("rname"); p.Diagnostics.HasErrors() || !got.RawEquals(cty.StringVal("dns@example.org")) {
		t.Errorf("soa.rname = %#v (%v), want the block's", got, p.Diagnostics)
	}
	if p.Planned.GetAttr("serial").IsKnown() {
		t.Errorf("a new rname does not bump the serial")
	}
}

// A plan says, once per record set, what bind_zone writes differently
// from how it is given: a UTF-8 name in both forms, TXT strings split at
// 255 bytes. A plan with nothing to change says nothing.
func TestPlanSaysWhatNormalisingChanged(t *testing.T) {
	const org = "example.org."
	r := testResource()
	long := strings.Repeat("v", 300)
	raw := func(name, typ string, values ...string) cty.Value {
		vs := make([]cty.Value, len(values))
		for i, v := range values {
			vs[i] = cty.StringVal(v)
		}
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "type": cty.StringVal(typ), "ttl": cty.NumberIntVal(300), "values": cty.ListVal(vs)})
	}
	records := cty.ListVal(append(recordValues(siteRecords(org)),
		raw("bücher.example.org.", "A", "192.0.2.7"),
		raw("t.example.org.", "TXT", long, long+"w")))
	cfg := zoneCfg(org, t.TempDir(), nil, map[string]cty.Value{"records": records})
	p := plan(r, r.null, cfg)
	if p.Diagnostics.HasErrors() {
		t.Fatal(p.Diagnostics.Error())
	}
	var warnings []*hcl.Diagnostic
	for _, d := range p.Diagnostics {
		if d.Severity == hcl.DiagWarning && strings.Contains(d.Summary, "writes some records differently") {
			warnings = append(warnings, d)
		}
	}
	if len(warnings) != 1 {
		t.Fatalf("want one warning about normalising, got %v", p.Diagnostics)
	}
	detail := warnings[0].Detail
	for _, want := range []string{
		"xn--bcher-kva.example.org. A: the name bücher.example.org is written in punycode as xn--bcher-kva.example.org.",
		"t.example.org. TXT: a string of this record is longer than 255 bytes",
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("warning detail\n%s\ndoes not say %q", detail, want)
		}
	}
	if n := strings.Count(detail, "t.example.org. TXT"); n != 1 {
		t.Errorf("the split TXT set is named %d times, want once:\n%s", n, detail)
	}
	state := applied(t, r, cfg)
	if again := plan(r, state, cfg); len(again.Diagnostics) != 0 || !again.Planned.RawEquals(state) {
		t.Errorf("the no-change plan: %v", again.Diagnostics)
	}
}
