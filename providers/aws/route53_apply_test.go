package aws

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// smallBatches makes every zone of the standard lines take three batches.
var smallBatches = batchLimits{Records: 5, Chars: MaxBatchChars}

// TestApplyRetriesThrottling: throttling and PriorRequestNotComplete
// injected in the middle of applies are retried, and the applies succeed.
func TestApplyRetriesThrottling(t *testing.T) {
	tests := []struct {
		name   string
		faults awstest.Faults
	}{
		{"Throttling", awstest.Faults{ThrottleEvery: 3}},
		{"PriorRequestNotComplete", awstest.Faults{PriorRequestNotCompleteEvery: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := awstest.StartKumo(t)
			_, r := zoneRes(t, e)
			r.limits = smallBatches
			e.Route53().SetFaults(tt.faults)
			for i := range 4 {
				origin := fmt.Sprintf("z%d.throttle.test", i)
				recs := parseRecords(t, origin, standardLines...)
				config := zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin), "records": dns.ListValue(recs)})
				state := applyZone(t, r, "", cty.NullVal(r.ty), config)
				if got := len(liveSets(t, e, state.GetAttr("zone_id").AsString())); got != len(recs)+2 {
					t.Errorf("%s holds %d sets, want %d", origin, got, len(recs)+2)
				}
			}
			if rejected := e.Route53().Rejected(); rejected["ChangeResourceRecordSets"] == 0 {
				t.Errorf("no change batch was rejected (%v); the test injected nothing", rejected)
			}
		})
	}
}

// failRequestsFrom answers every request of kind from the nth on with a
// persistent error.
func failRequestsFrom(kind string, n int, code string) func(http.ResponseWriter, *http.Request, string, int, []byte) bool {
	return func(w http.ResponseWriter, _ *http.Request, k string, seen int, _ []byte) bool {
		if k != kind || seen < n {
			return false
		}
		writeRoute53Error(w, http.StatusBadRequest, code, "injected by the test")
		return true
	}
}

// TestApplyPersistentFailure: when a change batch keeps failing after
// others went through, the state returned holds the zone and exactly the
// batches made, the error says what was not done, and a later run
// finishes the job.
func TestApplyPersistentFailure(t *testing.T) {
	tests := []struct {
		name     string
		code     string
		attempts int // requests the failing batch gets
	}{
		{"throttled until the retries run out", "Throttling", 3},
		{"refused", "InvalidInput", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := awstest.StartKumo(t)
			f := startR53Front(t, e, failRequestsFrom("POST rrset", 2, tt.code))
			_, r := r53FrontProvider(t, f, 2)
			r.limits = smallBatches
			const origin = "partial.test"
			recs := parseRecords(t, origin, standardLines...)
			config := zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin), "records": dns.ListValue(recs)})
			plan := planZone(r, "", cty.NullVal(r.ty), config)
			resp := r.Apply(context.Background(), providers.ApplyRequest{Prior: cty.NullVal(r.ty), Planned: plan.Planned, Config: config})
			if !resp.Diagnostics.HasErrors() {
				t.Fatal("apply succeeded though the second batch failed")
			}
			detail := resp.Diagnostics[0].Detail
			for _, want := range []string{"change batch 2 of 3 failed", tt.code, "5 changes in 1 batches were made, 7 were not"} {
				if !strings.Contains(detail, want) {
					t.Errorf("error lacks %q: %s", want, detail)
				}
			}
			if got := f.n["POST rrset"]; got != 1+tt.attempts {
				t.Errorf("front saw %d change requests, want 1 + %d attempts", got, tt.attempts)
			}
			state := resp.State
			if state.IsNull() || !state.IsWhollyKnown() {
				t.Fatalf("state after the failure = %#v, want the zone that was created", state)
			}
			id := state.GetAttr("zone_id").AsString()
			inState, err := dns.FromListValue(state.GetAttr("records"))
			if err != nil {
				t.Fatal(err)
			}
			live := liveSets(t, e, id)
			if len(inState) != 5 || len(live) != 5+2 {
				t.Fatalf("state holds %d sets and the zone %d (with apex SOA and NS), want the 5 of the first batch", len(inState), len(live))
			}
			for _, rec := range inState {
				if _, ok := live[toRoute53Text(rec.Name)+" "+rec.Type]; !ok {
					t.Errorf("state holds %s, which is not in the zone", rec.Key())
				}
			}
			// A new run, with Route 53 answering again, finishes the job.
			_, r2 := zoneRes(t, e)
			read := r2.Read(context.Background(), providers.ReadRequest{Prior: state})
			if !read.State.RawEquals(state) {
				t.Errorf("refresh after the failure differs from the state it left")
			}
			final := applyZone(t, r2, "", read.State, config)
			if got := len(liveSets(t, e, id)); got != len(recs)+2 || !final.GetAttr("records").RawEquals(config.GetAttr("records")) {
				t.Errorf("after the second run the zone holds %d sets, want %d", got, len(recs)+2)
			}
		})
	}
}

// TestDeletePartialFailure: a delete whose second batch fails keeps the
// zone in state without the sets already deleted.
func TestDeletePartialFailure(t *testing.T) {
	e := awstest.StartKumo(t)
	_, setup := zoneRes(t, e)
	const origin = "halfgone.test"
	config := zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin), "records": dns.ListValue(parseRecords(t, origin, standardLines...))})
	state := applyZone(t, setup, "", cty.NullVal(setup.ty), config)
	f := startR53Front(t, e, failRequestsFrom("POST rrset", 2, "InvalidInput"))
	_, r := r53FrontProvider(t, f, 0)
	r.limits = smallBatches
	null := cty.NullVal(r.ty)
	resp := r.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: null, Config: null})
	if !resp.Diagnostics.HasErrors() || resp.State.IsNull() {
		t.Fatalf("delete with a failing batch: state null %v, diagnostics %v", resp.State.IsNull(), resp.Diagnostics)
	}
	left, err := dns.FromListValue(resp.State.GetAttr("records"))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(liveSets(t, e, state.GetAttr("zone_id").AsString())); len(left) != 7 || got != 7+2 {
		t.Errorf("state keeps %d sets and the zone %d, want the 7 not deleted", len(left), got)
	}
}

// TestDeleteUnmanagedRecords: a zone holding sets plumb does not manage is
// not deleted, unless force_destroy.
func TestDeleteUnmanagedRecords(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	null := cty.NullVal(r.ty)
	const origin = "keep.test"
	state := applyZone(t, r, "", null, zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin)}))
	if !state.GetAttr("records").IsNull() {
		t.Fatal("records unset in configuration but set in state")
	}
	id := state.GetAttr("zone_id").AsString()
	changeByHand(t, e, id, newChange("CREATE", recordSet("hand.keep.test.", "A", 300, "192.0.2.5")))
	resp := r.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: null, Config: null})
	if !resp.Diagnostics.HasErrors() || !strings.Contains(resp.Diagnostics[0].Detail, "hand.keep.test. A") || !resp.State.RawEquals(state) {
		t.Fatalf("delete of a zone with a set made by hand: %v", resp.Diagnostics)
	}
	if len(zonesNamed(t, e, origin+".")) != 1 {
		t.Fatal("the zone was deleted")
	}
	forced := zoneConfig(map[string]cty.Value{"name": cty.StringVal(origin), "force_destroy": cty.True})
	state = applyZone(t, r, "", state, forced)
	resp = r.Apply(context.Background(), providers.ApplyRequest{Prior: state, Planned: null, Config: null})
	if resp.Diagnostics.HasErrors() || !resp.State.IsNull() {
		t.Fatalf("force_destroy: %v", resp.Diagnostics)
	}
	if len(zonesNamed(t, e, origin+".")) != 0 {
		t.Error("force_destroy left the zone")
	}
}

// TestCommentAndTags: a comment change is one UpdateHostedZoneComment (the
// emulator lacks it, so the test answers it); tags are set and changed
// with ChangeTagsForResource and read back.
func TestCommentAndTags(t *testing.T) {
	e := awstest.StartKumo(t)
	var body string
	f := startR53Front(t, e, func(w http.ResponseWriter, r *http.Request, kind string, _ int, b []byte) bool {
		if kind != "POST zone" || strings.Contains(r.URL.Path, "/tags/") {
			return false
		}
		body = string(b)
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><UpdateHostedZoneCommentResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZone><Id>/hostedzone/x</Id><Name>c.test.</Name><CallerReference>r</CallerReference><Config><Comment>new</Comment></Config></HostedZone></UpdateHostedZoneCommentResponse>`)
		return true
	})
	_, r := r53FrontProvider(t, f, 0)
	tags := func(kv ...string) cty.Value {
		m := map[string]cty.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = cty.StringVal(kv[i+1])
		}
		return cty.MapVal(m)
	}
	cfg := func(comment string, tv cty.Value) cty.Value {
		return zoneConfig(map[string]cty.Value{"name": cty.StringVal("c.test"), "comment": cty.StringVal(comment), "tags": tv})
	}
	state := applyZone(t, r, "", cty.NullVal(r.ty), cfg("old", tags("team", "web", "env", "prod")))
	read := r.Read(context.Background(), providers.ReadRequest{Prior: state})
	if !read.State.RawEquals(state) {
		t.Fatalf("read after create differs:\n%#v\n%#v", read.State.GetAttr("tags"), state.GetAttr("tags"))
	}
	state = applyZone(t, r, "", state, cfg("new", tags("team", "dns", "owner", "ada")))
	if !strings.Contains(body, "<Comment>new</Comment>") {
		t.Errorf("UpdateHostedZoneComment body = %q", body)
	}
	if got := state.GetAttr("comment"); !got.RawEquals(cty.StringVal("new")) {
		t.Errorf("comment in state = %#v", got)
	}
	live, err := fetchZoneTags(context.Background(), e.Route53Client(), state.GetAttr("zone_id").AsString())
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 2 || live["team"] != "dns" || live["owner"] != "ada" {
		t.Errorf("live tags = %v", live)
	}
}
