package aws

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ec2shim"
)

// TestEBSPlanIsTheApply runs generated weeks: a random history (policy
// snapshots of random ages and states, some behind AMIs, foreign ones),
// random rules, sometimes a copy block, snapshots that take from minutes
// to more than a day to complete, and a cron run each day a few minutes
// early or late. Each run compares what the plan announced with what the
// apply did: the snapshots and copies it deleted are exactly those the
// plan showed going, those it made are those the plan showed coming, and
// every snapshot the plan calls expired is either going or says why not.
// A plan right after each apply has nothing to do, and foreign snapshots
// are never touched.
func TestEBSPlanIsTheApply(t *testing.T) {
	seen := map[string]int{}
	for w := range 24 {
		t.Run(fmt.Sprintf("week%02d", w), func(t *testing.T) { planIsTheApplyWeek(t, uint64(w), seen) })
	}
	// The generated weeks must have covered every case the test is about.
	for _, what := range []string{"deleted", "deleted by a new policy", "deferred", "kept for an AMI", "copied", "copy deleted", "taken"} {
		if seen[what] == 0 {
			t.Errorf("no generated week had a snapshot %s (seen %v)", what, seen)
		}
	}
	t.Logf("seen %v", seen)
}

// ebsGenRules are the rule sets a generated week picks from.
var ebsGenRules = []map[string]cty.Value{
	{"retain": ebsV("7d")},
	{"retain": ebsV("3d")},
	{"retain": ebsV("24h")},
	{"retain": cty.NilVal, "keep_last": cty.NumberIntVal(3)},
	{"retain": ebsV("5d"), "keep_last": cty.NumberIntVal(4)},
}

func planIsTheApplyWeek(t *testing.T, seed uint64, seen map[string]int) {
	rng := rand.New(rand.NewPCG(seed, 21))
	completeAfter := []time.Duration{10 * time.Minute, 3 * time.Hour, 30 * time.Hour}[rng.IntN(3)]
	e := ebsSetup(t, ec2shim.Options{CompleteAfter: completeAfter}, nil)
	extra := map[string]cty.Value{}
	rules := ebsGenRules[rng.IntN(len(ebsGenRules))]
	for k, v := range rules {
		extra[k] = v
	}
	copies := rng.IntN(2) == 0
	if copies {
		extra["copy"] = cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"region": ebsV("eu-central-1"), "retain": ebsV(fmt.Sprintf("%dd", 2+rng.IntN(6)))})})
	}
	config := e.cfg(web1Config(extra))
	var foreign []string
	for v := range 1 + rng.IntN(3) {
		vol := e.volume(fmt.Sprintf("vol-%017x", v+1), web1, fmt.Sprintf("/dev/xvd%c", 'a'+v), nil)
		for range rng.IntN(9) {
			age := time.Duration((0.5 + rng.Float64()*11.5) * float64(24*time.Hour)).Truncate(time.Minute)
			state := ec2shim.StateCompleted
			switch r := rng.IntN(10); {
			case r == 0:
				state = ec2shim.StateError
			case r == 1 && age < 2*24*time.Hour:
				state = ec2shim.StatePending
			}
			id := e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: vol, StartTime: ebsStart.Add(-age), State: state, Tags: map[string]string{OwnerTag: web1Addr}})
			if state == ec2shim.StateCompleted && age > 5*24*time.Hour && rng.IntN(5) == 0 {
				if _, err := e.shim.RegisterImage("golden-"+id, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		foreign = append(foreign, e.shim.AddSnapshot(ec2shim.Snapshot{VolumeID: vol, StartTime: ebsStart.Add(-30 * 24 * time.Hour), Description: "by hand"}))
	}
	var state cty.Value = e.res.null
	for day := range 7 {
		if day > 0 {
			e.clock.advance(24*time.Hour + time.Duration(rng.IntN(21)-10)*time.Minute)
		}
		what := fmt.Sprintf("seed %d day %d (rules %v, copies %v, completing in %v)", seed, day, rules, copies, completeAfter)
		state = planAndCompare(t, e, what, state, config, seen)
		again := e.read(state)
		if planned, _ := e.plan(web1Addr, again, config); !planned.RawEquals(again) {
			t.Errorf("%s: a plan right after the apply has changes:\n%s", what, cmp.Diff(ctyJSON(again), ctyJSON(planned)))
		}
	}
	for _, id := range foreign {
		if _, ok := e.shim.Snapshot(id); !ok {
			t.Errorf("seed %d: foreign snapshot %s was deleted", seed, id)
		}
	}
}

// planAndCompare runs one scheduled run (refresh, plan, apply with the
// plan made again at apply time, as the engine does) and checks the apply
// against what the plan announced. It returns the new state.
func planAndCompare(t *testing.T, e *ebsEnv, what string, state, config cty.Value, seen map[string]int) cty.Value {
	t.Helper()
	refreshed := state
	if !state.IsNull() {
		refreshed = e.read(state)
	}
	planned, _ := e.plan(web1Addr, refreshed, config)
	if !refreshed.IsNull() && planned.RawEquals(refreshed) {
		return refreshed
	}
	goes, comes := announced(refreshed, planned)
	for _, s := range append(ebsSnapsFrom(planned.GetAttr("snapshots")), ebsCopiesFrom(planned.GetAttr("copies"))...) {
		if strings.HasPrefix(s.status, "expired") && !goes[s.id] &&
			!strings.Contains(s.status, "kept: in use by") && !strings.Contains(s.status, "deleted on the next run, after ") {
			t.Errorf("%s: the plan calls %s %q, but neither deletes it nor says why not", what, s.id, s.status)
		}
		switch {
		case strings.HasSuffix(s.status, ebsDeletedNow):
			seen["deleted by a new policy"]++
		case strings.Contains(s.status, "deleted on the next run"):
			seen["deferred"]++
		case strings.Contains(s.status, "kept: in use by"):
			seen["kept for an AMI"]++
		}
	}
	before := e.shimSnapshots()
	again, _ := e.plan(web1Addr, refreshed, config)
	next, _ := e.apply(web1Addr, refreshed, again, config)
	after := e.shimSnapshots()
	gone, made := map[string]bool{}, map[string]int{}
	for id := range before {
		if _, ok := after[id]; !ok {
			gone[id] = true
		}
	}
	for id, s := range after {
		if _, ok := before[id]; !ok {
			made[madeKey(s.Region, s.VolumeID, s.SourceSnapshotID)]++
			seen[map[bool]string{true: "copied", false: "taken"}[s.SourceSnapshotID != ""]]++
		}
	}
	for id := range gone {
		seen[map[bool]string{true: "copy deleted", false: "deleted"}[before[id].SourceSnapshotID != ""]]++
	}
	if diff := cmp.Diff(goes, gone); diff != "" {
		t.Errorf("%s: deleted (-announced +done):\n%s", what, diff)
	}
	if diff := cmp.Diff(comes, made); diff != "" {
		t.Errorf("%s: made (-announced +done):\n%s", what, diff)
	}
	return next
}

// announced returns what a plan says the apply deletes (by ID) and makes
// (counted by region, volume and, for copies, source).
func announced(refreshed, planned cty.Value) (map[string]bool, map[string]int) {
	goes, comes := map[string]bool{}, map[string]int{}
	for _, attr := range []string{"snapshots", "copies"} {
		read := ebsSnapsFrom
		if attr == "copies" {
			read = ebsCopiesFrom
		}
		kept := map[string]bool{}
		for _, s := range read(planned.GetAttr(attr)) {
			switch {
			case s.planned() && s.sourceID != "":
				comes[madeKey(s.region, "vol-ffffffff", s.sourceID)]++
			case s.planned():
				comes[madeKey(ec2shim.Region, s.volumeID, "")]++
			case strings.HasSuffix(s.status, ebsDeletedNow):
				goes[s.id] = true
			default:
				kept[s.id] = true
			}
		}
		if !refreshed.IsNull() {
			for _, s := range read(refreshed.GetAttr(attr)) {
				if !kept[s.id] {
					goes[s.id] = true
				}
			}
		}
	}
	return goes, comes
}

func madeKey(region, volume, source string) string { return region + " " + volume + " " + source }

// shimSnapshots returns the shim's snapshots by ID.
func (e *ebsEnv) shimSnapshots() map[string]ec2shim.Snapshot {
	out := map[string]ec2shim.Snapshot{}
	for _, s := range e.shim.Snapshots() {
		out[s.ID] = s
	}
	return out
}

// ctyJSON is a value as a comparable Go value, for diffs in messages.
func ctyJSON(v cty.Value) []string {
	var out []string
	for _, attr := range []string{"snapshots", "copies"} {
		for it := v.GetAttr(attr).ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, attr+": "+e.GoString())
		}
	}
	slices.Sort(out)
	return out
}
