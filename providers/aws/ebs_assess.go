package aws

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Snapshot states as EC2 reports them.
const (
	ebsPending   = "pending"
	ebsCompleted = "completed"
	ebsError     = "error"
)

// ebsSnap is what a policy knows of one of its snapshots, or of one of
// its copies in another region. A snapshot the plan is about to take (or
// copy) has no ID yet.
type ebsSnap struct {
	id, volumeID, description, state string
	// started is when the snapshot was taken, to the second, UTC; for a
	// copy, when the snapshot it copies was taken (TakenTag), so a copy
	// ages with its data.
	started time.Time
	inUseBy string // an AMI that uses it, or ""
	// age and status are what assess says about it (see ebsVerdict).
	age, status string
	// region and sourceID are set on copies: where the copy is and the
	// snapshot it copies.
	region, sourceID string
	// tags as EC2 listed them; not kept in state.
	tags map[string]string
}

// planned reports whether the snapshot is yet to be taken.
func (s *ebsSnap) planned() bool { return s.id == "" }

// name is how a status refers to the snapshot.
func (s *ebsSnap) name() string {
	switch {
	case !s.planned():
		return s.id
	case s.sourceID != "":
		return "the new copy of " + s.sourceID
	}
	return "the new snapshot"
}

// ebsVolume is a volume a policy covers.
type ebsVolume struct {
	id, instanceID, device string
	tags                   map[string]string
}

// ebsVerdict is what the policy makes of one snapshot at one moment.
type ebsVerdict struct {
	// status says why the snapshot is new, what it is, or why it goes:
	//
	//	new: first snapshot of the volume
	//	new: last snapshot 1d 0h old          pending
	//	newest completed                      kept, always
	//	completed                             kept: within retention
	//	failed                                state error, within retention
	//	expired: 7d 0h old (retain 7d)        deleted
	//	expired, kept: in use by ami-0abc…    past retention, kept
	//	expired: 9d 0h old (retain 7d); deleted on the next run, after snap-… completes
	//
	// An expiry decided by the tolerance says so: "expired: 6d 23h old
	// (retain 7d, within the 1h tolerance)". Kept snapshots are described
	// by fact, not by rule, so that a change of rules changes the status
	// of only the snapshots it affects.
	status string
	// expire is set when the policy deletes the snapshot now.
	expire bool
	// deferred is set on an expired snapshot kept until the volume's
	// pending snapshot completes.
	deferred bool
}

// ebsAssess judges every snapshot at now under the rules; snaps may
// include planned ones (pending, started now). Snapshots are grouped by
// volume; within one, the newest completed is always kept, pending ones
// are never deleted, and the rest expire when every rule configured lets
// them go (age past retain, or more than keep_last newer completed ones).
// An expired snapshot in use by an AMI is kept.
//
// Deleting expired snapshots in the run that takes a new one is safe as
// long as the volume keeps a completed snapshot that stands for the
// retention period: one inside retention, or one taken on schedule (less
// than an interval and its tolerance ago, for a retention as short as the
// interval). When it keeps none, the new pending snapshot would be the
// only thing standing in for the deleted ones, so expired completed
// snapshots are kept until it completes (deferred); failed ones go
// anyway, being no backup.
func ebsAssess(r ebsRules, snaps []ebsSnap, now time.Time) []ebsVerdict {
	out := make([]ebsVerdict, len(snaps))
	for _, idx := range ebsByVolume(snaps) {
		// idx is oldest first.
		var prev *ebsSnap // newest non-failed snapshot older than the current one
		for _, i := range idx {
			s := &snaps[i]
			if s.state == ebsPending {
				out[i].status = ebsNewReason(prev, s.started)
			}
			if s.state != ebsError {
				prev = s
			}
		}
		rank := 0 // completed snapshots seen, newest first
		anchored := false
		var standIn *ebsSnap // the newest pending snapshot
		for k := len(idx) - 1; k >= 0; k-- {
			i := idx[k]
			s := &snaps[i]
			if s.state == ebsPending {
				if standIn == nil {
					standIn = s
				}
				continue
			}
			if s.state == ebsCompleted {
				rank++
			}
			v, past := ebsExpiry(r, s, rank, now)
			if s.state == ebsCompleted && rank == 1 {
				v = ebsVerdict{status: "newest completed"}
			}
			if s.state == ebsCompleted && !v.expire && (!past || now.Sub(s.started) < r.interval+r.tolerance()) {
				anchored = true
			}
			out[i] = v
		}
		if anchored || standIn == nil {
			continue
		}
		for _, i := range idx {
			if out[i].expire && snaps[i].state == ebsCompleted {
				out[i].expire, out[i].deferred = false, true
				out[i].status += "; deleted on the next run, after " + standIn.name() + " completes"
			}
		}
	}
	return out
}

// ebsExpiry judges a completed or failed snapshot; rank is how many
// completed snapshots of its volume are as new as it or newer. It also
// reports whether the rules let the snapshot go, whether or not something
// (an AMI) keeps it.
func ebsExpiry(r ebsRules, s *ebsSnap, rank int, now time.Time) (ebsVerdict, bool) {
	kept := "completed"
	if s.state != ebsCompleted {
		kept = "failed"
	}
	if !r.hasRetention() {
		return ebsVerdict{status: kept}, false
	}
	age := now.Sub(s.started)
	byAge := r.retain == 0 || age >= r.retain-r.tolerance()
	byCount := r.keepLast == 0 || s.state != ebsCompleted || rank > r.keepLast
	if !byAge || !byCount {
		return ebsVerdict{status: kept}, false
	}
	if s.inUseBy != "" {
		return ebsVerdict{status: "expired, kept: in use by " + s.inUseBy}, true
	}
	var why, rules []string
	if s.state != ebsCompleted {
		why = append(why, "failed")
	}
	if r.retain > 0 {
		why = append(why, ebsFormatAge(age)+" old")
		rule := "retain " + r.retainText
		if age < r.retain {
			rule += ", within the " + ebsFormatTolerance(r.tolerance()) + " tolerance"
		}
		rules = append(rules, rule)
	}
	if r.keepLast > 0 {
		if s.state == ebsCompleted {
			why = append(why, strconv.Itoa(rank-1)+" newer completed")
		}
		rules = append(rules, "keep_last "+strconv.Itoa(r.keepLast))
	}
	return ebsVerdict{status: "expired: " + strings.Join(why, ", ") + " (" + strings.Join(rules, ", ") + ")", expire: true}, true
}

// ebsNewReason says why a snapshot started at t was taken, given the
// newest non-failed snapshot of its volume before it (nil if none).
func ebsNewReason(prev *ebsSnap, t time.Time) string {
	if prev == nil {
		return "new: first snapshot of the volume"
	}
	return "new: last snapshot " + ebsFormatAge(t.Sub(prev.started)) + " old"
}

// ebsDue returns, for each volume due a snapshot at now, the reason: it
// has no snapshot, or its newest non-failed one is older than the
// interval less the tolerance. Volumes are taken in the order given.
func ebsDue(r ebsRules, vols []ebsVolume, snaps []ebsSnap, now time.Time) map[string]string {
	newest := map[string]*ebsSnap{}
	for i := range snaps {
		s := &snaps[i]
		if s.state == ebsError {
			continue
		}
		if n := newest[s.volumeID]; n == nil || ebsNewer(s, n) {
			newest[s.volumeID] = s
		}
	}
	due := map[string]string{}
	for _, v := range vols {
		n := newest[v.id]
		if n == nil || now.Sub(n.started) >= r.interval-r.tolerance() {
			due[v.id] = ebsNewReason(n, now)
		}
	}
	return due
}

// ebsNewer reports whether a started after b (by ID on a tie).
func ebsNewer(a, b *ebsSnap) bool {
	if !a.started.Equal(b.started) {
		return a.started.After(b.started)
	}
	return a.id > b.id
}

// ebsByVolume groups snapshot indexes by volume, each group oldest first.
func ebsByVolume(snaps []ebsSnap) [][]int {
	order := make([]int, len(snaps))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return ebsLess(&snaps[order[a]], &snaps[order[b]]) })
	var groups [][]int
	for k, i := range order {
		if k == 0 || snaps[i].volumeID != snaps[order[k-1]].volumeID {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], i)
	}
	return groups
}

// ebsLess orders snapshots as state lists them: by volume, then oldest
// first, then by ID, with planned ones last in their volume.
func ebsLess(a, b *ebsSnap) bool {
	switch {
	case a.volumeID != b.volumeID:
		return a.volumeID < b.volumeID
	case a.planned() != b.planned():
		return b.planned()
	case !a.started.Equal(b.started):
		return a.started.Before(b.started)
	}
	return a.id < b.id
}

// ebsFormatTolerance writes a tolerance as briefly as it can: "1h",
// "2h 30m", "15m".
func ebsFormatTolerance(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return ebsFormatAge(d)
}
