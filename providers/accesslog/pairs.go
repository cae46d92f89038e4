package accesslog

// The pairs of clients that ask for more than one URI. A client that only
// ever asks for one URI has one pair, whose count is the client's own;
// the client tables keep that URI's hash beside the count (v4Slot). The
// moment a client asks for a second URI, its first pair is known exactly
// (every request before went to the first URI), and from then on its
// requests are counted in a pairTable, by client and URI hash. In a
// hostile log few clients ask for several URIs, and their pairs are all
// counted in the first pass. In an ordinary log most clients do, the
// table fills, and the scan falls back: the pairs of the busy ones are
// counted in a pass of their own when they could beat the pairs known.

// pairTableSize is how many pairs a worker keeps before giving up (a
// variable so tests can make the fallback happen).
var pairTableSize = 1 << 14

// pairEntry is a (client, URI hash) pair and its count; n is zero in an
// empty slot.
type pairEntry struct {
	client addrKey
	uri    uint64
	n      uint32
}

// pairTable counts pairs exactly, up to pairTableSize of them.
type pairTable struct {
	slots []pairEntry
	mask  uint64
	used  int
}

func newPairTable() *pairTable {
	size := tableSize(pairTableSize, 16)
	return &pairTable{slots: make([]pairEntry, size), mask: uint64(size - 1)}
}

func pairHash(c addrKey, uri uint64) uint64 { return hash16(c) ^ uri*0x9E3779B97F4A7C15 }

// add counts n requests of the pair (c, uri); it reports false when the
// table is full and the pair was not in it.
func (t *pairTable) add(c addrKey, uri uint64, n uint32) bool {
	for i := pairHash(c, uri) & t.mask; ; i = (i + 1) & t.mask {
		e := &t.slots[i]
		if e.n == 0 {
			if t.used >= pairTableSize {
				return false
			}
			*e = pairEntry{client: c, uri: uri, n: n}
			t.used++
			return true
		}
		if e.uri == uri && e.client == c {
			e.n += n
			return true
		}
	}
}

// pairID is a pair in the merged tallies.
type pairID struct {
	client addrKey
	uri    uint64
}
