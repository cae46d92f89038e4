package accesslog

import (
	"bytes"
	"slices"
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
// equal counts the later key (so that ties come out in key order).
func worse(a, b ranked) bool {
	if a.n != b.n {
		return a.n < b.n
	}
	if c := bytes.Compare(a.addr[:], b.addr[:]); c != 0 {
		return c > 0
	}
	return a.text > b.text
}

// best keeps the k best entries offered and, beside them, every entry of
// at least min (min > 0), up to maxListed: two bounded heaps.
type best struct {
	top, over heap
	min       int64
}

func newBest(k int, min int64) *best {
	b := &best{top: heap{cap: k}, min: min}
	if min > 0 {
		b.over.cap = maxListed
	}
	return b
}

// admits reports whether an entry of count n would be kept.
func (b *best) admits(n int64) bool {
	return b.top.admits(n) || b.min > 0 && n >= b.min && b.over.admits(n)
}

// offer keeps e if it is among the best, or at the threshold.
func (b *best) offer(e ranked) {
	b.top.offer(e)
	if b.min > 0 && e.n >= b.min {
		b.over.offer(e)
	}
}

// entries calls fn with a pointer to every entry kept (to name pairs).
func (b *best) entries(fn func(*ranked)) {
	for i := range b.top.h {
		fn(&b.top.h[i])
	}
	for i := range b.over.h {
		fn(&b.over.h[i])
	}
}

// list returns the kept entries, best first: the top k and those of at
// least min.
func (b *best) list() []ranked {
	out := append(slices.Clone(b.top.h), b.over.h...)
	slices.SortFunc(out, func(x, y ranked) int {
		switch {
		case worse(y, x):
			return -1
		case worse(x, y):
			return 1
		}
		return 0
	})
	// An entry in both heaps comes out twice, side by side.
	return slices.CompactFunc(out, func(x, y ranked) bool { return x.addr == y.addr && x.text == y.text && x.h == y.h })
}

// full reports whether more entries at the threshold were offered than
// are kept.
func (b *best) full() bool { return b.min > 0 && b.over.dropped }

// heap is a min-heap on worse holding at most cap entries: the root is
// the worst kept.
type heap struct {
	h       []ranked
	cap     int
	dropped bool
}

func (b *heap) admits(n int64) bool { return b.cap > 0 && (len(b.h) < b.cap || n >= b.h[0].n) }

func (b *heap) offer(e ranked) {
	h := b.h
	if len(h) < b.cap {
		h = append(h, e)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !worse(h[i], h[p]) {
				break
			}
			h[i], h[p] = h[p], h[i]
			i = p
		}
		b.h = h
		return
	}
	if b.cap == 0 || !worse(h[0], e) {
		b.dropped = b.dropped || b.cap > 0
		return
	}
	b.dropped = true
	h[0] = e
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && worse(h[l], h[m]) {
			m = l
		}
		if r < len(h) && worse(h[r], h[m]) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// networkTally is a network with its members, before it is rendered.
type networkTally struct {
	prefix   addrKey
	n        int64
	distinct int64
	top      [maxMembers]ranked
}

// maxMembers is how many of a network's members a report names.
const maxMembers = 3

// results accumulates the counts of every pass.
type results struct {
	clients, networks, uris, agents, pairs *best
	// members holds the top members of each network kept.
	members map[addrKey]networkTally
	// multi are the busiest clients that asked for more than one URI
	// (up to maxCandidates): their pairs are counted in a pass of their
	// own when they could beat the pairs known already. A client that
	// only ever asked for one URI has its one pair counted exactly with
	// it. multiLost is set when the pairs of multi-URI clients could not
	// all be kept with the clients, and need a pass of their own.
	multi     *best
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
		clients: newBest(k, o.Threshold), networks: newBest(k, o.Threshold),
		uris: newBest(k, 0), agents: newBest(k, 0), pairs: newBest(k, 0),
		members: map[addrKey]networkTally{}, multi: newBest(maxCandidates, 0),
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
			for _, e := range w.multi.slots {
				if e.n > 0 {
					multi[pairID{e.client, e.uri}] += int64(e.n)
				}
			}
		}
	}
	// Each worker's table is sorted in place (in parallel), then they are
	// merged in address order: no copy of millions of clients is made.
	lists := make([][]v4Slot, len(ws))
	var wg sync.WaitGroup
	for i, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lists[i] = w.c4.sorted()
		}()
	}
	wg.Wait()
	var net networkTally
	netKey := uint32(0)
	var heads []v4Slot
	for {
		// The lowest address at the head of a list, and its total.
		var a uint32
		found := false
		for _, l := range lists {
			if len(l) > 0 && (!found || uint32(l[0].kc>>32) < a) {
				a, found = uint32(l[0].kc>>32), true
			}
		}
		if !found {
			break
		}
		n, uri := int64(0), uint64(0)
		heads = heads[:0]
		for i, l := range lists {
			if len(l) > 0 && uint32(l[0].kc>>32) == a {
				n += int64(uint32(l[0].kc))
				if len(heads) == 0 {
					uri = l[0].uri
				} else {
					uri = mergeURI(uri, l[0].uri)
				}
				heads = append(heads, l[0])
				lists[i] = l[1:]
			}
		}
		if uri == multiURI && multi != nil {
			// Workers where it asked for one URI only hold that pair in
			// their mark.
			for _, h := range heads {
				if h.uri != multiURI {
					multi[pairID{keyFrom4(a), h.uri}] += int64(uint32(h.kc))
				}
			}
		}
		if net.n == 0 || a>>8 != netKey {
			if net.n > 0 {
				res.offerNetwork(net)
			}
			net, netKey = networkTally{prefix: keyFrom4(a &^ 0xff)}, a>>8
		}
		net.add4(a, n)
		res.client(a, addrKey{}, n, uri)
	}
	if net.n > 0 {
		res.offerNetwork(net)
	}
	var v6 []v6Slot
	for _, w := range ws {
		w.c6.each(func(k addrKey, n uint32, uri uint64) { v6 = append(v6, v6Slot{key: k, n: n, uri: uri}) })
		w.c4.free()
		w.c6.free()
		w.c4, w.c6, w.multi = nil, nil, nil
	}
	slices.SortFunc(v6, func(a, b v6Slot) int { return bytes.Compare(a.key[:], b.key[:]) })
	net = networkTally{}
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

// loseMultiPairs gives up counting the pairs of multi-URI clients with
// the clients: a pass of their own will (candidates), so those offered by
// earlier passes go, lest they be counted twice.
func (res *results) loseMultiPairs() {
	if res.multiLost {
		return
	}
	res.multiLost = true
	old := res.pairs
	res.pairs = newBest(old.top.cap, 0)
	old.entries(func(e *ranked) {
		if !e.multi {
			res.pairs.offer(*e)
		}
	})
}

// client ranks one client (IPv4 a, or k when a is 0 and k is set) and its
// pair or its candidacy.
func (res *results) client(a uint32, k addrKey, n int64, uri uint64) {
	key := func() addrKey {
		if k == (addrKey{}) {
			return keyFrom4(a)
		}
		return k
	}
	if res.clients.admits(n) {
		res.clients.offer(ranked{addr: key(), n: n})
	}
	if uri != multiURI {
		if res.pairs.admits(n) {
			res.pairs.offer(ranked{addr: key(), h: uri, n: n})
		}
		return
	}
	if res.multi.admits(n) {
		res.multi.offer(ranked{addr: key(), n: n})
	}
}

// add4 counts an IPv4 member of the network.
func (t *networkTally) add4(a uint32, n int64) {
	t.n += n
	t.distinct++
	if t.top[maxMembers-1].n < n {
		t.consider(ranked{addr: keyFrom4(a), n: n})
	}
}

// add counts a member of the network.
func (t *networkTally) add(k addrKey, n int64) {
	t.n += n
	t.distinct++
	t.consider(ranked{addr: k, n: n})
}

// consider keeps e if it is among the busiest members.
func (t *networkTally) consider(e ranked) {
	for i := range t.top {
		if t.top[i].n == 0 || worse(t.top[i], e) {
			copy(t.top[i+1:], t.top[i:len(t.top)-1])
			t.top[i] = e
			return
		}
	}
}

func (res *results) offerNetwork(t networkTally) {
	if !res.networks.admits(t.n) {
		return
	}
	res.networks.offer(ranked{addr: t.prefix, n: t.n})
	res.members[t.prefix] = t
	if kept := len(res.networks.top.h) + len(res.networks.over.h); len(res.members) > 2*kept+1024 {
		// Forget the members of networks no longer kept.
		live := make(map[addrKey]networkTally, kept)
		res.networks.entries(func(e *ranked) { live[e.addr] = res.members[e.addr] })
		res.members = live
	}
}

// mergeStrings adds up the workers' tables of kind k, into the largest,
// and ranks the strings. The merged URI table is kept (uriTables) until
// the pairs known by hash are named.
func (res *results) mergeStrings(ws []*worker, k kind) {
	var tables []*strTable
	for _, w := range ws {
		if t := *w.table(k); t != nil {
			tables = append(tables, t)
		}
		*w.table(k) = nil
	}
	if len(tables) == 0 {
		return
	}
	slices.SortFunc(tables, func(a, b *strTable) int { return b.used - a.used })
	for _, t := range tables[1:] {
		tables[0].merge(t, nil)
		t.free()
	}
	tables = tables[:1]
	for _, t := range tables {
		t.records(func(b []byte, n uint32) { res.offerString(k, b, int64(n)) })
		if k == kindURIs {
			res.uriTables = append(res.uriTables, t)
		} else {
			t.free()
		}
	}
}

func (res *results) offerString(k kind, b []byte, n int64) {
	var best *best
	switch k {
	case kindURIs:
		best = res.uris
	case kindAgents:
		best = res.agents
	case kindPairs:
		best = res.pairs
	}
	if !best.admits(n) {
		return
	}
	if k == kindPairs {
		c, uri := splitPairKey(b)
		best.offer(ranked{addr: c, text: string(uri), n: n})
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
