package aws

import (
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/plumbhq/plumb/providers/dns"
)

// Route 53's limits on one ChangeResourceRecordSets request: at most
// MaxBatchRecords ResourceRecord elements and MaxBatchChars characters in
// their values, an UPSERT counting twice against both.
const (
	MaxBatchRecords = 1000
	MaxBatchChars   = 32000
)

// batchLimits bounds one change batch.
type batchLimits struct {
	Records, Chars int
}

// route53Limits are the limits of real Route 53.
var route53Limits = batchLimits{Records: MaxBatchRecords, Chars: MaxBatchChars}

// recordChange is one record-set change: what is sent to Route 53 and what
// it does to plumb's view of the zone.
type recordChange struct {
	action types.ChangeAction
	// rec is the set created or upserted, or the set deleted.
	rec dns.Record
	// set is what is sent.
	set types.ResourceRecordSet
}

// cost returns how many records and characters of values the change counts
// for against the batch limits.
func (c recordChange) cost() (records, chars int) {
	weight := 1
	if c.action == types.ChangeActionUpsert {
		weight = 2
	}
	for _, v := range c.set.ResourceRecords {
		chars += len(aws.ToString(v.Value))
	}
	return weight * len(c.set.ResourceRecords), weight * chars
}

// actionRank orders changes inside a batch: deletes first, so a name is
// free before a CNAME (or anything beside a removed CNAME) is created at
// it; then upserts; then creates.
func actionRank(a types.ChangeAction) int {
	switch a {
	case types.ChangeActionDelete:
		return 0
	case types.ChangeActionUpsert:
		return 1
	}
	return 2
}

// splitBatches packs changes into batches within lim, each of which Route
// 53 applies atomically. All the changes at one owner name go into the
// same batch when they fit in one, so a name moves from its old record
// sets to its new ones (an A replaced by a CNAME) in one step; names are
// taken in DNS order. A name whose changes do not fit in one batch is
// split, deletes first, so each batch is still valid on its own. Within a
// batch deletes come first, then upserts, then creates. A single change
// larger than lim is an error.
func splitBatches(changes []recordChange, lim batchLimits) ([][]recordChange, error) {
	for _, c := range changes {
		if r, ch := c.cost(); r > lim.Records || ch > lim.Chars {
			return nil, fmt.Errorf("the %s of %s counts %d records and %d characters of values, over Route 53's limit of %d and %d for one request; split its values into smaller record sets",
				c.action, c.rec.Key(), r, ch, lim.Records, lim.Chars)
		}
	}
	groups := groupByName(changes)
	var batches [][]recordChange
	var cur []recordChange
	curRecords, curChars := 0, 0
	flush := func() {
		if len(cur) > 0 {
			slices.SortStableFunc(cur, func(a, b recordChange) int { return actionRank(a.action) - actionRank(b.action) })
			batches = append(batches, cur)
			cur, curRecords, curChars = nil, 0, 0
		}
	}
	add := func(c recordChange) {
		r, ch := c.cost()
		if curRecords+r > lim.Records || curChars+ch > lim.Chars {
			flush()
		}
		cur = append(cur, c)
		curRecords += r
		curChars += ch
	}
	for _, g := range groups {
		r, ch := 0, 0
		for _, c := range g {
			cr, cc := c.cost()
			r, ch = r+cr, ch+cc
		}
		if curRecords+r > lim.Records || curChars+ch > lim.Chars {
			flush()
		}
		for _, c := range g {
			add(c)
		}
	}
	flush()
	return batches, nil
}

// groupByName returns the changes grouped by owner name, the names in DNS
// order and each group's changes deletes first, then upserts, then
// creates.
func groupByName(changes []recordChange) [][]recordChange {
	names := make([]dns.Record, 0, len(changes))
	seen := make(map[string]bool, len(changes))
	for _, c := range changes {
		if !seen[c.rec.Name] {
			seen[c.rec.Name] = true
			names = append(names, dns.Record{Name: c.rec.Name, Type: "A"})
		}
	}
	dns.Sort(names)
	rank := make(map[string]int, len(names))
	for i, n := range names {
		rank[n.Name] = i
	}
	sorted := slices.Clone(changes)
	slices.SortStableFunc(sorted, func(a, b recordChange) int {
		if ra, rb := rank[a.rec.Name], rank[b.rec.Name]; ra != rb {
			return ra - rb
		}
		return actionRank(a.action) - actionRank(b.action)
	})
	var groups [][]recordChange
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j].rec.Name == sorted[i].rec.Name {
			j++
		}
		groups = append(groups, sorted[i:j:j])
		i = j
	}
	return groups
}

// planChanges turns a diff of record sets into Route 53 changes: a CREATE
// per new set, an UPSERT per changed set (which needs no old values, so a
// refresh that is a little stale does no harm), and a DELETE per removed
// set, with the values Route 53 holds when raw has them (a DELETE must
// repeat them exactly) or plumb's own form of them otherwise.
func planChanges(d dns.Changes, raw map[string]types.ResourceRecordSet) []recordChange {
	out := make([]recordChange, 0, d.Count())
	for _, r := range d.Delete {
		set, ok := raw[r.Key()]
		if !ok {
			set = toRoute53(r)
		}
		out = append(out, recordChange{action: types.ChangeActionDelete, rec: r, set: set})
	}
	for _, r := range d.Update {
		out = append(out, recordChange{action: types.ChangeActionUpsert, rec: r, set: toRoute53(r)})
	}
	for _, r := range d.Create {
		out = append(out, recordChange{action: types.ChangeActionCreate, rec: r, set: toRoute53(r)})
	}
	return out
}

// applyChanges returns the record sets of existing after the changes.
func applyChanges(existing []dns.Record, done []recordChange) []dns.Record {
	m := make(map[string]dns.Record, len(existing)+len(done))
	for _, r := range existing {
		m[r.Key()] = r
	}
	for _, c := range done {
		if c.action == types.ChangeActionDelete {
			delete(m, c.rec.Key())
		} else {
			m[c.rec.Key()] = c.rec
		}
	}
	out := make([]dns.Record, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	dns.Sort(out)
	return out
}
