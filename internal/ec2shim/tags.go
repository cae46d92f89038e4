package ec2shim

import (
	"strconv"
	"strings"
)

// EC2's tag limits.
const (
	maxTags     = 50
	maxTagKey   = 128
	maxTagValue = 256
)

// checkTags applies EC2's tag rules, answering an error and returning
// false when tags break one.
func (c *call) checkTags(tags map[string]string) bool {
	if len(tags) > maxTags {
		c.invalid("TagLimitExceeded", "The maximum number of tags per resource is "+strconv.Itoa(maxTags)+"; the request would leave "+strconv.Itoa(len(tags))+".")
		return false
	}
	for k, v := range tags {
		switch {
		case k == "":
			c.invalid("InvalidParameterValue", "Tag keys must not be empty.")
			return false
		case len(k) > maxTagKey:
			c.invalid("InvalidParameterValue", "Tag key exceeds the maximum length of "+strconv.Itoa(maxTagKey)+" characters: "+k)
			return false
		case len(v) > maxTagValue:
			c.invalid("InvalidParameterValue", "Tag value exceeds the maximum length of "+strconv.Itoa(maxTagValue)+" characters (key "+k+").")
			return false
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			c.invalid("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use: "+k)
			return false
		}
	}
	return true
}

// createTags serves CreateTags for volumes, snapshots and AMIs: every
// resource must exist, or nothing is tagged.
func (s *Shim) createTags(c *call) {
	ids := listOf(c.form, "ResourceId")
	tags, ok := tagsOf(c.form, "Tag")
	if !ok || len(tags) == 0 {
		c.invalid("MissingParameter", "The request must contain the parameter Tag with a Key")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.store
	targets := make([]map[string]string, len(ids))
	for i, id := range ids {
		switch {
		case strings.HasPrefix(id, "snap-") && st.snapshotIn(id, c.region) != nil:
			targets[i] = st.snaps[id].Tags
		case strings.HasPrefix(id, "vol-") && st.volumeIn(id, c.region) != nil:
			if st.volumes[id].Tags == nil {
				st.volumes[id].Tags = map[string]string{}
			}
			targets[i] = st.volumes[id].Tags
		case strings.HasPrefix(id, "ami-") && st.imageIn(id, c.region) != nil:
			c.invalid("UnsupportedOperation", "The ec2 shim does not keep tags on AMIs ("+id+").")
			return
		default:
			c.invalid(notFoundCode(id), "The ID '"+id+"' does not exist")
			return
		}
		merged := map[string]string{}
		for k, v := range targets[i] {
			merged[k] = v
		}
		for _, t := range tags {
			merged[t.key] = t.value
		}
		if !c.checkTags(merged) {
			return
		}
	}
	for _, m := range targets {
		for _, t := range tags {
			m[t.key] = t.value
		}
	}
	c.replyTrue()
}

// notFoundCode is EC2's error code for a missing resource of the ID's kind.
func notFoundCode(id string) string {
	switch {
	case strings.HasPrefix(id, "snap-"):
		return "InvalidSnapshot.NotFound"
	case strings.HasPrefix(id, "vol-"):
		return "InvalidVolume.NotFound"
	}
	return "InvalidAMIID.NotFound"
}
