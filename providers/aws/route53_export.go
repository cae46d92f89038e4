package aws

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/plumbhq/plumb/providers/dns"
)

// exportParallelism is how many zones ExportZones reads at once; the
// provider's rate limit paces them in any case.
const exportParallelism = 8

// ExportedZone is a public hosted zone as `plumb zones import -from
// route53` writes it out: enough for an aws_route53_zone block and an
// import block.
type ExportedZone struct {
	// Name is the zone's name, normalised ("example.org.").
	Name string
	// ID is the bare hosted zone ID ("Z0123…"), the import ID.
	ID string
	// Records are the zone's record sets in dns.Sort order, without the
	// apex SOA and NS (Route 53's own), alias and routing-policy sets, and
	// types plumb does not support.
	Records []dns.Record
	// Skipped counts the sets left out of Records other than the apex SOA
	// and NS: alias and routing-policy sets, unsupported types.
	Skipped int
}

// ExportZones reads every public hosted zone of the account and its record
// sets: one pass of ListHostedZones (shared with the provider's resources
// through its zone list) and one ListResourceRecordSets per 300 sets of
// each zone, several zones at a time. Zones are sorted by name, then ID.
// p must be configured.
func ExportZones(ctx context.Context, p *Provider) ([]ExportedZone, error) {
	c := p.Route53()
	zones, err := p.zones.all(ctx, c)
	if err != nil {
		return nil, err
	}
	var public []zoneInfo
	for _, z := range zones {
		if !z.Private {
			public = append(public, z)
		}
	}
	out := make([]ExportedZone, len(public))
	errs := make([]error, len(public))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(exportParallelism, len(public)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(public) {
					return
				}
				z := public[i]
				live, err := fetchRecords(ctx, c, z.ID, z.Name, false)
				if err != nil {
					errs[i] = fmt.Errorf("zone %s (%s): %w", z.Name, z.ID, err)
					continue
				}
				out[i] = ExportedZone{Name: z.Name, ID: z.ID, Records: live.managed, Skipped: len(live.foreign)}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("export Route 53 zones: %w", err)
	}
	return out, nil
}
