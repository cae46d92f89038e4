package aws

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ec2shim"
)

// TestEBSOneApplyConverges is issue 21's history: policy snapshots 1 to
// 10 days old, three hand-made 30-day ones, and a 20-day policy snapshot
// behind an AMI, found by a new policy (no state) with retain = "7d". Its
// plan labels the four expired snapshots "deleted by this apply", the
// apply deletes them and takes the day's snapshot, and the next plan has
// nothing to do.
func TestEBSOneApplyConverges(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{CompleteAfter: 30 * time.Minute}, nil)
	e.volume(web1Root, web1, "/dev/xvda", nil)
	day := 24 * time.Hour
	ages := map[string]int{}
	for d := 1; d <= 10; d++ {
		ages[e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: web1Root, StartTime: ebsStart.Add(-time.Duration(d) * day), Tags: map[string]string{OwnerTag: web1Addr}})] = d
	}
	var byHand []string
	for range 3 {
		byHand = append(byHand, e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: web1Root, StartTime: ebsStart.Add(-30 * day).Add(time.Duration(len(byHand)) * time.Minute), Description: "cron script"}))
	}
	pinned := e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: web1Root, StartTime: ebsStart.Add(-20 * day), Tags: map[string]string{OwnerTag: web1Addr}})
	if _, err := e.shim.RegisterImage("web1-golden", pinned); err != nil {
		t.Fatal(err)
	}
	config := e.cfg(web1Config(nil))

	planned, diags := e.plan(web1Addr, e.res.null, config)
	var goes []int
	for _, s := range ebsSnapsFrom(planned.GetAttr("snapshots")) {
		switch {
		case strings.HasSuffix(s.status, ebsDeletedNow):
			goes = append(goes, ages[s.id])
		case s.id == pinned && s.status != "expired, kept: in use by "+s.inUseBy:
			t.Errorf("the AMI's snapshot has status %q", s.status)
		}
	}
	slices.Sort(goes)
	if !slices.Equal(goes, []int{7, 8, 9, 10}) {
		t.Errorf("the plan deletes the snapshots %v days old, want 7 to 10", goes)
	}
	wantDiag(t, diags, hcl.DiagWarning, "", "Expired snapshots kept for AMIs", pinned)

	state, _ := e.run(web1Addr, e.res.null, config)
	for id, d := range ages {
		if _, ok := e.shim.Snapshot(id); ok != (d < 7) {
			t.Errorf("after one apply the %d-day-old snapshot %s exists: %v", d, id, ok)
		}
	}
	for _, id := range append(byHand, pinned) {
		if _, ok := e.shim.Snapshot(id); !ok {
			t.Errorf("%s was deleted", id)
		}
	}
	refreshed := e.read(state)
	if planned, _ := e.plan(web1Addr, refreshed, config); !planned.RawEquals(refreshed) {
		t.Error("the plan after one apply has changes")
	}
}

// TestEBSDeferredUntilTheNewSnapshotCompletes: a volume whose schedule
// stopped for over a week has only expired snapshots. The run that takes
// a new one keeps them until it completes, saying so; a plan in between
// has nothing to do; the run after it completes deletes them.
func TestEBSDeferredUntilTheNewSnapshotCompletes(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{CompleteAfter: 2 * time.Hour}, nil)
	e.volume(web1Root, web1, "/dev/xvda", nil)
	day := 24 * time.Hour
	older := e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: web1Root, StartTime: ebsStart.Add(-10 * day), Tags: map[string]string{OwnerTag: web1Addr}})
	newest := e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: web1Root, StartTime: ebsStart.Add(-9 * day), Tags: map[string]string{OwnerTag: web1Addr}})
	config := e.cfg(web1Config(nil))
	state, _ := e.run(web1Addr, e.res.null, config)
	statuses := map[string]string{}
	var taken string
	for _, s := range ebsSnapsFrom(e.read(state).GetAttr("snapshots")) {
		statuses[s.id] = s.status
		if s.state == ebsPending {
			taken = s.id
		}
	}
	want := map[string]string{
		older:  "expired: 10d 0h old (retain 7d); deleted on the next run, after " + taken + " completes",
		newest: "newest completed",
		taken:  "new: last snapshot 9d 0h old",
	}
	if !equalMaps(statuses, want) {
		t.Fatalf("after the first run the statuses are %v, want %v", statuses, want)
	}
	e.clock.advance(time.Hour) // a drift check while the snapshot is pending
	refreshed := e.read(state)
	if planned, _ := e.plan(web1Addr, refreshed, config); !planned.RawEquals(refreshed) {
		t.Error("a plan while the new snapshot is pending has changes")
	}
	e.clock.advance(2 * time.Hour) // it has completed: the deletions are due
	refreshed = e.read(state)
	planned, _ := e.plan(web1Addr, refreshed, config)
	if got := minus(ebsIDsOf(refreshed.GetAttr("snapshots")), ebsIDsOf(planned.GetAttr("snapshots"))); !slices.Equal(sortedCopy(got), sortedCopy([]string{older, newest})) {
		t.Errorf("once %s completed the plan deletes %v, want %s and %s", taken, got, older, newest)
	}
	e.run(web1Addr, state, config)
	if got := e.owned(web1Addr); !slices.Equal(got, []string{taken}) {
		t.Errorf("left %v, want only %s", got, taken)
	}
}

// TestEBSCopiesWeek walks a policy with an encrypted copy block through
// ten days: each snapshot is copied once it has completed, copies are
// tagged, encrypted with the key and kept for their own retention, and a
// copy block removed leaves its copies in place.
func TestEBSCopiesWeek(t *testing.T) {
	e := ebsSetup(t, ec2shim.Options{CompleteAfter: 20 * time.Minute}, nil)
	e.volume(web1Root, web1, "/dev/xvda", map[string]string{"Team": "web", "aws:cloudformation:stack-name": "web"})
	copyBlock := cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
		"region": ebsV("eu-central-1"), "retain": ebsV("3d"), "encrypted": cty.True, "kms_key_id": ebsV("alias/backups"),
	})})
	config := e.cfg(web1Config(map[string]cty.Value{
		"retain": ebsV("5d"), "copy": copyBlock, "copy_volume_tags": cty.True,
		"tags": ebsMapV("Backup", "daily", "Name", "{host}-{date}"),
	}))
	var state cty.Value = e.res.null
	for day := range 10 {
		if day > 0 {
			e.clock.advance(24 * time.Hour)
		}
		state, _ = e.run(web1Addr, state, config)
		var copies []ec2shim.Snapshot
		for _, s := range e.shim.Snapshots() {
			if s.Region == "eu-central-1" {
				copies = append(copies, s)
			}
		}
		// Copies are made a day after their snapshot and kept 3 days from
		// when it was taken, less the tolerance: the run of day d deletes
		// the copy of day d-3's, so those of days d-2 and d-1 remain.
		if want := min(day, 2); len(copies) != want {
			t.Errorf("day %d: %d copies, want %d", day, len(copies), want)
		}
		for _, c := range copies {
			src := c.Tags[CopyOfTag]
			if !c.Encrypted || c.KmsKeyID != "alias/backups" || c.Tags[OwnerTag] != web1Addr || c.Tags[VolumeTag] != web1Root ||
				c.Tags["Team"] != "web" || !strings.HasPrefix(c.Tags["Name"], "web1-2025-03-") || c.Tags["aws:cloudformation:stack-name"] != "" || src == "" {
				t.Errorf("day %d: copy %+v", day, c)
			}
		}
	}
	if n := len(ebsCopiesFrom(state.GetAttr("copies"))); n != 2 {
		t.Errorf("state records %d copies, want 2", n)
	}
	// The copy block goes: the copies stay in EC2, and the policy forgets them.
	without := e.cfg(web1Config(map[string]cty.Value{"retain": ebsV("5d"), "copy_volume_tags": cty.True, "tags": ebsMapV("Backup", "daily", "Name", "{host}-{date}")}))
	e.clock.advance(time.Hour)
	refreshed := e.read(state)
	planned, diags := e.plan(web1Addr, refreshed, without)
	for _, c := range ebsCopiesFrom(planned.GetAttr("copies")) {
		if c.status != ebsLeftInPlace+"eu-central-1" {
			t.Errorf("copy %s planned as %q", c.id, c.status)
		}
	}
	wantDiag(t, diags, hcl.DiagWarning, "", "Copies left in place")
	state, _ = e.apply(web1Addr, refreshed, planned, without)
	if n := len(ebsCopiesFrom(state.GetAttr("copies"))); n != 0 {
		t.Errorf("state still records %d copies", n)
	}
	left := 0
	for _, s := range e.shim.Snapshots() {
		if s.Region == "eu-central-1" {
			left++
		}
	}
	if left != 2 {
		t.Errorf("%d copies left in eu-central-1, want the 2", left)
	}
	if refreshed := e.read(state); !mustPlan(e, refreshed, without).RawEquals(refreshed) {
		t.Error("the plan after forgetting the copies has changes")
	}
}

func mustPlan(e *ebsEnv, prior, config cty.Value) cty.Value {
	e.t.Helper()
	p, _ := e.plan(web1Addr, prior, config)
	return p
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
