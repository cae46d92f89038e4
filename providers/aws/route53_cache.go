package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/plumbhq/plumb/providers/dns"
)

// zoneInfo is what ListHostedZones tells about a hosted zone.
type zoneInfo struct {
	// ID is the bare zone ID ("Z0123…"), without "/hostedzone/".
	ID string
	// Name is the zone's name, normalised ("example.org.").
	Name            string
	CallerReference string
	Comment         string
	Private         bool
}

// zoneCache is the account's list of hosted zones, read once per run with
// one pass of ListHostedZones (one request per 100 zones) the first time
// any resource needs it, and kept up to date with the zones this run
// creates and deletes. So refreshing 5,000 zones costs 50 requests for the
// zones, not 5,000 GetHostedZone. It is safe for concurrent use; callers
// that arrive while it is being filled wait for that one pass.
type zoneCache struct {
	mu     sync.Mutex
	filled bool
	byID   map[string]zoneInfo
	byName map[string][]string // normalised name → IDs, sorted
	// failed is the error of the one pass, when it failed: every zone
	// fails with it at once, instead of each trying again (without
	// credentials, 434 zones made 434 attempts over 43 s).
	failed *listError
}

// listError is a failure to list the account's hosted zones. The first
// caller to see it gets the whole story; the others a line pointing to it.
type listError struct {
	err      error
	mu       sync.Mutex
	reported bool
}

// first reports whether this is the first time the error is reported.
func (e *listError) first() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	first := !e.reported
	e.reported = true
	return first
}

func (e *listError) Error() string { return e.err.Error() }
func (e *listError) Unwrap() error { return e.err }

// ensure fills the cache if it has not been filled yet. The caller holds
// c.mu.
func (c *zoneCache) ensure(ctx context.Context, client *route53.Client) error {
	if c.filled {
		return nil
	}
	if c.failed != nil {
		return c.failed
	}
	byID := map[string]zoneInfo{}
	in := &route53.ListHostedZonesInput{}
	for {
		page, err := client.ListHostedZones(ctx, in)
		if err != nil {
			err = fmt.Errorf("list the account's hosted zones: %w", err)
			if ctx.Err() != nil {
				return err // cancelled: a later run may do better
			}
			c.failed = &listError{err: err}
			return c.failed
		}
		for _, hz := range page.HostedZones {
			z := infoOf(hz)
			byID[z.ID] = z
		}
		if !page.IsTruncated || page.NextMarker == nil {
			break
		}
		in.Marker = page.NextMarker
	}
	c.byID, c.byName, c.filled = byID, map[string][]string{}, true
	for id, z := range byID {
		c.byName[z.Name] = append(c.byName[z.Name], id)
	}
	for _, ids := range c.byName {
		slices.Sort(ids)
	}
	return nil
}

// infoOf converts a zone as Route 53 lists it.
func infoOf(hz types.HostedZone) zoneInfo {
	z := zoneInfo{
		ID:              bareZoneID(aws.ToString(hz.Id)),
		Name:            zoneName(aws.ToString(hz.Name)),
		CallerReference: aws.ToString(hz.CallerReference),
	}
	if hz.Config != nil {
		z.Comment, z.Private = aws.ToString(hz.Config.Comment), hz.Config.PrivateZone
	}
	return z
}

// zoneName normalises a zone name as Route 53 returns it; a name that does
// not normalise is kept lower-cased.
func zoneName(raw string) string {
	s := fromRoute53Text(raw)
	if n, err := dns.NormalizeName(s); err == nil {
		return n
	}
	return strings.ToLower(s)
}

// bareZoneID strips the "/hostedzone/" prefix Route 53 puts on zone IDs.
func bareZoneID(id string) string { return strings.TrimPrefix(id, "/hostedzone/") }

// zone returns the cached zone with the bare ID.
func (c *zoneCache) zone(ctx context.Context, client *route53.Client, id string) (zoneInfo, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ensure(ctx, client); err != nil {
		return zoneInfo{}, false, err
	}
	z, ok := c.byID[id]
	return z, ok, nil
}

// named returns the public zones with the normalised name.
func (c *zoneCache) named(ctx context.Context, client *route53.Client, name string) ([]zoneInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ensure(ctx, client); err != nil {
		return nil, err
	}
	var out []zoneInfo
	for _, id := range c.byName[name] {
		if z := c.byID[id]; !z.Private {
			out = append(out, z)
		}
	}
	return out, nil
}

// all returns every cached zone, sorted by name and then ID.
func (c *zoneCache) all(ctx context.Context, client *route53.Client) ([]zoneInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ensure(ctx, client); err != nil {
		return nil, err
	}
	out := make([]zoneInfo, 0, len(c.byID))
	for _, z := range c.byID {
		out = append(out, z)
	}
	slices.SortFunc(out, func(a, b zoneInfo) int {
		if a.Name != b.Name {
			return strings.Compare(a.Name, b.Name)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// put records a zone this run created or changed. Before the cache is
// filled it does nothing: the fill will list the zone.
func (c *zoneCache) put(z zoneInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.filled {
		return
	}
	if old, ok := c.byID[z.ID]; ok && old.Name != z.Name {
		c.dropName(old)
	}
	if _, ok := c.byID[z.ID]; !ok || !slices.Contains(c.byName[z.Name], z.ID) {
		ids := append(c.byName[z.Name], z.ID)
		slices.Sort(ids)
		c.byName[z.Name] = ids
	}
	c.byID[z.ID] = z
}

// remove forgets a zone this run deleted or found gone.
func (c *zoneCache) remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if z, ok := c.byID[id]; ok {
		delete(c.byID, id)
		c.dropName(z)
	}
}

func (c *zoneCache) dropName(z zoneInfo) {
	ids := slices.DeleteFunc(c.byName[z.Name], func(id string) bool { return id == z.ID })
	if len(ids) == 0 {
		delete(c.byName, z.Name)
	} else {
		c.byName[z.Name] = ids
	}
}
