package aws

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// Plan proposes the policy's snapshots as of the last refresh (the prior's
// as_of; the clock when there is no usable prior): each covered volume
// whose newest snapshot is older than the interval gets a new one (an
// element with an unknown ID whose status says why), and each snapshot
// past retention is dropped (so the plan shows it going, with its age and
// status). Deletions are planned only against a refreshed prior of the
// same owner, so a deletion always shows as a removed element: a new
// policy, or one whose owner changed, adopts the snapshots it finds, and
// deletes the expired ones on its next run.
//
// Plan calls EC2 only when the prior cannot answer: on create, when the
// owner changed, or (for the volumes) when the targets changed.
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
		for _, name := range []string{"as_of", "volumes", "snapshots"} {
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
	snaps, vols, d := p.plan(ctx, req.Config)
	diags = diags.Extend(d)
	if diags.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
	}
	vals["volumes"], vals["snapshots"] = ebsVolumesValue(vols), ebsSnapshotsValue(snaps)
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

// plan works out the volumes and the planned snapshots.
func (p *ebsPlanner) plan(ctx context.Context, config cty.Value) ([]ebsSnap, []ebsVolume, hcl.Diagnostics) {
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
	verdicts := ebsAssess(p.cfg.rules, snaps, p.now)
	planned := make([]ebsSnap, 0, len(snaps)+len(vols))
	var pinned []string
	for i, s := range snaps {
		if verdicts[i].expire && usable {
			continue
		}
		s.age, s.status = ebsFormatAge(p.now.Sub(s.started)), verdicts[i].status
		if s.inUseBy != "" && strings.HasPrefix(s.status, "expired, kept") {
			pinned = append(pinned, s.id+" (used by "+s.inUseBy+")")
		}
		planned = append(planned, s)
	}
	var diags hcl.Diagnostics
	due := ebsDue(p.cfg.rules, vols, snaps, p.now)
	for _, v := range vols {
		reason, ok := due[v.id]
		if !ok {
			continue
		}
		desc := ebsDescription(p.cfg.description, p.cfg.hostName, v, p.now)
		if len(desc) > ebsMaxDescription {
			diags = diags.Extend(providers.AttributeErrorf("description", "Snapshot description too long",
				"The description of the snapshot of %s would be %d characters (%q); EC2 allows %d. Shorten the template or host_name.", v.id, len(desc), desc, ebsMaxDescription))
			continue
		}
		planned = append(planned, ebsSnap{volumeID: v.id, description: desc, state: ebsPending, age: ebsFormatAge(0), status: reason})
	}
	if len(pinned) > 0 {
		diags = diags.Extend(providers.Warnf("Expired snapshots kept for AMIs",
			"%s %s past retention but kept, because AMIs use them. Deregister the AMIs (or copy their snapshots) to let the policy delete them.",
			ebsJoin(pinned), map[bool]string{true: "is", false: "are"}[len(pinned) == 1]))
	}
	return planned, vols, diags
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
