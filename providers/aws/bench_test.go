package aws

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
)

// BenchmarkGetHostedZone measures one Route 53 request through the
// provider's client (counting, no rate limit) and the emulator.
func BenchmarkGetHostedZone(b *testing.B) {
	e := awstest.StartKumo(b)
	c := emulatorProvider(b, e, nil, nil).Route53()
	z, err := createZone(c, "get.bench")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.GetHostedZone(context.Background(), &route53.GetHostedZoneInput{Id: z.HostedZone.Id}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRateLimitedRequests sends GetHostedZone from 4 goroutines
// through a 200/s limit on the real clock and reports the rate achieved,
// which must not exceed the limit.
func BenchmarkRateLimitedRequests(b *testing.B) {
	const limit = 200
	e := awstest.StartKumo(b)
	p := emulatorProvider(b, e, nil, map[string]cty.Value{"max_requests_per_second": cty.NumberIntVal(limit)})
	c := p.Route53()
	z, err := createZone(c, "rate.bench")
	if err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(2) // 2 × GOMAXPROCS goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.GetHostedZone(context.Background(), &route53.GetHostedZoneInput{Id: z.HostedZone.Id}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "req/s")
	// The first request of the run finds a full bucket, so allow it.
	if b.N > 1 && float64(b.N-1)/b.Elapsed().Seconds() > limit*1.01 {
		b.Errorf("achieved %.1f requests/s, above the %d/s limit", rate, limit)
	}
}

// BenchmarkCreate5000Zones creates 5,000 zones through the provider's
// client and the emulator, unthrottled (max_requests_per_second = 0), from
// 8 goroutines, as an apply of issue 3's migration would.
func BenchmarkCreate5000Zones(b *testing.B) {
	const zones, workers = 5000, 8
	e := awstest.StartKumo(b)
	p := emulatorProvider(b, e, nil, nil)
	c := p.Route53()
	var run atomic.Int64
	for b.Loop() {
		r := run.Add(1)
		var next atomic.Int64
		var failed atomic.Value
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for i := next.Add(1); i <= zones; i = next.Add(1) {
					name := fmt.Sprintf("z%d-r%d.bench", i, r)
					if _, err := c.CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{
						Name: aws.String(name), CallerReference: aws.String(name),
					}); err != nil {
						failed.Store(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if err, ok := failed.Load().(error); ok {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(int64(b.N)*zones), "µs/zone")
	if got := p.RequestCounts()["route53:CreateHostedZone"]; got != b.N*zones {
		b.Errorf("counted %d CreateHostedZone, want %d", got, b.N*zones)
	}
}
