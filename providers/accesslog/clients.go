package accesslog

import (
	"math"
	"slices"
	"unsafe"
)

// clientTable counts requests per client address in one flat,
// open-addressed array: a lookup is one probe into one slot, usually one
// cache miss, where a general map takes several dependent ones. Each slot
// also keeps a Misra-Gries summary of the client's URIs (the two most
// requested, by URI hash), which is where the top (address, URI) pairs
// come from: a pair table of its own would see millions of distinct
// pairs in a large log, most of them once.
//
// Bounded like counts: past limit entries it drops the lower half and
// raises floor (see counts for the error bounds).
type clientTable[K comparable] struct {
	slots []clientSlot[K]
	mask  uint64
	used  int
	limit int
	floor int64
	hash  func(K) uint64
	// onPrune, when set, runs before the first prune (the worker starts
	// counting prefixes itself from then on).
	onPrune func()
}

// clientSlot is one client: n requests counted, up to err missed before
// it was (re)inserted; uri and c are its two tracked URIs (by hash) and
// their counts, dec the summary's decrements: each tracked count may be
// short by up to dec, and an untracked URI was requested at most dec
// times.
type clientSlot[K comparable] struct {
	key    K
	n, err uint32
	dec    uint32
	uri    [2]uint32
	c      [2]uint32
}

func newClientTable[K comparable](limit, size int, hash func(K) uint64) *clientTable[K] {
	t := &clientTable[K]{limit: limit, hash: hash}
	t.resize(size)
	return t
}

// resize makes room for size slots (a power of two) and reinserts.
func (t *clientTable[K]) resize(size int) {
	old := t.slots
	t.slots = make([]clientSlot[K], size)
	t.mask = uint64(size - 1)
	t.used = 0
	for i := range old {
		if old[i].n > 0 {
			*t.slot(old[i].key) = old[i]
			t.used++
		}
	}
}

// slot returns the slot of k: its own, or the empty one where it goes.
func (t *clientTable[K]) slot(k K) *clientSlot[K] {
	i := t.hash(k) & t.mask
	for {
		s := &t.slots[i]
		if s.n == 0 || s.key == k {
			return s
		}
		i = (i + 1) & t.mask
	}
}

// prefetch starts loading the first slot k hashes to.
func (t *clientTable[K]) prefetch(k K) {
	prefetch(unsafe.Pointer(&t.slots[t.hash(k)&t.mask]))
}

// add counts one request of k for the URI with hash uri.
func (t *clientTable[K]) add(k K, uri uint32) {
	s := t.slot(k)
	inserted := s.n == 0
	if inserted {
		*s = clientSlot[K]{key: k, err: satAdd(0, t.floor)}
		t.used++
	}
	if s.n < math.MaxUint32 {
		s.n++
	}
	switch {
	case s.c[0] > 0 && s.uri[0] == uri:
		s.c[0]++
	case s.c[1] > 0 && s.uri[1] == uri:
		s.c[1]++
	case s.c[0] == 0:
		s.uri[0], s.c[0] = uri, 1
	case s.c[1] == 0:
		s.uri[1], s.c[1] = uri, 1
	default:
		s.c[0]--
		s.c[1]--
		s.dec++
	}
	if inserted {
		t.grow()
	}
}

// grow keeps the table at most half full, and within limit entries.
func (t *clientTable[K]) grow() {
	if t.used > t.limit {
		t.prune()
		return
	}
	if t.used*2 > len(t.slots) {
		t.resize(len(t.slots) * 2)
	}
}

// prune drops the entries whose count plus error is at most the median.
func (t *clientTable[K]) prune() {
	if t.onPrune != nil {
		t.onPrune()
		t.onPrune = nil
	}
	vals := make([]int64, 0, t.used)
	for i := range t.slots {
		if s := &t.slots[i]; s.n > 0 {
			vals = append(vals, int64(s.n)+int64(s.err))
		}
	}
	slices.Sort(vals)
	cut := max(vals[len(vals)/2], t.floor+1)
	for i := range t.slots {
		if s := &t.slots[i]; s.n > 0 && int64(s.n)+int64(s.err) <= cut {
			s.n = 0
		}
	}
	t.floor = cut
	t.resize(len(t.slots))
}

// each calls fn for every client in the table.
func (t *clientTable[K]) each(fn func(s *clientSlot[K])) {
	for i := range t.slots {
		if t.slots[i].n > 0 {
			fn(&t.slots[i])
		}
	}
}

// hash4 spreads an IPv4 address over the table (Fibonacci hashing).
func hash4(a uint32) uint64 {
	h := uint64(a) * 0x9E3779B97F4A7C15
	return h ^ h>>29
}

// hash16 spreads an IPv6 address key.
func hash16(k addrKey) uint64 {
	var h uint64 = 0xcbf29ce484222325
	for _, b := range k {
		h ^= uint64(b)
		h *= 0x100000001b3
	}
	return h ^ h>>31
}

// v4 returns the IPv4 address held in an IPv4-mapped key.
func (k addrKey) v4() uint32 {
	return uint32(k[12])<<24 | uint32(k[13])<<16 | uint32(k[14])<<8 | uint32(k[15])
}

// keyFrom4 returns the IPv4-mapped key of an IPv4 address.
func keyFrom4(a uint32) addrKey {
	var k addrKey
	copy(k[:12], v4Prefix[:])
	k[12], k[13], k[14], k[15] = byte(a>>24), byte(a>>16), byte(a>>8), byte(a)
	return k
}

// merge adds src's tallies to t, and prunes t back to its limit. Counts and errors add up; a client
// missing from one side may have had up to that side's floor there. The
// URI summaries merge as Misra-Gries summaries do: sum the counters of
// equal URIs, keep the two largest, and subtract the third largest from
// them (adding it to dec).
func (t *clientTable[K]) merge(src *clientTable[K]) {
	if src.floor > 0 {
		t.each(func(s *clientSlot[K]) {
			if src.find(s.key) == nil {
				s.err = satAdd(s.err, src.floor)
			}
		})
	}
	src.each(func(o *clientSlot[K]) {
		s := t.slot(o.key)
		if s.n == 0 {
			*s = clientSlot[K]{key: o.key, err: satAdd(o.err, t.floor)}
			t.used++
		} else {
			s.err = satAdd(s.err, int64(o.err))
		}
		s.n = satAdd(s.n, int64(o.n))
		mergeSummary(s, o)
		if t.used*2 > len(t.slots) {
			t.resize(len(t.slots) * 2)
		}
	})
	t.floor += src.floor
	for t.used > t.limit {
		t.prune()
	}
}

// find returns k's slot, or nil.
func (t *clientTable[K]) find(k K) *clientSlot[K] {
	if s := t.slot(k); s.n > 0 {
		return s
	}
	return nil
}

// mergeSummary folds o's URI counters into s's.
func mergeSummary[K comparable](s, o *clientSlot[K]) {
	type uc struct{ uri, c uint32 }
	var all [4]uc
	n := 0
	for j := range s.c {
		if s.c[j] > 0 {
			all[n] = uc{s.uri[j], s.c[j]}
			n++
		}
	}
	for j := range o.c {
		if o.c[j] == 0 {
			continue
		}
		found := false
		for i := 0; i < n; i++ {
			if all[i].uri == o.uri[j] {
				all[i].c = satAdd(all[i].c, int64(o.c[j]))
				found = true
			}
		}
		if !found {
			all[n] = uc{o.uri[j], o.c[j]}
			n++
		}
	}
	slices.SortFunc(all[:n], func(a, b uc) int { return int(int64(b.c) - int64(a.c)) })
	var third uint32
	if n > 2 {
		third = all[2].c
	}
	s.dec = satAdd(satAdd(s.dec, int64(o.dec)), int64(third))
	s.uri, s.c = [2]uint32{}, [2]uint32{}
	for j := 0; j < 2 && j < n; j++ {
		if c := all[j].c - third; c > 0 {
			s.uri[j], s.c[j] = all[j].uri, c
		}
	}
}

// satAdd adds without overflowing 32 bits.
func satAdd(a uint32, b int64) uint32 {
	return uint32(min(int64(a)+b, math.MaxUint32))
}
