package aws

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ec2shim"
	"github.com/plumbhq/plumb/providers"
)

const (
	fleetVolumes   = 500
	fleetSnapshots = 30 // per volume, one a day
	fleetAddr      = "aws_ebs_snapshot_policy.fleet"
)

// fleetConfig keeps 30 days, so each day the 30-day-old snapshot of every
// volume goes and a new one comes: the steady state of a month's policy.
func fleetConfig(e *ebsEnv) cty.Value {
	return e.cfg(map[string]cty.Value{
		"volume_tags": ebsMapV("Backup", "fleet"), "interval": ebsV("24h"), "retain": ebsV("30d"), "tags": ebsMapV("Backup", "fleet"),
	})
}

// fleetState seeds 500 volumes with 30 daily snapshots each and returns
// the policy's state as the last apply left it (imported, then given its
// configuration).
func fleetState(tb testing.TB, e *ebsEnv) cty.Value {
	tb.Helper()
	for v := range fleetVolumes {
		vol := e.shim.AddVolume(ec2shim.Volume{ID: fmt.Sprintf("vol-%017x", v+1), InstanceID: fmt.Sprintf("i-%017x", v/4+1),
			Device: fmt.Sprintf("/dev/xvd%c", 'f'+v%4), Tags: map[string]string{"Backup": "fleet"}})
		for d := 1; d <= fleetSnapshots; d++ {
			e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: vol, StartTime: ebsStart.Add(-time.Duration(d) * 24 * time.Hour),
				Description: fmt.Sprintf("fleet_backup-%s", ebsStart.Add(-time.Duration(d)*24*time.Hour).Format("2006-01-02")),
				Tags:        map[string]string{OwnerTag: fleetAddr, "Backup": "fleet"}})
		}
	}
	imp := e.res.Import(context.Background(), providers.ImportRequest{ID: fleetAddr})
	if imp.Diagnostics.HasErrors() {
		tb.Fatal(imp.Diagnostics.Error())
	}
	config := fleetConfig(e)
	set := map[string]cty.Value{}
	for name := range config.Type().AttributeTypes() {
		if v := config.GetAttr(name); !v.IsNull() {
			set[name] = v
		}
	}
	set["description"] = ebsV(DefaultSnapshotDescription)
	return ebsWith(imp.State, set)
}

// TestEBSFleetPlan plans 500 volumes × 30 snapshots against the shim with
// one paginated DescribeSnapshots listing, and applies it. How long it
// takes is measured by BenchmarkEBSFleetRefreshPlan, not asserted here.
func TestEBSFleetPlan(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{CompleteAfter: time.Hour}, nil)
	state := fleetState(t, e)
	config := fleetConfig(e)
	e.shim.ResetCounts()
	start := time.Now()
	refreshed := e.read(state)
	read := time.Since(start)
	planned, _ := e.plan(fleetAddr, refreshed, config)
	total := time.Since(start)
	calls := e.shim.Counts()
	t.Logf("refresh %v, plan %v, total %v; EC2 requests %v", read.Round(time.Millisecond), (total - read).Round(time.Millisecond), total.Round(time.Millisecond), calls)
	pages := (fleetVolumes*fleetSnapshots + ebsSnapshotPage - 1) / ebsSnapshotPage
	want := map[string]int{"DescribeSnapshots": pages, "DescribeVolumes": 1, "DescribeImages": 1}
	for k, n := range want {
		if calls[k] != n {
			t.Errorf("%s requests: %d, want %d", k, calls[k], n)
		}
	}
	if len(calls) != len(want) {
		t.Errorf("requests %v, want only %v", calls, want)
	}
	before, after := ebsSnapsFrom(refreshed.GetAttr("snapshots")), ebsSnapsFrom(planned.GetAttr("snapshots"))
	creates := 0
	for _, s := range after {
		if s.planned() {
			creates++
		}
	}
	if deletes := len(before) - (len(after) - creates); creates != fleetVolumes || deletes != fleetVolumes {
		t.Errorf("plan creates %d and deletes %d, want %d of each", creates, deletes, fleetVolumes)
	}

	e.shim.ResetCounts()
	start = time.Now()
	next, _ := e.apply(fleetAddr, refreshed, planned, config)
	t.Logf("apply %v; EC2 requests %v", time.Since(start).Round(time.Millisecond), e.shim.Counts())
	if n := len(ebsSnapsFrom(next.GetAttr("snapshots"))); n != fleetVolumes*fleetSnapshots {
		t.Errorf("state records %d snapshots after the apply, want %d", n, fleetVolumes*fleetSnapshots)
	}
	if n := len(e.owned(fleetAddr)); n != fleetVolumes*fleetSnapshots {
		t.Errorf("the shim has %d of the policy's snapshots, want %d", n, fleetVolumes*fleetSnapshots)
	}
}

// BenchmarkEBSFleetRefreshPlan refreshes and plans 500 volumes × 30
// snapshots through the SDK and the shim.
func BenchmarkEBSFleetRefreshPlan(b *testing.B) {
	e := ebsSetup(b, ec2shim.Options{}, nil)
	state := fleetState(b, e)
	config := fleetConfig(e)
	e.shim.ResetCounts()
	for b.Loop() {
		refreshed := e.read(state)
		e.plan(fleetAddr, refreshed, config)
	}
	calls := 0
	for _, n := range e.shim.Counts() {
		calls += n
	}
	b.ReportMetric(float64(calls)/float64(b.N), "requests/op")
}

// BenchmarkEBSFleetPlanOnly plans 500 volumes × 30 snapshots from a
// refreshed prior: the work Plan does itself, with no API call.
func BenchmarkEBSFleetPlanOnly(b *testing.B) {
	e := ebsSetup(b, ec2shim.Options{}, nil)
	config := fleetConfig(e)
	refreshed := e.read(fleetState(b, e))
	e.shim.ResetCounts()
	for b.Loop() {
		e.plan(fleetAddr, refreshed, config)
	}
	if n := len(e.shim.Counts()); n != 0 {
		b.Errorf("planning from a refreshed prior called EC2: %v", e.shim.Counts())
	}
}
