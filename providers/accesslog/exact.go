package accesslog

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"
	"unsafe"
)

// The tables below count every key they are given, exactly. They never
// drop a key by themselves: when the keys of a kind outgrow the memory
// budget, the scan narrows the part of the key space it counts in this
// pass (see partition.go) and the tables are rebuilt with only the keys
// inside it, to count the others in a later pass. Their memory holds no
// pointers and comes from allocBytes; free gives it back at once.

// maxLoad is how full (in eighths) a table gets before it grows.
const maxLoad = 6

// rehashBatch is how many keys a rebuild hashes ahead, loading their new
// slots before writing them.
const rehashBatch = 16

// v4Slot is one IPv4 client: its address and count packed in one word
// (address << 32 | count; zero in an empty slot, since a counted address
// has a count of at least one), and the hash of the one URI it asked for,
// or multiURI once it asked for two. A client that only ever asked for
// one URI has one (client, URI) pair, whose count is the client's: that
// is how a scan knows an attacker's pairs exactly without counting pairs.
type v4Slot struct {
	kc, uri uint64
}

// multiURI marks a client that asked for more than one URI.
const multiURI = ^uint64(0)

// mergeURI returns the URI mark of a client after it asked for uri.
func mergeURI(had, uri uint64) uint64 {
	if had == uri {
		return had
	}
	return multiURI
}

// v4Table counts IPv4 clients, in segments: a hash of an address's /24
// network picks its segment, and each segment grows on its own, so the old
// and new copies of a growing table are never alive together, only those
// of a quarter of it. A segment grows by half, not double: on a log where
// nearly every line is a new client (the largest tables there are) that
// leaves it between half and three quarters full rather than between three
// eighths and three quarters, less memory to take and clear. Every network is whole in one
// segment, the same in every worker's table, so the workers' tables are
// merged segment by segment, in parallel (results.mergeClients).
type v4Table struct {
	segs [v4Segments]v4Seg
	used int
}

// v4Segments is how many segments a client table has: few enough that a
// table of millions of clients is in segments of several megabytes,
// backed by huge pages (far fewer address-translation misses than in
// sixteen smaller ones), enough that a doubling segment's old and new
// copies stay a small part of the memory budget.
const v4Segments = 4

// v4Seg is one segment: open addressing, linear probing. Its size need
// not be a power of two: the high bits of an address's hash, scaled to the
// size, pick its first slot (home).
type v4Seg struct {
	slots []v4Slot
	n     uint64 // len(slots)
	used  int
	// since is where the segment last grew: how many clients it held
	// and how many bytes of input its worker had counted then.
	since struct {
		used int
		read int64
	}
}

// home is the first slot a's probe looks at.
func (g *v4Seg) home(a uint32) uint64 {
	hi, _ := bits.Mul64(hash4(a), g.n)
	return hi
}

// next is the slot a probe looks at after i.
func (g *v4Seg) next(i uint64) uint64 {
	if i++; i == g.n {
		return 0
	}
	return i
}

func newV4Table(size int) *v4Table {
	t := &v4Table{}
	for i := range t.segs {
		t.segs[i].init(max(size/v4Segments, 16))
	}
	return t
}

func (g *v4Seg) init(size int) {
	b := allocWords(size * 2)
	g.slots = unsafe.Slice((*v4Slot)(unsafe.Pointer(unsafe.SliceData(b))), size)
	g.n = uint64(size)
	g.used = 0
}

func (g *v4Seg) free() {
	freeWords(unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(g.slots))), cap(g.slots)*2))
	g.slots = nil
}

// free gives the table's memory back.
func (t *v4Table) free() {
	for i := range t.segs {
		t.segs[i].free()
	}
}

// hash4 spreads an IPv4 address over the table (Fibonacci hashing).
func hash4(a uint32) uint64 {
	h := uint64(a) * 0x9E3779B97F4A7C15
	return h ^ h>>29
}

// segOf is the segment of a: middle bits of its network's hash, apart
// from the top bits that pick a partition (prefixHash4).
func segOf(a uint32) int { return int(hash4(a>>8) >> 32 % v4Segments) }

// seg returns the segment of a.
func (t *v4Table) seg(a uint32) *v4Seg { return &t.segs[segOf(a)] }

// prefetch starts loading the slot a hashes to.
func (t *v4Table) prefetch(a uint32) {
	g := t.seg(a)
	prefetch(unsafe.Pointer(&g.slots[g.home(a)]))
}

// add counts n requests of a for the URI mark uri; it reports whether a
// was new. It does not grow the table (see fullFor).
func (t *v4Table) add(a uint32, n uint32, uri uint64) bool {
	g := t.seg(a)
	key := uint64(a) << 32
	for i := g.home(a); ; i = g.next(i) {
		s := &g.slots[i]
		if s.kc == 0 {
			s.kc, s.uri = key|uint64(n), uri
			g.used++
			t.used++
			return true
		}
		if s.kc&^0xffffffff == key {
			s.kc = key | min(uint64(uint32(s.kc))+uint64(n), math.MaxUint32)
			s.uri = mergeURI(s.uri, uri)
			return false
		}
	}
}

// addRequest counts one request of a for the URI of hash uri, and says
// what it made of the client's mark: turned is set when the client just
// asked for its second URI (all prevN requests before went to prevURI);
// multi when it had asked for more than one already.
func (t *v4Table) addRequest(a uint32, uri uint64) (turned, multi bool, prevURI uint64, prevN uint32) {
	g := t.seg(a)
	key := uint64(a) << 32
	for i := g.home(a); ; i = g.next(i) {
		s := &g.slots[i]
		if s.kc == 0 {
			s.kc, s.uri = key|1, uri
			g.used++
			t.used++
			return false, false, 0, 0
		}
		if s.kc&^0xffffffff == key {
			prevN, prevURI = uint32(s.kc), s.uri
			s.kc = key | min(uint64(prevN)+1, math.MaxUint32)
			switch {
			case prevURI == multiURI:
				return false, true, 0, 0
			case prevURI != uri:
				s.uri = multiURI
				return true, false, prevURI, prevN
			}
			return false, false, 0, 0
		}
	}
}

// has reports whether a is in the table.
func (t *v4Table) has(a uint32) bool {
	g := t.seg(a)
	key := uint64(a) << 32
	for i := g.home(a); ; i = g.next(i) {
		s := g.slots[i].kc
		if s == 0 {
			return false
		}
		if s&^0xffffffff == key {
			return true
		}
	}
}

// put counts n requests of a, growing its segment when it must.
func (t *v4Table) put(a uint32, n uint32, uri uint64) {
	for t.fullFor(a) {
		t.grow(a, grownSize(len(t.seg(a).slots)), 0)
	}
	t.add(a, n, uri)
}

// fullFor reports whether a's segment must grow before its next new key;
// grownBytes is the memory it then takes.
func (t *v4Table) fullFor(a uint32) bool {
	g := t.seg(a)
	return (g.used+1)*8 > len(g.slots)*maxLoad
}

// grownSize is the size of a grown segment of n slots: by half.
func grownSize(n int) int { return n + n/2 }

// maxGrowth bounds how many times larger a segment grows in one step;
// maxTrustedGrowth, when the rate of new clients it grows by was taken
// over at least trustBytes of input.
const (
	maxGrowth        = 4
	maxTrustedGrowth = 16
	trustBytes       = 8 << 20
)

// grownFor is the size a's segment grows to when read of the left bytes
// of input its worker is to count have been counted. By half at least;
// more when the clients that came since the segment last grew, coming
// at the same rate over the rest of the input, would fill that: on a log
// where nearly every line is a new client the segment then grows once or
// twice to its final size instead of passing through every size on the
// way, each time moving every client and taking fresh memory. The rate
// is taken over at least projectBytes of input, and a step is bounded
// (maxGrowth), so that the burst of new clients at the start of any log
// does not size a table for millions; a rate taken over more input
// (trustBytes) is let go further, or a segment that fell short of its
// final size at the last step would grow once more near the end, moving
// every client again. A step beyond growth by half never takes more than
// room bytes, lest a guess make the budget narrow. left is 0 when the
// input's size is not known.
func (t *v4Table) grownFor(a uint32, read, left, room int64) int {
	g := t.seg(a)
	n := len(g.slots)
	size := grownSize(n)
	seen := read - g.since.read
	if left <= 0 || seen < projectBytes {
		return size
	}
	added := int64(g.used - g.since.used)
	want := int64(g.used) + added*left/seen
	want = want * 8 / maxLoad * 9 / 8 // filled to a little below maxLoad
	bound := int64(maxGrowth)
	if seen >= trustBytes {
		bound = maxTrustedGrowth
	}
	return int(max(min(want, int64(n)*bound, room/16), int64(size)))
}

// projectBytes is the least input a rate of new clients is taken over.
const projectBytes = 256 << 10

// grow grows a's segment to size slots, noting that its worker had read
// bytes of input then (grownFor).
func (t *v4Table) grow(a uint32, size int, read int64) {
	g := t.seg(a)
	old := *g
	g.init(size)
	g.insert(old.slots, nil)
	g.since.used, g.since.read = g.used, read
	old.free()
}

// insert puts every slot of from that keep accepts (nil: all) into g,
// loading the slots ahead.
func (g *v4Seg) insert(from []v4Slot, keep func(a uint32) bool) {
	var pend [rehashBatch]v4Slot
	k := 0
	flush := func() {
		for _, s := range pend[:k] {
			for i := g.home(uint32(s.kc >> 32)); ; i = g.next(i) {
				if g.slots[i].kc == 0 {
					g.slots[i] = s
					g.used++
					break
				}
			}
		}
		k = 0
	}
	for _, s := range from {
		if s.kc == 0 || keep != nil && !keep(uint32(s.kc>>32)) {
			continue
		}
		prefetch(unsafe.Pointer(&g.slots[g.home(uint32(s.kc>>32))]))
		pend[k] = s
		if k++; k == rehashBatch {
			flush()
		}
	}
	flush()
}

// bytes is the memory the table holds.
func (t *v4Table) bytes() int64 {
	var n int64
	for i := range t.segs {
		n += int64(len(t.segs[i].slots)) * 16
	}
	return n
}

// filtered returns a table of the addresses of t that keep accepts,
// each segment sized for what it keeps, and frees t.
func (t *v4Table) filtered(keep func(a uint32) bool) *v4Table {
	n := &v4Table{}
	for i := range t.segs {
		g := &t.segs[i]
		kept := 0
		for _, s := range g.slots {
			if s.kc != 0 && keep(uint32(s.kc>>32)) {
				kept++
			}
		}
		n.segs[i].init(tableSize(kept, 16))
		n.segs[i].insert(g.slots, keep)
		n.used += n.segs[i].used
		g.free()
	}
	return n
}

// sorted moves each segment's clients to the front of its slots, sorted
// by address, and returns them by segment, with the counts of its clients
// that asked for one URI and for more; the table is then only fit to be
// freed.
func (t *v4Table) sorted() (out [v4Segments][]v4Slot, counts clientCounts) {
	most := 0
	for i := range t.segs {
		g := &t.segs[i]
		n := 0
		for _, s := range g.slots {
			if s.kc != 0 {
				g.slots[n] = s
				n++
				counts.add(uint32(s.kc), s.uri == multiURI)
			}
		}
		out[i] = g.slots[:n]
		most = max(most, n)
	}
	// One scratch block, as large as the largest segment's clients: no
	// more than a segment's growth takes while the scan counts.
	w := allocWords(most * 2)
	tmp := unsafe.Slice((*v4Slot)(unsafe.Pointer(unsafe.SliceData(w))), most)
	for i := range out {
		sortByAddress(out[i], tmp)
	}
	freeWords(w)
	return out, counts
}

// clientCounts are histograms of the counts of one table's clients:
// those that asked for one URI, and those that asked for more. The k-th
// highest count of one worker's table is a floor for the k-th highest
// total of every worker's: k clients total at least that.
type clientCounts struct {
	one, multi countHist
}

func (c *clientCounts) add(n uint32, multi bool) {
	if multi {
		c.multi.add(n)
	} else {
		c.one.add(n)
	}
}

// countHist is a histogram of counts up to 255; more count as 255.
type countHist [256]int

func (h *countHist) add(n uint32) { h[min(n, 255)]++ }

// kth returns the k-th highest count in the histograms together (255 for
// any more), 0 when they hold fewer than k.
func kth(k int, hs ...*countHist) int64 {
	seen := 0
	for n := 255; n > 0; n-- {
		for _, h := range hs {
			seen += h[n]
		}
		if seen >= k {
			return int64(n)
		}
	}
	return 0
}

// sortByAddress sorts clients by address, with tmp (at least as long) as
// scratch: a radix sort, a byte of the address at a time from the lowest,
// each pass moving every client once from one block to the other in the
// order of the byte, which keeps the order of the bytes sorted before.
// Each pass writes to 256 places at once, each filled in order, where an
// in-place sort from the highest byte swaps clients at random: a segment
// of 233,000 clients sorts in a fifth of the time. A byte every client
// shares is skipped; small runs go to insertion sort.
func sortByAddress(v, tmp []v4Slot) {
	if len(v) <= 32 {
		for i := 1; i < len(v); i++ {
			for j := i; j > 0 && v[j].kc>>32 < v[j-1].kc>>32; j-- {
				v[j], v[j-1] = v[j-1], v[j]
			}
		}
		return
	}
	var counts [4][256]int
	for _, s := range v {
		a := uint32(s.kc >> 32)
		counts[0][a&0xff]++
		counts[1][a>>8&0xff]++
		counts[2][a>>16&0xff]++
		counts[3][a>>24]++
	}
	src, dst := v, tmp[:len(v)]
	for d := range counts {
		c := &counts[d]
		shift := uint(32 + 8*d)
		if c[src[0].kc>>shift&0xff] == len(v) {
			continue // every client has this byte
		}
		var next [256]int
		sum := 0
		for b := range c {
			next[b] = sum
			sum += c[b]
		}
		for _, s := range src {
			b := s.kc >> shift & 0xff
			dst[next[b]] = s
			next[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &v[0] {
		copy(v, src)
	}
}

// each calls fn for every address with its count and URI mark.
func (t *v4Table) each(fn func(a, n uint32, uri uint64)) {
	for i := range t.segs {
		for _, s := range t.segs[i].slots {
			if s.kc != 0 {
				fn(uint32(s.kc>>32), uint32(s.kc), s.uri)
			}
		}
	}
}

// v6Slot is one IPv6 client, as v4Slot; n is zero in an empty slot.
type v6Slot struct {
	key addrKey
	uri uint64
	n   uint32
}

// v6Table counts IPv6 clients.
type v6Table struct {
	slots []v6Slot
	mask  uint64
	used  int
}

func newV6Table(size int) *v6Table {
	b := allocBytes(size * int(unsafe.Sizeof(v6Slot{})))
	return &v6Table{slots: unsafe.Slice((*v6Slot)(unsafe.Pointer(unsafe.SliceData(b))), size), mask: uint64(size - 1)}
}

func (t *v6Table) free() {
	freeBytes(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(t.slots))), cap(t.slots)*int(unsafe.Sizeof(v6Slot{}))))
	t.slots = nil
}

// hash16 spreads an IPv6 address.
func hash16(k addrKey) uint64 {
	a := binary.LittleEndian.Uint64(k[:8])
	b := binary.LittleEndian.Uint64(k[8:])
	h := (a ^ b*0x9E3779B97F4A7C15) * 0xff51afd7ed558ccd
	return h ^ h>>33
}

func (t *v6Table) add(k addrKey, n uint32, uri uint64) bool {
	for i := hash16(k) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.n == 0 {
			s.key, s.n, s.uri = k, n, uri
			t.used++
			return true
		}
		if s.key == k {
			s.n = uint32(min(uint64(s.n)+uint64(n), math.MaxUint32))
			s.uri = mergeURI(s.uri, uri)
			return false
		}
	}
}

// addRequest is v4Table.addRequest for IPv6.
func (t *v6Table) addRequest(k addrKey, uri uint64) (turned, multi bool, prevURI uint64, prevN uint32) {
	for i := hash16(k) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.n == 0 {
			s.key, s.n, s.uri = k, 1, uri
			t.used++
			return false, false, 0, 0
		}
		if s.key == k {
			prevN, prevURI = s.n, s.uri
			s.n = uint32(min(uint64(s.n)+1, math.MaxUint32))
			switch {
			case prevURI == multiURI:
				return false, true, 0, 0
			case prevURI != uri:
				s.uri = multiURI
				return true, false, prevURI, prevN
			}
			return false, false, 0, 0
		}
	}
}

func (t *v6Table) full() bool   { return (t.used+1)*8 > len(t.slots)*maxLoad }
func (t *v6Table) bytes() int64 { return int64(len(t.slots)) * int64(unsafe.Sizeof(v6Slot{})) }

// rebuilt is v4Table.rebuilt for IPv6.
func (t *v6Table) rebuilt(size int, keep func(k addrKey) bool) *v6Table {
	n := newV6Table(size)
	t.each(func(k addrKey, c uint32, uri uint64) {
		if keep == nil || keep(k) {
			n.add(k, c, uri)
		}
	})
	t.free()
	return n
}

func (t *v6Table) each(fn func(k addrKey, n uint32, uri uint64)) {
	for i := range t.slots {
		if s := &t.slots[i]; s.n != 0 {
			fn(s.key, s.n, s.uri)
		}
	}
}

// strTable counts byte strings (URIs, user agents, and (client, URI)
// pairs written as one string). The strings live in an arena, each as a
// record: its count (4 bytes), its length (2 bytes) and its bytes. A slot
// is one word: the record's offset in the low 40 bits and the low 24 bits
// of the string's hash above them, so most probes that miss never touch
// the arena. Those are the bits that pick a string's slot too (in a table
// of up to 2^24 slots), so a table doubles from its slots alone, never
// reading or moving a record (grown). Offset 0 is never a record, so an
// empty slot is zero.
type strTable struct {
	slots []uint64
	mask  uint64
	used  int
	arena []byte
}

const (
	offBits = 40
	offMask = 1<<offBits - 1
	recHead = 6 // count and length before a record's bytes
	fpMask  = ^uint64(offMask)
)

func newStrTable(size, arena int) *strTable {
	t := &strTable{slots: allocWords(size), mask: uint64(size - 1), arena: allocBytes(max(arena, 1<<10))[:1]}
	return t
}

// free gives the table's memory back.
func (t *strTable) free() {
	freeWords(t.slots)
	freeBytes(t.arena)
	t.slots, t.arena = nil, nil
}

// strSeed makes string hashes every worker of the process agrees on; it
// is random per run, so no log can be written to collide on purpose.
var strSeed = maphash.MakeSeed()

// strHash hashes a URI, user agent or pair.
func strHash(b []byte) uint64 { return maphash.Bytes(strSeed, b) }

// fpBits is how many low bits of a string's hash its slot keeps.
const fpBits = 64 - offBits

// fingerprint is the part of a hash kept in a slot, where it sits there.
func fingerprint(h uint64) uint64 { return h << offBits }

// large reports whether the table outgrows the processor's own caches
// (slots and records of a quarter of a megabyte), so that its lookups
// are worth loading ahead.
func (t *strTable) large() bool { return len(t.slots)*8+len(t.arena) > 256<<10 }

// prefetchSlot starts loading the slot of hash h.
func (t *strTable) prefetchSlot(h uint64) { prefetch(unsafe.Pointer(&t.slots[h&t.mask])) }

// prefetchRecord starts loading the record of the first slot on h's
// probe whose fingerprint matches, the likely hit (only a few slots on:
// those prefetchSlot loaded), and its second cache line for a long
// string.
func (t *strTable) prefetchRecord(h uint64) {
	fp := fingerprint(h)
	for i, n := h&t.mask, 0; n < 4; i, n = (i+1)&t.mask, n+1 {
		s := t.slots[i]
		if s == 0 {
			return
		}
		if s&fpMask == fp {
			off := s & offMask
			prefetch(unsafe.Pointer(&t.arena[off]))
			if off|63+1 < uint64(len(t.arena)) {
				prefetch(unsafe.Pointer(&t.arena[off|63+1]))
			}
			return
		}
	}
}

// add counts n occurrences of b, whose strHash is h (b is at most 65,535
// bytes); it reports whether b was new. The caller makes room first
// (full, roomFor).
func (t *strTable) add(b []byte, h uint64, n uint32) bool {
	fp := fingerprint(h)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			off := len(t.arena)
			t.arena = t.arena[:off+recHead+len(b)]
			binary.LittleEndian.PutUint32(t.arena[off:], n)
			binary.LittleEndian.PutUint16(t.arena[off+4:], uint16(len(b)))
			copy(t.arena[off+recHead:], b)
			t.slots[i] = uint64(off) | fp
			t.used++
			return true
		}
		if s&fpMask != fp {
			continue
		}
		off := int(s & offMask)
		rec := t.arena[off:]
		l := int(binary.LittleEndian.Uint16(rec[4:]))
		if l == len(b) && string(rec[recHead:recHead+l]) == string(b) {
			c := min(uint64(binary.LittleEndian.Uint32(rec))+uint64(n), math.MaxUint32)
			binary.LittleEndian.PutUint32(rec, uint32(c))
			return false
		}
	}
}

// lookup returns the count of b (hash h), zero when the table lacks it.
func (t *strTable) lookup(b []byte, h uint64) uint32 {
	fp := fingerprint(h)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			return 0
		}
		if s&fpMask != fp {
			continue
		}
		rec := t.arena[s&offMask:]
		if l := int(binary.LittleEndian.Uint16(rec[4:])); l == len(b) && string(rec[recHead:recHead+l]) == string(b) {
			return binary.LittleEndian.Uint32(rec)
		}
	}
}

// find returns the string of hash h, if the table holds it.
func (t *strTable) find(h uint64) ([]byte, bool) {
	fp := fingerprint(h)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			return nil, false
		}
		if s&fpMask != fp {
			continue
		}
		rec := t.arena[s&offMask:]
		b := rec[recHead : recHead+int(binary.LittleEndian.Uint16(rec[4:]))]
		if strHash(b) == h {
			return b, true
		}
	}
}

func (t *strTable) full() bool { return (t.used+1)*8 > len(t.slots)*maxLoad }

// grown returns t with twice the slots, its records where they are, and
// frees the old slots. The low bits of each string's hash, kept in its
// slot, pick its new slot; past 2^24 slots they do not suffice, and the
// strings are hashed again.
func (t *strTable) grown() *strTable {
	size := 2 * len(t.slots)
	if size > 1<<fpBits {
		return t.rebuilt(size, nil)
	}
	n := &strTable{slots: allocWords(size), mask: uint64(size - 1), used: t.used, arena: t.arena}
	var pend [rehashBatch]uint64
	k := 0
	flush := func() {
		for _, s := range pend[:k] {
			for i := s >> offBits & n.mask; ; i = (i + 1) & n.mask {
				if n.slots[i] == 0 {
					n.slots[i] = s
					break
				}
			}
		}
		k = 0
	}
	for _, s := range t.slots {
		if s == 0 {
			continue
		}
		prefetch(unsafe.Pointer(&n.slots[s>>offBits&n.mask]))
		pend[k] = s
		if k++; k == rehashBatch {
			flush()
		}
	}
	flush()
	freeWords(t.slots)
	t.slots, t.arena = nil, nil
	return n
}

// roomFor reports whether the arena holds another record of n bytes.
func (t *strTable) roomFor(n int) bool { return len(t.arena)+recHead+n <= cap(t.arena) }

// growArena doubles the arena (at least enough for n more bytes).
func (t *strTable) growArena(n int) {
	t.arena = growBytes(t.arena, max(2*cap(t.arena), len(t.arena)+recHead+n))
}

// bytes is the memory the table holds: slots and arena.
func (t *strTable) bytes() int64 { return int64(len(t.slots))*8 + int64(cap(t.arena)) }

// records calls fn for every string with its count. b is only valid
// during the call.
func (t *strTable) records(fn func(b []byte, n uint32)) {
	for off := 1; off < len(t.arena); {
		rec := t.arena[off:]
		n := binary.LittleEndian.Uint32(rec)
		l := int(binary.LittleEndian.Uint16(rec[4:]))
		fn(rec[recHead:recHead+l], n)
		off += recHead + l
	}
}

// each calls fn for every string with its count and hash.
func (t *strTable) each(fn func(b []byte, h uint64, n uint32)) {
	t.records(func(b []byte, n uint32) { fn(b, strHash(b), n) })
}

// rebuilt returns a table of size slots with the strings of t that keep
// accepts (nil: all), its arena compacted, and frees t.
func (t *strTable) rebuilt(size int, keep func(h uint64) bool) *strTable {
	arena := len(t.arena)
	if keep != nil {
		arena = 1
		t.each(func(b []byte, h uint64, _ uint32) {
			if keep(h) {
				arena += recHead + len(b)
			}
		})
	}
	n := newStrTable(size, arena)
	n.merge(t, keep)
	t.free()
	return n
}

// merge adds the strings of src that keep accepts (nil: all) to t,
// growing t as needed. Keys are hashed a batch ahead of their inserts,
// so the slots they go to are loading meanwhile.
func (t *strTable) merge(src *strTable, keep func(h uint64) bool) *strTable {
	type pending struct {
		b []byte
		h uint64
		n uint32
	}
	var pend [rehashBatch]pending
	k := 0
	flush := func() {
		for _, p := range pend[:k] {
			if t.full() {
				*t = *t.grown()
			}
			if !t.roomFor(len(p.b)) {
				t.growArena(len(p.b))
			}
			t.add(p.b, p.h, p.n)
		}
		k = 0
	}
	src.records(func(b []byte, n uint32) {
		h := strHash(b)
		if keep != nil && !keep(h) {
			return
		}
		t.prefetchSlot(h)
		pend[k] = pending{b, h, n}
		if k++; k == rehashBatch {
			flush()
		}
	})
	flush()
	return t
}

// tableSize is the smallest power of two of slots that holds n keys
// within maxLoad, and at least min.
func tableSize(n, min int) int {
	need := max(n*8/maxLoad+1, min)
	return 1 << bits.Len(uint(need-1))
}
