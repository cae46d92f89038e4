package accesslog

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"sync"
)

// What a scan keeps of its exact counts: for each kind, the top entries
// (Options.Top) and, for clients and networks, every one at the threshold
// (up to maxListed). The tables are merged into these after every pass
// and then let go.

// maxListed bounds the clients (and networks) at the threshold a report
// lists: a threshold low enough to list more is a mistake, and a block
// list holds at most 1,048,576.
const maxListed = 100000

// ranked is an entry on its way into a report: its key as text (or an
// address), and its count. A pair whose URI is known by hash only (h)
// gets its text once the URIs are merged.
type ranked struct {
	addr addrKey // clients, and the client of a pair
	text string  // URIs, user agents, the URI of a pair
	h    uint64  // the hash of a pair's URI, while its text is unknown
	n    int64
	// multi marks a pair of a client that asked for several URIs.
	multi bool
}

// worse orders entries for the heaps: a lower count is worse, and among
// equal counts the later key (so that ties come out in key order). It is
// order, the lists' order, as a test.
func worse(a, b ranked) bool { return order(a, b) > 0 }

// item is what the heaps rank: ranked entries, and networks with their
// members.
type item[T any] interface {
	count() int64
	worse(T) bool
	same(T) bool
	// order is negative when the receiver comes first in a list (it is
	// better), positive when it comes after, 0 for the same entry.
	order(T) int
}

func (a ranked) count() int64        { return a.n }
func (a ranked) worse(b ranked) bool { return worse(a, b) }
func (a ranked) order(b ranked) int  { return order(a, b) }

// order is how entries are listed, best first: the higher count, then
// the lower key.
func order(a, b ranked) int {
	if a.n != b.n {
		return cmp.Compare(b.n, a.n)
	}
	if c := bytes.Compare(a.addr[:], b.addr[:]); c != 0 {
		return c
	}
	return strings.Compare(a.text, b.text)
}
func (a ranked) same(b ranked) bool {
	return a.addr == b.addr && a.text == b.text && a.h == b.h
}

func (t networkTally) count() int64 { return t.n }
func (t networkTally) worse(o networkTally) bool {
	return worse(ranked{addr: t.prefix, n: t.n}, ranked{addr: o.prefix, n: o.n})
}
func (t networkTally) same(o networkTally) bool { return t.prefix == o.prefix }
func (t networkTally) order(o networkTally) int {
	return order(ranked{addr: t.prefix, n: t.n}, ranked{addr: o.prefix, n: o.n})
}

// best keeps the k best entries offered and, beside them, every entry of
// at least min (min > 0), up to maxListed: two bounded heaps.
type best[T item[T]] struct {
	top, over heap[T]
	min       int64
	// floor is known to be at most the count of the last of the top
	// entries once every entry is offered: an entry below it (and below
	// min) need not be offered (see below).
	floor int64
}

func newBest[T item[T]](k int, min int64) *best[T] {
	b := &best[T]{top: heap[T]{cap: k}, min: min}
	if min > 0 {
		b.over.cap = maxListed
	}
	return b
}

// admits reports whether an entry of count n would be kept.
func (b *best[T]) admits(n int64) bool {
	return b.top.admits(n) || b.min > 0 && n >= b.min && b.over.admits(n)
}

// offer keeps e if it is among the best, or at the threshold.
func (b *best[T]) offer(e T) {
	b.top.offer(e)
	if b.min > 0 && e.count() >= b.min {
		b.over.offer(e)
	}
}

// entries calls fn with a pointer to every entry kept (to name pairs).
func (b *best[T]) entries(fn func(*T)) {
	for i := range b.top.h {
		fn(&b.top.h[i])
	}
	for i := range b.over.h {
		fn(&b.over.h[i])
	}
}

// list returns the kept entries, best first: the top k and those of at
// least min.
func (b *best[T]) list() []T {
	out := append(slices.Clone(b.top.h), b.over.h...)
	slices.SortFunc(out, func(x, y T) int { return x.order(y) })
	// An entry in both heaps comes out twice, side by side.
	return slices.CompactFunc(out, func(x, y T) bool { return x.same(y) })
}

// raiseFloor notes that at least top.cap entries to offer count n or more.
func (b *best[T]) raiseFloor(n int64) { b.floor = max(b.floor, n) }

// full reports whether more entries at the threshold were offered than
// are kept.
func (b *best[T]) full() bool { return b.min > 0 && b.over.dropped }

// absorb keeps the best of b's entries and o's, where no key is in both:
// the top k of the two are among their own top k, and likewise for those
// at the threshold. Whether either dropped an entry carries over.
func (b *best[T]) absorb(o *best[T]) {
	b.top.absorb(&o.top)
	b.over.absorb(&o.over)
}

// heap is a min-heap on worse holding at most cap entries: the root is
// the worst kept.
type heap[T item[T]] struct {
	h       []T
	cap     int
	dropped bool
}

func (b *heap[T]) admits(n int64) bool { return b.cap > 0 && (len(b.h) < b.cap || n >= b.h[0].count()) }

func (b *heap[T]) offer(e T) {
	h := b.h
	if len(h) < b.cap {
		h = append(h, e)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !h[i].worse(h[p]) {
				break
			}
			h[i], h[p] = h[p], h[i]
			i = p
		}
		b.h = h
		return
	}
	if b.cap == 0 || !h[0].worse(e) {
		b.dropped = b.dropped || b.cap > 0
		return
	}
	b.dropped = true
	h[0] = e
	b.down(0)
}

// down moves the entry at i down to its place.
func (b *heap[T]) down(i int) {
	h := b.h
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].worse(h[m]) {
			m = l
		}
		if r < len(h) && h[r].worse(h[m]) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// absorb adds the entries of o, whose keys are not in b. When both fit,
// they are put together and ordered once, rather than offered one by one
// (the lists at a threshold can hold 100,000 clients).
func (b *heap[T]) absorb(o *heap[T]) {
	switch {
	case len(b.h) == 0:
		b.h, o.h = o.h, nil // o is a valid heap of the same size
	case len(b.h)+len(o.h) <= b.cap:
		b.h = append(b.h, o.h...)
		for i := len(b.h)/2 - 1; i >= 0; i-- {
			b.down(i)
		}
	default:
		for _, e := range o.h {
			b.offer(e)
		}
	}
	b.dropped = b.dropped || o.dropped
}

// networkTally is a network with its members, before it is rendered.
type networkTally struct {
	prefix   addrKey
	n        int64
	distinct int64
	top      [maxMembers]member
}

// maxMembers is how many of a network's members a report names.
const maxMembers = 3

// results accumulates the counts of every pass.
type results struct {
	clients, uris, agents, pairs *best[ranked]
	networks                     *best[networkTally]
	// multi are the busiest clients that asked for more than one URI
	// (up to maxCandidates): their pairs are counted in a pass of their
	// own when they could beat the pairs known already. A client that
	// only ever asked for one URI has its one pair counted exactly with
	// it. multiLost is set when the pairs of multi-URI clients could not
	// all be kept with the clients, and need a pass of their own.
	multi     *best[ranked]
	multiLost bool
	// uriTables are the last pass's URI tables, kept to name the URIs of
	// pairs known by hash.
	uriTables []*strTable
	// rules holds what each rule found.
	rules []ruleTally
}

// maxCandidates is how many of the busiest multi-URI clients a pair pass
// takes; past it the pairs of every client are counted.
const maxCandidates = 1 << 16

func newResults(o Options) *results {
	k := max(o.Top, 1)
	return &results{
		clients: newBest[ranked](k, o.Threshold), networks: newBest[networkTally](k, o.Threshold),
		uris: newBest[ranked](k, 0), agents: newBest[ranked](k, 0), pairs: newBest[ranked](k, 0),
		multi: newBest[ranked](maxCandidates, 0),
		rules: make([]ruleTally, len(o.Rules)),
	}
}

// mergeClients adds up the workers' client tables and ranks the clients
// and their networks. Clients are partitioned by network, so every
// network is whole here. A client that only asked for one URI gives its
// one pair, exactly; the others are candidates for a pair pass.
func (res *results) mergeClients(ws []*worker) {
	// The pairs of clients that asked for several URIs, when every worker
	// kept them all (pairs.go).
	lost := false
	for _, w := range ws {
		lost = lost || w.multiLost
	}
	var multi map[pairID]int64
	if !lost {
		multi = map[pairID]int64{}
		for _, w := range ws {
			if w.multi == nil {
				continue
			}
			var counts countHist
			for _, e := range w.multi.slots {
				if e.n > 0 {
					multi[pairID{e.client, e.uri}] += int64(e.n)
					counts.add(e.n)
				}
			}
			res.pairs.raiseFloor(kth(res.pairs.top.cap, &counts))
		}
	}
	// Each worker's table is sorted in place, segment by segment (in
	// parallel), then the segments are merged in address order: no copy
	// of millions of clients is made. A network is whole in one segment
	// (v4Table), so the segments are merged in parallel too, each half
	// into a results of its own, folded into res at the end.
	parts := make([][v4Segments][]v4Slot, len(ws))
	counts := make([]clientCounts, len(ws))
	var wg sync.WaitGroup
	for i, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[i], counts[i] = w.c4.sorted()
		}()
	}
	wg.Wait()
	// The lists' floors, known before any client is ranked: in a share of
	// the segments without the busiest clients, the lists fill with
	// clients of one or two requests, each of the others a tie to settle
	// by address, unless the floors say they cannot make the lists. (The
	// pairs of multi-URI clients above gave the pairs list its floor.)
	for _, c := range counts {
		res.clients.raiseFloor(kth(res.clients.top.cap, &c.one, &c.multi))
		res.pairs.raiseFloor(kth(res.pairs.top.cap, &c.one))
		res.multi.raiseFloor(kth(res.multi.top.cap, &c.multi))
	}
	const halves = 2
	var shares [halves]*segmentMerge
	for g := range shares {
		sh := &segmentMerge{res: res.shadow(), wantPairs: multi != nil}
		shares[g] = sh
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seg := g; seg < v4Segments; seg += halves {
				lists := make([][]v4Slot, len(parts))
				for i := range parts {
					lists[i] = parts[i][seg]
				}
				sh.segment(lists)
			}
		}()
	}
	wg.Wait()
	for _, sh := range shares {
		res.absorb(sh.res)
		for _, p := range sh.pairs {
			multi[p.id] += p.n
		}
	}
	var v6 []v6Slot
	for _, w := range ws {
		w.c6.each(func(k addrKey, n uint32, uri uint64) { v6 = append(v6, v6Slot{key: k, n: n, uri: uri}) })
		w.c4.free()
		w.c6.free()
		w.c4, w.c6, w.multi = nil, nil, nil
	}
	slices.SortFunc(v6, func(a, b v6Slot) int { return bytes.Compare(a.key[:], b.key[:]) })
	var net networkTally
	for i := 0; i < len(v6); {
		k := v6[i].key
		n, uri := int64(0), v6[i].uri
		first := i
		for ; i < len(v6) && v6[i].key == k; i++ {
			n += int64(v6[i].n)
			uri = mergeURI(uri, v6[i].uri)
		}
		if uri == multiURI && multi != nil {
			for _, h := range v6[first:i] {
				if h.uri != multiURI {
					multi[pairID{k, h.uri}] += int64(h.n)
				}
			}
		}
		if p := k.prefix(); net.n == 0 || p != net.prefix {
			if net.n > 0 {
				res.offerNetwork(net)
			}
			net = networkTally{prefix: p}
		}
		net.add(k, n)
		res.client(0, k, n, uri)
	}
	if net.n > 0 {
		res.offerNetwork(net)
	}
	if lost {
		res.loseMultiPairs()
		return
	}
	for id, n := range multi {
		if res.pairs.admits(n) {
			res.pairs.offer(ranked{addr: id.client, h: id.uri, n: n, multi: true})
		}
	}
}

// segmentMerge merges one share of the segments of the workers' client
// tables: it ranks into res (a shadow of the scan's results) and keeps
// the pairs of multi-URI clients it learns (when pairs are wanted).
type segmentMerge struct {
	res       *results
	pairs     []pairCount
	wantPairs bool
	net       network4 // the network being tallied
}

// pairCount is a pair's count from one worker's client mark.
type pairCount struct {
	id pairID
	n  int64
}

// segment merges the lists of one segment, one per worker, in address
// order, and ranks its clients and networks.
func (sm *segmentMerge) segment(lists [][]v4Slot) {
	sm.net = network4{}
	if len(lists) == 2 {
		// Two workers, one per core: merged without a heap.
		x, y := lists[0], lists[1]
		for len(x) > 0 && len(y) > 0 {
			ax, ay := x[0].kc>>32, y[0].kc>>32
			switch {
			case ax < ay:
				sm.client(x[:1])
				x = x[1:]
			case ay < ax:
				sm.client(y[:1])
				y = y[1:]
			default:
				sm.client([]v4Slot{x[0], y[0]})
				x, y = x[1:], y[1:]
			}
		}
		for i := range x {
			sm.client(x[i : i+1])
		}
		for i := range y {
			sm.client(y[i : i+1])
		}
	} else {
		m := newListMerge(lists)
		var heads []v4Slot
		for {
			var ok bool
			if heads, _, ok = m.next(heads[:0]); !ok {
				break
			}
			sm.client(heads)
		}
	}
	if sm.net.n > 0 {
		sm.res.offerNetwork4(&sm.net)
	}
}

// client ranks one client from its entries in the workers' tables, and
// tallies it in its network.
func (sm *segmentMerge) client(heads []v4Slot) {
	a := uint32(heads[0].kc >> 32)
	n, uri := int64(uint32(heads[0].kc)), heads[0].uri
	for _, h := range heads[1:] {
		n += int64(uint32(h.kc))
		uri = mergeURI(uri, h.uri)
	}
	if uri == multiURI && sm.wantPairs {
		// Workers where it asked for one URI only hold that pair in
		// their mark.
		for _, h := range heads {
			if h.uri != multiURI {
				sm.pairs = append(sm.pairs, pairCount{pairID{keyFrom4(a), h.uri}, int64(uint32(h.kc))})
			}
		}
	}
	if net := &sm.net; net.n == 0 || a>>8 != net.key {
		if net.n > 0 {
			sm.res.offerNetwork4(net)
		}
		*net = network4{key: a >> 8}
	}
	sm.net.add(a, n)
	sm.res.client(a, addrKey{}, n, uri)
}

// shadow returns empty lists shaped like res's for the clients, networks,
// their pairs and candidates, to rank a share of them apart.
func (res *results) shadow() *results {
	like := func(b *best[ranked]) *best[ranked] {
		o := newBest[ranked](b.top.cap, b.min)
		o.floor = b.floor
		return o
	}
	return &results{
		clients: like(res.clients), pairs: like(res.pairs), multi: like(res.multi),
		networks: newBest[networkTally](res.networks.top.cap, res.networks.min),
	}
}

// absorb ranks into res what a shadow ranked.
func (res *results) absorb(o *results) {
	res.clients.absorb(o.clients)
	res.pairs.absorb(o.pairs)
	res.multi.absorb(o.multi)
	res.networks.absorb(o.networks)
}

// listMerge reads sorted client lists together, in address order: a
// heap of the lists by their first address.
type listMerge struct {
	lists [][]v4Slot
	heap  []int // indexes of non-empty lists
}

func newListMerge(lists [][]v4Slot) *listMerge {
	m := &listMerge{lists: lists}
	for i, l := range lists {
		if len(l) > 0 {
			m.heap = append(m.heap, i)
		}
	}
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return m
}

func (m *listMerge) head(i int) uint32 { return uint32(m.lists[m.heap[i]][0].kc >> 32) }

func (m *listMerge) down(i int) {
	for {
		l, r, s := 2*i+1, 2*i+2, i
		if l < len(m.heap) && m.head(l) < m.head(s) {
			s = l
		}
		if r < len(m.heap) && m.head(r) < m.head(s) {
			s = r
		}
		if s == i {
			return
		}
		m.heap[i], m.heap[s] = m.heap[s], m.heap[i]
		i = s
	}
}

// next appends to heads every entry of the lowest address left, and
// returns it; ok is false when the lists are done.
func (m *listMerge) next(heads []v4Slot) ([]v4Slot, uint32, bool) {
	if len(m.heap) == 0 {
		return heads, 0, false
	}
	a := m.head(0)
	for len(m.heap) > 0 && m.head(0) == a {
		li := m.heap[0]
		heads = append(heads, m.lists[li][0])
		m.lists[li] = m.lists[li][1:]
		if len(m.lists[li]) == 0 {
			last := len(m.heap) - 1
			m.heap[0] = m.heap[last]
			m.heap = m.heap[:last]
		}
		if len(m.heap) > 0 {
			m.down(0)
		}
	}
	return heads, a, true
}

// loseMultiPairs gives up counting the pairs of multi-URI clients with
// the clients: a pass of their own will (candidates), so those offered by
// earlier passes go, lest they be counted twice.
func (res *results) loseMultiPairs() {
	if res.multiLost {
		return
	}
	res.multiLost = true
	old := res.pairs
	res.pairs = newBest[ranked](old.top.cap, 0)
	old.entries(func(e *ranked) {
		if !e.multi {
			res.pairs.offer(*e)
		}
	})
}

// client ranks one client (IPv4 a, or k when a is 0 and k is set) and its
// pair or its candidacy.
func (res *results) client(a uint32, k addrKey, n int64, uri uint64) {
	other := res.pairs
	if uri == multiURI {
		other = res.multi
	}
	if below(res.clients, n) && below(other, n) {
		// Most clients of a hostile log: no key is built for them.
		return
	}
	if k == (addrKey{}) {
		k = keyFrom4(a)
	}
	if admitsAddr(res.clients, n, k) {
		res.clients.offer(ranked{addr: k, n: n})
	}
	if uri != multiURI {
		if admitsAddr(res.pairs, n, k) {
			res.pairs.offer(ranked{addr: k, h: uri, n: n})
		}
		return
	}
	if admitsAddr(res.multi, n, k) {
		res.multi.offer(ranked{addr: k, n: n})
	}
}

// below reports whether b keeps no entry of count n whatever its address:
// n is under the threshold, and under the last kept of a full top list or
// the floor known for it (a tie is not below, admitsAddr settles it). It
// needs no address key.
func below(b *best[ranked], n int64) bool {
	t := &b.top
	return (b.min <= 0 || n < b.min) && (t.cap == 0 || n < b.floor || len(t.h) == t.cap && n < t.h[0].n)
}

// admitsAddr is b.admits for an entry keyed by address a alone: a tie
// with the last kept is settled here by address, since in a hostile log
// most clients tie (one request each).
func admitsAddr(b *best[ranked], n int64, a addrKey) bool {
	if b.min > 0 && n >= b.min && b.over.admits(n) {
		return true
	}
	t := &b.top
	switch {
	case t.cap == 0:
		return false
	case len(t.h) < t.cap || n > t.h[0].n:
		return true
	}
	// The same address (a pair of the client's) is left to offer.
	return n == t.h[0].n && bytes.Compare(a[:], t.h[0].addr[:]) <= 0
}

// network4 is an IPv4 /24 being tallied by segmentMerge: the fields of a
// networkTally in IPv4 form. A hostile log has about as many networks as
// clients, nearly all far below the list, so the full tally (keys of 16
// bytes, a struct of a hundred) is built only for a network the list
// admits (offerNetwork4).
type network4 struct {
	key         uint32 // the address >> 8
	n, distinct int64
	top         [maxMembers]member4
}

// member4 is a member of a network4.
type member4 struct {
	a uint32
	n int64
}

// add counts member a (of the network) with n requests; members come in
// address order, so a tie keeps the one kept first, as consider does.
func (t *network4) add(a uint32, n int64) {
	t.n += n
	t.distinct++
	// Moved down by hand rather than by copy: a call to memmove for
	// every client of a hostile log was a percent of its time.
	e := member4{a, n}
	for i := range t.top {
		if c := t.top[i]; c.n == 0 || e.n > c.n || e.n == c.n && e.a < c.a {
			t.top[i], e = e, c
			if c.n == 0 {
				return
			}
		}
	}
}

// offerNetwork4 offers t to the networks list, if the list admits it.
func (res *results) offerNetwork4(t *network4) {
	b := res.networks
	if (b.min <= 0 || t.n < b.min) && len(b.top.h) == b.top.cap && t.n < b.top.h[0].n {
		return // most networks of a hostile log, without a call
	}
	if !b.admits(t.n) {
		return
	}
	full := networkTally{prefix: keyFrom4(t.key << 8), n: t.n, distinct: t.distinct}
	for i, m := range t.top {
		if m.n > 0 {
			full.top[i] = member{keyFrom4(m.a), m.n}
		}
	}
	res.networks.offer(full)
}

// add counts a member of the network.
func (t *networkTally) add(k addrKey, n int64) {
	t.n += n
	t.distinct++
	t.consider(member{k, n})
}

// member is one of a network's busiest addresses.
type member struct {
	addr addrKey
	n    int64
}

// consider keeps e if it is among the busiest members (ties by address).
func (t *networkTally) consider(e member) {
	for i := range t.top {
		c := t.top[i]
		if c.n == 0 || e.n > c.n || e.n == c.n && bytes.Compare(e.addr[:], c.addr[:]) < 0 {
			copy(t.top[i+1:], t.top[i:len(t.top)-1])
			t.top[i] = e
			return
		}
	}
}

func (res *results) offerNetwork(t networkTally) {
	if res.networks.admits(t.n) {
		res.networks.offer(t)
	}
}

// mergeStrings adds up the workers' tables of kind k and ranks the
// strings, without a merged table (which could take as much memory as
// all of them): each string is counted at the first table holding it,
// adding what the others hold. The URI tables are kept (uriTables) until
// the pairs known by hash are named.
//
// Only strings that could make the list are looked up in the other
// tables (see candidateFloor): in a hostile log nearly every string is
// in every worker's table a few times, and looking each up was most of
// the merge.
func (res *results) mergeStrings(ws []*worker, k kind) {
	var tables []*strTable
	for _, w := range ws {
		if t := *w.table(k); t != nil {
			tables = append(tables, t)
		}
		*w.table(k) = nil
	}
	floor := candidateFloor(tables, res.list(k))
	for i, t := range tables {
		t.records(func(b []byte, n uint32) {
			if n < floor {
				return
			}
			total := int64(n)
			var h uint64
			if len(tables) > 1 {
				h = strHash(b)
			}
			for j, o := range tables {
				if j == i {
					continue
				}
				c := o.lookup(b, h)
				if j < i && c >= floor {
					return // counted with an earlier table
				}
				total += int64(c)
			}
			res.offerString(k, b, total)
		})
	}
	for _, t := range tables {
		if k == kindURIs {
			res.uriTables = append(res.uriTables, t)
		} else {
			t.free()
		}
	}
}

// candidateFloor is the smallest count a string must have in one of the
// m tables to be a candidate for the list b; the others cannot make it.
// A string below it everywhere totals at most m×(floor−1). Some table
// holds at least b's size of strings of count ≥ low (its own top
// counts), and each of them totals at least low, so the list fills with
// totals ≥ low; floor is the largest with m×(floor−1) < low, so no
// string left out totals as much as the last listed, not even a tie
// (ties go by text). The same holds for the threshold of the list, when
// it has one.
func candidateFloor(tables []*strTable, b *best[ranked]) uint32 {
	m := uint64(len(tables))
	if m < 2 {
		return 1 // one table: no lookups to save
	}
	low := uint64(0)
	for _, t := range tables {
		low = max(low, t.kthCount(b.top.cap))
	}
	floor := (max(low, 1)-1)/m + 1
	if b.min > 0 {
		floor = min(floor, (uint64(b.min)-1)/m+1)
	}
	return uint32(floor)
}

// kthCount is a lower bound of the k-th highest count in the table (0
// when it holds fewer than k strings): exact up to 255, 255 for more.
func (t *strTable) kthCount(k int) uint64 {
	var hist countHist
	t.records(func(_ []byte, n uint32) { hist.add(n) })
	return uint64(kth(k, &hist))
}

// list returns the list strings of kind k are ranked in.
func (res *results) list(k kind) *best[ranked] {
	switch k {
	case kindURIs:
		return res.uris
	case kindAgents:
		return res.agents
	}
	return res.pairs
}

func (res *results) offerString(k kind, b []byte, n int64) {
	best := res.list(k)
	if !best.admits(n) {
		return
	}
	if k == kindPairs {
		c, uri := splitPairKey(b)
		best.offer(ranked{addr: c, text: string(uri), n: n})
		return
	}
	// A tie with the last kept goes by text: look before making a
	// string, since most strings of a hostile log tie.
	if h := best.top.h; len(h) == best.top.cap && best.min == 0 && n == h[0].n && h[0].text <= string(b) {
		return
	}
	best.offer(ranked{text: string(b), n: n})
}

// nameURIs gives the pairs known by hash the text of their URI, from the
// last merged URI table, and lets that table go. It reports whether a
// pair is still unnamed (its URI was counted in another pass).
func (res *results) nameURIs() bool {
	unnamed := false
	res.pairs.entries(func(p *ranked) {
		if p.text != "" || p.h == 0 {
			return
		}
		for _, t := range res.uriTables {
			if b, ok := t.find(p.h); ok {
				p.text, p.h = string(b), 0
				return
			}
		}
		unnamed = true
	})
	for _, t := range res.uriTables {
		t.free()
	}
	res.uriTables = nil
	return unnamed
}
