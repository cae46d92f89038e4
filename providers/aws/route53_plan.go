package aws

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// Plan proposes the zone's new state. An unchanged zone is recognised by
// comparing cty values, with no normalising and no request. A create
// looks in the provider's zone list for zones of the same name: one plumb
// made for this address (an interrupted create) is taken back; another is
// refused unless adopt_existing is set. A change to the records is checked
// against the mass-change guard, and a change to a managed apex NS set is
// called out with a warning.
func (r *zoneResource) Plan(ctx context.Context, req providers.PlanRequest) providers.PlanResponse {
	if req.Config.IsNull() {
		return providers.PlanResponse{Planned: r.null}
	}
	if req.Prior.IsNull() {
		return r.planCreate(ctx, req)
	}
	if r.nameChanged(req.Prior, req.Config) {
		resp := r.planCreate(ctx, providers.PlanRequest{Addr: req.Addr, Prior: r.null, Config: req.Config})
		resp.RequiresReplace = []string{"name"}
		return resp
	}
	return r.planUpdate(ctx, req)
}

// nameChanged reports whether the configured name is another zone than
// the one in state (case and a trailing dot do not count).
func (r *zoneResource) nameChanged(prior, config cty.Value) bool {
	cv, pv := config.GetAttr("name"), prior.GetAttr("name")
	if !cv.IsKnown() || cv.IsNull() {
		return true
	}
	if cv.RawEquals(pv) {
		return false
	}
	a, errA := zoneOrigin(cv.AsString())
	b, errB := zoneOrigin(zoneString(prior, "name"))
	return errA != nil || errB != nil || a != b
}

// proposed returns the planned attributes: configured ones as configured,
// computed ones from prior, or unknown when there is no prior.
func (r *zoneResource) proposed(config, prior cty.Value) map[string]cty.Value {
	vals := make(map[string]cty.Value, len(r.schema.Attributes))
	for name, a := range r.schema.Attributes {
		switch {
		case !a.Computed:
			vals[name] = config.GetAttr(name)
		case prior.IsNull():
			vals[name] = cty.UnknownVal(a.Type)
		default:
			vals[name] = prior.GetAttr(name)
		}
	}
	return vals
}

// planUpdate plans an in-place change of an existing zone.
func (r *zoneResource) planUpdate(ctx context.Context, req providers.PlanRequest) providers.PlanResponse {
	prior, config := req.Prior, req.Config
	vals := r.proposed(config, prior)
	// The same zone written another way ("Example.org." for an imported
	// "example.org") keeps the name state has: nameChanged said it is the
	// same zone.
	vals["name"] = prior.GetAttr("name")
	recs, priorRecs := config.GetAttr("records"), prior.GetAttr("records")
	sameRecs := sameRecords(recs, priorRecs)
	if !sameRecs {
		recs = r.keepSpelling(prior, config)
		vals["records"] = recs
		sameRecs = sameRecords(recs, priorRecs)
	}
	if sameRecs && r.sameExceptRecords(vals, prior) {
		return providers.PlanResponse{Planned: prior}
	}
	resp := providers.PlanResponse{Planned: cty.ObjectVal(vals)}
	manage := zoneBool(config, "manage_apex_ns")
	if recs.IsNull() || !recs.IsWhollyKnown() || sameRecs && manage == zoneBool(prior, "manage_apex_ns") {
		return resp
	}
	origin, err := zoneOrigin(config.GetAttr("name").AsString())
	if err != nil {
		resp.Diagnostics = providers.AttributeErrorf("name", "Invalid aws_route53_zone name", "%v.", err)
		return resp
	}
	desired, err := decodeRecords(recs, origin, manage)
	if err != nil {
		resp.Diagnostics = recordsError(origin, err)
		return resp
	}
	var existing []dns.Record
	var oldNS *dns.Record
	if priorRecs.IsNull() {
		// Records were unmanaged until now: compare with the zone as it is.
		live, err := fetchRecords(ctx, r.p.Route53(), zoneString(prior, "zone_id"), origin, desired.apexManaged)
		if err != nil {
			resp.Diagnostics = route53Error("Cannot read the records of "+origin, err)
			return resp
		}
		existing, oldNS = live.managed, live.apexNS
	} else {
		pr, err := decodeRecords(priorRecs, origin, zoneBool(prior, "manage_apex_ns"))
		if err != nil {
			resp.Diagnostics = recordsError(origin, err)
			return resp
		}
		existing = pr.managed
		if pr.apexManaged {
			oldNS = pr.apexNS
		}
	}
	if oldNS == nil {
		oldNS = delegationNS(origin, prior.GetAttr("nameservers"))
	}
	resp.Diagnostics = r.checkChanges(config, origin, existing, desired, oldNS)
	resp.Diagnostics = resp.Diagnostics.Extend(notesWarning(desired.notes))
	return resp
}

// notesWarning tells the reviewer what normalising the records changed:
// names written in punycode, TXT strings split at 255 bytes, once per
// record set.
func notesWarning(notes []dns.Note) hcl.Diagnostics {
	if len(notes) == 0 {
		return nil
	}
	d := providers.Warnf("aws_route53_zone sends some records differently from how they are given",
		"These record sets go to Route 53 in the form DNS carries them:\n%s", dns.NotesText(notes))
	d[0].Extra = providers.AttributePath("records")
	return d
}

// keepSpelling returns the records to plan for config: prior's list when
// the sets plumb sends to Route 53 are the same, written another way or
// with other apex SOA and NS sets (which Route 53 keeps for itself);
// otherwise the configured list with prior's spelling of every record
// that means the same (dns.KeepSpelling).
func (r *zoneResource) keepSpelling(prior, config cty.Value) cty.Value {
	recs, priorRecs := config.GetAttr("records"), prior.GetAttr("records")
	if recs.IsNull() || priorRecs.IsNull() || !recs.IsWhollyKnown() {
		return recs
	}
	origin, err := zoneOrigin(zoneString(prior, "name"))
	if err != nil {
		return recs
	}
	manage := zoneBool(config, "manage_apex_ns")
	if manage == zoneBool(prior, "manage_apex_ns") {
		want, errW := decodeRecords(recs, origin, manage)
		have, errH := decodeRecords(priorRecs, origin, manage)
		if errW == nil && errH == nil && dns.Diff(have.managed, want.managed).Empty() {
			return priorRecs
		}
	}
	return dns.KeepSpelling(priorRecs, recs)
}

// sameExceptRecords reports whether the planned attributes other than
// records equal prior's.
func (r *zoneResource) sameExceptRecords(vals map[string]cty.Value, prior cty.Value) bool {
	for name, v := range vals {
		if name != "records" && !v.RawEquals(prior.GetAttr(name)) {
			return false
		}
	}
	return true
}

// planCreate plans a new zone, or the take-back or adoption of a live one
// of the same name.
func (r *zoneResource) planCreate(ctx context.Context, req providers.PlanRequest) providers.PlanResponse {
	config := req.Config
	vals := r.proposed(config, r.null)
	resp := providers.PlanResponse{Planned: cty.ObjectVal(vals)}
	nv := config.GetAttr("name")
	if !nv.IsKnown() || nv.IsNull() {
		return resp
	}
	origin, err := zoneOrigin(nv.AsString())
	if err != nil {
		resp.Diagnostics = providers.AttributeErrorf("name", "Invalid aws_route53_zone name", "%v.", err)
		return resp
	}
	recs := config.GetAttr("records")
	var desired zoneRecords
	if recs.IsWhollyKnown() {
		if desired, err = decodeRecords(recs, origin, zoneBool(config, "manage_apex_ns")); err != nil {
			resp.Diagnostics = recordsError(origin, err)
			return resp
		}
		resp.Diagnostics = notesWarning(desired.notes)
	}
	c := r.p.Route53()
	zones, err := r.p.zones.named(ctx, c, origin)
	if err != nil {
		resp.Diagnostics = resp.Diagnostics.Extend(route53Error("Cannot list the account's hosted zones", err))
		return resp
	}
	var mine, others []zoneInfo
	for _, z := range zones {
		if madeFor(z.CallerReference, req.Addr, origin) {
			mine = append(mine, z)
		} else {
			others = append(others, z)
		}
	}
	addr := displayAddr(req.Addr)
	var found *zoneInfo
	switch {
	case len(mine) > 1:
		resp.Diagnostics = providers.AttributeErrorf("name", "Several zones to take back",
			"Hosted zones %s are all named %s and were created by plumb for %s (earlier runs that did not finish). Delete the ones you do not want in Route 53, or import the one to keep: plumb import '%s' %s.",
			zoneIDs(mine), origin, addr, addr, mine[0].ID)
		return resp
	case len(mine) == 1:
		found = &mine[0]
		resp.Diagnostics = resp.Diagnostics.Extend(providers.Warnf("Taking back hosted zone "+found.ID,
			"Hosted zone %s (%s) was created by plumb for %s by a run that did not record it (its caller reference is %s). It is taken back into state instead of creating a second zone of the same name.",
			found.ID, origin, addr, found.CallerReference))
	case len(others) > 0 && !zoneBool(config, "adopt_existing"):
		resp.Diagnostics = resp.Diagnostics.Extend(existingZoneError(addr, origin, others))
		return resp
	case len(others) > 1:
		resp.Diagnostics = providers.AttributeErrorf("name", "Several hosted zones named "+origin,
			"Hosted zones %s are all named %s, so adopt_existing cannot tell which to take. Import the one you mean instead: plumb import '%s' ZONEID (and remove adopt_existing).",
			zoneIDs(others), origin, addr)
		return resp
	case len(others) == 1:
		found = &others[0]
		resp.Diagnostics = resp.Diagnostics.Extend(providers.Warnf("Adopting hosted zone "+found.ID,
			"Hosted zone %s (%s) exists and was not created by plumb for %s; adopt_existing is set, so apply takes it over and makes its record sets match records.",
			found.ID, origin, addr))
	}
	oldNS := (*dns.Record)(nil)
	if found != nil {
		vals["zone_id"] = cty.StringVal(found.ID)
		vals["caller_reference"] = cty.StringVal(found.CallerReference)
		resp.Planned = cty.ObjectVal(vals)
		if len(mine) == 0 && !recs.IsNull() && recs.IsWhollyKnown() {
			live, err := fetchRecords(ctx, c, found.ID, origin, desired.apexManaged)
			if err != nil {
				resp.Diagnostics = resp.Diagnostics.Extend(route53Error("Cannot read the records of "+origin, err))
				return resp
			}
			resp.Diagnostics = resp.Diagnostics.Extend(r.checkChanges(config, origin, live.managed, desired, live.apexNS))
			return resp
		}
	}
	if desired.apexManaged {
		resp.Diagnostics = resp.Diagnostics.Extend(apexNSWarning(origin, oldNS, desired.apexNS))
	}
	return resp
}

// checkChanges applies the mass-change guard to the change from existing
// to desired, and warns about a change to the apex NS set (from oldNS,
// nil when not known).
func (r *zoneResource) checkChanges(config cty.Value, origin string, existing []dns.Record, desired zoneRecords, oldNS *dns.Record) hcl.Diagnostics {
	var diags hcl.Diagnostics
	d := zoneDiff(existing, desired.managed, origin)
	changed, total := len(d.Update)+len(d.Delete), len(existing)
	if total >= massChangeMinimum && changed*100 > total*massChangePercent {
		zone := "zone " + strings.TrimSuffix(origin, ".")
		if zoneBool(config, "allow_mass_change") {
			diags = diags.Extend(providers.MassChangeAllowed(zone, changed, total))
		} else {
			diags = diags.Extend(providers.MassChangeError(zone, changed, total))
		}
	}
	if desired.apexManaged && (oldNS == nil || !oldNS.Equal(*desired.apexNS)) {
		diags = diags.Extend(apexNSWarning(origin, oldNS, desired.apexNS))
	}
	return diags
}

// apexNSWarning calls out a change of the apex NS set.
func apexNSWarning(origin string, oldNS, newNS *dns.Record) hcl.Diagnostics {
	from := "Route 53's name servers for the zone"
	if oldNS != nil {
		from = describeNS(*oldNS)
	}
	return providers.Warnf("Apex NS of "+origin+" changes",
		"manage_apex_ns is set, so the apex NS set of %s changes from %s to %s. Resolvers that reach the zone are sent to these servers: make sure they serve it, and that the registrar's delegation agrees.",
		origin, from, describeNS(*newNS))
}

// describeNS shows an NS set's values and TTL.
func describeNS(r dns.Record) string {
	return fmt.Sprintf("[%s] (TTL %d)", strings.Join(r.Values, ", "), r.TTL)
}

// delegationNS is the apex NS set Route 53 creates: the delegation set's
// name servers with a TTL of two days. Nil when they are not known.
func delegationNS(origin string, nameservers cty.Value) *dns.Record {
	if nameservers.IsNull() || !nameservers.IsWhollyKnown() || nameservers.LengthInt() == 0 {
		return nil
	}
	r := dns.Record{Name: origin, Type: "NS", TTL: 172800}
	for it := nameservers.ElementIterator(); it.Next(); {
		_, v := it.Element()
		r.Values = append(r.Values, v.AsString())
	}
	n, err := dns.Normalize(r)
	if err != nil {
		return nil
	}
	return &n
}

// existingZoneError refuses to create a zone whose name is taken by zones
// plumb did not make for this address, and says how to import one.
func existingZoneError(addr, origin string, zones []zoneInfo) hcl.Diagnostics {
	id := zones[0].ID
	return providers.AttributeErrorf("name", "Hosted zone "+origin+" already exists",
		"Route 53 already has a hosted zone named %s (%s) that plumb did not create for %s, and creating another would give the domain a second set of name servers. To manage the existing zone, import it: add\n\n"+
			"  import {\n    to = %s\n    id = %q\n  }\n\n"+
			"to the configuration, or run\n\n  plumb import '%s' %s\n\n"+
			"Or set adopt_existing = true on the resource to take it over at apply (its record sets are then made to match records).",
		origin, zoneIDs(zones), addr, addr, id, addr, id)
}

// displayAddr is the address to show in messages.
func displayAddr(addr string) string {
	if addr == "" {
		return ZoneType + ".NAME"
	}
	return addr
}

// zoneIDs lists zone IDs for a message.
func zoneIDs(zones []zoneInfo) string {
	ids := make([]string, len(zones))
	for i, z := range zones {
		ids[i] = z.ID
	}
	return strings.Join(ids, ", ")
}

// recordsError is the diagnostic for a records list that cannot be used.
func recordsError(origin string, err error) hcl.Diagnostics {
	return providers.AttributeErrorf("records", "Invalid records for "+origin, "%v.", err)
}
