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
// counts, shared by the workers. A worker that sees the memory budget
// exceeded narrows it; the others notice the new generation at their
// next block of lines and drop what they hold outside it.
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

// narrow gives up the second half of the active stretch, unless another
// worker already narrowed it since the caller's view (then there is
// nothing to do but to follow). It reports false when the stretch cannot
// be narrowed further.
func (p *partitioner) narrow(seen uint32) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gen.Load() != seen {
		return true
	}
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
type budget struct {
	limit int64
	used  atomic.Int64
	kinds [numKinds]*partitioner
}

// grow records that a table of kind k grew by delta bytes and, when the
// budget is exceeded, narrows the kind holding the most memory. It
// returns true when that is k as the caller sees it (the caller then
// drops what it holds outside the new stretch at once).
func (b *budget) grow(k kind, delta int64, views *[numKinds]view) bool {
	b.kinds[k].bytes.Add(delta)
	if b.used.Add(delta) <= b.limit {
		return false
	}
	big, most := k, int64(-1)
	for i, p := range b.kinds {
		if p.on {
			if n := p.bytes.Load(); n > most {
				big, most = kind(i), n
			}
		}
	}
	b.kinds[big].narrow(views[big].gen)
	return big == k
}

// release records that a table of kind k shrank by delta bytes.
func (b *budget) release(k kind, delta int64) {
	b.kinds[k].bytes.Add(-delta)
	b.used.Add(-delta)
}
