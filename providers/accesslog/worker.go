package accesslog

import (
	"bytes"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// worker parses blocks of lines and counts them in tables of its own;
// the scan merges the workers' tables after each pass.
type worker struct {
	p        *pass
	id       int // index among the pass's workers
	from, to int64
	tc       timeCache
	views    [numKinds]view
	// busy is held while the worker counts a block: another worker may
	// cut the tables of an idle one (budget.bringUp).
	busy sync.Mutex
	// caughtUp is how many of the pass's narrowings the tables reflect.
	caughtUp atomic.Uint32

	c4           *v4Table
	c6           *v6Table
	uris, agents *strTable
	pairs        *strTable // exact pairs, in a pass counting them
	reported     [numKinds]int64
	recs         []rec
	events       []event    // requests that matched a rule
	multi        *pairTable // the pairs of clients that asked for several URIs
	multiLost    bool       // multi filled up: those pairs are not all known
	pairKey      []byte
	names        map[uint64]string // URIs found, in a pass that names them
	// outbox holds a batch of strings for each other worker (route.go).
	outbox  []*strBatch
	excl    exclusions
	proxies trustedProxies

	// read is how many bytes of input the worker has counted.
	read int64

	lines, requests, outside, excluded int64
	malformed                          [numReasons]int64
	oldest, newest, maxSeen            int64
	samples                            []chunkSample
	chunkLines                         map[int]chunkLines
}

type chunkLines struct{ src, n int }

// chunkSample is a malformed line located by its chunk.
type chunkSample struct {
	seq, src int
	line     int64
	reason   Reason
	text     string
}

// rec is a counted request, with the hashes the tables need. Its line's
// client is the one counted (past trusted proxies).
type rec struct {
	line
	ph, uh, ah uint64 // hashes of the client's network, URI and agent
	// ownURI and ownAgent are set when this worker counts the URI and
	// agent itself rather than handing them to their owners.
	ownURI, ownAgent bool
}

func newWorker(p *pass, id int) *worker {
	w := &worker{
		p: p, id: id, from: p.from, to: p.to,
		c4: newV4Table(1 << 8), c6: newV6Table(1 << 4),
		uris: newStrTable(1<<8, 0), agents: newStrTable(1<<6, 0),
		excl:    newExclusions(p.s.opts),
		proxies: newTrustedProxies(p.s.opts.TrustedProxies),
		oldest:  noTime, newest: noTime, maxSeen: noTime,
		chunkLines: map[int]chunkLines{},
	}
	if p.pairs.on {
		w.pairs = newStrTable(1<<8, 0)
	}
	if p.budget.kinds[kindClients].on {
		w.multi = newPairTable()
	}
	if p.router != nil {
		w.outbox = make([]*strBatch, len(p.router.inboxes))
	}
	for k := range w.views {
		w.views[k] = p.budget.kinds[k].view()
	}
	for k := range numKinds {
		w.report(kind(k))
	}
	return w
}

// tableBytes is what the tables of kind k hold now.
func (w *worker) tableBytes(k kind) int64 {
	switch k {
	case kindClients:
		return w.c4.bytes() + w.c6.bytes()
	case kindURIs:
		return w.uris.bytes()
	case kindAgents:
		return w.agents.bytes()
	case kindPairs:
		if w.pairs != nil {
			return w.pairs.bytes()
		}
	case kindRules:
		return int64(cap(w.events)) * eventBytes
	}
	return 0
}

// report tells the budget how the tables of kind k changed size.
func (w *worker) report(k kind) {
	now := w.tableBytes(k)
	if delta := now - w.reported[k]; delta != 0 {
		w.reported[k] = now
		w.p.budget.add(k, delta)
	}
}

// roomToGrow makes sure the budget holds a table of kind k while it
// grows: for a moment the old table and the new, of extra bytes, are both
// alive. The new table's share is reserved until the caller's next
// report. When it would not fit, a stretch is narrowed and the tables
// shrink (the caller then looks again whether the table is still full).
func (w *worker) roomToGrow(k kind, extra int64) {
	w.reported[k] += extra
	w.p.budget.add(k, extra)
	w.p.budget.keep(w)
}

// idle ends a stretch of counting (the worker held busy) and wakes any
// worker waiting in budget.keep: one that found this worker busy and
// behind the narrowings waits for it, and only a wake-up makes it look
// again. (Handing over the last batches once ended without one, and two
// workers waited for ever for a third gone idle.)
func (w *worker) idle() {
	w.busy.Unlock()
	w.p.budget.wake()
}

// catchUp cuts the worker's tables to the stretches narrowed since it
// last looked, and tells any worker waiting for that.
func (w *worker) catchUp() {
	if w.caughtUp.Load() != w.p.budget.narrowings.Load() {
		w.follow()
		w.p.budget.wake()
	}
}

// follow drops, from every table whose stretch was narrowed since the
// worker last looked, the keys outside its new stretch. The worker's own
// goroutine calls it, or another holding w.busy while it is idle.
func (w *worker) follow() {
	seen := w.p.budget.narrowings.Load()
	for k := range numKinds {
		pt := w.p.budget.kinds[k]
		if pt.gen.Load() == w.views[k].gen {
			continue
		}
		w.views[k] = pt.view()
		act := w.views[k].active
		switch kind(k) {
		case kindClients:
			keep4 := func(a uint32) bool { return act.has(prefixHash4(a)) }
			keep6 := func(k addrKey) bool { return act.has(prefixHash6(k)) }
			w.c4 = w.c4.filtered(keep4)
			w.c6 = w.c6.rebuilt(tableSize(w.c6.used, 16), keep6)
			if w.multi != nil {
				old := w.multi
				w.multi = newPairTable()
				for _, e := range old.slots {
					if e.n > 0 && act.has(prefixHash(e.client)) {
						w.multi.add(e.client, e.uri, e.n)
					}
				}
			}
		case kindURIs, kindAgents, kindPairs:
			if t := w.table(kind(k)); *t != nil {
				*t = (*t).shrunk(act)
			}
		case kindRules:
			kept := w.events[:0]
			for _, e := range w.events {
				if act.has(prefixHash(e.client)) {
					kept = append(kept, e)
				}
			}
			w.events = slices.Clip(kept)
		}
		w.report(kind(k))
	}
	w.caughtUp.Store(seen)
}

// shrunk keeps the strings in stretch s, in a table sized for them.
func (t *strTable) shrunk(s stretch) *strTable {
	n := 0
	t.each(func(b []byte, h uint64, _ uint32) {
		if s.has(h) {
			n++
		}
	})
	return t.rebuilt(tableSize(n, 16), s.has)
}

// prefixHash4 and prefixHash6 hash the network of a client: the part of
// its hash that picks its partition, so a network's members are counted
// in the same pass.
func prefixHash4(a uint32) uint64 { return hash4(a>>8) * 0xff51afd7ed558ccd }

func prefixHash6(k addrKey) uint64 {
	var p addrKey
	copy(p[:8], k[:8])
	return hash16(p)
}

func prefixHash(k addrKey) uint64 {
	if k.is4() {
		return prefixHash4(k.v4())
	}
	return prefixHash6(k)
}

// batch is how many requests are counted together; ahead is how many
// requests before its turn a request's table slots start loading, and
// half of that its strings, so the cache misses of several requests
// overlap instead of following one another.
const (
	batch = 64
	ahead = 8
)

// chunk counts the lines of one block.
func (w *worker) chunk(c *chunk) {
	w.catchUp()
	if c.overlong {
		if w.p.first {
			w.lines++
			w.bad(ReasonTooLong, c, 1, c.data)
			w.chunkLines[c.seq] = chunkLines{c.src, 1}
		}
		return
	}
	data := c.data
	w.read += int64(len(data))
	w.p.counted.Add(int64(len(data)))
	recs := w.recs[:0]
	var n int64
	for len(data) > 0 {
		var ln []byte
		if i := indexNL(data); i >= 0 {
			ln, data = data[:i], data[i+1:]
		} else {
			ln, data = data, nil
		}
		n++
		if len(ln) == 0 || len(ln) == 1 && ln[0] == '\r' {
			continue
		}
		if len(ln) > MaxLineBytes {
			w.bad(ReasonTooLong, c, n, ln)
			continue
		}
		// The line is parsed into the next place of the batch, kept
		// there if it is counted.
		if len(recs) == cap(recs) {
			recs = slices.Grow(recs, batch)
		}
		r := &recs[:len(recs)+1][len(recs)]
		in, why := parseLineInto(&r.line, ln, &w.tc, w.from, w.to)
		if r.unix > w.maxSeen {
			w.maxSeen = r.unix
		}
		switch {
		case why != ReasonNone:
			w.bad(why, c, n, ln)
		case !in:
			w.outside++
		case w.excl.match(&r.line):
			w.excluded++
		default:
			w.requests++
			if w.oldest == noTime || r.unix < w.oldest {
				w.oldest = r.unix
			}
			w.newest = max(w.newest, r.unix)
			r.client = w.proxies.client(&r.line)
			r.ph, r.uh, r.ah, r.ownURI, r.ownAgent = 0, 0, 0, false, false
			recs = recs[:len(recs)+1]
			if len(recs) == batch {
				w.count(recs)
				recs = recs[:0]
			}
		}
	}
	w.count(recs)
	w.recs = recs[:0]
	w.lines += n
	if w.p.first {
		w.chunkLines[c.seq] = chunkLines{c.src, int(n)}
	}
}

var dash = []byte("-")

// count tallies a batch of requests: first their hashes, then each in
// turn while the slots of those ahead are loading.
func (w *worker) count(recs []rec) {
	w.catchUp()
	if w.p.router != nil {
		w.takeInbox()
	}
	v := &w.views
	needURI := v[kindURIs].on || v[kindClients].on || w.p.names != nil
	needClient := v[kindClients].on || v[kindRules].on
	// The tables do not change while the hashes are taken: whether a kind
	// is routed is the same for the whole batch.
	routeURIs, routeAgents := w.routes(kindURIs), w.routes(kindAgents)
	for i := range recs {
		r := &recs[i]
		if len(r.agent) == 0 {
			r.agent = dash
		}
		if needURI {
			r.uh = strHash(r.uri)
		}
		if v[kindAgents].on {
			r.ah = strHash(r.agent)
		}
		r.ownURI = !routeURIs || w.p.router.owner(r.uh) == w.id
		r.ownAgent = !routeAgents || w.p.router.owner(r.ah) == w.id
		if needClient {
			if r.client.is4() {
				r.ph = prefixHash4(r.client.v4())
			} else {
				r.ph = prefixHash6(r.client)
			}
		}
	}
	clients := v[kindClients].on
	uris, agents := v[kindURIs].on, v[kindAgents].on
	// A string table small enough to stay in the cache (most logs have
	// a few hundred URIs and user agents) is not prefetched: there is no
	// miss to hide, only the calls to pay.
	fetchURIs, fetchAgents := uris && w.uris.large(), agents && w.agents.large()
	prefetchSlots := func(r *rec) {
		if clients && r.client.is4() {
			w.c4.prefetch(r.client.v4())
		}
		if fetchURIs && r.ownURI {
			w.uris.prefetchSlot(r.uh)
		}
		if fetchAgents && r.ownAgent {
			w.agents.prefetchSlot(r.ah)
		}
	}
	// The first requests' slots start loading before the loop, which
	// loads those of the rest ahead of their turn.
	for j := range min(ahead, len(recs)) {
		prefetchSlots(&recs[j])
	}
	for i := range recs {
		if j := i + ahead; j < len(recs) {
			prefetchSlots(&recs[j])
		}
		if j := i + ahead/2; j < len(recs) {
			if r := &recs[j]; fetchURIs && r.ownURI {
				w.uris.prefetchRecord(r.uh)
			}
			if r := &recs[j]; fetchAgents && r.ownAgent {
				w.agents.prefetchRecord(r.ah)
			}
		}
		r := &recs[i]
		if clients && v[kindClients].active.has(r.ph) {
			w.addClient(r.client, r.uh)
		}
		if uris && v[kindURIs].active.has(r.uh) {
			w.countString(kindURIs, r.uri, r.uh, r.ownURI)
		}
		if agents && v[kindAgents].active.has(r.ah) {
			w.countString(kindAgents, r.agent, r.ah, r.ownAgent)
		}
		if w.pairs != nil && w.p.pairs.counts(r.client) {
			w.addPair(r.client, r.uri)
		}
		if v[kindRules].on && v[kindRules].active.has(r.ph) {
			w.matchRules(r)
		}
		if w.p.names != nil {
			if _, want := w.p.names[r.uh]; want {
				if w.names == nil {
					w.names = map[uint64]string{}
				}
				w.names[r.uh] = string(r.uri)
			}
		}
	}
}

// addClient counts one request of client k for the URI of hash uri, and
// the pairs of a client that asks for several URIs (pairs.go).
func (w *worker) addClient(k addrKey, uri uint64) {
	var turned, multi bool
	var prevURI uint64
	var prevN uint32
	if k.is4() {
		a := k.v4()
		for w.c4.fullFor(a) {
			size := w.c4.grownFor(a, w.read, w.p.left(w.read), w.p.budget.room())
			if w.roomToGrow(kindClients, int64(size)*16); w.c4.fullFor(a) {
				w.c4.grow(a, size, w.read)
			}
			w.report(kindClients)
			if !w.views[kindClients].active.has(prefixHash4(a)) {
				return
			}
		}
		turned, multi, prevURI, prevN = w.c4.addRequest(a, uri)
	} else {
		for w.c6.full() {
			if w.roomToGrow(kindClients, 2*w.c6.bytes()); w.c6.full() {
				w.c6 = w.c6.rebuilt(len(w.c6.slots)*2, nil)
			}
			w.report(kindClients)
			if !w.views[kindClients].active.has(prefixHash6(k)) {
				return
			}
		}
		turned, multi, prevURI, prevN = w.c6.addRequest(k, uri)
	}
	if w.multi == nil || !turned && !multi {
		return
	}
	ok := true
	if turned {
		ok = w.multi.add(k, prevURI, prevN)
	}
	if ok && !w.multi.add(k, uri, 1) || !ok {
		w.multi, w.multiLost = nil, true
	}
}

// matchRules records the rules r matches.
func (w *worker) matchRules(r *rec) {
	for i := range w.p.s.opts.Rules {
		if !w.p.s.opts.Rules[i].matches(r.method, r.status, r.uri, r.agent) {
			continue
		}
		grow := len(w.events) == cap(w.events)
		w.events = append(w.events, event{client: r.client, t: uint32(max(r.unix, 0)), rule: uint16(i)})
		if grow {
			w.report(kindRules)
			w.p.budget.keep(w)
		}
	}
}

// table returns the string table of kind k.
func (w *worker) table(k kind) **strTable {
	switch k {
	case kindURIs:
		return &w.uris
	case kindAgents:
		return &w.agents
	}
	return &w.pairs
}

// addString counts one occurrence of b (hash h) in the table of kind k.
func (w *worker) addString(k kind, b []byte, h uint64) {
	t := w.table(k)
	// Growing may exceed the budget and narrow this kind's stretch: the
	// table is then rebuilt smaller, so look again.
	for (*t).full() || !(*t).roomFor(len(b)) {
		if (*t).full() {
			if w.roomToGrow(k, 2*int64(len((*t).slots))*8); (*t).full() {
				*t = (*t).grown()
			}
		} else if w.roomToGrow(k, 2*int64(cap((*t).arena))); !(*t).roomFor(len(b)) {
			(*t).growArena(len(b))
		}
		w.report(k)
		if !w.views[k].active.has(h) {
			return
		}
	}
	(*t).add(b, h, 1)
}

// addPair counts one request of the pair (c, uri), keyed as one string
// (pairKey).
func (w *worker) addPair(c addrKey, uri []byte) {
	w.pairKey = appendPairKey(w.pairKey[:0], c, uri)
	h := strHash(w.pairKey)
	if w.views[kindPairs].on && w.views[kindPairs].active.has(h) {
		w.addString(kindPairs, w.pairKey, h)
	}
}

// appendPairKey writes a pair as one string: 4 and the IPv4 address, or
// 6 and the IPv6 address, then the URI.
func appendPairKey(b []byte, c addrKey, uri []byte) []byte {
	if c.is4() {
		b = append(b, 4)
		b = append(b, c[12:]...)
	} else {
		b = append(b, 6)
		b = append(b, c[:]...)
	}
	return append(b, uri...)
}

// splitPairKey reads a pair key back.
func splitPairKey(b []byte) (addrKey, []byte) {
	var c addrKey
	if b[0] == 4 {
		copy(c[:12], v4Prefix[:])
		copy(c[12:], b[1:5])
		return c, b[5:]
	}
	copy(c[:], b[1:17])
	return c, b[17:]
}

// bad counts a malformed line and keeps the first few as samples (in the
// first pass; later passes read the same lines).
func (w *worker) bad(why Reason, c *chunk, n int64, ln []byte) {
	if !w.p.first {
		return
	}
	w.malformed[why]++
	if len(w.samples) < maxSamples {
		w.samples = append(w.samples, chunkSample{seq: c.seq, src: c.src, line: n, reason: why, text: quoteStart(ln)})
	}
}

// quoteStart quotes the first bytes of a line for a report.
func quoteStart(b []byte) string {
	const show = 120
	if len(b) > show {
		return strconv.Quote(string(b[:show])) + "…"
	}
	return strconv.Quote(string(b))
}

// exclusions are the requests Options say to leave out.
type exclusions struct {
	uris, agents [][]byte
}

func newExclusions(o Options) exclusions {
	var e exclusions
	for _, u := range o.ExcludeURIPrefixes {
		e.uris = append(e.uris, []byte(u))
	}
	for _, a := range o.ExcludeAgents {
		e.agents = append(e.agents, []byte(a))
	}
	return e
}

func (e *exclusions) match(l *line) bool {
	for _, u := range e.uris {
		if bytes.HasPrefix(l.uri, u) {
			return true
		}
	}
	for _, a := range e.agents {
		if bytes.Contains(l.agent, a) {
			return true
		}
	}
	return false
}
