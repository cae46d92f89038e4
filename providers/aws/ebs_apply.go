package aws

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// ebsParallelism is how many snapshots a policy creates or deletes at once.
const ebsParallelism = 8

// Apply takes the planned snapshots (elements with an unknown ID) and
// deletes the prior ones the plan dropped, creates first. Before deleting
// it lists the owner's snapshots again and deletes only those still
// tagged, completed and not the newest completed of their volume; EC2
// refusing a delete because an AMI uses the snapshot keeps it, with a
// warning. The state returned records every snapshot created and every
// one not deleted, whatever failed.
//
// Deleting the policy deletes no snapshot: they keep their tags, and a
// policy with the same owner adopts them again.
func (r *ebsPolicy) Apply(ctx context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	if req.Planned.IsNull() {
		var diags hcl.Diagnostics
		if req.Prior.IsNull() {
			return providers.ApplyResponse{State: r.null}
		}
		if n := len(ebsSnapsFrom(req.Prior.GetAttr("snapshots"))); n > 0 {
			diags = providers.Warnf("Snapshots left in place",
				"The policy is gone from state, but its %d snapshots were not deleted: they keep the %s = %q tag, and a policy with that owner adopts them again. Delete them with the EC2 console or CLI if they are no longer wanted.",
				n, OwnerTag, ebsStr(req.Prior, "owner"))
		}
		return providers.ApplyResponse{State: r.null, Diagnostics: diags}
	}
	planned := req.Planned
	for name := range r.schema.Attributes {
		if name != "snapshots" && !planned.GetAttr(name).IsWhollyKnown() {
			return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf("Snapshot policy not known at apply time",
				"%s is still unknown; it must be computable once the resources it refers to exist.", name)}
		}
	}
	owner := ebsStr(planned, "owner")
	tags := map[string]string{}
	if t := planned.GetAttr("tags"); !t.IsNull() {
		tags = ebsStringMap(t)
	}
	tags[OwnerTag] = owner

	var keep, creates []ebsSnap
	wanted := map[string]bool{}
	for _, s := range ebsSnapsFrom(planned.GetAttr("snapshots")) {
		if s.planned() {
			creates = append(creates, s)
		} else {
			keep = append(keep, s)
			wanted[s.id] = true
		}
	}
	var deletes []ebsSnap
	if !req.Prior.IsNull() && ebsStr(req.Prior, "owner") == owner {
		for _, s := range ebsSnapsFrom(req.Prior.GetAttr("snapshots")) {
			if !wanted[s.id] {
				deletes = append(deletes, s)
			}
		}
	}
	c := r.p.EC2()
	created, diags := ebsCreateAll(ctx, c, creates, tags)
	kept, d := ebsDeleteExpired(ctx, c, owner, deletes)
	diags = diags.Extend(d)
	result := append(append(keep, created...), kept...)
	return providers.ApplyResponse{State: ebsWith(planned, map[string]cty.Value{"snapshots": ebsSnapshotsValue(result)}), Diagnostics: diags}
}

// ebsCreateAll takes the planned snapshots, ebsParallelism at a time, and
// returns those EC2 accepted with their IDs and start times.
func ebsCreateAll(ctx context.Context, c *ec2.Client, plans []ebsSnap, tags map[string]string) ([]ebsSnap, hcl.Diagnostics) {
	results := make([]ebsSnap, len(plans))
	errs := make([]error, len(plans))
	ebsEach(ctx, len(plans), func(i int) {
		s, err := ebsCreateSnapshot(ctx, c, plans[i].volumeID, plans[i].description, tags)
		if err != nil {
			errs[i] = err
			return
		}
		s.age, s.status, s.description = plans[i].age, plans[i].status, plans[i].description
		results[i] = s
	})
	var out []ebsSnap
	var failed []string
	var first error
	for i, s := range results {
		switch {
		case errs[i] != nil:
			failed = append(failed, plans[i].volumeID+": "+errs[i].Error())
			if first == nil {
				first = errs[i]
			}
		case s.id != "":
			out = append(out, s)
		}
	}
	if len(failed) == 0 {
		return out, nil
	}
	return out, providers.Errorf(fmt.Sprintf("Cannot snapshot %d of %d volumes", len(failed), len(plans)),
		"%s.%s The %d snapshots that were taken are recorded in state.", ebsLines(failed), ebsAdvice(first), len(out))
}

// ebsDeleteExpired deletes the snapshots the plan dropped, after checking
// each against a fresh listing, and returns those that remain.
func ebsDeleteExpired(ctx context.Context, c *ec2.Client, owner string, deletes []ebsSnap) ([]ebsSnap, hcl.Diagnostics) {
	if len(deletes) == 0 {
		return nil, nil
	}
	fresh, err := ebsListSnapshots(ctx, c, owner)
	if err != nil {
		return deletes, ebsAPIError("Cannot check the snapshots to delete; none was deleted", err)
	}
	byID := make(map[string]*ebsSnap, len(fresh))
	newest := map[string]*ebsSnap{} // newest completed per volume
	for i := range fresh {
		s := &fresh[i]
		byID[s.id] = s
		if n := newest[s.volumeID]; s.state == ebsCompleted && (n == nil || ebsNewer(s, n)) {
			newest[s.volumeID] = s
		}
	}
	var kept, todo []ebsSnap
	var notes []string
	for _, d := range deletes {
		f := byID[d.id]
		switch {
		case f == nil:
			// Deleted outside plumb, or no longer tagged as the policy's:
			// either way not the policy's to delete any more.
		case f.state == ebsPending:
			kept = append(kept, d)
			notes = append(notes, d.id+" is pending again")
		case newest[f.volumeID] == f:
			kept = append(kept, d)
			notes = append(notes, d.id+" is now the newest completed snapshot of "+f.volumeID)
		default:
			todo = append(todo, d)
		}
	}
	errs := make([]error, len(todo))
	started := ebsEach(ctx, len(todo), func(i int) { errs[i] = ebsDeleteSnapshot(ctx, c, todo[i].id) })
	var diags hcl.Diagnostics
	var failed []string
	var first error
	for i, d := range todo {
		switch code := ebsErrorCode(errs[i]); {
		case !started[i]:
			kept = append(kept, d) // interrupted before its turn
		case errs[i] == nil, code == "InvalidSnapshot.NotFound":
		case code == "InvalidSnapshot.InUse":
			d.inUseBy = ebsInUseBy(errs[i])
			d.status = "expired, kept: in use by " + d.inUseBy
			kept = append(kept, d)
			notes = append(notes, d.id+" is in use by "+d.inUseBy)
		default:
			kept = append(kept, d)
			failed = append(failed, d.id+": "+errs[i].Error())
			if first == nil {
				first = errs[i]
			}
		}
	}
	if len(notes) > 0 {
		diags = diags.Extend(providers.Warnf("Expired snapshots kept",
			"%s. They stay with the policy, which deletes them once nothing stops it.", ebsLines(notes)))
	}
	if len(failed) > 0 {
		diags = diags.Extend(providers.Errorf(fmt.Sprintf("Cannot delete %d expired snapshots", len(failed)),
			"%s.%s They stay in state, and the next apply tries again.", ebsLines(failed), ebsAdvice(first)))
	}
	return kept, diags
}

// ebsEach calls f(0) … f(n-1), ebsParallelism at a time, and stops
// starting new calls once ctx is done; it reports which it started.
func ebsEach(ctx context.Context, n int, f func(i int)) []bool {
	started := make([]bool, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, ebsParallelism) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				started[i] = true
				f(i)
			}
		})
	}
	wg.Wait()
	return started
}

// ebsLines joins problems one per line, at most ten, counting the rest.
func ebsLines(lines []string) string {
	const shown = 10
	if len(lines) > shown {
		return strings.Join(lines[:shown], "\n") + fmt.Sprintf("\n… and %d more", len(lines)-shown)
	}
	return strings.Join(lines, "\n")
}
