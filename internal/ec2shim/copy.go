package ec2shim

import (
	"net/http"
	"strconv"
)

// maxCopiesInFlight is how many snapshot copies may be pending at once per
// destination region: EC2's documented quota of concurrent snapshot copy
// requests to a single destination region.
const maxCopiesInFlight = 20

// copyVolumeID is the volume ID EC2 gives every copy ("snapshot copies
// have an arbitrary source volume ID; do not use it for any purpose").
const copyVolumeID = "vol-ffffffff"

// copySnapshot serves CopySnapshot. As in EC2 the request is sent to the
// destination region (the one it is signed for) and names the source with
// SourceRegion and SourceSnapshotId. The source must be this account's
// and completed; the copy starts pending, in the destination region, with
// the description and tags given, and completes like any snapshot
// (Options). A copy of an encrypted source is encrypted; Encrypted asks
// for an encrypted copy of an unencrypted one, and KmsKeyId, which
// requires Encrypted, names the key.
func (s *Shim) copySnapshot(c *call) {
	srcRegion := c.form.Get("SourceRegion")
	if srcRegion == "" {
		c.invalid("MissingParameter", "The request must contain the parameter SourceRegion")
		return
	}
	srcID, ok := c.requiredID("SourceSnapshotId", "snap-", "InvalidSnapshotID.Malformed")
	if !ok {
		return
	}
	desc, ok := c.snapshotDescription()
	if !ok {
		return
	}
	encrypted := c.form.Get("Encrypted") == "true"
	kmsKey := c.form.Get("KmsKeyId")
	if kmsKey != "" && !encrypted {
		c.invalid("InvalidParameterDependency", "The parameter KmsKeyId requires the parameter Encrypted to be set.")
		return
	}
	tags, ok := c.tagSpecifications("snapshot")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.store
	s.progressSnapshots()
	src := st.snapshotIn(srcID, srcRegion)
	switch {
	case src == nil:
		c.invalid("InvalidSnapshot.NotFound", "The snapshot '"+srcID+"' does not exist in region "+srcRegion+".")
		return
	case src.OwnerID != Account:
		c.fail(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to copy snapshot "+srcID+": it belongs to account "+src.OwnerID+" and is not shared with you.")
		return
	case src.State != StateCompleted:
		c.invalid("IncorrectState", "Snapshot "+srcID+" is in state "+src.State+"; only completed snapshots can be copied.")
		return
	}
	if n := s.copiesInFlight(c.region); n >= maxCopiesInFlight {
		c.invalid("ResourceLimitExceeded", "Too many snapshot copies are in progress to "+c.region+" ("+strconv.Itoa(n)+"); the limit is "+strconv.Itoa(maxCopiesInFlight)+". Wait for some to complete.")
		return
	}
	if desc == "" {
		desc = "[Copied " + srcID + " from " + srcRegion + "]"
	}
	if src.Encrypted {
		encrypted = true
		if kmsKey == "" {
			kmsKey = src.KmsKeyID
		}
	}
	sn := st.addSnapshot(Snapshot{
		Region: c.region, VolumeID: copyVolumeID, Description: desc, State: StatePending, StartTime: s.now(),
		VolumeSize: src.VolumeSize, Tags: tags, Encrypted: encrypted, KmsKeyID: kmsKey,
		SourceSnapshotID: srcID, SourceRegion: srcRegion,
	})
	c.reply(func(x *xmlw) {
		x.text("snapshotId", sn.ID)
		x.tagSet(sn.Tags)
	})
}

// copiesInFlight counts the pending copies in region. The caller holds
// s.mu.
func (s *Shim) copiesInFlight(region string) int {
	n := 0
	for _, sn := range s.store.snaps {
		if sn.Region == region && sn.SourceSnapshotID != "" && sn.State == StatePending {
			n++
		}
	}
	return n
}
