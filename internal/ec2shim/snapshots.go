package ec2shim

import (
	"net/http"
	"strconv"
)

// maxDescription is the longest snapshot description EC2 accepts.
const maxDescription = 255

// snapshotMatches reports whether sn passes every filter.
func snapshotMatches(fs []filter, sn *Snapshot) bool {
	for _, f := range fs {
		var ok bool
		switch f.name {
		case "volume-id":
			ok = f.match(sn.VolumeID)
		case "snapshot-id":
			ok = f.match(sn.ID)
		case "status":
			ok = f.match(sn.State)
		case "owner-id":
			ok = f.match(sn.OwnerID)
		case "description":
			ok = f.match(sn.Description)
		default:
			ok = f.matchTags(sn.Tags)
		}
		if !ok {
			return false
		}
	}
	return true
}

// writeSnapshot writes the fields of a Snapshot element.
func writeSnapshot(x *xmlw, sn *Snapshot) {
	x.text("snapshotId", sn.ID)
	x.text("volumeId", sn.VolumeID)
	x.text("status", sn.State)
	x.time("startTime", sn.StartTime)
	x.text("progress", progress(sn.State))
	x.text("ownerId", sn.OwnerID)
	x.int("volumeSize", int64(sn.VolumeSize))
	x.text("description", sn.Description)
	x.bool("encrypted", sn.Encrypted)
	if sn.KmsKeyID != "" {
		x.text("kmsKeyId", sn.KmsKeyID)
	}
	x.text("storageTier", "standard")
	x.tagSet(sn.Tags)
}

func progress(state string) string {
	if state == StatePending {
		return "0%"
	}
	return "100%"
}

// createSnapshot serves CreateSnapshot: a pending snapshot of an existing
// volume, tagged from its tag specifications in the same step.
func (s *Shim) createSnapshot(c *call) {
	volID, ok := c.requiredID("VolumeId", "vol-", "InvalidVolumeID.Malformed")
	if !ok {
		return
	}
	desc, ok := c.snapshotDescription()
	if !ok {
		return
	}
	tags, ok := c.tagSpecifications("snapshot")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.store
	vol := st.volumeIn(volID, c.region)
	if vol == nil {
		c.invalid("InvalidVolume.NotFound", "The volume '"+volID+"' does not exist.")
		return
	}
	sn := st.addSnapshot(Snapshot{Region: c.region, VolumeID: volID, Description: desc, State: StatePending, StartTime: s.now(), VolumeSize: vol.Size, Tags: tags})
	c.reply(func(x *xmlw) { writeSnapshot(x, sn) })
}

// snapshotDescription reads Description, answering InvalidParameterValue
// and returning false when it is longer than EC2 allows.
func (c *call) snapshotDescription() (string, bool) {
	desc := c.form.Get("Description")
	if len(desc) > maxDescription {
		c.invalid("InvalidParameterValue", "Value ("+desc+") for parameter description is invalid. Length exceeds maximum of "+strconv.Itoa(maxDescription))
		return "", false
	}
	return desc, true
}

// tagSpecifications reads TagSpecification.N, each of which must be for
// resourceType, and returns their tags merged, answering an error and
// returning false when they are invalid.
func (c *call) tagSpecifications(resourceType string) (map[string]string, bool) {
	out := map[string]string{}
	for _, n := range indexes(c.form, "TagSpecification") {
		p := "TagSpecification." + strconv.Itoa(n) + "."
		if rt := c.form.Get(p + "ResourceType"); rt != resourceType {
			c.invalid("InvalidParameterValue", "'"+rt+"' is not a valid taggable resource type for this operation.")
			return nil, false
		}
		tags, ok := tagsOf(c.form, p+"Tag")
		if !ok {
			c.invalid("InvalidParameterValue", "Tag specification "+strconv.Itoa(n)+" has a tag without a Key.")
			return nil, false
		}
		for _, t := range tags {
			out[t.key] = t.value
		}
	}
	return out, c.checkTags(out)
}

// describeSnapshots serves DescribeSnapshots: Owner, SnapshotId.N,
// filters, paging. It first moves pending snapshots on (Options).
func (s *Shim) describeSnapshots(c *call) {
	fs, ok := c.filters("volume-id", "snapshot-id", "status", "owner-id", "description", "tag-key")
	if !ok {
		return
	}
	pg, ok := c.paging(1000)
	if !ok {
		return
	}
	ids := listOf(c.form, "SnapshotId")
	if len(ids) > 0 && pg.max > 0 {
		c.invalid("InvalidParameterCombination", "The parameter snapshotSet cannot be used with the parameter maxResults")
		return
	}
	owners := ownersOf(c.form)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.store
	s.progressSnapshots()
	candidates := st.snapIDs.sorted()
	if len(ids) > 0 {
		for _, id := range ids {
			if st.snapshotIn(id, c.region) == nil {
				c.invalid("InvalidSnapshot.NotFound", "The snapshot '"+id+"' does not exist.")
				return
			}
		}
		candidates = sortedUnique(ids)
	}
	pageIDs, next := pg.scan(candidates, func(id string) bool {
		sn := st.snapshotIn(id, c.region)
		return sn != nil && (owners == nil || owners[sn.OwnerID]) && snapshotMatches(fs, sn)
	})
	c.reply(func(x *xmlw) {
		x.open("snapshotSet")
		for _, id := range pageIDs {
			x.open("item")
			writeSnapshot(x, st.snaps[id])
			x.close("item")
		}
		x.close("snapshotSet")
		if next != "" {
			x.text("nextToken", next)
		}
	})
	if n := s.opts.CompleteAfterListings; n > 0 {
		for _, id := range pageIDs {
			if sn := st.snaps[id]; sn.State == StatePending {
				if sn.listings++; sn.listings >= n {
					sn.State = StateCompleted
				}
			}
		}
	}
}

// progressSnapshots completes the pending snapshots whose time has come.
// The caller holds s.mu.
func (s *Shim) progressSnapshots() {
	after, listings := s.opts.CompleteAfter, s.opts.CompleteAfterListings
	if after <= 0 && listings > 0 {
		return
	}
	now := s.now()
	for _, sn := range s.store.snaps {
		if sn.State == StatePending && (after <= 0 || !now.Before(sn.StartTime.Add(after))) {
			sn.State = StateCompleted
		}
	}
}

// deleteSnapshot serves DeleteSnapshot, refusing snapshots that an AMI
// uses.
func (s *Shim) deleteSnapshot(c *call) {
	id, ok := c.requiredID("SnapshotId", "snap-", "InvalidSnapshotID.Malformed")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.store
	sn := st.snapshotIn(id, c.region)
	switch {
	case sn == nil:
		c.invalid("InvalidSnapshot.NotFound", "The snapshot '"+id+"' does not exist.")
		return
	case sn.OwnerID != Account:
		c.fail(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation: snapshot "+id+" belongs to account "+sn.OwnerID+".")
		return
	}
	if ami := st.inUse(id); ami != "" {
		c.invalid("InvalidSnapshot.InUse", "The snapshot "+id+" is currently in use by "+ami)
		return
	}
	delete(st.snaps, id)
	st.snapIDs.remove(id)
	c.replyTrue()
}
