package aws

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// ebsMaxCopiesInFlight is how many copies EC2 lets an account have in
// progress to one destination region.
const ebsMaxCopiesInFlight = 20

// ebsLeftInPlace starts the status of a copy in a region the policy no
// longer copies to: the apply forgets it, and never deletes it.
const ebsLeftInPlace = "left in place: no copy block for "

// planCopies works out the copies: in each copy region, those there are
// (with their verdicts under the copy's retention) and a new one for each
// completed snapshot that is not expired (one kept past retention for an
// AMI is not copied), that has no copy there yet, and that is young
// enough for a copy to be worth keeping. Copies in regions
// no longer configured are left in place and forgotten.
func (p *ebsPlanner) planCopies(ctx context.Context, sources []ebsJudged) ([]ebsJudged, hcl.Diagnostics) {
	usable := p.prior != cty.NilVal
	var prior []ebsSnap
	covered := map[string]bool{} // regions the prior's copies were read from
	if usable {
		prior = ebsCopiesFrom(p.prior.GetAttr("copies"))
		for _, region := range ebsCopyRegionsOf(p.prior) {
			covered[region] = true
		}
	}
	if len(p.cfg.copies) == 0 && len(prior) == 0 {
		return nil, nil
	}
	newestFirst := make([]*ebsJudged, len(sources))
	for i := range sources {
		newestFirst[i] = &sources[i]
	}
	sort.SliceStable(newestFirst, func(a, b int) bool { return newestFirst[a].started.After(newestFirst[b].started) })
	var out []ebsJudged
	var diags hcl.Diagnostics
	configured := map[string]bool{}
	for _, rule := range p.cfg.copies {
		configured[rule.region] = true
		var copies []ebsSnap
		if covered[rule.region] {
			for _, c := range prior {
				if c.region == rule.region {
					copies = append(copies, c)
				}
			}
		} else {
			var err error
			if copies, err = ebsListOwnedCopies(ctx, p.r.p.EC2In(rule.region), p.owner, rule.region); err != nil {
				return nil, ebsAPIError("Cannot plan the snapshot copies", err)
			}
		}
		have := map[string]bool{}
		inFlight := 0
		for _, c := range copies {
			if c.state != ebsError {
				have[c.sourceID] = true
			}
			if c.state == ebsPending {
				inFlight++
			}
		}
		waiting := 0
		for _, s := range newestFirst {
			if s.planned() || s.state != ebsCompleted || strings.HasPrefix(s.status, "expired") || have[s.id] || !rule.worthCopying(s.started, p.now) {
				continue
			}
			if inFlight >= ebsMaxCopiesInFlight {
				waiting++
				continue
			}
			inFlight++
			copies = append(copies, ebsSnap{region: rule.region, sourceID: s.id, volumeID: s.volumeID, description: s.description, state: ebsPending, started: s.started})
		}
		if waiting > 0 {
			diags = diags.Extend(providers.Warnf("Snapshot copies wait for a later run",
				"%d snapshots are not copied to %s by this run: EC2 allows %d copies in progress to a region at once. Later runs copy them as earlier copies complete.",
				waiting, rule.region, ebsMaxCopiesInFlight))
		}
		out = append(out, ebsJudgeCopies(rule.rules, copies, p.now)...)
	}
	var left []string
	for _, c := range prior {
		if !configured[c.region] {
			c.age, c.status = ebsFormatAge(p.now.Sub(c.started)), ebsLeftInPlace+c.region
			out = append(out, ebsJudged{ebsSnap: c})
			left = append(left, c.id+" ("+c.region+")")
		}
	}
	if len(left) > 0 {
		diags = diags.Extend(providers.Warnf("Copies left in place",
			"No copy block names the region of %s any more: the policy forgets these copies and never deletes them. Delete them with the EC2 console or CLI if they are no longer wanted, or put the copy block back.",
			ebsJoin(left)))
	}
	return out, diags
}

// worthCopying reports whether a snapshot taken at taken would still be
// inside the copy's retention at now, so its copy would not expire at once.
func (c ebsCopyRule) worthCopying(taken, now time.Time) bool {
	return c.rules.retain == 0 || now.Sub(taken) < c.rules.retain-c.rules.tolerance()
}

// ebsJudgeCopies assesses the copies of one region at now under the
// copy's rules, grouped by the volume their snapshots were taken of; a
// pending copy says what it copies.
func ebsJudgeCopies(r ebsRules, copies []ebsSnap, now time.Time) []ebsJudged {
	out := ebsJudge(r, copies, now)
	for i := range out {
		if out[i].state == ebsPending {
			out[i].status = "new: copy of " + out[i].sourceID
		}
	}
	return out
}

// ebsCopyRegionsOf lists the regions of the copy blocks in a state or
// configuration value.
func ebsCopyRegionsOf(v cty.Value) []string {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	list := v.GetAttr("copy")
	if list.IsNull() || !list.IsKnown() {
		return nil
	}
	var out []string
	for it := list.ElementIterator(); it.Next(); {
		_, b := it.Element()
		if r := b.GetAttr("region"); r.IsKnown() && !r.IsNull() {
			out = append(out, r.AsString())
		}
	}
	return out
}

// ebsTagsOfCopy are the tags of a copy of src: the snapshot's own (but not
// AWS's), the ownership tag, and the three that tie the copy to its
// source.
func ebsTagsOfCopy(src ebsSnap, owner string) map[string]string {
	out := map[string]string{}
	for k, v := range src.tags {
		if !strings.HasPrefix(strings.ToLower(k), "aws:") {
			out[k] = v
		}
	}
	out[OwnerTag] = owner
	out[CopyOfTag] = src.id
	out[VolumeTag] = src.volumeID
	out[TakenTag] = src.started.UTC().Format(ebsTimeFormat)
	return out
}

// ebsSnapsOf returns the snapshots of judged ones.
func ebsSnapsOf(judged []ebsJudged) []ebsSnap {
	out := make([]ebsSnap, len(judged))
	for i, j := range judged {
		out[i] = j.ebsSnap
	}
	return out
}

// ebsCopyAll makes the planned copies, ebsParallelism at a time, from the
// sources as fresh lists them now: a source gone, or no longer completed,
// is copied by a later run. It returns the copies EC2 accepted.
func ebsCopyAll(ctx context.Context, p *Provider, cfg ebsConfig, owner string, fresh, plans []ebsSnap) ([]ebsSnap, hcl.Diagnostics) {
	if len(plans) == 0 {
		return nil, nil
	}
	sources := make(map[string]*ebsSnap, len(fresh))
	for i := range fresh {
		sources[fresh[i].id] = &fresh[i]
	}
	rules := map[string]ebsCopyRule{}
	for _, rule := range cfg.copies {
		rules[rule.region] = rule
	}
	home := p.Region()
	results := make([]ebsSnap, len(plans))
	errs := make([]error, len(plans))
	skipped := make([]string, len(plans))
	ebsEach(ctx, len(plans), func(i int) {
		want := plans[i]
		src, rule := sources[want.sourceID], rules[want.region]
		switch {
		case src == nil:
			skipped[i] = want.sourceID + " is gone"
			return
		case src.state != ebsCompleted:
			skipped[i] = want.sourceID + " is " + src.state
			return
		}
		results[i], errs[i] = ebsCopySnapshot(ctx, p.EC2In(rule.region), home, *src, rule, ebsTagsOfCopy(*src, owner))
	})
	var out []ebsSnap
	var failed, notes []string
	var first error
	for i, c := range results {
		switch {
		case skipped[i] != "":
			notes = append(notes, skipped[i]+", so it was not copied to "+plans[i].region)
		case errs[i] != nil:
			failed = append(failed, plans[i].sourceID+" to "+plans[i].region+": "+errs[i].Error())
			if first == nil {
				first = errs[i]
			}
		case c.id != "":
			out = append(out, c)
		}
	}
	var diags hcl.Diagnostics
	if len(notes) > 0 {
		diags = diags.Extend(providers.Warnf("Snapshots not copied", "%s. A later run copies what is still there and completed.", providers.JoinFirst(notes, 10, "")))
	}
	if len(failed) > 0 {
		diags = diags.Extend(providers.Errorf(fmt.Sprintf("Cannot copy %d of %d snapshots", len(failed), len(plans)),
			"%s.%s The %d copies that were started are recorded in state.", providers.JoinFirst(failed, 10, ""), ebsAdvice(first), len(out)))
	}
	return out, diags
}
