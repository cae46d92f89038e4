// Package bind is the provider named "bind": DNS zones kept as BIND zone
// files on disk, the DNS that plumb manages without a cloud account: on
// the machine plumb runs on, or on the name server the provider block's
// ssh block names.
//
// Its one resource type, bind_zone, writes a zone file from a list of
// record sets (the record model of package dns, so a zone moves between
// bind_zone and aws_route53_zone unchanged) and an SOA it generates from
// its soa block. The records must hold the apex NS set; they may hold the
// zone file's own SOA, so the plain form moves a zone as it is:
//
//	records = zonefile("zones/example.org.zone", "example.org")
//
// That SOA's fields and TTL become the defaults of the soa block and ttl,
// and its serial a floor for bind_zone's own. Records BIND would refuse to
// load are refused at plan: the rules of its loader (dns.CheckZone), and
// names its default check-names refuses unless check_names says otherwise.
//
// Every change of the zone's content bumps the SOA serial in the
// YYYYMMDDnn convention (UTC), always above the serial before, so
// secondaries notice. Files are written atomically (temporary file, fsync,
// rename, directory fsync). A file edited by hand shows in the next plan
// as the record sets that differ, and applying puts it back with a higher
// serial. Plans that change or delete over 30% of the record sets of a
// zone of 10 or more are refused unless allow_mass_change is set (or the
// run passes -allow-mass-change).
//
// With validate = true, named-checkzone on that host must accept the new
// file before it is put in place.
//
// Import takes the zone file's path, or ORIGIN:PATH
// ("example.org.:/etc/bind/db.example"). Without an origin it comes from
// the file's first $ORIGIN, else the owner of its SOA when written in
// full, else the file's name (example.org.zone, example.org.db,
// db.example.org).
package bind

import (
	"context"
	"time"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Name is the provider's name, under which cmd/plumb registers New.
const Name = "bind"

// provider serves bind_zone. Its one setting is the host the zone files
// are on.
type provider struct {
	host      *host.Slot
	resources map[string]providers.Resource
}

var (
	_ providers.Provider = (*provider)(nil)
	_ providers.Closer   = (*provider)(nil)
)

// New returns the provider named "bind" (Name). Its configuration is an
// optional ssh block (package host); its one resource type is bind_zone.
func New() providers.Provider { return newProvider(time.Now) }

// newProvider returns the provider with the clock that dates new serials,
// so tests can set the day.
func newProvider(now func() time.Time) *provider {
	h := &host.Slot{}
	return &provider{host: h, resources: map[string]providers.Resource{
		"bind_zone": newZoneResource(h, now),
	}}
}

// Schema has the ssh block: zone files are on the host it names.
func (p *provider) Schema() providers.Schema {
	return providers.Schema{
		Description: "DNS zones as BIND zone files, on this machine or a name server reached over SSH.",
		Blocks:      map[string]*providers.Block{host.BlockName: host.Block()},
	}
}

// Configure connects to the host the ssh block names, if any.
func (p *provider) Configure(ctx context.Context, req providers.ConfigureRequest) providers.ConfigureResponse {
	return providers.ConfigureResponse{Diagnostics: p.host.Configure(ctx, req.Config)}
}

// Close lets go of the host.
func (p *provider) Close() error { return p.host.Close() }

// Resources returns the provider's resource types. The map is shared;
// callers must not change it.
func (p *provider) Resources() map[string]providers.Resource { return p.resources }

// DataSources returns nil: the provider has no data sources.
func (p *provider) DataSources() map[string]providers.DataSource { return nil }
