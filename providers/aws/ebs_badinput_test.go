package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ec2shim"
	"github.com/plumbhq/plumb/providers"
)

// wantDiag asserts that diags hold a diagnostic of severity about attr
// (when not "") whose summary and detail contain words.
func wantDiag(t *testing.T, diags hcl.Diagnostics, sev hcl.DiagnosticSeverity, attr string, words ...string) {
	t.Helper()
	for _, d := range diags {
		if d.Severity != sev {
			continue
		}
		if got, _ := d.Extra.(providers.AttributePath); attr != "" && string(got) != attr {
			continue
		}
		text := d.Summary + ": " + d.Detail
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(text, w)
		}
		if ok {
			return
		}
	}
	t.Errorf("no diagnostic about %q containing %q in:\n%s", attr, words, diags.Error())
}

// copyBlocks is a copy block list of the given blocks' attributes.
func copyBlocks(blocks ...map[string]cty.Value) cty.Value {
	var out []cty.Value
	for _, b := range blocks {
		attrs := map[string]cty.Value{"region": cty.NullVal(cty.String), "retain": cty.NullVal(cty.String), "encrypted": cty.NullVal(cty.Bool), "kms_key_id": cty.NullVal(cty.String)}
		for k, v := range b {
			attrs[k] = v
		}
		out = append(out, cty.ObjectVal(attrs))
	}
	return cty.ListVal(out)
}

// manyTags is a map of n tags.
func manyTags(n int) cty.Value {
	m := map[string]cty.Value{}
	for i := range n {
		m[fmt.Sprintf("Tag%02d", i)] = ebsV("x")
	}
	return cty.MapVal(m)
}

func TestEBSValidateConfig(t *testing.T) {
	r := newEBSPolicy(New().(*Provider))
	tests := []struct {
		name  string
		attrs map[string]cty.Value
		attr  string
		words []string
	}{
		{"no targets", web1Config(map[string]cty.Value{"instance_id": cty.NilVal}), "instance_id", []string{"no targets", "instance_id, volume_ids or volume_tags"}},
		{"not an instance", web1Config(map[string]cty.Value{"instance_id": ebsV("web1")}), "instance_id", []string{`"web1" is not an EC2 instance ID`}},
		{"not a volume", web1Config(map[string]cty.Value{"volume_ids": cty.ListVal([]cty.Value{ebsV("snap-1")})}), "volume_ids", []string{`"snap-1"`}},
		{"repeated volume", web1Config(map[string]cty.Value{"volume_ids": cty.ListVal([]cty.Value{ebsV("vol-1"), ebsV("vol-1")})}), "volume_ids", []string{"listed twice"}},
		{"empty volume tags", web1Config(map[string]cty.Value{"volume_tags": cty.MapValEmpty(cty.String)}), "volume_tags", []string{"every volume"}},
		{"retention shorter than interval", web1Config(map[string]cty.Value{"retain": ebsV("12h")}), "retain", []string{`retain = "12h" is shorter than interval = "24h"`, "expire before the next"}},
		{"no retention", web1Config(map[string]cty.Value{"retain": cty.NilVal}), "retain", []string{"no retention", "keep every snapshot forever"}},
		{"bad interval", web1Config(map[string]cty.Value{"interval": ebsV("daily")}), "interval", []string{`interval = "daily" is not a duration`}},
		{"interval in years", web1Config(map[string]cty.Value{"interval": ebsV("1y")}), "interval", []string{`interval = "1y" is not a duration: write whole numbers`}},
		{"interval too short", web1Config(map[string]cty.Value{"interval": ebsV("10m")}), "interval", []string{"shorter than 1h 0m"}},
		{"fractional keep_last", web1Config(map[string]cty.Value{"keep_last": cty.NumberFloatVal(2.5)}), "keep_last", []string{"whole number"}},
		{"zero keep_last", web1Config(map[string]cty.Value{"keep_last": cty.Zero}), "keep_last", []string{"from 1 to 1000"}},
		{"plumb tag", web1Config(map[string]cty.Value{"tags": ebsMapV(OwnerTag, "x")}), "tags", []string{"plumb's own"}},
		{"aws tag", web1Config(map[string]cty.Value{"tags": ebsMapV("aws:backup", "x")}), "tags", []string{"reserved by AWS"}},
		{"bad placeholder", web1Config(map[string]cty.Value{"description": ebsV("{hostname}-{date}")}), "description", []string{"{hostname}"}},
		{"empty owner", web1Config(map[string]cty.Value{"owner": ebsV("")}), "owner", []string{"1 to 256"}},
		{"bad placeholder in a tag", web1Config(map[string]cty.Value{"tags": ebsMapV("Name", "{hostname}")}), "tags", []string{`tag "Name"`, "{hostname}"}},
		{"copy region not a region", web1Config(map[string]cty.Value{"copy": copyBlocks(map[string]cty.Value{"region": ebsV("Frankfurt")})}), "copy[0].region", []string{`"Frankfurt" is not an AWS region`}},
		{"copy region twice", web1Config(map[string]cty.Value{"copy": copyBlocks(map[string]cty.Value{"region": ebsV("eu-central-1")}, map[string]cty.Value{"region": ebsV("eu-central-1")})}),
			"copy[1].region", []string{"Two copy blocks name eu-central-1"}},
		{"copies kept too briefly", web1Config(map[string]cty.Value{"copy": copyBlocks(map[string]cty.Value{"region": ebsV("eu-central-1"), "retain": ebsV("36h")})}),
			"copy[0].retain", []string{"shorter than twice interval", "at least 2d 0h"}},
		{"bad copy retain", web1Config(map[string]cty.Value{"copy": copyBlocks(map[string]cty.Value{"region": ebsV("eu-central-1"), "retain": ebsV("a month")})}),
			"copy[0].retain", []string{`retain = "a month"`}},
		{"key without encryption", web1Config(map[string]cty.Value{"copy": copyBlocks(map[string]cty.Value{"region": ebsV("eu-central-1"), "kms_key_id": ebsV("alias/k")})}),
			"copy[0].kms_key_id", []string{"encrypted is not true"}},
		{"too many tags with copies", web1Config(map[string]cty.Value{"tags": manyTags(47), "copy": copyBlocks(map[string]cty.Value{"region": ebsV("eu-central-1")})}),
			"tags", []string{"at most 46"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := r.ValidateConfig(context.Background(), r.schema.Complete(cty.ObjectVal(tt.attrs)))
			wantDiag(t, diags, hcl.DiagError, tt.attr, tt.words...)
		})
	}
	ok := r.ValidateConfig(context.Background(), r.schema.Complete(cty.ObjectVal(web1Config(map[string]cty.Value{
		"instance_id": cty.UnknownVal(cty.String), "keep_last": cty.NumberIntVal(7),
	}))))
	if ok.HasErrors() {
		t.Errorf("a valid configuration with an unknown instance_id was refused: %s", ok.Error())
	}
}

func TestEBSTargetsMatchingNothing(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{}, nil)
	e.volume(web1Root, web1, "/dev/xvda", map[string]string{"Backup": "daily"})
	e.volume("vol-0d0d0d0d0d0d0d0d0", "", "", nil) // unattached
	tests := []struct {
		name  string
		attrs map[string]cty.Value
		attr  string
		words []string
	}{
		{"instance without volumes", web1Config(map[string]cty.Value{"instance_id": ebsV("i-0000000000000dead")}), "instance_id",
			[]string{"No volumes match", "attached to instance i-0000000000000dead"}},
		{"tag filter matching nothing", web1Config(map[string]cty.Value{"instance_id": cty.NilVal, "volume_tags": ebsMapV("Backup", "hourly")}), "volume_tags",
			[]string{"No EBS volume is tagged Backup = \"hourly\""}},
		{"tag filter and instance", web1Config(map[string]cty.Value{"volume_tags": ebsMapV("Backup", "weekly")}), "instance_id",
			[]string{"attached to instance " + web1 + " and tagged Backup = \"weekly\""}},
		{"missing volume", web1Config(map[string]cty.Value{"instance_id": cty.NilVal, "volume_ids": cty.ListVal([]cty.Value{ebsV(web1Root), ebsV("vol-0000000000000dead")})}), "volume_ids",
			[]string{"vol-0000000000000dead in volume_ids does not exist"}},
		{"volume not on the instance", web1Config(map[string]cty.Value{"volume_ids": cty.ListVal([]cty.Value{ebsV("vol-0d0d0d0d0d0d0d0d0")})}), "volume_ids",
			[]string{"vol-0d0d0d0d0d0d0d0d0 in volume_ids does not exist (or do not match the other targets)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.res.Plan(context.Background(), providers.PlanRequest{Addr: web1Addr, Prior: e.res.null, Config: e.cfg(tt.attrs)})
			wantDiag(t, resp.Diagnostics, hcl.DiagError, tt.attr, tt.words...)
			if !resp.Planned.IsNull() {
				t.Error("a failed plan proposed an object")
			}
		})
	}
	if n := len(e.shim.Snapshots()); n != 0 {
		t.Errorf("failed plans made %d snapshots", n)
	}
}

// TestEBSVolumeGoneBeforeApply deletes a volume between plan and apply:
// the other volume's snapshot is taken and recorded, the error names the
// volume, and the next run plans without it.
func TestEBSVolumeGoneBeforeApply(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{CompleteAfter: time.Minute}, nil)
	e.volume(web1Root, web1, "/dev/xvda", nil)
	e.volume(web1Data, web1, "/dev/xvdf", nil)
	config := e.cfg(web1Config(nil))
	state, _ := e.run(web1Addr, e.res.null, config)
	e.clock.advance(24 * time.Hour)
	refreshed := e.read(state)
	planned, _ := e.plan(web1Addr, refreshed, config)
	e.shim.DeleteVolume(web1Data)
	resp := e.res.Apply(context.Background(), providers.ApplyRequest{Addr: web1Addr, Prior: refreshed, Planned: planned, Config: config})
	wantDiag(t, resp.Diagnostics, hcl.DiagError, "", "Cannot snapshot 1 of 2 volumes", web1Data, "InvalidVolume.NotFound", "deleted after the plan was made", "1 snapshots that were taken are recorded")
	if got, want := sortedIDs(resp.State), e.owned(web1Addr); !slices.Equal(got, want) || len(got) != 3 {
		t.Errorf("state records %v, the shim has %v; want the same 3", got, want)
	}
	state = resp.State
	e.clock.advance(24 * time.Hour)
	next, _ := e.run(web1Addr, state, config)
	vols := ebsVolumesFrom(next.GetAttr("volumes"))
	if len(vols) != 1 || vols[0].id != web1Root {
		t.Errorf("after the volume went the policy covers %v", vols)
	}
	if n := len(e.owned(web1Addr)); n != 4 {
		t.Errorf("%d snapshots after the next day, want 4 (the gone volume's one is kept)", n)
	}
}

func TestEBSThrottledApply(t *testing.T) {
	const vols = 6
	tests := []struct {
		name    string
		faults  ec2shim.Faults
		retries int64
		made    int // snapshots taken
		failed  bool
	}{
		{"retried", ec2shim.Faults{Every: 2, Actions: []string{"CreateSnapshot"}}, 10, vols, false},
		{"beyond the retries", ec2shim.Faults{After: 3, Actions: []string{"CreateSnapshot"}}, 2, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ebsSetup(t, ec2shim.Options{}, map[string]cty.Value{"max_retries": cty.NumberIntVal(tt.retries)})
			for i := range vols {
				e.volume("", web1, "/dev/xvd"+string(rune('a'+i)), nil)
			}
			config := e.cfg(web1Config(nil))
			planned, _ := e.plan(web1Addr, e.res.null, config)
			e.shim.SetFaults(tt.faults)
			resp := e.res.Apply(context.Background(), providers.ApplyRequest{Addr: web1Addr, Prior: e.res.null, Planned: planned, Config: config})
			if resp.Diagnostics.HasErrors() != tt.failed {
				t.Fatalf("diagnostics: %s", resp.Diagnostics.Error())
			}
			if tt.failed {
				wantDiag(t, resp.Diagnostics, hcl.DiagError, "", "Cannot snapshot 3 of 6 volumes", "RequestLimitExceeded", "raise max_retries", "3 snapshots that were taken are recorded")
			}
			got, shim := sortedIDs(resp.State), e.owned(web1Addr)
			if len(got) != tt.made || !slices.Equal(got, shim) {
				t.Errorf("state records %v, the shim has %v; want the same %d", got, shim, tt.made)
			}
			rejected := e.shim.Rejected()["CreateSnapshot"]
			if rejected == 0 {
				t.Fatal("no request was throttled")
			}
			n := e.p.RequestCounts()["ec2:CreateSnapshot"]
			if n != e.shim.Counts()["CreateSnapshot"] || n != tt.made+rejected {
				t.Errorf("the provider counted %d CreateSnapshot, the shim %d; want %d taken + %d throttled", n, e.shim.Counts()["CreateSnapshot"], tt.made, rejected)
			}
		})
	}
}

// TestEBSApplyChecksAgain makes the world change between plan and apply:
// a snapshot to delete loses its ownership tag, another gets an AMI. The
// first is left alone and dropped from state, the second kept with a
// warning.
func TestEBSApplyChecksAgain(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{}, nil)
	e.volume(web1Root, web1, "/dev/xvda", nil)
	config := e.cfg(web1Config(nil))
	var state cty.Value = e.res.null
	for day := range 7 {
		if day > 0 {
			e.clock.advance(24 * time.Hour)
		}
		state, _ = e.run(web1Addr, state, config)
	}
	// Day 8, the day-7 run skipped: the day-0 and day-1 snapshots are past
	// a week.
	e.clock.advance(2 * 24 * time.Hour)
	refreshed := e.read(state)
	planned, _ := e.plan(web1Addr, refreshed, config)
	gone := minus(ebsIDsOf(refreshed.GetAttr("snapshots")), ebsIDsOf(planned.GetAttr("snapshots")))
	if len(gone) != 2 {
		t.Fatalf("planned deletions %v, want 2", gone)
	}
	c := e.shim
	retagged, pinned := gone[0], gone[1]
	if _, err := e.p.EC2().CreateTags(context.Background(), tagInput(retagged, OwnerTag, "someone-else")); err != nil {
		t.Fatal(err)
	}
	ami, err := c.RegisterImage("web1-golden", pinned)
	if err != nil {
		t.Fatal(err)
	}
	next, diags := e.apply(web1Addr, refreshed, planned, config)
	wantDiag(t, diags, hcl.DiagWarning, "", "Expired snapshots kept", pinned+" is in use by "+ami)
	if _, ok := c.Snapshot(retagged); !ok {
		t.Errorf("%s, no longer the policy's, was deleted", retagged)
	}
	ids := sortedIDs(next)
	if slices.Contains(ids, retagged) || !slices.Contains(ids, pinned) {
		t.Errorf("state %v: want %s dropped and %s kept", ids, retagged, pinned)
	}
	for _, s := range ebsSnapsFrom(next.GetAttr("snapshots")) {
		if s.id == pinned && (s.inUseBy != ami || s.status != "expired, kept: in use by "+ami) {
			t.Errorf("the pinned snapshot is recorded as %+v", s)
		}
	}
	// The next plan keeps it too, and says why.
	again, warn := e.plan(web1Addr, e.read(next), config)
	wantDiag(t, warn, hcl.DiagWarning, "", "Expired snapshots kept for AMIs", pinned+" (used by "+ami+")")
	if !slices.Contains(ebsIDsOf(again.GetAttr("snapshots")), pinned) {
		t.Error("the next plan deletes the pinned snapshot")
	}
}

func TestEBSOwnerAndUnknowns(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{}, nil)
	e.volume(web1Root, web1, "/dev/xvda", nil)
	planned, _ := e.plan(web1Addr, e.res.null, e.cfg(web1Config(nil)))
	if got := planned.GetAttr("owner"); !got.RawEquals(ebsV(web1Addr)) {
		t.Errorf("owner planned as %#v, want the address", got)
	}
	resp := e.res.Plan(context.Background(), providers.PlanRequest{Prior: e.res.null, Config: e.cfg(web1Config(nil))})
	wantDiag(t, resp.Diagnostics, hcl.DiagError, "owner", "Set owner")
	unknown, _ := e.plan(web1Addr, e.res.null, e.cfg(web1Config(map[string]cty.Value{"instance_id": cty.UnknownVal(cty.String)})))
	if unknown.GetAttr("snapshots").IsKnown() || !unknown.GetAttr("owner").RawEquals(ebsV(web1Addr)) {
		t.Errorf("with an unknown instance the plan is %#v", unknown)
	}
	if n := e.shim.Counts()["DescribeVolumes"]; n != 1 {
		t.Errorf("%d DescribeVolumes; an unknown target must not be looked up", n)
	}
}

// tagInput tags one resource.
func tagInput(id, key, value string) *ec2.CreateTagsInput {
	return &ec2.CreateTagsInput{Resources: []string{id}, Tags: []types.Tag{{Key: aws.String(key), Value: aws.String(value)}}}
}

func TestEBSOwnerChange(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{}, nil)
	e.volume(web1Root, web1, "/dev/xvda", nil)
	state, _ := e.run(web1Addr, e.res.null, e.cfg(web1Config(nil)))
	e.clock.advance(30 * 24 * time.Hour)
	renamed := e.cfg(web1Config(map[string]cty.Value{"owner": ebsV("web1-root")}))
	refreshed := e.read(state)
	planned, diags := e.plan(web1Addr, refreshed, renamed)
	wantDiag(t, diags, hcl.DiagWarning, "", "owner changed", `1 snapshots tagged plumb:policy = "aws_ebs_snapshot_policy.web1"`)
	next, _ := e.apply(web1Addr, refreshed, planned, renamed)
	if got := e.owned(web1Addr); len(got) != 1 {
		t.Errorf("the old owner's snapshots are %v, want the one left alone", got)
	}
	if got := e.owned("web1-root"); len(got) != 1 || !slices.Equal(got, sortedIDs(next)) {
		t.Errorf("the new owner has %v, state %v; want the one new snapshot in both", got, sortedIDs(next))
	}
}

// TestEBSDestroyAndImport destroys a policy, which leaves its snapshots,
// and adopts them again by import.
func TestEBSDestroyAndImport(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{}, nil)
	e.volume(web1Root, web1, "/dev/xvda", nil)
	e.volume(web1Data, web1, "/dev/xvdf", nil)
	state, _ := e.run(web1Addr, e.res.null, e.cfg(web1Config(nil)))
	_, diags := e.apply(web1Addr, state, e.res.null, e.res.null)
	wantDiag(t, diags, hcl.DiagWarning, "", "Snapshots left in place", "its 2 snapshots and copies were not deleted", `plumb:policy = "`+web1Addr+`"`)
	if got := e.owned(web1Addr); !slices.Equal(got, sortedIDs(state)) {
		t.Fatalf("after the destroy the shim has %v, want %v", got, sortedIDs(state))
	}
	imp := e.res.Import(context.Background(), providers.ImportRequest{ID: web1Addr})
	if imp.Diagnostics.HasErrors() {
		t.Fatal(imp.Diagnostics.Error())
	}
	if got := sortedIDs(imp.State); !slices.Equal(got, sortedIDs(state)) || !imp.State.GetAttr("interval").IsNull() {
		t.Errorf("imported %v (interval %#v), want %v and no configuration", got, imp.State.GetAttr("interval"), sortedIDs(state))
	}
	none := e.res.Import(context.Background(), providers.ImportRequest{ID: "aws_ebs_snapshot_policy.nobody"})
	wantDiag(t, none.Diagnostics, hcl.DiagError, "", "No snapshots to import", `plumb:policy = "aws_ebs_snapshot_policy.nobody"`)
	// A new policy at the same address adopts them without deleting.
	e.clock.advance(10 * 24 * time.Hour)
	planned, _ := e.plan(web1Addr, e.res.null, e.cfg(web1Config(nil)))
	adopted := ebsSnapsFrom(planned.GetAttr("snapshots"))
	if len(adopted) != 4 || !strings.HasPrefix(adopted[0].status, "newest completed") {
		t.Errorf("a new policy plans %+v; want the 2 old snapshots adopted and 2 new", adopted)
	}
}

// TestEBSPlanRefusesCopiesAndTags checks what only a plan can know: the
// provider's region (no copy to it) and the tags a volume brings.
func TestEBSPlanRefusesCopiesAndTags(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{}, nil)
	volTags := map[string]string{}
	for i := range 49 {
		volTags[fmt.Sprintf("V%02d", i)] = "x"
	}
	e.volume(web1Root, web1, "/dev/xvda", volTags)
	resp := e.res.Plan(context.Background(), providers.PlanRequest{Addr: web1Addr, Prior: e.res.null,
		Config: e.cfg(web1Config(map[string]cty.Value{"copy": copyBlocks(map[string]cty.Value{"region": ebsV(e.p.Region())})}))})
	wantDiag(t, resp.Diagnostics, hcl.DiagError, "copy[0].region", "the aws provider's own region")
	resp = e.res.Plan(context.Background(), providers.PlanRequest{Addr: web1Addr, Prior: e.res.null,
		Config: e.cfg(web1Config(map[string]cty.Value{"copy_volume_tags": cty.True}))})
	wantDiag(t, resp.Diagnostics, hcl.DiagError, "copy_volume_tags", "would carry 51 tags", "EC2 allows 50")
	if got := e.shim.Counts()["CreateSnapshot"]; got != 0 {
		t.Errorf("refused plans still took %d snapshots", got)
	}
}
