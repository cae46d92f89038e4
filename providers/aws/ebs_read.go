package aws

import (
	"context"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// Read lists the policy's volumes (by the targets in state), its
// snapshots (by the ownership tag, with the AMIs that use them) and its
// copies in each copy region of the state, and judges each now under the
// rules in state. The policy itself lives in state, so Read never reports
// it gone.
func (r *ebsPolicy) Read(ctx context.Context, req providers.ReadRequest) providers.ReadResponse {
	if req.Prior.IsNull() {
		return providers.ReadResponse{State: r.null}
	}
	owner := ebsStr(req.Prior, "owner")
	cfg, _ := decodeEBSConfig(req.Prior)
	c := r.p.EC2()
	var vols []ebsVolume
	if cfg.targets.any() {
		var err error
		if vols, err = ebsListVolumes(ctx, c, cfg.targets); err != nil {
			return providers.ReadResponse{State: req.Prior, Diagnostics: ebsAPIError("Cannot read the snapshot policy's volumes", err)}
		}
	}
	snaps, err := ebsListOwned(ctx, c, owner)
	if err != nil {
		return providers.ReadResponse{State: req.Prior, Diagnostics: ebsAPIError("Cannot read the snapshot policy's snapshots", err)}
	}
	now := ebsNow(r.p)
	var copies []ebsJudged
	for _, rule := range cfg.copies {
		listed, err := ebsListOwnedCopies(ctx, r.p.EC2In(rule.region), owner, rule.region)
		if err != nil {
			return providers.ReadResponse{State: req.Prior, Diagnostics: ebsAPIError("Cannot read the snapshot policy's copies", err)}
		}
		copies = append(copies, ebsJudgeCopies(rule.rules, listed, now)...)
	}
	return providers.ReadResponse{State: ebsWith(req.Prior, map[string]cty.Value{
		"volumes": ebsVolumesValue(vols), "snapshots": ebsSnapshotsValue(ebsSnapsOf(ebsJudge(cfg.rules, snaps, now))),
		"copies": ebsCopiesValue(ebsSnapsOf(copies)), "as_of": cty.StringVal(now.Format(ebsTimeFormat)),
	})}
}

// Import adopts the snapshots tagged with the owner given as ID (by
// default a policy's resource address). Only configuration knows the
// targets and rules, so they are null until the next plan fills them in;
// the snapshots are listed without a verdict on their retention.
func (r *ebsPolicy) Import(ctx context.Context, req providers.ImportRequest) providers.ImportResponse {
	owner := strings.TrimSpace(req.ID)
	if owner == "" {
		return providers.ImportResponse{State: r.null, Diagnostics: providers.Errorf("Empty import ID",
			"Give the owner of the snapshots to adopt: the value of their %s tag, such as \"aws_ebs_snapshot_policy.web\".", OwnerTag)}
	}
	snaps, err := ebsListOwned(ctx, r.p.EC2(), owner)
	if err != nil {
		return providers.ImportResponse{State: r.null, Diagnostics: ebsAPIError("Cannot import the snapshot policy", err)}
	}
	if len(snaps) == 0 {
		return providers.ImportResponse{State: r.null, Diagnostics: providers.Errorf("No snapshots to import",
			"No snapshot of this account is tagged %s = %q. Check the ID: it is the tag's value, by default the address of the policy that made the snapshots.", OwnerTag, owner)}
	}
	now := ebsNow(r.p)
	snaps = ebsSnapsOf(ebsJudge(ebsRules{}, snaps, now))
	vals := map[string]cty.Value{}
	for name, ty := range r.null.Type().AttributeTypes() {
		vals[name] = cty.NullVal(ty)
	}
	vals["id"], vals["owner"] = cty.StringVal(owner), cty.StringVal(owner)
	vals["volumes"], vals["snapshots"], vals["copies"] = ebsVolumesValue(nil), ebsSnapshotsValue(snaps), ebsCopiesValue(nil)
	vals["as_of"] = cty.StringVal(now.Format(ebsTimeFormat))
	return providers.ImportResponse{State: cty.ObjectVal(vals)}
}

// any reports whether any target is set.
func (t ebsTargets) any() bool {
	return t.instanceID != "" || len(t.volumeIDs) > 0 || len(t.volumeTags) > 0
}

// ebsWith returns obj with some attributes replaced.
func ebsWith(obj cty.Value, set map[string]cty.Value) cty.Value {
	vals := obj.AsValueMap()
	for k, v := range set {
		vals[k] = v
	}
	return cty.ObjectVal(vals)
}
