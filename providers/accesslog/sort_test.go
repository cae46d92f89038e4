package accesslog

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortByAddress(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 31, 33, 1000, 100000} {
		v := make([]v4Slot, n)
		for i := range v {
			a := r.Uint32()
			switch {
			case n == 33:
				a = a&0xff | 0x0a000000 // every one sharing three bytes
			case i%7 == 0:
				a &= 0xffff0000 // many sharing their high bytes
			}
			v[i] = v4Slot{kc: uint64(a)<<32 | uint64(i+1), uri: uint64(i)}
		}
		want := slices.Clone(v)
		slices.SortStableFunc(want, func(a, b v4Slot) int { return int(int64(a.kc>>32) - int64(b.kc>>32)) })
		sortByAddress(v, make([]v4Slot, n))
		for i := range v {
			if v[i].kc>>32 != want[i].kc>>32 {
				t.Fatalf("n=%d: position %d holds %08x, want %08x", n, i, v[i].kc>>32, want[i].kc>>32)
			}
		}
		// Every entry is still there with its own count and mark.
		seen := map[uint64]bool{}
		for _, s := range v {
			if s.uri != uint64(uint32(s.kc))-1 || seen[s.uri] {
				t.Fatalf("n=%d: entry %+v lost its pair", n, s)
			}
			seen[s.uri] = true
		}
	}
}

// TestBestAbsorb: ranking entries in two lists and folding one into the
// other keeps what one list offered them all keeps, with the same note
// of what was dropped, whether the two fit together or not.
func TestBestAbsorb(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		top, n int
		min    int64
		oneOf  bool // every entry offered to b
	}{
		{10, 0, 0, false}, {10, 5, 0, false}, {10, 1000, 0, false}, {3, 1000, 20, false},
		{1000, 200, 5, false}, {10, 1000, 1, false}, {10, 1000, 1, true},
	} {
		whole, a, b := newBest[ranked](c.top, c.min), newBest[ranked](c.top, c.min), newBest[ranked](c.top, c.min)
		if c.min > 0 {
			// A small cap at the threshold, to overflow it.
			for _, x := range []*best[ranked]{whole, a, b} {
				x.over.cap = 50
			}
		}
		for i := range c.n {
			e := ranked{addr: keyFrom4(uint32(i)), n: int64(r.IntN(40))}
			whole.offer(e)
			if !c.oneOf && r.IntN(2) == 0 {
				a.offer(e)
			} else {
				b.offer(e)
			}
		}
		a.absorb(b)
		got, want := a.list(), whole.list()
		if !slices.Equal(got, want) {
			t.Errorf("top %d, %d entries, min %d: absorbed list %v, want %v", c.top, c.n, c.min, got, want)
		}
		if a.full() != whole.full() || a.top.dropped != whole.top.dropped {
			t.Errorf("top %d, %d entries, min %d: dropped %v/%v, want %v/%v", c.top, c.n, c.min, a.full(), a.top.dropped, whole.full(), whole.top.dropped)
		}
	}
}
