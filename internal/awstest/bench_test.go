package awstest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// BenchmarkCreateHostedZone creates one zone per iteration through the
// shim (which also creates its apex SOA and NS in kumo).
func BenchmarkCreateHostedZone(b *testing.B) {
	e := StartKumo(b)
	c := e.Route53Client()
	i := 0
	for b.Loop() {
		i++
		if _, err := c.CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{
			Name: aws.String(fmt.Sprintf("b%d.test", i)), CallerReference: aws.String(fmt.Sprintf("bench-%d", i)),
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreate5000Zones creates 5,000 zones, each with one
// ChangeResourceRecordSets of 10 records, from 8 goroutines, unthrottled:
// the shape of plumb issue 3's migration against the emulator.
func BenchmarkCreate5000Zones(b *testing.B) {
	const zones, workers = 5000, 8
	e := StartKumo(b)
	c := e.Route53Client()
	var run atomic.Int64
	for b.Loop() {
		r := run.Add(1)
		next := atomic.Int64{}
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for {
					i := next.Add(1)
					if i > zones {
						return
					}
					name := fmt.Sprintf("z%d-%d.test", i, r)
					out, err := c.CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{
						Name: aws.String(name), CallerReference: aws.String(name),
					})
					if err != nil {
						errs <- err
						return
					}
					var changes []types.Change
					for j := range 10 {
						changes = append(changes, changeOf(types.ChangeActionCreate, rec(fmt.Sprintf("h%d.%s", j, name), types.RRTypeA, 300, "192.0.2.1")))
					}
					if err := apply(c, *out.HostedZone.Id, changes...); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(int64(b.N)*zones), "µs/zone")
}

// BenchmarkListRecords1000 lists a 1,000-record zone: four pages.
func BenchmarkListRecords1000(b *testing.B) {
	e := StartKumo(b)
	c := e.Route53Client()
	id := newZone(b, c, "list.test")
	var changes []types.Change
	for i := range 998 {
		changes = append(changes, changeOf(types.ChangeActionCreate, rec(fmt.Sprintf("h%d.list.test", i), types.RRTypeA, 300, "192.0.2.1")))
	}
	mustApply(b, c, id, changes...)
	for b.Loop() {
		if recs, pages := allRecords(b, c, id); len(recs) != 1000 || pages != 4 {
			b.Fatalf("listed %d records in %d pages, want 1000 in 4", len(recs), pages)
		}
	}
}

// BenchmarkListHostedZones5000 pages through 5,000 zones (50 pages).
func BenchmarkListHostedZones5000(b *testing.B) {
	e := StartKumo(b)
	c := e.Route53Client()
	for i := range 5000 {
		newZone(b, c, fmt.Sprintf("l%d.test", i))
	}
	for b.Loop() {
		n := 0
		p := route53.NewListHostedZonesPaginator(c, &route53.ListHostedZonesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			n += len(page.HostedZones)
		}
		if n != 5000 {
			b.Fatalf("listed %d zones, want 5000", n)
		}
	}
}
