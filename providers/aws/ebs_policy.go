package aws

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// SnapshotPolicyType is the resource type name of EBS snapshot policies.
const SnapshotPolicyType = "aws_ebs_snapshot_policy"

// OwnerTag is the tag that marks a snapshot as made, and owned, by a
// snapshot policy; its value is the policy's owner (by default the
// resource address). A policy never touches a snapshot without it.
const OwnerTag = "plumb:policy"

// DefaultSnapshotDescription is the description template used when the
// configuration gives none.
const DefaultSnapshotDescription = "{host}_backup-{date} {device}"

// Tags on the copies a policy makes in other regions, beside OwnerTag:
// the snapshot copied, its volume and when it was taken (RFC 3339, UTC),
// since a copy's own volume ID and start time say nothing of its source.
const (
	CopyOfTag = "plumb:copy-of"
	VolumeTag = "plumb:volume"
	TakenTag  = "plumb:taken"
)

// ebsPolicy is aws_ebs_snapshot_policy: daily (or any interval) snapshots
// of a set of EBS volumes, and the deletion of the policy's own snapshots
// once they are past retention.
//
// The object is the policy, kept in state: its configuration, the volumes
// it covers and the snapshots it owns. Each snapshot is an element of the
// snapshots attribute keyed by ID, so a plan lists exactly the snapshots
// that come (with the reason) and go (with their age and the rule that
// expires them). Time is the provider's clock; ages and reasons are judged
// as of the last refresh (as_of), so a plan, its reasons and its apply
// agree even when a saved plan is applied later.
type ebsPolicy struct {
	p      *Provider
	schema providers.Schema
	null   cty.Value
}

var (
	_ providers.Resource        = (*ebsPolicy)(nil)
	_ providers.ConfigValidator = (*ebsPolicy)(nil)
)

// Element types of the computed lists.
var (
	ebsSnapshotType = cty.Object(map[string]cty.Type{
		"id": cty.String, "volume_id": cty.String, "description": cty.String, "started": cty.String,
		"age": cty.String, "state": cty.String, "in_use_by": cty.String, "status": cty.String,
	})
	ebsCopyType = cty.Object(map[string]cty.Type{
		"id": cty.String, "region": cty.String, "source_id": cty.String, "volume_id": cty.String, "description": cty.String,
		"taken": cty.String, "age": cty.String, "state": cty.String, "in_use_by": cty.String, "status": cty.String,
	})
	ebsVolumeType = cty.Object(map[string]cty.Type{
		"volume_id": cty.String, "instance_id": cty.String, "device": cty.String, "tags": cty.Map(cty.String),
	})
)

// ebsPolicyType is the schema and the null value, built once.
var ebsPolicyType = sync.OnceValues(func() (providers.Schema, cty.Value) {
	s := ebsPolicySchema()
	return s, cty.NullVal(s.ImpliedType())
})

func newEBSPolicy(p *Provider) *ebsPolicy {
	s, null := ebsPolicyType()
	return &ebsPolicy{p: p, schema: s, null: null}
}

func ebsPolicySchema() providers.Schema {
	str := func(desc string) *providers.Attribute {
		return &providers.Attribute{Type: cty.String, Optional: true, Description: desc}
	}
	computed := func(t cty.Type, desc string) *providers.Attribute {
		return &providers.Attribute{Type: t, Computed: true, Description: desc}
	}
	interval := str(`How often each volume is snapshotted, such as "24h" or "1d" (a duration: s, m, h, d, w; at least 1h). A volume gets a new snapshot when its newest is older than this, less a tolerance of one hour per day of interval, so a run from cron at about the same time each day takes one snapshot a day.`)
	interval.Optional, interval.Required = false, true
	owner := str(`Value of the ` + OwnerTag + ` tag that marks the snapshots this policy made and may delete; by default the resource address. Snapshots without it are never touched.`)
	owner.Computed = true
	desc := str(`Description of new snapshots: {host} (host_name, else the instance ID, else the volume ID), {instance}, {volume}, {device}, {date} (YYYY-MM-DD, UTC) and {time} (HH:MM, UTC) are filled in; default "` + DefaultSnapshotDescription + `".`)
	desc.Computed = true
	copyRegion := str("The region the copies go to; not the provider's own.")
	copyRegion.Optional, copyRegion.Required = false, true
	return providers.Schema{
		Description: "Snapshots of EBS volumes on a schedule, kept for a retention period; only the policy's own snapshots are ever deleted.",
		Attributes: map[string]*providers.Attribute{
			"id":          computed(cty.String, "The owner."),
			"owner":       owner,
			"instance_id": str("Snapshot the volumes attached to this EC2 instance."),
			"volume_ids":  {Type: cty.List(cty.String), Optional: true, Description: "Snapshot these volumes; each must exist."},
			"volume_tags": {Type: cty.Map(cty.String), Optional: true, Description: "Snapshot the volumes with all these tags. Targets combine: a volume must match every one given."},
			"interval":    interval,
			"retain":      str(`How long snapshots are kept, such as "7d"; at least the interval. With keep_last too, a snapshot is deleted only once both let it go. The newest completed snapshot of each volume is always kept.`),
			"keep_last":   {Type: cty.Number, Optional: true, Description: "How many completed snapshots of each volume are kept."},
			"description": desc,
			"host_name":   str("Host name for {host} in the description."),
			"tags": {Type: cty.Map(cty.String), Optional: true, Description: "Tags for new snapshots, beside the " + OwnerTag +
				" ownership tag; values may use the description's placeholders, such as { Name = \"{host}-{date}\" }."},
			"copy_volume_tags": {Type: cty.Bool, Optional: true, Description: "Give each new snapshot its volume's tags too (those of tags win on a clash), as Data Lifecycle Manager's CopyTags does."},
			"as_of":            computed(cty.String, "When the snapshots were last read (RFC 3339, UTC); ages and reasons are as of then."),
			"volumes": {Type: cty.List(ebsVolumeType), Computed: true, Key: []string{"volume_id"},
				Description: "The volumes the targets matched when last read."},
			"snapshots": {Type: cty.List(ebsSnapshotType), Computed: true, Key: []string{"id"},
				Description: "The policy's snapshots: ID, volume, description, start time, age, state, the AMI using it, and status (why it is new, kept or deleted)."},
			"copies": {Type: cty.List(ebsCopyType), Computed: true, Key: []string{"id"},
				Description: "The policy's copies in other regions: ID, region, the snapshot copied, its volume, when it was taken, age, state, the AMI using it, and status."},
		},
		Blocks: map[string]*providers.Block{
			"copy": {Nesting: providers.NestingList, MaxItems: ebsMaxCopyRegions, Schema: providers.Schema{
				Description: "Copy each completed snapshot to another region, as Data Lifecycle Manager's cross-region copy does.",
				Attributes: map[string]*providers.Attribute{
					"region":     copyRegion,
					"retain":     str(`How long copies are kept, such as "30d", counted from when the snapshot was taken; at least twice the interval. By default the policy's retain (and keep_last).`),
					"encrypted":  {Type: cty.Bool, Optional: true, Description: "Encrypt the copies (a copy of an encrypted snapshot is encrypted anyway)."},
					"kms_key_id": str("The KMS key (ID, alias or ARN) that encrypts the copies; needs encrypted = true. By default the region's EBS key."),
				},
			}},
		},
	}
}

// Schema describes aws_ebs_snapshot_policy.
func (r *ebsPolicy) Schema() providers.Schema { return r.schema }

// NewWithClock returns an unconfigured aws provider whose clock is c:
// snapshot policies judge snapshot ages by it (and the rate limiter waits
// on it). Tests and examples use it to walk a policy through days without
// waiting; plumb itself uses New.
func NewWithClock(c Clock) providers.Provider {
	p := New().(*Provider)
	p.clock = c
	return p
}

// ebsNow is the provider's idea of the time, in UTC.
func ebsNow(p *Provider) time.Time {
	if p.clock != nil {
		return p.clock.Now().UTC()
	}
	return time.Now().UTC()
}

// ValidateConfig checks targets, durations, retention and tags without
// calling AWS. Unknown values are not checked.
func (r *ebsPolicy) ValidateConfig(_ context.Context, config cty.Value) hcl.Diagnostics {
	if config.IsNull() || !config.IsKnown() {
		return nil
	}
	_, diags := decodeEBSConfig(config)
	return diags
}
