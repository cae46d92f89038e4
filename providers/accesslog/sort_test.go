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
			if i%7 == 0 {
				a &= 0xffff0000 // many sharing their high bytes
			}
			v[i] = v4Slot{kc: uint64(a)<<32 | uint64(i+1), uri: uint64(i)}
		}
		want := slices.Clone(v)
		slices.SortStableFunc(want, func(a, b v4Slot) int { return int(int64(a.kc>>32) - int64(b.kc>>32)) })
		sortByAddress(v, 24)
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
