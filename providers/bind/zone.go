package bind

import (
	"strconv"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
	"github.com/plumbhq/plumb/providers/host"
)

// Defaults of a bind_zone.
const (
	// defaultTTL is the TTL of the SOA record when ttl is not set.
	defaultTTL = 3600
	// defaultRefresh, defaultRetry, defaultExpire and defaultMinimum are
	// the SOA timers when the soa block leaves them out: two hours, one
	// hour, two weeks and one hour (the negative-caching TTL).
	defaultRefresh = 7200
	defaultRetry   = 3600
	defaultExpire  = 1209600
	defaultMinimum = 3600
	// defaultRnameLabel is the mailbox of the default SOA rname:
	// hostmaster.<zone>.
	defaultRnameLabel = "hostmaster"
	// zoneFileMode and zoneDirMode are the permissions of a zone file and
	// of the directories made for it (the umask applies to directories).
	zoneFileMode = 0o644
	zoneDirMode  = 0o755
	// massChangeMinimum is the size, in record sets, from which a zone is
	// guarded against mass changes.
	massChangeMinimum = 10
)

// zoneResource is bind_zone: one DNS zone as a BIND zone file.
type zoneResource struct {
	host   *host.Slot
	schema providers.Schema
	ty     cty.Type
	null   cty.Value
	soaTy  cty.Type
	// now dates new serials; tests set it.
	now func() time.Time
}

var (
	_ providers.Resource        = (*zoneResource)(nil)
	_ providers.ConfigValidator = (*zoneResource)(nil)
)

// soaAttrs names the attributes of the soa block, in SOA order (the serial,
// a top-level attribute, goes between rname and refresh).
var soaAttrs = []string{"mname", "rname", "refresh", "retry", "expire", "minimum"}

func newZoneResource(h *host.Slot, now func() time.Time) *zoneResource {
	records := dns.RecordsAttribute("The zone's record sets, keyed by name and type: fully qualified names, each set with its TTL and values (zonefile() reads them from a BIND file). The apex NS set must be listed. An apex SOA (a zone file's own, as zonefile() gives it) is not written as it is: its fields and TTL become the defaults of the soa block and ttl, and bind_zone writes its own serial above the SOA's.")
	records.Optional = true
	timer := func(what string, def int) *providers.Attribute {
		return &providers.Attribute{Type: cty.Number, Optional: true, Computed: true,
			Description: what + " in seconds; default " + strconv.Itoa(def) + "."}
	}
	s := providers.Schema{
		Description: "A DNS zone kept as a BIND zone file, written atomically, its SOA serial bumped on every change.",
		Attributes: map[string]*providers.Attribute{
			"name": {Type: cty.String, Required: true, ForceNew: true,
				Description: `The zone's origin, such as "example.org." (the trailing dot may be left out; compared without regard to case). Changing it replaces the zone.`},
			"directory": {Type: cty.String, Required: true, ForceNew: true,
				Description: "The directory the zone file is written to, created when missing. A relative path is relative to the directory plumb runs in. Changing it replaces the zone."},
			"filename": {Type: cty.String, Optional: true, Computed: true, ForceNew: true,
				Description: `The zone file's name in directory; default "<name without the trailing dot>.zone". Changing it replaces the zone.`},
			"records": records,
			"ttl": {Type: cty.Number, Optional: true, Computed: true,
				Description: "The TTL of the SOA record, and of records a hand edit adds without one; default the TTL of the SOA among the records (a zone file's own), else 3600."},
			"allow_mass_change": {Type: cty.Bool, Optional: true,
				Description: "Allow a plan that changes or deletes more than 30% of the record sets of a zone of 10 or more (refused otherwise, as -allow-mass-change does for the whole run)."},
			"check_names": {Type: cty.String, Optional: true,
				Description: `What to do with names BIND's check-names refuses (an A record at "_x", an MX pointing at "_mail"): "fail" (the default, as named does for a primary zone) refuses them at plan, "warn" plans them with a warning, "ignore" says nothing. Set it as named.conf's check-names is set.`},
			"validate": {Type: cty.Bool, Optional: true,
				Description: "Check every new zone file with BIND's named-checkzone, on the host that holds it, before putting it in place; a file BIND rejects is not written."},
			"serial": {Type: cty.Number, Computed: true,
				Description: "The SOA serial: YYYYMMDDnn (UTC), raised on every change of the zone's content and always above the one before."},
			"path": {Type: cty.String, Computed: true,
				Description: "The zone file's path: directory joined with filename."},
			"id": {Type: cty.String, Computed: true,
				Description: "The zone file's path, as path."},
		},
		Blocks: map[string]*providers.Block{
			"soa": {Nesting: providers.NestingSingle, Schema: providers.Schema{
				Description: "The SOA record's fields; each left out takes its default.",
				Attributes: map[string]*providers.Attribute{
					"mname": {Type: cty.String, Optional: true, Computed: true,
						Description: "The primary name server; default the first (in sorted order) of the apex NS records."},
					"rname": {Type: cty.String, Optional: true, Computed: true,
						Description: `The responsible person's mailbox as a domain name ("hostmaster.example.org.") or an address ("hostmaster@example.org"); default hostmaster.<name>.`},
					"refresh": timer("How often secondaries check the serial,", defaultRefresh),
					"retry":   timer("How soon secondaries retry a failed check,", defaultRetry),
					"expire":  timer("How long secondaries keep serving without the primary,", defaultExpire),
					"minimum": timer("The negative-caching TTL,", defaultMinimum),
				},
			}},
		},
	}
	ty := s.ImpliedType()
	return &zoneResource{host: h, schema: s, ty: ty, null: cty.NullVal(ty), soaTy: ty.AttributeType("soa"), now: now}
}

// Schema describes bind_zone.
func (r *zoneResource) Schema() providers.Schema { return r.schema }

// defaultFilename is the zone file's name for the normalised origin:
// "example.org.zone", or "root.zone" for the root.
func defaultFilename(origin string) string {
	if origin == "." {
		return "root.zone"
	}
	return strings.TrimSuffix(origin, ".") + ".zone"
}
