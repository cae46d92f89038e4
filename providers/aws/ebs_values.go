package aws

import (
	"sort"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// ebsTimeFormat is how start times are kept in state: RFC 3339, UTC, to
// the second.
const ebsTimeFormat = time.RFC3339

// ebsSnapshotsValue is the snapshots attribute for snaps, sorted by
// volume, then start time, then ID; planned snapshots have an unknown ID
// and start time.
func ebsSnapshotsValue(snaps []ebsSnap) cty.Value {
	if len(snaps) == 0 {
		return cty.ListValEmpty(ebsSnapshotType)
	}
	sorted := ebsSorted(snaps, ebsLess)
	elems := make([]cty.Value, len(sorted))
	for i, s := range sorted {
		attrs := ebsSnapAttrs(s)
		attrs["started"] = cty.UnknownVal(cty.String)
		if !s.planned() {
			attrs["started"] = cty.StringVal(s.started.Format(ebsTimeFormat))
		}
		elems[i] = cty.ObjectVal(attrs)
	}
	return cty.ListVal(elems)
}

// ebsSnapsFrom reads the snapshots attribute of a state or plan. Elements
// with an unknown ID are the planned ones. A null or unknown list reads
// as empty.
func ebsSnapsFrom(v cty.Value) []ebsSnap {
	return ebsSnapList(v, func(e cty.Value, s *ebsSnap) {
		if e.GetAttr("id").IsKnown() {
			s.started, _ = time.Parse(ebsTimeFormat, ebsStr(e, "started"))
		}
	})
}

// ebsCopiesValue is the copies attribute for copies, sorted by region,
// then as snapshots are; planned copies have an unknown ID.
func ebsCopiesValue(copies []ebsSnap) cty.Value {
	if len(copies) == 0 {
		return cty.ListValEmpty(ebsCopyType)
	}
	sorted := ebsSorted(copies, func(a, b *ebsSnap) bool {
		if a.region != b.region {
			return a.region < b.region
		}
		return ebsLess(a, b)
	})
	elems := make([]cty.Value, len(sorted))
	for i, s := range sorted {
		attrs := ebsSnapAttrs(s)
		attrs["region"] = cty.StringVal(s.region)
		attrs["source_id"] = cty.StringVal(s.sourceID)
		attrs["taken"] = cty.StringVal(s.started.Format(ebsTimeFormat))
		elems[i] = cty.ObjectVal(attrs)
	}
	return cty.ListVal(elems)
}

// ebsCopiesFrom reads the copies attribute of a state or plan; elements
// with an unknown ID are the planned ones. A null or unknown list reads
// as empty.
func ebsCopiesFrom(v cty.Value) []ebsSnap {
	return ebsSnapList(v, func(e cty.Value, s *ebsSnap) {
		s.region, s.sourceID = ebsStr(e, "region"), ebsStr(e, "source_id")
		s.started, _ = time.Parse(ebsTimeFormat, ebsStr(e, "taken"))
	})
}

// ebsSorted returns pointers to snaps in the order less gives, equal
// ones as they came.
func ebsSorted(snaps []ebsSnap, less func(a, b *ebsSnap) bool) []*ebsSnap {
	sorted := make([]*ebsSnap, len(snaps))
	for i := range snaps {
		sorted[i] = &snaps[i]
	}
	sort.SliceStable(sorted, func(a, b int) bool { return less(sorted[a], sorted[b]) })
	return sorted
}

// ebsSnapAttrs returns the attributes that elements of snapshots and
// copies share; a planned one has an unknown ID.
func ebsSnapAttrs(s *ebsSnap) map[string]cty.Value {
	id := cty.UnknownVal(cty.String)
	if !s.planned() {
		id = cty.StringVal(s.id)
	}
	return map[string]cty.Value{
		"id": id, "volume_id": cty.StringVal(s.volumeID), "description": cty.StringVal(s.description),
		"age": cty.StringVal(s.age), "state": cty.StringVal(s.state),
		"in_use_by": cty.StringVal(s.inUseBy), "status": cty.StringVal(s.status),
	}
}

// ebsSnapList reads a list of snapshots or copies: the attributes they
// share (an unknown ID reads as empty, planned), then the rest with more.
// A null or unknown list reads as empty.
func ebsSnapList(v cty.Value, more func(e cty.Value, s *ebsSnap)) []ebsSnap {
	if v.IsNull() || !v.IsKnown() || v.LengthInt() == 0 {
		return nil
	}
	out := make([]ebsSnap, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		s := ebsSnap{
			volumeID: ebsStr(e, "volume_id"), description: ebsStr(e, "description"), state: ebsStr(e, "state"),
			inUseBy: ebsStr(e, "in_use_by"), age: ebsStr(e, "age"), status: ebsStr(e, "status"),
		}
		if id := e.GetAttr("id"); id.IsKnown() {
			s.id = ebsStr(e, "id")
		}
		more(e, &s)
		out = append(out, s)
	}
	return out
}

// ebsVolumesValue is the volumes attribute, sorted by volume ID.
func ebsVolumesValue(vols []ebsVolume) cty.Value {
	if len(vols) == 0 {
		return cty.ListValEmpty(ebsVolumeType)
	}
	sorted := append([]ebsVolume(nil), vols...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].id < sorted[b].id })
	elems := make([]cty.Value, len(sorted))
	for i, v := range sorted {
		elems[i] = cty.ObjectVal(map[string]cty.Value{
			"volume_id": cty.StringVal(v.id), "instance_id": cty.StringVal(v.instanceID), "device": cty.StringVal(v.device), "tags": providers.StringMapVal(v.tags),
		})
	}
	return cty.ListVal(elems)
}

// ebsVolumesFrom reads the volumes attribute.
func ebsVolumesFrom(v cty.Value) []ebsVolume {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	var out []ebsVolume
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		vol := ebsVolume{id: ebsStr(e, "volume_id"), instanceID: ebsStr(e, "instance_id"), device: ebsStr(e, "device")}
		if t := e.GetAttr("tags"); t.IsKnown() && !t.IsNull() {
			vol.tags = providers.StringMap(t)
		}
		out = append(out, vol)
	}
	return out
}

// ebsStr returns a known string attribute of obj, "" when it (or obj) is
// null or unknown.
func ebsStr(obj cty.Value, name string) string {
	if obj.IsNull() || !obj.IsKnown() {
		return ""
	}
	v := obj.GetAttr(name)
	if v.IsNull() || !v.IsKnown() {
		return ""
	}
	return v.AsString()
}
