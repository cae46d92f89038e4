package netfilter

import (
	"fmt"
	"net/netip"
	"testing"
)

// BenchmarkDesire works out a block list of 10,000 offenders against a
// prior list of the same size: the work of every plan.
func BenchmarkDesire(b *testing.B) {
	var want []wanted
	prior := map[string]string{}
	for i := 0; i < 10000; i++ {
		k := fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255)
		p := netip.MustParsePrefix(k + "/32")
		want = append(want, wanted{key: k, net: p, count: int64(i), evidence: "x requests"})
		prior[k] = "x requests"
	}
	protect := protections(hostFacts{addrs: []hostAddr{{netip.MustParseAddr("192.0.2.1"), "eth0"}}}, nil, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if o := desire(want, prior, protect, defaultMaxEntries, false, true); len(o.blocked) != 10000 {
			b.Fatal(len(o.blocked))
		}
	}
}
