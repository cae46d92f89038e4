package accesslog

import (
	"cmp"
	"hash/maphash"
	"slices"
)

// counts tallies keys in a bounded number of entries. While it holds at
// most limit distinct keys every count is exact. Past that it prunes:
// it drops the entries whose count (plus error) is at most the median,
// and raises floor to that value. A key that arrives later may have been
// dropped before with up to floor occurrences, so it starts with err =
// floor. For every key, n <= true count <= n + err, and a key missing
// from the table occurred at most floor times. Heavy hitters, which an
// attack is made of, are never dropped, so their counts stay exact.
//
// Keys map to slots in cells, so that a hit is one map lookup that
// neither allocates nor rewrites the map.
type counts[K comparable] struct {
	idx     map[K]int32
	cells   []cell
	floor   int64
	limit   int
	scratch []int64
}

// cell is one key's tally: n counted, up to err more possibly missed.
type cell struct{ n, err int64 }

func newCounts[K comparable](limit int) counts[K] {
	return counts[K]{idx: make(map[K]int32, min(limit, 1024)), limit: limit}
}

// insert adds a key not in the table with count 1.
func (c *counts[K]) insert(k K) {
	c.idx[k] = int32(len(c.cells))
	c.cells = append(c.cells, cell{n: 1, err: c.floor})
	if len(c.cells) > c.limit {
		c.prune()
	}
}

// prune drops the lower half of the entries (by count plus error).
func (c *counts[K]) prune() {
	c.scratch = c.scratch[:0]
	for _, e := range c.cells {
		c.scratch = append(c.scratch, e.n+e.err)
	}
	slices.Sort(c.scratch)
	t := max(c.scratch[len(c.scratch)/2], c.floor+1)
	kept := make([]cell, 0, len(c.cells)/2+1)
	for k, i := range c.idx {
		e := c.cells[i]
		if e.n+e.err <= t {
			delete(c.idx, k)
			continue
		}
		c.idx[k] = int32(len(kept))
		kept = append(kept, e)
	}
	c.cells = kept
	c.floor = t
}

// merge adds src's tallies to c, keeping the error bounds sound: a key
// missing from one side may have occurred there up to that side's floor.
func (c *counts[K]) merge(src *counts[K]) {
	if src.floor > 0 {
		for k, i := range c.idx {
			if _, ok := src.idx[k]; !ok {
				c.cells[i].err += src.floor
			}
		}
	}
	for k, si := range src.idx {
		s := src.cells[si]
		if i, ok := c.idx[k]; ok {
			c.cells[i].n += s.n
			c.cells[i].err += s.err
			continue
		}
		c.idx[k] = int32(len(c.cells))
		c.cells = append(c.cells, cell{n: s.n, err: s.err + c.floor})
	}
	c.floor += src.floor
	for len(c.cells) > c.limit {
		c.prune()
	}
}

// Count is one key's tally in a Report.
type Count struct {
	// Key is the client address, prefix (CIDR), URI, "address uri" pair
	// or user agent.
	Key string `json:"key"`
	// Count is the number of requests (a lower bound when Err > 0).
	Count int64 `json:"count"`
	// Err bounds how many requests the count may be missing; zero unless
	// the table overflowed (see Report.Approximate).
	Err int64 `json:"error,omitempty"`
}

// sorted returns every entry, highest count first, ties by key text.
func (c *counts[K]) sorted(name func(K) string) []Count {
	out := make([]Count, 0, len(c.cells))
	for k, i := range c.idx {
		e := c.cells[i]
		out = append(out, Count{Key: name(k), Count: e.n, Err: e.err})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

// addrTable counts client addresses (or prefixes).
type addrTable struct{ counts[addrKey] }

func (t *addrTable) add(k addrKey) {
	if i, ok := t.idx[k]; ok {
		t.cells[i].n++
		return
	}
	t.insert(k)
}

// strTable counts byte-string keys (URIs, user agents) in a flat table
// indexed by the keys' hashes: the caller usually has the hash already,
// and a hit costs one probe and one comparison. It is bounded like counts
// and turns into one (tally) for merging and sorting.
type strTable struct {
	slots []strSlot
	mask  uint64
	keys  []string
	cells []cell
	floor int64
	limit int
}

// strSlot points at a key: its hash, and its index plus one (0: empty).
type strSlot struct {
	h uint64
	i int32
}

func newStrTable(limit int) *strTable {
	t := &strTable{limit: limit}
	t.reindex(1 << 10)
	return t
}

// reindex rebuilds the slots, size a power of two.
func (t *strTable) reindex(size int) {
	t.slots = make([]strSlot, size)
	t.mask = uint64(size - 1)
	for i, k := range t.keys {
		h := strHash([]byte(k))
		j := h & t.mask
		for t.slots[j].i != 0 {
			j = (j + 1) & t.mask
		}
		t.slots[j] = strSlot{h: h, i: int32(i + 1)}
	}
}

// add counts b, whose strHash is h.
func (t *strTable) add(b []byte, h uint64) {
	j := h & t.mask
	for {
		s := &t.slots[j]
		if s.i == 0 {
			break
		}
		if s.h == h && t.keys[s.i-1] == string(b) {
			t.cells[s.i-1].n++
			return
		}
		j = (j + 1) & t.mask
	}
	t.keys = append(t.keys, string(b))
	t.cells = append(t.cells, cell{n: 1, err: t.floor})
	t.slots[j] = strSlot{h: h, i: int32(len(t.keys))}
	switch {
	case len(t.keys) > t.limit:
		t.prune()
	case len(t.keys)*2 > len(t.slots):
		t.reindex(len(t.slots) * 2)
	}
}

// prune drops the entries whose count plus error is at most the median,
// as counts.prune does.
func (t *strTable) prune() {
	vals := make([]int64, len(t.cells))
	for i, c := range t.cells {
		vals[i] = c.n + c.err
	}
	slices.Sort(vals)
	cut := max(vals[len(vals)/2], t.floor+1)
	keys, cells := t.keys[:0], t.cells[:0]
	for i, c := range t.cells {
		if c.n+c.err > cut {
			keys, cells = append(keys, t.keys[i]), append(cells, c)
		}
	}
	clear(t.keys[len(keys):])
	t.keys, t.cells, t.floor = keys, cells, cut
	t.reindex(len(t.slots))
}

// tally returns the table as counts, for merging and sorting.
func (t *strTable) tally(limit int) counts[string] {
	c := newCounts[string](limit)
	for i, k := range t.keys {
		c.idx[k] = int32(i)
	}
	c.cells = slices.Clone(t.cells)
	c.floor = t.floor
	return c
}

// strSeed makes string hashes that every worker of the process agrees on.
var strSeed = maphash.MakeSeed()

// strHash hashes a URI or user agent.
func strHash(b []byte) uint64 { return maphash.Bytes(strSeed, b) }

// addN adds n requests (with error bound err) to k.
func (t *addrTable) addN(k addrKey, n, err int64) {
	if i, ok := t.idx[k]; ok {
		t.cells[i].n += n
		t.cells[i].err += err
		return
	}
	t.insert(k)
	if i, ok := t.idx[k]; ok {
		t.cells[i].n += n - 1
		t.cells[i].err += err
	}
}
