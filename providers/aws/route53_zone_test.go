package aws

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
	"github.com/plumbhq/plumb/providers/providertest"
)

// TestZoneConformance drives aws_route53_zone through the harness against
// the emulator: create with records, change one record, add and delete
// one, repair drift made through the SDK, and delete; after each step
// the harness re-reads, re-plans (a no-op) and imports.
func TestZoneConformance(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	const origin = "conform.test"
	base := parseRecords(t, origin, standardLines...)
	changed := parseRecords(t, origin, append([]string{"@ A 192.0.2.100"}, standardLines[1:]...)...)
	addDel := parseRecords(t, origin, append([]string{"@ A 192.0.2.100", "new A 192.0.2.50"}, standardLines[1:len(standardLines)-1]...)...)
	cfg := func(recs []dns.Record) cty.Value {
		return zoneConfig(map[string]cty.Value{
			"name":    cty.StringVal(origin),
			"comment": cty.StringVal("managed by plumb"),
			"tags":    cty.MapVal(map[string]cty.Value{"team": cty.StringVal("web")}),
			"records": dns.ListValue(recs),
		})
	}
	var zoneID string
	providertest.Run(t, providertest.Case{
		Resource: r,
		Steps: []providertest.Step{
			{Name: "create", Config: cfg(base), Check: func(t providertest.TB, s cty.Value) {
				zoneID = s.GetAttr("zone_id").AsString()
				live := liveSets(t.(*testing.T), e, zoneID)
				if live["conform.test. A"] != "192.0.2.1" || live["\\052.wild.conform.test. A"] != "10.0.0.2" {
					t.Errorf("live sets after create: %v", live)
				}
				if len(live) != len(base)+2 {
					t.Errorf("zone holds %d sets, want %d and the apex SOA and NS", len(live), len(base))
				}
				if ns := s.GetAttr("nameservers"); ns.LengthInt() != 4 {
					t.Errorf("nameservers = %#v, want the 4 of the delegation set", ns)
				}
			}},
			{Name: "change one record", Config: cfg(changed)},
			{Name: "add one, delete one", Config: cfg(addDel), Check: func(t providertest.TB, s cty.Value) {
				tt := t.(*testing.T)
				live := liveSets(tt, e, zoneID)
				if _, ok := live["host0.conform.test. A"]; !ok || live["new.conform.test. A"] != "192.0.2.50" {
					t.Errorf("live sets after add and delete: %v", live)
				}
				if _, ok := live["\\052.wild.conform.test. A"]; ok {
					t.Errorf("the deleted wildcard set is still there: %v", live)
				}
				// Drift behind plumb's back: a value changed, a set added.
				changeByHand(tt, e, zoneID,
					types.Change{Action: types.ChangeActionUpsert, ResourceRecordSet: recordSet("mail.conform.test.", types.RRTypeA, 300, "198.51.100.99")},
					types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: recordSet("extra.conform.test.", types.RRTypeTxt, 60, `"added by hand"`)})
			}},
			{Name: "repair drift", Config: cfg(addDel), PlanCheck: func(t providertest.TB, refreshed, planned cty.Value) {
				got, err := dns.FromListValue(refreshed.GetAttr("records"))
				if err != nil {
					t.Fatalf("refreshed records: %v", err)
				}
				d := dns.Diff(addDel, got)
				if len(d.Create) != 1 || d.Create[0].Name != "extra.conform.test." || len(d.Update) != 1 || d.Update[0].Values[0] != "198.51.100.99" || len(d.Delete) != 0 {
					t.Errorf("refresh does not show the drift: %+v", d)
				}
				if !planned.GetAttr("records").RawEquals(dns.ListValue(addDel)) {
					t.Errorf("plan does not restore the configured records")
				}
			}, Check: func(t providertest.TB, s cty.Value) {
				live := liveSets(t.(*testing.T), e, zoneID)
				if _, ok := live["extra.conform.test. TXT"]; ok || live["mail.conform.test. A"] != "198.51.100.2" {
					t.Errorf("drift not repaired: %v", live)
				}
			}},
		},
		ImportID:     func(s cty.Value) string { return s.GetAttr("zone_id").AsString() },
		ImportIgnore: []string{"manage_apex_ns", "adopt_existing", "allow_mass_change", "force_destroy"},
		Gone: func(t providertest.TB, last cty.Value) {
			_, err := e.Route53Client().GetHostedZone(context.Background(), &route53.GetHostedZoneInput{Id: aws.String(last.GetAttr("zone_id").AsString())})
			if errorCodeOf(err) != "NoSuchHostedZone" {
				t.Errorf("zone still there after delete: err = %v", err)
			}
		},
	})
}

// TestZoneFileApexIgnored: records straight from a zone file carry the
// file's SOA and apex NS; Route 53's stay, and the zone is in sync.
func TestZoneFileApexIgnored(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	const origin = "apex.test"
	recs := parseRecords(t, origin, append([]string{
		"@ SOA ns1.apex.test. hostmaster.apex.test. 2024010101 7200 3600 1209600 3600",
		"@ NS ns1.apex.test.", "@ NS ns2.apex.test.",
	}, standardLines...)...)
	config := zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin), "records": dns.ListValue(recs)})
	providertest.Run(t, providertest.Case{
		Resource: r,
		Steps: []providertest.Step{{Config: config, Check: func(t providertest.TB, s cty.Value) {
			live := liveSets(t.(*testing.T), e, s.GetAttr("zone_id").AsString())
			var ns []string
			for it := s.GetAttr("nameservers").ElementIterator(); it.Next(); {
				_, v := it.Element()
				ns = append(ns, strings.TrimSuffix(v.AsString(), ".")+".")
			}
			if got := live["apex.test. NS"]; got != strings.Join(ns, ",") {
				t.Errorf("apex NS = %q, want Route 53's %v", got, ns)
			}
			if !strings.Contains(live["apex.test. SOA"], "awsdns-hostmaster") {
				t.Errorf("apex SOA = %q, want Route 53's", live["apex.test. SOA"])
			}
		}}},
	})
}

// TestManageApexNS: with manage_apex_ns the zone file's apex NS replaces
// Route 53's, and plans call out the old and new values.
func TestManageApexNS(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	const origin = "ns.test"
	withNS := func(ns ...string) cty.Value {
		lines := []string{"@ A 192.0.2.1"}
		for _, n := range ns {
			lines = append(lines, "@ 3600 NS "+n)
		}
		return zoneConfig(map[string]cty.Value{
			"name": cty.StringVal(origin), "manage_apex_ns": cty.True,
			"records": dns.ListValue(parseRecords(t, origin, lines...)),
		})
	}
	null := cty.NullVal(r.ty)
	first := planZone(r, "", null, withNS("ns1.example.net.", "ns2.example.net."))
	if first.Diagnostics.HasErrors() {
		t.Fatalf("create plan gives an error: %s", first.Diagnostics.Error())
	}
	if w := findDiag(first.Diagnostics, hcl.DiagWarning, "ns1.example.net."); w == nil || !strings.Contains(w.Detail, "Route 53's name servers") {
		t.Fatalf("create plan does not call out the apex NS: %v", first.Diagnostics)
	}
	state := applyZone(t, r, "", null, withNS("ns1.example.net.", "ns2.example.net."))
	id := state.GetAttr("zone_id").AsString()
	if got := liveSets(t, e, id)["ns.test. NS"]; got != "ns1.example.net.,ns2.example.net." {
		t.Errorf("live apex NS = %q, want the configured servers", got)
	}
	read := r.Read(context.Background(), providers.ReadRequest{Prior: state})
	if !read.State.RawEquals(state) {
		t.Fatalf("read after apply differs from the state")
	}
	again := planZone(r, "", state, withNS("ns1.example.net.", "ns2.example.net."))
	if len(again.Diagnostics) != 0 || !again.Planned.RawEquals(state) {
		t.Errorf("unchanged plan: diagnostics %v, no-op %v", again.Diagnostics, again.Planned.RawEquals(state))
	}
	next := planZone(r, "", state, withNS("ns1.example.net.", "ns3.example.net."))
	w := findDiag(next.Diagnostics, hcl.DiagWarning, "Apex NS")
	if w == nil || !strings.Contains(w.Detail, "[ns1.example.net., ns2.example.net.] (TTL 3600)") || !strings.Contains(w.Detail, "[ns1.example.net., ns3.example.net.] (TTL 3600)") {
		t.Fatalf("changed apex NS: warning %v, want old and new values", w)
	}
	state = applyZone(t, r, "", state, withNS("ns1.example.net.", "ns3.example.net."))
	if got := liveSets(t, e, id)["ns.test. NS"]; got != "ns1.example.net.,ns3.example.net." {
		t.Errorf("live apex NS = %q after the change", got)
	}
	del := r.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: null, Config: null})
	if del.Diagnostics.HasErrors() {
		t.Errorf("delete with a managed apex NS: %s", del.Diagnostics.Error())
	}
}

// TestZoneRequestCounts: a zone's first apply is one CreateHostedZone, one
// ChangeResourceRecordSets and the one page of zones; a no-change refresh
// and plan in a new run is one page of zones and one page of records.
func TestZoneRequestCounts(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	config := zoneConfig(map[string]cty.Value{"name": cty.StringVal("count.test"), "records": dns.ListValue(parseRecords(t, "count.test", standardLines...))})
	state := applyZone(t, r, `aws_route53_zone.z["count.test"]`, cty.NullVal(r.ty), config)
	want := map[string]int{"ListHostedZones": 1, "CreateHostedZone": 1, "ChangeResourceRecordSets": 1}
	if diff := cmp.Diff(want, e.Route53().Counts()); diff != "" {
		t.Errorf("first apply requests (-want +got):\n%s", diff)
	}
	e.Route53().ResetCounts()
	_, r2 := zoneRes(t, e)
	read := r2.Read(context.Background(), providers.ReadRequest{Prior: state})
	plan := planZone(r2, `aws_route53_zone.z["count.test"]`, read.State, config)
	if !plan.Planned.RawEquals(state) || plan.Diagnostics.HasErrors() {
		t.Errorf("no-change plan is not a no-op: %v", plan.Diagnostics)
	}
	want = map[string]int{"ListHostedZones": 1, "ListResourceRecordSets": 1}
	if diff := cmp.Diff(want, e.Route53().Counts()); diff != "" {
		t.Errorf("no-change plan requests (-want +got):\n%s", diff)
	}
}

// TestLargeZone: a zone of 1,200 sets is created in two batches within
// Route 53's 1,000-record limit and read back in pages of 300, in sync.
func TestLargeZone(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	const origin = "large.test"
	var lines []string
	for i := range 1200 {
		lines = append(lines, fmt.Sprintf("h%04d A 10.0.%d.%d", i, i/250, 1+i%250))
	}
	config := zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin), "records": dns.ListValue(parseRecords(t, origin, lines...))})
	state := applyZone(t, r, "", cty.NullVal(r.ty), config)
	if got := e.Route53().Counts()["ChangeResourceRecordSets"]; got != 2 {
		t.Errorf("%d change batches for 1,200 sets, want 2", got)
	}
	e.Route53().ResetCounts()
	read := r.Read(context.Background(), providers.ReadRequest{Prior: state})
	if read.Diagnostics.HasErrors() || !read.State.RawEquals(state) {
		t.Fatalf("read of the large zone: %v", read.Diagnostics)
	}
	if got := e.Route53().Counts()["ListResourceRecordSets"]; got != 5 {
		t.Errorf("%d record pages for 1,202 sets, want 5", got)
	}
}
