package aws

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// Plan proposes the policy's snapshots and copies as of the last refresh
// (the prior's as_of; the clock when there is no usable prior): each
// covered volume whose newest snapshot is older than the interval gets a
// new one (an element with an unknown ID whose status says why), each
// completed snapshot kept gets a copy in every copy region that lacks one,
// and each snapshot or copy past retention goes (with its age and the
// rule). What goes is dropped from the list, so the plan shows it removed;
// a new policy (or one whose owner changed) has no prior to remove from,
// so it lists what it adopts and labels what this apply deletes. What the
// rules would delete but the run may not yet says why in its status
// (deferred until a pending snapshot completes, or kept for an AMI).
//
// Plan calls EC2 only when the prior cannot answer: on create, when the
// owner changed, for the volumes when the targets changed, and for the
// copies of a region the prior did not cover.
func (r *ebsPolicy) Plan(ctx context.Context, req providers.PlanRequest) providers.PlanResponse {
	if req.Config.IsNull() {
		return providers.PlanResponse{Planned: r.null}
	}
	cfg, diags := decodeEBSConfig(req.Config)
	if diags.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
	}
	prior := req.Prior
	vals := req.Config.AsValueMap()
	if req.Config.GetAttr("description").IsNull() {
		vals["description"] = cty.StringVal(DefaultSnapshotDescription)
	}
	if !req.Config.IsWhollyKnown() {
		// Values known only after apply: the engine plans again then.
		ownerV := req.Config.GetAttr("owner")
		if ownerV.IsKnown() && ownerV.IsNull() {
			switch {
			case !prior.IsNull():
				ownerV = prior.GetAttr("owner")
			case req.Addr != "":
				ownerV = cty.StringVal(req.Addr)
			default:
				ownerV = cty.UnknownVal(cty.String)
			}
		}
		vals["owner"], vals["id"] = ownerV, ownerV
		for _, name := range []string{"as_of", "volumes", "snapshots", "copies"} {
			vals[name] = cty.UnknownVal(r.schema.Attributes[name].Type)
		}
		return providers.PlanResponse{Planned: cty.ObjectVal(vals), Diagnostics: diags}
	}
	owner := cfg.owner
	if owner == "" && !prior.IsNull() {
		owner = ebsStr(prior, "owner")
	}
	if owner == "" {
		owner = req.Addr
	}
	if owner == "" {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags.Extend(providers.AttributeErrorf("owner", "Snapshot policy without an owner",
			"The policy marks its snapshots with the %s tag, whose value is owner, by default the resource address; this plan has neither. Set owner.", OwnerTag))}
	}
	vals["owner"], vals["id"] = cty.StringVal(owner), cty.StringVal(owner)

	p := ebsPlanner{r: r, cfg: cfg, owner: owner, now: ebsNow(r.p)}
	switch old := ebsStr(prior, "owner"); {
	case prior.IsNull():
	case old != owner:
		if n := len(ebsSnapsFrom(prior.GetAttr("snapshots"))); n > 0 {
			diags = diags.Extend(providers.Warnf("Snapshot policy owner changed",
				"The policy's %d snapshots tagged %s = %q are no longer its own: they are left as they are, and never deleted by it. The policy now adopts the snapshots tagged %q.",
				n, OwnerTag, old, owner))
		}
	default:
		if t, err := time.Parse(ebsTimeFormat, ebsStr(prior, "as_of")); err == nil {
			p.prior, p.now = prior, t
		}
	}
	for i, rule := range cfg.copies {
		if rule.region == r.p.Region() {
			diags = diags.Extend(providers.AttributeErrorf(fmt.Sprintf("copy[%d].region", i), "Copy to the policy's own region",
				"region = %q is the aws provider's own region, where the snapshots already are. Copy to another region, such as one far from %s.", rule.region, rule.region))
		}
	}
	if diags.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
	}
	snaps, vols, d := p.plan(ctx, req.Config)
	diags = diags.Extend(d)
	if diags.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
	}
	copies, d := p.planCopies(ctx, snaps)
	diags = diags.Extend(d)
	if diags.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
	}
	p.dropExpired(&snaps)
	p.dropExpired(&copies)
	vals["volumes"], vals["snapshots"], vals["copies"] = ebsVolumesValue(vols), ebsSnapshotsValue(ebsSnapsOf(snaps)), ebsCopiesValue(ebsSnapsOf(copies))
	vals["as_of"] = cty.StringVal(p.now.Format(ebsTimeFormat))
	planned := cty.ObjectVal(vals)
	if !prior.IsNull() && planned.RawEquals(prior) {
		planned = prior
	}
	return providers.PlanResponse{Planned: planned, Diagnostics: diags}
}

// ebsPlanner carries one Plan call.
type ebsPlanner struct {
	r     *ebsPolicy
	cfg   ebsConfig
	owner string
	now   time.Time
	prior cty.Value // a refreshed prior of the same owner; cty.NilVal when there is none
}

// ebsDeletedNow ends the status of an expired snapshot that a new policy
// adopts and deletes in the same apply (an update shows it removed).
const ebsDeletedNow = "; deleted by this apply"

// plan works out the volumes and the snapshots: those there are, each with
// its verdict (expired ones included, marked by ebsJudged.expire), and
// the new ones.
func (p *ebsPlanner) plan(ctx context.Context, config cty.Value) ([]ebsJudged, []ebsVolume, hcl.Diagnostics) {
	usable := p.prior != cty.NilVal
	var vols []ebsVolume
	if usable && ebsSameTargets(p.prior, config) {
		vols = ebsVolumesFrom(p.prior.GetAttr("volumes"))
	} else {
		var err error
		if vols, err = ebsListVolumes(ctx, p.r.p.EC2(), p.cfg.targets); err != nil {
			return nil, nil, ebsAPIError("Cannot plan the snapshot policy", err)
		}
	}
	if diags := ebsCheckTargets(p.cfg.targets, vols); diags.HasErrors() {
		return nil, nil, diags
	}
	var snaps []ebsSnap
	if usable {
		snaps = ebsSnapsFrom(p.prior.GetAttr("snapshots"))
	} else {
		var err error
		if snaps, err = ebsListOwned(ctx, p.r.p.EC2(), p.owner); err != nil {
			return nil, nil, ebsAPIError("Cannot plan the snapshot policy", err)
		}
	}
	var diags hcl.Diagnostics
	due := ebsDue(p.cfg.rules, vols, snaps, p.now)
	for _, v := range vols {
		if _, ok := due[v.id]; !ok {
			continue
		}
		desc := ebsDescription(p.cfg.description, p.cfg.hostName, v, p.now)
		if len(desc) > ebsMaxDescription {
			diags = diags.Extend(providers.AttributeErrorf("description", "Snapshot description too long",
				"The description of the snapshot of %s would be %d characters (%q); EC2 allows %d. Shorten the template or host_name.", v.id, len(desc), desc, ebsMaxDescription))
			continue
		}
		diags = diags.Extend(ebsCheckNewTags(p.cfg, p.owner, v, p.now))
		snaps = append(snaps, ebsSnap{volumeID: v.id, description: desc, state: ebsPending, started: p.now})
	}
	judged := ebsJudge(p.cfg.rules, snaps, p.now)
	var pinned []string
	for _, j := range judged {
		if j.inUseBy != "" && strings.HasPrefix(j.status, "expired, kept") {
			pinned = append(pinned, j.id+" (used by "+j.inUseBy+")")
		}
	}
	if len(pinned) > 0 {
		diags = diags.Extend(providers.Warnf("Expired snapshots kept for AMIs",
			"%s %s past retention but kept, because AMIs use them. Deregister the AMIs (or copy their snapshots) to let the policy delete them.",
			ebsJoin(pinned), map[bool]string{true: "is", false: "are"}[len(pinned) == 1]))
	}
	return judged, vols, diags
}

// ebsJudged is a snapshot (or copy) with the verdict of this plan.
type ebsJudged struct {
	ebsSnap
	expire, deferred bool
}

// ebsJudge assesses snaps at now and sets each one's age and status.
func ebsJudge(r ebsRules, snaps []ebsSnap, now time.Time) []ebsJudged {
	verdicts := ebsAssess(r, snaps, now)
	out := make([]ebsJudged, len(snaps))
	for i, s := range snaps {
		s.age, s.status = ebsFormatAge(now.Sub(s.started)), verdicts[i].status
		out[i] = ebsJudged{ebsSnap: s, expire: verdicts[i].expire, deferred: verdicts[i].deferred}
	}
	return out
}

// dropExpired leaves out what this apply deletes, so the plan shows it
// removed; without a usable prior there is nothing to remove it from, so
// it stays, labelled.
func (p *ebsPlanner) dropExpired(list *[]ebsJudged) {
	out := (*list)[:0]
	for _, j := range *list {
		if j.expire {
			if p.prior != cty.NilVal {
				continue
			}
			j.status += ebsDeletedNow
		}
		out = append(out, j)
	}
	*list = out
}

// ebsCheckNewTags checks the tags a new snapshot of v would get.
func ebsCheckNewTags(c ebsConfig, owner string, v ebsVolume, t time.Time) hcl.Diagnostics {
	tags := ebsSnapshotTags(c, owner, v, t)
	limit := ebsMaxTags
	if len(c.copies) > 0 {
		limit -= ebsCopyTags
	}
	if len(tags) > limit {
		attr := "tags"
		if c.copyVolumeTags {
			attr = "copy_volume_tags"
		}
		return providers.AttributeErrorf(attr, "Too many tags for a snapshot",
			"A new snapshot of %s would carry %d tags (its volume's, the policy's and %s); EC2 allows 50%s. Give fewer tags, or drop copy_volume_tags.",
			v.id, len(tags), OwnerTag, map[bool]string{true: ", less the 3 a copy adds", false: ""}[len(c.copies) > 0])
	}
	for _, k := range ebsSortedKeys(tags) {
		if len(tags[k]) > ebsMaxTagValue {
			return providers.AttributeErrorf("tags", "Tag value too long",
				"The value of tag %q of the new snapshot of %s would be %d characters once filled in; EC2 allows %d.", k, v.id, len(tags[k]), ebsMaxTagValue)
		}
	}
	return nil
}

// ebsSameTargets reports whether the configuration selects volumes as the
// prior did.
func ebsSameTargets(prior, config cty.Value) bool {
	for _, name := range []string{"instance_id", "volume_ids", "volume_tags"} {
		a, b := prior.GetAttr(name), config.GetAttr(name)
		if a.IsNull() != b.IsNull() || !a.IsNull() && !a.Equals(b).True() {
			return false
		}
	}
	return true
}
