package ec2shim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"sync/atomic"
	"time"
)

// Volume is an EBS volume as the shim keeps it. Tests seed volumes with
// AddVolume; a volume attached to an instance has InstanceID and Device.
type Volume struct {
	// ID is "vol-…"; AddVolume makes one up when it is empty.
	ID string
	// Region holds the volume; the shim's home region when empty.
	Region string
	// Size in GiB; 8 when zero.
	Size int32
	// AvailabilityZone defaults to the region's first ("us-east-1a").
	AvailabilityZone string
	// InstanceID and Device describe the attachment; empty when the
	// volume is available (unattached).
	InstanceID, Device string
	// Tags of the volume.
	Tags map[string]string
	// Created is the creation time; the shim's clock when zero.
	Created time.Time
}

// Snapshot states, as EC2 reports them.
const (
	StatePending   = "pending"
	StateCompleted = "completed"
	StateError     = "error"
)

// Snapshot is an EBS snapshot as the shim keeps it.
type Snapshot struct {
	// ID is "snap-…"; AddSnapshot makes one up when it is empty.
	ID string
	// Region holds the snapshot; the shim's home region when empty.
	Region string
	// VolumeID is the volume it was taken from; it may no longer exist.
	// Copies carry vol-ffffffff, as EC2's do.
	VolumeID string
	// Description, as given to CreateSnapshot.
	Description string
	// OwnerID is the account; Account when empty. A snapshot of another
	// account is public: listed by DescribeSnapshots without Owner=self.
	OwnerID string
	// State is pending, completed or error; AddSnapshot defaults to
	// completed.
	State string
	// StartTime is when the snapshot was started; the clock when zero.
	StartTime time.Time
	// VolumeSize in GiB; the volume's size (or 8) when zero.
	VolumeSize int32
	// Tags of the snapshot.
	Tags map[string]string
	// Encrypted, with KmsKeyID when a key other than the default was
	// asked for, describes the snapshot's encryption.
	Encrypted bool
	KmsKeyID  string
	// SourceSnapshotID and SourceRegion are set on copies made by
	// CopySnapshot.
	SourceSnapshotID, SourceRegion string

	listings int // DescribeSnapshots answers that listed it as pending
}

// Image is an AMI registered with RegisterImage: the one thing that keeps
// a snapshot from being deleted.
type Image struct {
	ID, Name   string
	Region     string // the snapshot's
	SnapshotID string // of the root device
	Created    time.Time
}

// store is everything the shim knows; Shim.mu guards it.
type store struct {
	requests atomic.Uint64

	volumes map[string]*Volume
	volIDs  sortedIDs
	snaps   map[string]*Snapshot
	snapIDs sortedIDs
	images  map[string]*Image
	imgIDs  sortedIDs
}

func (st *store) init() {
	st.volumes = map[string]*Volume{}
	st.snaps = map[string]*Snapshot{}
	st.images = map[string]*Image{}
}

// requestID returns a new request ID shaped like EC2's (a UUID).
func (st *store) requestID() string {
	n := st.requests.Add(1)
	return fmt.Sprintf("ec2a5b1d-%04x-4000-8000-%012x", n>>48&0xffff, n&0xffffffffffff)
}

// volumeIn, snapshotIn and imageIn return the object with the ID when it
// lives in region, else nil: a request sees only its own region.
func (st *store) volumeIn(id, region string) *Volume {
	if v := st.volumes[id]; v != nil && v.Region == region {
		return v
	}
	return nil
}

func (st *store) snapshotIn(id, region string) *Snapshot {
	if sn := st.snaps[id]; sn != nil && sn.Region == region {
		return sn
	}
	return nil
}

func (st *store) imageIn(id, region string) *Image {
	if im := st.images[id]; im != nil && im.Region == region {
		return im
	}
	return nil
}

// inUse returns the AMI that uses the snapshot, or "".
func (st *store) inUse(snapID string) string {
	for _, id := range st.imgIDs.sorted() {
		if st.images[id].SnapshotID == snapID {
			return id
		}
	}
	return ""
}

// sortedIDs keeps a set of IDs and sorts them only when asked after a
// change, so seeding thousands of snapshots stays linear.
type sortedIDs struct {
	ids   []string
	dirty bool
}

func (s *sortedIDs) add(id string) {
	s.ids = append(s.ids, id)
	s.dirty = true
}

func (s *sortedIDs) remove(id string) {
	for i, x := range s.ids {
		if x == id {
			s.ids = append(s.ids[:i], s.ids[i+1:]...)
			return
		}
	}
}

func (s *sortedIDs) sorted() []string {
	if s.dirty {
		sort.Strings(s.ids)
		s.dirty = false
	}
	return s.ids
}

// newID derives an ID from prefix and the parts naming the object, so the
// same test makes the same IDs in every run; taken reports IDs in use.
func newID(prefix string, taken func(string) bool, parts ...string) string {
	for n := 0; ; n++ {
		h := sha256.New()
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
		h.Write([]byte(strconv.Itoa(n)))
		id := prefix + hex.EncodeToString(h.Sum(nil))[:17]
		if !taken(id) {
			return id
		}
	}
}

// AddVolume adds a volume and returns its ID. It panics when the ID is
// already in use, which is a mistake in the test.
func (s *Shim) AddVolume(v Volume) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.store
	if v.ID == "" {
		v.ID = newID("vol-", func(id string) bool { return st.volumes[id] != nil }, "volume", strconv.Itoa(len(st.volumes)))
	}
	if st.volumes[v.ID] != nil {
		panic("ec2shim: volume " + v.ID + " added twice")
	}
	if v.Size == 0 {
		v.Size = 8
	}
	if v.Region == "" {
		v.Region = s.opts.Region
	}
	if v.AvailabilityZone == "" {
		v.AvailabilityZone = v.Region + "a"
	}
	if v.Created.IsZero() {
		v.Created = s.now()
	}
	v.Tags = maps.Clone(v.Tags)
	st.volumes[v.ID] = &v
	st.volIDs.add(v.ID)
	return v.ID
}

// DeleteVolume removes a volume, as if it had been deleted outside plumb
// (its snapshots stay). It reports whether the volume existed.
func (s *Shim) DeleteVolume(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store.volumes[id] == nil {
		return false
	}
	delete(s.store.volumes, id)
	s.store.volIDs.remove(id)
	return true
}

// AddSnapshot adds a snapshot, completed unless State says otherwise, and
// returns its ID. It panics when the ID is already in use.
func (s *Shim) AddSnapshot(sn Snapshot) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sn.StartTime.IsZero() {
		sn.StartTime = s.now()
	}
	if sn.State == "" {
		sn.State = StateCompleted
	}
	if sn.Region == "" {
		sn.Region = s.opts.Region
	}
	if sn.ID != "" && s.store.snaps[sn.ID] != nil {
		panic("ec2shim: snapshot " + sn.ID + " added twice")
	}
	return s.store.addSnapshot(sn).ID
}

// addSnapshot fills in defaults and stores sn.
func (st *store) addSnapshot(sn Snapshot) *Snapshot {
	if sn.ID == "" {
		parts := []string{sn.VolumeID, sn.StartTime.UTC().Format(time.RFC3339Nano)}
		if sn.SourceSnapshotID != "" {
			parts = append(parts, sn.Region, sn.SourceSnapshotID)
		}
		sn.ID = newID("snap-", func(id string) bool { return st.snaps[id] != nil }, parts...)
	}
	if sn.OwnerID == "" {
		sn.OwnerID = Account
	}
	if sn.VolumeSize == 0 {
		sn.VolumeSize = 8
		if v := st.volumes[sn.VolumeID]; v != nil {
			sn.VolumeSize = v.Size
		}
	}
	sn.Tags = maps.Clone(sn.Tags)
	if sn.Tags == nil {
		sn.Tags = map[string]string{}
	}
	p := &sn
	st.snaps[sn.ID] = p
	st.snapIDs.add(sn.ID)
	return p
}

// SetSnapshotState sets a snapshot's state (pending, completed or error),
// as EC2 would as the snapshot progresses or fails. It reports whether
// the snapshot exists.
func (s *Shim) SetSnapshotState(id, state string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.store.snaps[id]
	if sn == nil {
		return false
	}
	sn.State = state
	return true
}

// Snapshot returns a copy of the snapshot with the ID.
func (s *Shim) Snapshot(id string) (Snapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.store.snaps[id]
	if sn == nil {
		return Snapshot{}, false
	}
	c := *sn
	c.Tags = maps.Clone(sn.Tags)
	return c, true
}

// Snapshots returns copies of every snapshot, of every account, sorted by
// ID.
func (s *Shim) Snapshots() []Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.store.snapIDs.sorted()
	out := make([]Snapshot, len(ids))
	for i, id := range ids {
		out[i] = *s.store.snaps[id]
		out[i].Tags = maps.Clone(out[i].Tags)
	}
	return out
}

// RegisterImage registers an AMI whose root device is the snapshot, which
// EC2 then refuses to delete (InvalidSnapshot.InUse) until the AMI is
// deregistered. It returns the AMI's ID.
func (s *Shim) RegisterImage(name, snapshotID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.store
	if st.snaps[snapshotID] == nil {
		return "", fmt.Errorf("ec2shim: register image %q: no snapshot %s", name, snapshotID)
	}
	id := newID("ami-", func(id string) bool { return st.images[id] != nil }, snapshotID, name)
	st.images[id] = &Image{ID: id, Name: name, Region: st.snaps[snapshotID].Region, SnapshotID: snapshotID, Created: s.now()}
	st.imgIDs.add(id)
	return id, nil
}

// DeregisterImage removes an AMI, freeing its snapshot. It reports whether
// the AMI existed.
func (s *Shim) DeregisterImage(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store.images[id] == nil {
		return false
	}
	delete(s.store.images, id)
	s.store.imgIDs.remove(id)
	return true
}
