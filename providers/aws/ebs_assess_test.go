package aws

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plumbhq/plumb/providers"
)

// ebsSnapAt is a snapshot of vol started daysAgo days before ebsStart.
func ebsSnapAt(id, vol, state string, daysAgo float64) ebsSnap {
	return ebsSnap{id: id, volumeID: vol, state: state, started: ebsStart.Add(-time.Duration(daysAgo * float64(24*time.Hour)))}
}

func ebsRulesOf(interval, retain string, keepLast int) ebsRules {
	r := ebsRules{intervalText: interval, retainText: retain, keepLast: keepLast}
	r.interval, _ = providers.ParseDuration(interval)
	if retain != "" {
		r.retain, _ = providers.ParseDuration(retain)
	}
	return r
}

func TestEBSAssess(t *testing.T) {
	tests := []struct {
		name  string
		rules ebsRules
		snaps []ebsSnap
		want  []string // status of each snapshot, in order
	}{
		{"retain a week", ebsRulesOf("24h", "7d", 0), []ebsSnap{
			ebsSnapAt("s8", "v", ebsCompleted, 8), ebsSnapAt("s7", "v", ebsCompleted, 7), ebsSnapAt("s6", "v", ebsCompleted, 6.5), ebsSnapAt("s1", "v", ebsCompleted, 1),
		}, []string{"expired: 8d 0h old (retain 7d)", "expired: 7d 0h old (retain 7d)", "completed", "newest completed"}},
		{"the tolerance expires a snapshot an hour early, not two", ebsRulesOf("24h", "7d", 0), []ebsSnap{
			ebsSnapAt("a", "v", ebsCompleted, 7-1.0/24), ebsSnapAt("b", "v", ebsCompleted, 7-2.0/24), ebsSnapAt("c", "v", ebsCompleted, 0),
		}, []string{"expired: 6d 23h old (retain 7d, within the 1h tolerance)", "completed", "newest completed"}},
		{"the newest completed is kept however old", ebsRulesOf("24h", "7d", 0), []ebsSnap{
			ebsSnapAt("old", "v", ebsCompleted, 40), ebsSnapAt("older", "v", ebsCompleted, 50),
		}, []string{"newest completed", "expired: 50d 0h old (retain 7d)"}},
		{"a pending snapshot the only stand-in: expired ones wait for it", ebsRulesOf("24h", "7d", 0), []ebsSnap{
			ebsSnapAt("old", "v", ebsCompleted, 40), ebsSnapAt("older", "v", ebsCompleted, 50), ebsSnapAt("p", "v", ebsPending, 30),
			ebsSnapAt("f", "v", ebsError, 45),
		}, []string{"newest completed", "expired: 50d 0h old (retain 7d); deleted on the next run, after p completes", "new: last snapshot 10d 0h old",
			"expired: failed, 45d 0h old (retain 7d)"}},
		{"a planned snapshot the only stand-in", ebsRulesOf("24h", "7d", 0), []ebsSnap{
			ebsSnapAt("a", "v", ebsCompleted, 9), ebsSnapAt("b", "v", ebsCompleted, 10), {volumeID: "v", state: ebsPending, started: ebsStart},
		}, []string{"newest completed", "expired: 10d 0h old (retain 7d); deleted on the next run, after the new snapshot completes", "new: last snapshot 9d 0h old"}},
		{"one completed inside retention: the expired go at once", ebsRulesOf("24h", "7d", 0), []ebsSnap{
			ebsSnapAt("a", "v", ebsCompleted, 1), ebsSnapAt("b", "v", ebsCompleted, 8), ebsSnapAt("c", "v", ebsCompleted, 9), {volumeID: "v", state: ebsPending, started: ebsStart},
		}, []string{"newest completed", "expired: 8d 0h old (retain 7d)", "expired: 9d 0h old (retain 7d)", "new: last snapshot 1d 0h old"}},
		{"retain as short as the interval: the last on-schedule snapshot stands in", ebsRulesOf("24h", "24h", 0), []ebsSnap{
			ebsSnapAt("a", "v", ebsCompleted, 1), ebsSnapAt("b", "v", ebsCompleted, 2), {volumeID: "v", state: ebsPending, started: ebsStart},
		}, []string{"newest completed", "expired: 2d 0h old (retain 24h)", "new: last snapshot 1d 0h old"}},
		{"pending is never deleted, failed is", ebsRulesOf("24h", "7d", 0), []ebsSnap{
			ebsSnapAt("p", "v", ebsPending, 9), ebsSnapAt("f", "v", ebsError, 9), ebsSnapAt("c", "v", ebsCompleted, 10), ebsSnapAt("n", "v", ebsCompleted, 1),
		}, []string{"new: last snapshot 1d 0h old", "expired: failed, 9d 0h old (retain 7d)", "expired: 10d 0h old (retain 7d)", "newest completed"}},
		{"keep_last counts completed only", ebsRulesOf("24h", "", 2), []ebsSnap{
			ebsSnapAt("a", "v", ebsCompleted, 1), ebsSnapAt("b", "v", ebsCompleted, 2), ebsSnapAt("c", "v", ebsCompleted, 3), ebsSnapAt("p", "v", ebsPending, 0), ebsSnapAt("f", "v", ebsError, 0.5),
		}, []string{"newest completed", "completed", "expired: 2 newer completed (keep_last 2)", "new: last snapshot 1d 0h old", "expired: failed (keep_last 2)"}},
		{"both rules must let a snapshot go", ebsRulesOf("24h", "3d", 3), []ebsSnap{
			ebsSnapAt("a", "v", ebsCompleted, 1), ebsSnapAt("b", "v", ebsCompleted, 4), ebsSnapAt("c", "v", ebsCompleted, 5), ebsSnapAt("d", "v", ebsCompleted, 6),
		}, []string{"newest completed", "completed", "completed", "expired: 6d 0h old, 3 newer completed (retain 3d, keep_last 3)"}},
		{"an AMI keeps an expired snapshot", ebsRulesOf("24h", "7d", 0), []ebsSnap{
			{id: "x", volumeID: "v", state: ebsCompleted, started: ebsStart.Add(-9 * 24 * time.Hour), inUseBy: "ami-1"}, ebsSnapAt("n", "v", ebsCompleted, 0),
		}, []string{"expired, kept: in use by ami-1", "newest completed"}},
		{"volumes are judged apart", ebsRulesOf("24h", "7d", 0), []ebsSnap{
			ebsSnapAt("a1", "a", ebsCompleted, 9), ebsSnapAt("b1", "b", ebsCompleted, 9), ebsSnapAt("a2", "a", ebsCompleted, 1),
		}, []string{"expired: 9d 0h old (retain 7d)", "newest completed", "newest completed"}},
		{"no rules (an import): nothing expires", ebsRules{}, []ebsSnap{
			ebsSnapAt("a", "v", ebsCompleted, 90), ebsSnapAt("b", "v", ebsCompleted, 1), ebsSnapAt("p", "v", ebsPending, 0),
		}, []string{"completed", "newest completed", "new: last snapshot 1d 0h old"}},
		{"first pending snapshot", ebsRulesOf("24h", "7d", 0), []ebsSnap{ebsSnapAt("p", "v", ebsPending, 0)},
			[]string{"new: first snapshot of the volume"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verdicts := ebsAssess(tt.rules, tt.snaps, ebsStart)
			var got []string
			for i, v := range verdicts {
				got = append(got, v.status)
				if expired := strings.HasPrefix(v.status, "expired:") && !strings.Contains(v.status, "deleted on the next run"); v.expire != expired {
					t.Errorf("%s: expire = %v for status %q", tt.snaps[i].id, v.expire, v.status)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEBSDue(t *testing.T) {
	vols := []ebsVolume{{id: "a"}, {id: "b"}, {id: "c"}, {id: "d"}}
	snaps := []ebsSnap{
		ebsSnapAt("a1", "a", ebsCompleted, 1),            // exactly the interval: due
		ebsSnapAt("b1", "b", ebsCompleted, 1-10.0/24/60), // 10 minutes short: due within the tolerance
		ebsSnapAt("c1", "c", ebsCompleted, 1),            // older one …
		ebsSnapAt("c2", "c", ebsPending, 0.5),            // … but a pending one is newer
		ebsSnapAt("d1", "d", ebsError, 0.1),              // failed ones do not count
		ebsSnapAt("x1", "gone", ebsCompleted, 3),         // not a covered volume
	}
	got := ebsDue(ebsRulesOf("24h", "7d", 0), vols, snaps, ebsStart)
	want := map[string]string{
		"a": "new: last snapshot 1d 0h old",
		"b": "new: last snapshot 23h 50m old",
		"d": "new: first snapshot of the volume",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("due (-want +got):\n%s", diff)
	}
	if got := ebsDue(ebsRulesOf("24h", "7d", 0), vols[:1], []ebsSnap{ebsSnapAt("a1", "a", ebsCompleted, 1-2.0/24)}, ebsStart); len(got) != 0 {
		t.Errorf("a snapshot 22h old is due: %v", got)
	}
}

func TestEBSFormatAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Hour:                     "0m",
		59 * time.Second:               "0m",
		5 * time.Minute:                "5m",
		23*time.Hour + 59*time.Minute:  "23h 59m",
		24 * time.Hour:                 "1d 0h",
		6*24*time.Hour + 23*time.Hour:  "6d 23h",
		400*24*time.Hour + 5*time.Hour: "400d 5h",
	} {
		if got := ebsFormatAge(d); got != want {
			t.Errorf("ebsFormatAge(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestEBSDescription(t *testing.T) {
	at := time.Date(2025, 3, 3, 3, 0, 5, 0, time.UTC)
	vol := ebsVolume{id: "vol-1", instanceID: "i-1", device: "/dev/xvda"}
	tests := []struct {
		tmpl, host string
		vol        ebsVolume
		want       string
	}{
		{DefaultSnapshotDescription, "web1", vol, "web1_backup-2025-03-03 /dev/xvda"},
		{DefaultSnapshotDescription, "", vol, "i-1_backup-2025-03-03 /dev/xvda"},
		{DefaultSnapshotDescription, "", ebsVolume{id: "vol-2"}, "vol-2_backup-2025-03-03"},
		{"{host} {instance} {volume} {device} {date} {time} {other}", "h", vol, "h i-1 vol-1 /dev/xvda 2025-03-03 03:00 {other}"},
	}
	for _, tt := range tests {
		if got := ebsDescription(tt.tmpl, tt.host, tt.vol, at); got != tt.want {
			t.Errorf("ebsDescription(%q, %q) = %q, want %q", tt.tmpl, tt.host, got, tt.want)
		}
	}
	if got := ebsBadPlaceholders("{host} {hots} {} {a b} {date}{volumes}"); !cmp.Equal(got, []string{"{hots}", "{volumes}"}) {
		t.Errorf("bad placeholders = %v", got)
	}
}

func TestEBSJoin(t *testing.T) {
	for n, want := range map[int]string{0: "", 1: "v0", 2: "v0 and v1", 3: "v0, v1 and v2", 12: "v0, v1, v2, v3, v4, v5, v6, v7, v8, v9 and 2 more"} {
		var names []string
		for i := range n {
			names = append(names, fmt.Sprintf("v%d", i))
		}
		if got := ebsJoin(names); got != want {
			t.Errorf("ebsJoin(%d names) = %q, want %q", n, got, want)
		}
	}
}

// BenchmarkEBSAssess judges 500 volumes × 30 snapshots, the plan's inner
// loop.
func BenchmarkEBSAssess(b *testing.B) {
	snaps := make([]ebsSnap, 0, 15000)
	for v := range 500 {
		for d := range 30 {
			snaps = append(snaps, ebsSnapAt(fmt.Sprintf("snap-%05d-%02d", v, d), fmt.Sprintf("vol-%05d", v), ebsCompleted, float64(d+1)))
		}
	}
	r := ebsRulesOf("24h", "29d", 0)
	for b.Loop() {
		if v := ebsAssess(r, snaps, ebsStart); !v[29].expire {
			b.Fatal("the 30-day-old snapshot is not expired")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(snaps)), "ns/snapshot")
}
