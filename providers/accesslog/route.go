package accesslog

// Routing strings to their owners. Each worker counts every client of its
// blocks of lines, but URIs and user agents by share: a string's hash
// names the worker that owns it (owner), and a worker hands the strings
// of others to them in batches instead of counting them in a table of its
// own. So each string is mostly in one worker's table, not in a copy per
// worker: the tables are a fraction of the size (on a hostile log, where
// nearly every line brings a new string, that is memory and cache misses
// saved on every line), and merging them finds little to add up.
//
// Ownership is a matter of speed only; the counts are exact whoever
// counts a string, since the merge sums a string over every table that
// holds it (results.mergeStrings). So a batch a busy owner cannot take at
// once is counted where it is. A batch carries copies of its strings: the
// block they were read from may be gone (a stream's buffer reused, a
// mapped file's pages let go) by the time the owner counts them.

// routeFrom is how many strings of a kind a worker counts itself before
// it routes them: a log with few distinct strings (most logs) finds them
// all in small tables, and routing would only cost time there.
var routeFrom = 1 << 15

// routes reports whether the worker hands strings of kind k to their
// owners.
func (w *worker) routes(k kind) bool {
	return w.p.router != nil && (*w.table(k)).used >= routeFrom
}

// routed is one string handed to its owner: its bytes are
// strBatch.text[off:end].
type routed struct {
	off, end uint32
	h        uint64
	kind     kind
}

// strBatch is a batch of strings for one owner.
type strBatch struct {
	strs []routed
	text []byte
}

// A batch goes to its owner when it holds batchStrings strings or
// batchText bytes of them; inboxDepth is how many batches an owner's
// inbox holds before senders count their strings themselves. So routing
// holds at most about workers × (workers + inboxDepth) × batchText bytes
// (5 MB with 4 workers) besides the budget.
const (
	batchStrings = 256
	batchText    = 64 << 10
	inboxDepth   = 16
)

// router is what the workers of a pass share for routing.
type router struct {
	inboxes []chan *strBatch
	spare   chan *strBatch // emptied batches, for reuse
}

func newRouter(workers int) *router {
	r := &router{inboxes: make([]chan *strBatch, workers), spare: make(chan *strBatch, workers*inboxDepth)}
	for i := range r.inboxes {
		r.inboxes[i] = make(chan *strBatch, inboxDepth)
	}
	return r
}

// owner is the worker that counts the string of hash h, picked by bits 24
// to 31 of the hash: above those that pick its slot and make its
// fingerprint (in a table of up to 2^24 slots), below those that pick its
// partition (unless a stretch is split 32 times).
func (r *router) owner(h uint64) int {
	return int((h >> 24 & 0xff) * uint64(len(r.inboxes)) >> 8)
}

func (r *router) newBatch() *strBatch {
	select {
	case b := <-r.spare:
		return b
	default:
		return &strBatch{strs: make([]routed, 0, batchStrings), text: make([]byte, 0, batchText)}
	}
}

func (r *router) recycle(b *strBatch) {
	b.strs, b.text = b.strs[:0], b.text[:0]
	select {
	case r.spare <- b:
	default:
	}
}

// countString counts one occurrence of string b (hash h, of kind k, in
// the kind's active stretch) in the block being counted: in the worker's
// own table (own), or in its owner's.
func (w *worker) countString(k kind, b []byte, h uint64, own bool) {
	if own {
		w.addString(k, b, h)
		return
	}
	o := w.p.router.owner(h) // another worker: count sets own otherwise
	out := w.outbox[o]
	if out == nil {
		out = w.p.router.newBatch()
		w.outbox[o] = out
	}
	off := len(out.text)
	out.text = append(out.text, b...)
	out.strs = append(out.strs, routed{uint32(off), uint32(len(out.text)), h, k})
	if len(out.strs) == batchStrings || len(out.text) >= batchText {
		w.send(o)
	}
}

// send hands the batch for worker o to it. When o's inbox is full, the
// worker first counts what waits in its own (o may be waiting for the
// same), then counts the batch here if o's inbox is still full: it never
// waits, so no two workers wait for each other.
func (w *worker) send(o int) {
	out := w.outbox[o]
	w.outbox[o] = nil
	select {
	case w.p.router.inboxes[o] <- out:
		return
	default:
	}
	w.takeInbox()
	select {
	case w.p.router.inboxes[o] <- out:
	default:
		w.countRouted(out)
	}
}

// flush sends every unfinished batch.
func (w *worker) flush() {
	for o, out := range w.outbox {
		if out != nil {
			w.send(o)
		}
	}
}

// takeInbox counts the batches waiting for the worker, without waiting
// for more.
func (w *worker) takeInbox() {
	in := w.p.router.inboxes[w.id]
	for {
		select {
		case b := <-in:
			w.countRouted(b)
		default:
			return
		}
	}
}

// takeHanded counts a batch handed to the worker, from its goroutine's
// loop: holding busy, as for a block of lines, and waking any worker
// waiting for it to catch up.
func (w *worker) takeHanded(b *strBatch) {
	w.busy.Lock()
	w.countRouted(b)
	w.idle()
}

// countRouted counts a batch of strings, loading their slots ahead, and
// recycles it. A string outside its kind's stretch as the worker now sees
// it is left for a later pass.
func (w *worker) countRouted(b *strBatch) {
	w.catchUp()
	strs := b.strs
	for j := range min(ahead, len(strs)) {
		(*w.table(strs[j].kind)).prefetchSlot(strs[j].h)
	}
	for i := range strs {
		if j := i + ahead; j < len(strs) {
			(*w.table(strs[j].kind)).prefetchSlot(strs[j].h)
		}
		if j := i + ahead/2; j < len(strs) {
			(*w.table(strs[j].kind)).prefetchRecord(strs[j].h)
		}
		r := &strs[i]
		if w.views[r.kind].active.has(r.h) {
			w.addString(r.kind, b.text[r.off:r.end], r.h)
		}
	}
	w.p.router.recycle(b)
}
