package aws

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// ebsParallelism is how many snapshots a policy creates or deletes at once.
const ebsParallelism = 8

// Apply does what the plan says, in this order: it takes the new
// snapshots, copies the planned ones to their regions, deletes the
// expired snapshots (those the plan dropped from the prior, or, for a new
// policy, labelled "deleted by this apply"), then the expired copies.
// Before deleting or copying it lists the owner's snapshots again, and
// deletes only what is still expired when judged as the plan judged it
// (same rules, same as_of), so a snapshot that became the newest, or the
// only stand-in for the others, is kept; EC2 refusing a delete because an
// AMI uses the snapshot keeps it, with a warning. The state returned is
// the plan with the new IDs filled in; it records every snapshot and copy
// made and every one not deleted, whatever failed.
//
// Deleting the policy deletes no snapshot: they keep their tags, and a
// policy with the same owner adopts them again.
func (r *ebsPolicy) Apply(ctx context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	if req.Planned.IsNull() {
		var diags hcl.Diagnostics
		if req.Prior.IsNull() {
			return providers.ApplyResponse{State: r.null}
		}
		n := len(ebsSnapsFrom(req.Prior.GetAttr("snapshots"))) + len(ebsCopiesFrom(req.Prior.GetAttr("copies")))
		if n > 0 {
			diags = providers.Warnf("Snapshots left in place",
				"The policy is gone from state, but its %d snapshots and copies were not deleted: they keep the %s = %q tag, and a policy with that owner adopts them again. Delete them with the EC2 console or CLI if they are no longer wanted.",
				n, OwnerTag, ebsStr(req.Prior, "owner"))
		}
		return providers.ApplyResponse{State: r.null, Diagnostics: diags}
	}
	planned := req.Planned
	for name := range r.schema.Attributes {
		if name != "snapshots" && name != "copies" && !planned.GetAttr(name).IsWhollyKnown() {
			return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf("Snapshot policy not known at apply time",
				"%s is still unknown; it must be computable once the resources it refers to exist.", name)}
		}
	}
	owner := ebsStr(planned, "owner")
	cfg, _ := decodeEBSConfig(planned)
	asOf, err := time.Parse(ebsTimeFormat, ebsStr(planned, "as_of"))
	if err != nil {
		asOf = ebsNow(r.p)
	}
	vols := map[string]ebsVolume{}
	for _, v := range ebsVolumesFrom(planned.GetAttr("volumes")) {
		vols[v.id] = v
	}
	var priorSnaps, priorCopies []ebsSnap
	if !req.Prior.IsNull() && ebsStr(req.Prior, "owner") == owner {
		priorSnaps, priorCopies = ebsSnapsFrom(req.Prior.GetAttr("snapshots")), ebsCopiesFrom(req.Prior.GetAttr("copies"))
	}
	snaps := ebsSplit(ebsSnapsFrom(planned.GetAttr("snapshots")), priorSnaps)
	copies := ebsSplit(ebsCopiesFrom(planned.GetAttr("copies")), priorCopies)

	home := r.p.EC2()
	created, diags := ebsCreateAll(ctx, home, snaps.creates, func(s ebsSnap) map[string]string {
		return ebsSnapshotTags(cfg, owner, vols[s.volumeID], asOf)
	})
	var fresh []ebsSnap
	kept := snaps.deletes
	if len(snaps.deletes) > 0 || len(copies.creates) > 0 {
		if fresh, err = ebsListSnapshots(ctx, home, owner); err != nil {
			diags = diags.Extend(ebsAPIError("Cannot check the snapshots to delete and copy; none was deleted or copied", err))
			copies.creates = nil
		} else {
			var d hcl.Diagnostics
			kept, d = ebsDeleteChecked(ctx, home, cfg.rules, asOf, fresh, snaps.deletes)
			diags = diags.Extend(d)
		}
	}
	copied, d := ebsCopyAll(ctx, r.p, cfg, owner, fresh, copies.creates)
	diags = diags.Extend(d)
	keptCopies, d := r.deleteCopies(ctx, cfg, owner, asOf, copies.deletes)
	diags = diags.Extend(d)

	snapList := append(append(append(snaps.keep, snaps.gone(kept)...), created...), kept...)
	copyList := append(append(append(copies.keep, copies.gone(keptCopies)...), copied...), keptCopies...)
	return providers.ApplyResponse{State: ebsWith(planned, map[string]cty.Value{
		"snapshots": ebsSnapshotsValue(snapList), "copies": ebsCopiesValue(copyList),
	}), Diagnostics: diags}
}

// ebsWork is what a plan asks of one list (snapshots or copies).
type ebsWork struct {
	creates, keep, deletes []ebsSnap
	// deletedNow are the deletes a new policy's plan listed, labelled
	// ebsDeletedNow: once deleted they stay in the state this apply
	// returns, as the plan showed them, and the next refresh drops them.
	deletedNow map[string]bool
}

// gone returns the planned elements labelled ebsDeletedNow that were
// deleted (are not among kept).
func (w ebsWork) gone(kept []ebsSnap) []ebsSnap {
	left := map[string]bool{}
	for _, k := range kept {
		left[k.id] = true
	}
	var out []ebsSnap
	for _, d := range w.deletes {
		if w.deletedNow[d.id] && !left[d.id] {
			out = append(out, d)
		}
	}
	return out
}

// ebsSplit sorts a planned list into what to create, keep and delete:
// deletes are the prior elements the plan dropped and the planned ones
// labelled ebsDeletedNow; copies left in place are neither kept nor
// deleted, only forgotten.
func ebsSplit(planned, prior []ebsSnap) ebsWork {
	w := ebsWork{deletedNow: map[string]bool{}}
	wanted := map[string]bool{}
	for _, s := range planned {
		switch {
		case s.planned():
			w.creates = append(w.creates, s)
		case strings.HasSuffix(s.status, ebsDeletedNow):
			w.deletes = append(w.deletes, s)
			w.deletedNow[s.id] = true
			wanted[s.id] = true
		case strings.HasPrefix(s.status, ebsLeftInPlace):
			wanted[s.id] = true
		default:
			w.keep = append(w.keep, s)
			wanted[s.id] = true
		}
	}
	for _, s := range prior {
		if !wanted[s.id] {
			w.deletes = append(w.deletes, s)
		}
	}
	return w
}

// deleteCopies deletes the expired copies, region by region, after the
// same check as snapshots get, and returns those that remain.
func (r *ebsPolicy) deleteCopies(ctx context.Context, cfg ebsConfig, owner string, asOf time.Time, deletes []ebsSnap) ([]ebsSnap, hcl.Diagnostics) {
	var kept []ebsSnap
	var diags hcl.Diagnostics
	for _, rule := range cfg.copies {
		var todo []ebsSnap
		for _, d := range deletes {
			if d.region == rule.region {
				todo = append(todo, d)
			}
		}
		if len(todo) == 0 {
			continue
		}
		c := r.p.EC2In(rule.region)
		fresh, err := ebsListCopies(ctx, c, owner, rule.region)
		if err != nil {
			kept = append(kept, todo...)
			diags = diags.Extend(ebsAPIError("Cannot check the copies to delete in "+rule.region+"; none was deleted there", err))
			continue
		}
		k, d := ebsDeleteChecked(ctx, c, rule.rules, asOf, fresh, todo)
		kept = append(kept, k...)
		diags = diags.Extend(d)
	}
	return kept, diags
}

// ebsCreateAll takes the planned snapshots, ebsParallelism at a time, and
// returns those EC2 accepted with their IDs and start times.
func ebsCreateAll(ctx context.Context, c *ec2.Client, plans []ebsSnap, tagsOf func(ebsSnap) map[string]string) ([]ebsSnap, hcl.Diagnostics) {
	results := make([]ebsSnap, len(plans))
	errs := make([]error, len(plans))
	ebsEach(ctx, len(plans), func(i int) {
		s, err := ebsCreateSnapshot(ctx, c, plans[i].volumeID, plans[i].description, tagsOf(plans[i]))
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
		"%s.%s The %d snapshots that were taken are recorded in state.", providers.JoinFirst(failed, 10, ""), ebsAdvice(first), len(out))
}

// ebsDeleteChecked deletes the snapshots (or copies) the plan expired,
// after judging fresh, a new listing of them, as the plan judged (rules r
// at asOf): one no longer expired is kept, with the reason. It returns
// those that remain.
func ebsDeleteChecked(ctx context.Context, c *ec2.Client, r ebsRules, asOf time.Time, fresh, deletes []ebsSnap) ([]ebsSnap, hcl.Diagnostics) {
	if len(deletes) == 0 {
		return nil, nil
	}
	verdicts := ebsAssess(r, fresh, asOf)
	index := make(map[string]int, len(fresh))
	for i := range fresh {
		index[fresh[i].id] = i
	}
	var kept, todo []ebsSnap
	var notes []string
	for _, d := range deletes {
		i, ok := index[d.id]
		switch {
		case !ok:
			// Deleted outside plumb, or no longer tagged as the policy's:
			// either way not the policy's to delete any more.
		case !verdicts[i].expire:
			k := fresh[i]
			k.inUseBy = d.inUseBy
			kept = append(kept, k)
			notes = append(notes, d.id+" is no longer to be deleted: "+verdicts[i].status)
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
			"%s. They stay with the policy, which deletes them once nothing stops it.", providers.JoinFirst(notes, 10, "")))
	}
	if len(failed) > 0 {
		diags = diags.Extend(providers.Errorf(fmt.Sprintf("Cannot delete %d expired snapshots", len(failed)),
			"%s.%s They stay in state, and the next apply tries again.", providers.JoinFirst(failed, 10, ""), ebsAdvice(first)))
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
