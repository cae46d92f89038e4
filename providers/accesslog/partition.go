package accesslog

import (
	"sync"
	"sync/atomic"
)

// How counts stay exact in bounded memory. Each kind of key (clients,
// URIs, user agents, (client, URI) pairs) is counted in exact tables. A
// key's hash picks its partition: the top bits of the hash, so the key
// space is a line of 2^bits partitions and a pass counts one stretch of
// it. A first pass counts everything. When the tables of all workers
// outgrow the budget, the kind that holds the most memory narrows its
// stretch to half (splitting one partition in two when it is down to one)
// and every worker drops the keys outside it; the stretch given up is
// counted by a later pass over the same input. So every key counted in a
// pass is counted whole, and the passes together count every key once.
// Clients are partitioned by the hash of their network, so a network's
// members are always counted in the same pass.

// kind is a kind of key a scan counts.
type kind int

const (
	kindClients kind = iota
	kindURIs
	kindAgents
	kindPairs
	kindRules
	numKinds
)

func (k kind) String() string {
	return [...]string{"clients", "URIs", "user agents", "(client, URI) pairs", "rule matches"}[k]
}

// stretch is a run of partitions [lo, hi) at a resolution of 2^bits
// partitions: a key is in it when the top bits of its hash are.
type stretch struct {
	bits   uint
	lo, hi uint64
}

// all is the whole key space.
var all = stretch{bits: 0, lo: 0, hi: 1}

// has reports whether hash h falls in the stretch.
func (s stretch) has(h uint64) bool {
	p := uint64(0)
	if s.bits > 0 {
		p = h >> (64 - s.bits)
	}
	return p >= s.lo && p < s.hi
}

// fraction is the share of the key space the stretch covers.
func (s stretch) fraction() float64 {
	return float64(s.hi-s.lo) / float64(uint64(1)<<s.bits)
}

// halves splits the stretch into its first and second half.
func (s stretch) halves() (stretch, stretch) {
	if s.hi-s.lo >= 2 {
		mid := s.lo + (s.hi-s.lo)/2
		return stretch{s.bits, s.lo, mid}, stretch{s.bits, mid, s.hi}
	}
	b := s.bits + 1
	return stretch{b, 2 * s.lo, 2*s.lo + 1}, stretch{b, 2*s.lo + 1, 2*s.lo + 2}
}

// maxBits bounds the splitting: a stretch of one partition in 2^maxBits
// that still does not fit means one key of it does not fit, which the
// limits on line and key lengths rule out.
const maxBits = 40

// partitioner is the stretch of one kind's key space the current pass
// counts, shared by the workers. When the budget is exceeded it is
// narrowed (budget.keep); each worker notices the new generation and drops
// what it holds outside the stretch.
type partitioner struct {
	mu     sync.Mutex
	gen    atomic.Uint32
	active stretch
	on     bool // the kind is counted in this pass at all
	// given are the stretches given up during this pass, for later ones.
	given []stretch
	// bytes is the memory the kind's tables hold, over all workers.
	bytes atomic.Int64
}

// view is a worker's copy of a partitioner's state.
type view struct {
	gen    uint32
	active stretch
	on     bool
}

func (p *partitioner) view() view {
	p.mu.Lock()
	defer p.mu.Unlock()
	return view{gen: p.gen.Load(), active: p.active, on: p.on}
}

// narrow gives up the second half of the active stretch. It reports false
// when the stretch cannot be narrowed further.
func (p *partitioner) narrow() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active.hi-p.active.lo < 2 && p.active.bits >= maxBits {
		return false
	}
	keep, give := p.active.halves()
	p.active = keep
	p.given = append(p.given, give)
	p.gen.Add(1)
	return true
}

// budget is the memory all workers' tables may hold in one pass.
//
// A stretch is narrowed only when the budget is exceeded with every
// worker's tables already cut to the stretches narrowed before: memory a
// worker is about to give up (it has not yet seen the last narrowing,
// being descheduled or between blocks) must not make another narrow
// again. Otherwise, on a loaded machine, workers racing to shrink narrow
// far more than the budget asks, and the passes a scan takes depend on
// scheduling. So a worker that finds the budget exceeded catches up with
// every narrowing itself, cuts the tables of idle workers for them, and
// waits for busy workers that are behind (each looks at every batch of
// requests); only then, still over, does it narrow the kind that holds
// the most.
type budget struct {
	limit int64
	used  atomic.Int64
	kinds [numKinds]*partitioner
	// narrowings counts the narrowings of this pass, over all kinds; a
	// worker whose tables reflect them all has seen as many (caughtUp).
	narrowings atomic.Uint32
	// mu serializes narrowing; changed is signalled when a worker
	// catches up or stops counting a block, and after a narrowing.
	mu      sync.Mutex
	changed sync.Cond
	workers []*worker
}

func newBudget(limit int64) *budget {
	b := &budget{limit: limit}
	b.changed.L = &b.mu
	return b
}

// add records that the tables of kind k grew (or shrank, delta < 0) by
// delta bytes.
func (b *budget) add(k kind, delta int64) {
	b.kinds[k].bytes.Add(delta)
	b.used.Add(delta)
}

func (b *budget) over() bool { return b.used.Load() > b.limit }

// room is a worker's share of the budget not yet used: what a table may
// take beyond what it needs now without making the budget narrow.
func (b *budget) room() int64 {
	return max(b.limit-b.used.Load(), 0) / int64(max(len(b.workers), 1))
}

// keep brings the memory of all workers' tables back within the budget
// after worker w's grew (w is counting a block: it holds w.busy).
func (b *budget) keep(w *worker) {
	for b.over() {
		w.catchUp()
		if !b.over() {
			return
		}
		b.mu.Lock()
		switch {
		case w.caughtUp.Load() != b.narrowings.Load():
			// Narrowed meanwhile: catch up first.
		case b.bringUp(w):
			if b.over() {
				b.changed.Wait()
			}
		case !b.over():
		default:
			if !b.narrowBiggest() {
				b.mu.Unlock()
				return // as narrow as it gets: the limits on key lengths rule this out
			}
			b.changed.Broadcast()
		}
		b.mu.Unlock()
	}
}

// bringUp cuts the tables of the idle workers that are behind the
// narrowings, and reports whether busy ones still are (they catch up at
// their next batch). b.mu is held.
func (b *budget) bringUp(self *worker) (behind bool) {
	n := b.narrowings.Load()
	for _, o := range b.workers {
		if o == self || o.caughtUp.Load() == n {
			continue
		}
		if !o.busy.TryLock() {
			behind = true
			continue
		}
		o.follow()
		o.busy.Unlock()
		b.changed.Broadcast()
	}
	return behind
}

// narrowBiggest narrows the kind whose tables hold the most memory. b.mu
// is held.
func (b *budget) narrowBiggest() bool {
	big, most := kind(-1), int64(-1)
	for i, p := range b.kinds {
		if p.on {
			if n := p.bytes.Load(); n > most {
				big, most = kind(i), n
			}
		}
	}
	if big < 0 || !b.kinds[big].narrow() {
		return false
	}
	b.narrowings.Add(1)
	return true
}

// wake tells waiting workers that something changed.
func (b *budget) wake() {
	b.mu.Lock()
	b.changed.Broadcast()
	b.mu.Unlock()
}
