package ec2shim

import (
	"slices"
)

// volumeMatches reports whether v passes every filter.
func volumeMatches(fs []filter, v *Volume) bool {
	for _, f := range fs {
		var ok bool
		switch f.name {
		case "volume-id":
			ok = f.match(v.ID)
		case "attachment.instance-id":
			ok = v.InstanceID != "" && f.match(v.InstanceID)
		case "attachment.device":
			ok = v.Device != "" && f.match(v.Device)
		case "status":
			ok = f.match(volumeStatus(v))
		case "availability-zone":
			ok = f.match(v.AvailabilityZone)
		default:
			ok = f.matchTags(v.Tags)
		}
		if !ok {
			return false
		}
	}
	return true
}

func volumeStatus(v *Volume) string {
	if v.InstanceID != "" {
		return "in-use"
	}
	return "available"
}

// describeVolumes serves DescribeVolumes: VolumeId.N or filters, paged.
func (s *Shim) describeVolumes(c *call) {
	fs, ok := c.filters("volume-id", "attachment.instance-id", "attachment.device", "status", "availability-zone", "tag-key")
	if !ok {
		return
	}
	pg, ok := c.paging(500)
	if !ok {
		return
	}
	ids := listOf(c.form, "VolumeId")
	if len(ids) > 0 && pg.max > 0 {
		c.invalid("InvalidParameterCombination", "The parameter volumeSet cannot be used with the parameter maxResults")
		return
	}
	for _, id := range ids {
		if !c.wellFormedID(id, "vol-", "InvalidVolumeID.Malformed") {
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.store
	var candidates []string
	if len(ids) > 0 {
		for _, id := range ids {
			if st.volumeIn(id, c.region) == nil {
				c.invalid("InvalidVolume.NotFound", "The volume '"+id+"' does not exist.")
				return
			}
		}
		candidates = sortedUnique(ids)
	} else {
		candidates = st.volIDs.sorted()
	}
	pageIDs, next := pg.scan(candidates, func(id string) bool {
		v := st.volumeIn(id, c.region)
		return v != nil && volumeMatches(fs, v)
	})
	c.reply(func(x *xmlw) {
		x.open("volumeSet")
		for _, id := range pageIDs {
			writeVolume(x, st.volumes[id])
		}
		x.close("volumeSet")
		if next != "" {
			x.text("nextToken", next)
		}
	})
}

func writeVolume(x *xmlw, v *Volume) {
	x.open("item")
	x.text("volumeId", v.ID)
	x.int("size", int64(v.Size))
	x.text("availabilityZone", v.AvailabilityZone)
	x.text("status", volumeStatus(v))
	x.time("createTime", v.Created)
	x.open("attachmentSet")
	if v.InstanceID != "" {
		x.open("item")
		x.text("volumeId", v.ID)
		x.text("instanceId", v.InstanceID)
		x.text("device", v.Device)
		x.text("status", "attached")
		x.time("attachTime", v.Created)
		x.bool("deleteOnTermination", true)
		x.close("item")
	}
	x.close("attachmentSet")
	x.tagSet(v.Tags)
	x.text("volumeType", "gp3")
	x.bool("encrypted", false)
	x.bool("multiAttachEnabled", false)
	x.close("item")
}

// sortedUnique returns ids sorted without repeats.
func sortedUnique(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
