package dnsquery

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/dnstest"
	"github.com/plumbhq/plumb/providers"
)

// BenchmarkReadFromServer is one dns_addresses read in a new run: an A
// and an AAAA query to a server on loopback.
func BenchmarkReadFromServer(b *testing.B) {
	s := dnstest.Start(b)
	s.SetAddresses("office.example.test", "192.0.2.7", "2001:db8::7")
	for i := 0; i < b.N; i++ {
		p := New().(*provider)
		ds := p.data["dns_addresses"]
		cfg := ds.Schema().Complete(cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("office.example.test"), "server": cty.StringVal(s.Addr)}))
		if resp := ds.Read(context.Background(), providers.DataReadRequest{Config: cfg}); resp.Diagnostics.HasErrors() {
			b.Fatal(resp.Diagnostics)
		}
	}
}

// BenchmarkThousandNames reads 1,000 names at once in one run, as 1,000
// data sources would, through the per-server bound.
func BenchmarkThousandNames(b *testing.B) {
	s := dnstest.Start(b)
	for i := 0; i < 1000; i++ {
		s.SetAddresses(fmt.Sprintf("site%04d.example.test", i), "192.0.2.7")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := New().(*provider)
		ds := p.data["dns_addresses"]
		var wg sync.WaitGroup
		sem := make(chan struct{}, 10) // the engine's default parallelism
		for j := 0; j < 1000; j++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				cfg := ds.Schema().Complete(cty.ObjectVal(map[string]cty.Value{
					"name": cty.StringVal(fmt.Sprintf("site%04d.example.test", j)), "types": cty.ListVal([]cty.Value{cty.StringVal("A")}), "server": cty.StringVal(s.Addr)}))
				if resp := ds.Read(context.Background(), providers.DataReadRequest{Config: cfg}); resp.Diagnostics.HasErrors() {
					b.Error(resp.Diagnostics)
				}
			}()
		}
		wg.Wait()
	}
}
