package aws

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers/dns"
)

// TestExportZones: every public zone with its record sets, without the
// apex SOA and NS, sorted by name.
func TestExportZones(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	want := map[string][]dns.Record{}
	for _, origin := range []string{"b.export.test", "a.export.test"} {
		recs := parseRecords(t, origin, standardLines...)
		applyZone(t, r, "", cty.NullVal(r.ty), zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin), "records": dns.ListValue(recs)}))
		want[origin+"."] = recs
	}
	id := createZoneByHand(t, e, "c.export.test", "hand")
	changeByHand(t, e, id, newChange("CREATE", recordSet(`*.c.export.test.`, "A", 60, "192.0.2.4")))
	e.Route53().ResetCounts()
	p2, _ := zoneRes(t, e)
	got, err := ExportZones(context.Background(), p2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Name != "a.export.test." || got[1].Name != "b.export.test." || got[2].Name != "c.export.test." || got[2].ID != id {
		t.Fatalf("exported %+v", got)
	}
	for _, z := range got[:2] {
		if diff := cmp.Diff(want[z.Name], z.Records); diff != "" {
			t.Errorf("%s records (-want +got):\n%s", z.Name, diff)
		}
	}
	if diff := cmp.Diff([]dns.Record{{Name: "*.c.export.test.", Type: "A", TTL: 60, Values: []string{"192.0.2.4"}}}, got[2].Records); diff != "" {
		t.Errorf("c.export.test. records (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"ListHostedZones": 1, "ListResourceRecordSets": 3}, e.Route53().Counts()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
