package aws

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ec2shim"
	"github.com/plumbhq/plumb/providers/providertest"
)

const (
	web1      = "i-0a1b2c3d4e5f60718"
	web1Root  = "vol-0a1b2c3d4e5f60001"
	web1Data  = "vol-0a1b2c3d4e5f60002"
	web1Addr  = "aws_ebs_snapshot_policy.web1"
	otherHost = "i-0f0f0f0f0f0f0f0f0"
)

// web1Config is the policy of issue 8: web1's volumes, daily, a week.
func web1Config(extra map[string]cty.Value) map[string]cty.Value {
	attrs := map[string]cty.Value{
		"instance_id": ebsV(web1), "interval": ebsV("24h"), "retain": ebsV("7d"),
		"host_name": ebsV("web1"), "tags": ebsMapV("Backup", "daily"),
	}
	maps.Copy(attrs, extra)
	for k, v := range attrs {
		if v == cty.NilVal {
			delete(attrs, k)
		}
	}
	return attrs
}

func TestEBSConformance(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{CompleteAfter: 30 * time.Minute}, nil)
	e.volume(web1Root, web1, "/dev/xvda", nil)
	e.volume(web1Data, web1, "/dev/xvdf", map[string]string{"Backup": "daily"})
	e.volume("vol-0c0c0c0c0c0c0c0c0", otherHost, "/dev/xvda", map[string]string{"Backup": "daily"})
	owner := map[string]cty.Value{"owner": ebsV(web1Addr)}
	wantOwned := func(n int, then time.Duration) func(providertest.TB, cty.Value) {
		return func(t providertest.TB, state cty.Value) {
			t.Helper()
			if got := e.owned(web1Addr); len(got) != n || !cmp.Equal(got, sortedIDs(state)) {
				t.Errorf("the shim has %v owned, state %v; want the same %d", got, sortedIDs(state), n)
			}
			e.clock.advance(then)
		}
	}
	ignore := []string{"instance_id", "volume_ids", "volume_tags", "interval", "retain", "keep_last", "description", "host_name", "tags", "volumes"}
	providertest.Run(t, providertest.Case{
		Resource:     e.res,
		ImportID:     func(s cty.Value) string { return s.GetAttr("owner").AsString() },
		ImportIgnore: ignore,
		StateOnly:    true,
		Steps: []providertest.Step{
			{Name: "create", Config: cty.ObjectVal(web1Config(owner)),
				Check: func(t providertest.TB, state cty.Value) {
					t.Helper()
					for _, id := range e.owned(web1Addr) {
						sn, _ := e.shim.Snapshot(id)
						if sn.Tags["Backup"] != "daily" || !strings.HasPrefix(sn.Description, "web1_backup-2025-03-03 /dev/xvd") {
							t.Errorf("snapshot %s: tags %v, description %q", id, sn.Tags, sn.Description)
						}
					}
					wantOwned(2, 24*time.Hour)(t, state)
				}},
			{Name: "a day later", Config: cty.ObjectVal(web1Config(owner)), Check: wantOwned(4, 24*time.Hour)},
			{Name: "narrowed to tagged volumes", Config: cty.ObjectVal(web1Config(map[string]cty.Value{
				"owner": ebsV(web1Addr), "volume_tags": ebsMapV("Backup", "daily"),
			})),
				PlanCheck: func(t providertest.TB, _, planned cty.Value) {
					t.Helper()
					vols := ebsVolumesFrom(planned.GetAttr("volumes"))
					if len(vols) != 1 || vols[0].id != web1Data {
						t.Errorf("planned volumes %v, want only %s", vols, web1Data)
					}
				},
				Check: wantOwned(5, 3*24*time.Hour)},
			{Name: "past retention", Config: cty.ObjectVal(web1Config(map[string]cty.Value{
				"owner": ebsV(web1Addr), "volume_tags": ebsMapV("Backup", "daily"), "retain": ebsV("4d"),
			})),
				PlanCheck: func(t providertest.TB, refreshed, planned cty.Value) {
					t.Helper()
					// Day 5: root's day-0 snapshot and data's day-0 and day-1
					// ones are past 4 days; root's day-1 one is its newest.
					gone := minus(ebsIDsOf(refreshed.GetAttr("snapshots")), ebsIDsOf(planned.GetAttr("snapshots")))
					if len(gone) != 3 {
						t.Errorf("planned deletions %v, want 3", gone)
					}
				},
				Check: wantOwned(3, 24*time.Hour)},
			{Name: "keep_last instead", Config: cty.ObjectVal(web1Config(map[string]cty.Value{
				"owner": ebsV(web1Addr), "retain": cty.NilVal, "keep_last": cty.NumberIntVal(1),
			})), Check: wantOwned(4, 0)},
		},
		Gone: func(t providertest.TB, last cty.Value) {
			t.Helper()
			if got := e.owned(web1Addr); !cmp.Equal(got, sortedIDs(last)) {
				t.Errorf("after the policy was destroyed the shim has %v, want its snapshots %v left in place", got, sortedIDs(last))
			}
		},
	})
}

// TestEBSWeek walks the policy through eleven daily runs that start a few
// minutes apart, and checks the exact snapshots kept each day: the last
// seven of each volume, and never one the policy did not make.
func TestEBSWeek(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{CompleteAfter: 20 * time.Minute}, nil)
	e.volume(web1Root, web1, "/dev/xvda", nil)
	e.volume(web1Data, web1, "/dev/xvdf", nil)
	e.volume("vol-0c0c0c0c0c0c0c0c0", otherHost, "/dev/xvda", nil)
	month := ebsStart.Add(-30 * 24 * time.Hour)
	untouchable := []string{
		e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: web1Root, StartTime: month, Description: "made by hand"}),
		e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: web1Root, StartTime: month, Tags: map[string]string{OwnerTag: "aws_ebs_snapshot_policy.db"}}),
		e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: web1Root, StartTime: month, OwnerID: "999999999999", Tags: map[string]string{OwnerTag: web1Addr}}),
		e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: web1Root, StartTime: month, Description: web1 + " snapshot the cron script would have deleted"}),
	}
	config := e.cfg(web1Config(nil))
	jitter := []time.Duration{0, 4, -7, 9, -3, 0, 6, -9, 2, -5, 8} // minutes late each day
	var state cty.Value = e.res.null
	made := map[string]int{} // snapshot ID → the day it was made
	var pinned, ami string
	for day := range 11 {
		if day > 0 {
			e.clock.advance(24*time.Hour + (jitter[day]-jitter[day-1])*time.Minute)
		}
		before := map[string]bool{}
		for _, id := range e.owned(web1Addr) {
			before[id] = true
		}
		var planned cty.Value
		state, planned = e.run(web1Addr, state, config)
		var fresh []string
		for _, id := range e.owned(web1Addr) {
			if !before[id] {
				made[id] = day
				fresh = append(fresh, id)
			}
		}
		if len(fresh) != 2 {
			t.Fatalf("day %d: took %d snapshots, want one of each of web1's 2 volumes", day, len(fresh))
		}
		if day == 1 {
			// An AMI made from the day-0 root snapshot pins it past its week.
			pinned = firstOf(made, 0, web1Root, e)
			var err error
			if ami, err = e.shim.RegisterImage("web1-golden", pinned); err != nil {
				t.Fatal(err)
			}
		}
		if day == 9 {
			e.shim.DeregisterImage(ami)
		}
		var want []string
		for id, d := range made {
			if day-d < 7 || id == pinned && day < 10 {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		if got := e.owned(web1Addr); !cmp.Equal(got, want) {
			t.Errorf("day %d: the policy's snapshots are %v, want %v (made %v)", day, got, want, made)
		}
		if got := sortedIDs(state); !cmp.Equal(got, want) {
			t.Errorf("day %d: state records %v, want %v", day, got, want)
		}
		if n := len(ebsSnapsFrom(planned.GetAttr("snapshots"))); n != len(want) {
			t.Errorf("day %d: the plan holds %d snapshots, want the %d kept", day, n, len(want))
		}
	}
	for _, id := range untouchable {
		if _, ok := e.shim.Snapshot(id); !ok {
			t.Errorf("%s, not the policy's, was deleted", id)
		}
	}
	for _, s := range ebsSnapsFrom(state.GetAttr("snapshots")) {
		if made[s.id] == 10 && s.status != "new: last snapshot 1d 0h old" {
			t.Errorf("day 10 snapshot %s has status %q", s.id, s.status)
		}
	}
}

// TestEBSWeekPlanShowsWhy checks what a reviewer sees on the eighth day:
// the snapshot from a week ago going, with its age and the rule, and a new
// one coming, with the age of the last.
func TestEBSWeekPlanShowsWhy(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{CompleteAfter: 20 * time.Minute}, nil)
	e.volume(web1Root, web1, "/dev/xvda", nil)
	config := e.cfg(web1Config(nil))
	var state cty.Value = e.res.null
	for day := range 7 {
		if day > 0 {
			e.clock.advance(24 * time.Hour)
		}
		state, _ = e.run(web1Addr, state, config)
	}
	e.clock.advance(24 * time.Hour)
	refreshed := e.read(state)
	planned, _ := e.plan(web1Addr, refreshed, config)
	before, after := ebsSnapsFrom(refreshed.GetAttr("snapshots")), ebsSnapsFrom(planned.GetAttr("snapshots"))
	if len(before) != 7 || len(after) != 7 {
		t.Fatalf("%d snapshots before, %d planned; want 7 and 7", len(before), len(after))
	}
	gone, added := before[0], after[6]
	want := ebsSnap{id: gone.id, volumeID: web1Root, description: "web1_backup-2025-03-03 /dev/xvda", state: ebsCompleted,
		started: ebsStart, age: "7d 0h", status: "expired: 7d 0h old (retain 7d)"}
	if diff := cmp.Diff(want, gone, cmp.AllowUnexported(ebsSnap{})); diff != "" {
		t.Errorf("the snapshot going (-want +got):\n%s", diff)
	}
	if slices.Contains(ebsIDsOf(planned.GetAttr("snapshots")), gone.id) {
		t.Errorf("the plan keeps %s", gone.id)
	}
	wantNew := ebsSnap{volumeID: web1Root, description: "web1_backup-2025-03-10 /dev/xvda", state: ebsPending, age: "0m", status: "new: last snapshot 1d 0h old"}
	if diff := cmp.Diff(wantNew, added, cmp.AllowUnexported(ebsSnap{})); diff != "" {
		t.Errorf("the snapshot coming (-want +got):\n%s", diff)
	}
	if got := planned.GetAttr("snapshots").Index(cty.NumberIntVal(6)).GetAttr("id"); got.IsKnown() {
		t.Errorf("the new snapshot's ID is planned as %#v, want unknown", got)
	}
}

// sortedIDs lists the snapshot IDs of a state, sorted.
func sortedIDs(state cty.Value) []string {
	out := ebsIDsOf(state.GetAttr("snapshots"))
	slices.Sort(out)
	return out
}

// minus returns the elements of a not in b.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// firstOf returns the snapshot of vol made on day.
func firstOf(made map[string]int, day int, vol string, e *ebsEnv) string {
	for id, d := range made {
		if sn, _ := e.shim.Snapshot(id); d == day && sn.VolumeID == vol {
			return id
		}
	}
	e.t.Fatalf("no snapshot of %s made on day %d", vol, day)
	return ""
}
