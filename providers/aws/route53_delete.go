package aws

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// delete removes the record sets plumb manages and then the zone. A zone
// that holds sets plumb does not manage (records unset, sets added since
// the refresh, alias and routing-policy sets) is left alone unless
// force_destroy is set, and then they go too. Route 53's apex SOA and NS
// go with the zone.
func (r *zoneResource) delete(ctx context.Context, prior cty.Value) providers.ApplyResponse {
	id := zoneString(prior, "zone_id")
	if id == "" {
		return providers.ApplyResponse{State: r.null}
	}
	origin, err := zoneOrigin(zoneString(prior, "name"))
	if err != nil {
		return providers.ApplyResponse{State: prior, Diagnostics: providers.AttributeErrorf("name", "Invalid aws_route53_zone name", "%v.", err)}
	}
	managed := map[string]bool{}
	if recs := prior.GetAttr("records"); !recs.IsNull() {
		pr, err := decodeRecords(recs, origin, zoneBool(prior, "manage_apex_ns"))
		if err != nil {
			return providers.ApplyResponse{State: prior, Diagnostics: recordsError(origin, err)}
		}
		for _, rec := range pr.managed {
			managed[rec.Key()] = true
		}
	}
	c := r.p.Route53()
	sets, err := listRecordSets(ctx, c, id)
	if isNoSuchZone(err) {
		r.p.zones.remove(id)
		return providers.ApplyResponse{State: r.null}
	}
	if err != nil {
		return providers.ApplyResponse{State: prior, Diagnostics: route53Error("Cannot read the records of "+origin+" to delete the zone", err)}
	}
	live := sortOut(sets, origin, false)
	var del []recordChange
	var unmanaged []types.ResourceRecordSet
	for _, rec := range live.managed {
		if managed[rec.Key()] {
			del = append(del, recordChange{action: types.ChangeActionDelete, rec: rec, set: live.raw[rec.Key()]})
		} else {
			unmanaged = append(unmanaged, live.raw[rec.Key()])
		}
	}
	unmanaged = append(unmanaged, live.foreign...)
	force := zoneBool(prior, "force_destroy")
	if len(unmanaged) > 0 && !force {
		return providers.ApplyResponse{State: prior, Diagnostics: providers.Errorf("Hosted zone "+origin+" holds records plumb does not manage",
			"Hosted zone %s (%s) holds %d record sets that plumb does not manage: %s. Nothing was deleted. Delete them yourself, or set force_destroy = true on the resource (and apply that first) to delete them with the zone.",
			origin, id, len(unmanaged), describeSets(unmanaged))}
	}
	if force {
		for _, rs := range unmanaged {
			name := fromRoute53Text(aws.ToString(rs.Name))
			if n, err := dns.NormalizeName(name); err == nil {
				name = n
			}
			del = append(del, recordChange{action: types.ChangeActionDelete, rec: dns.Record{Name: name, Type: string(rs.Type)}, set: rs})
		}
	}
	done, err := r.runBatches(ctx, c, id, del)
	if err != nil {
		return providers.ApplyResponse{State: withoutDeleted(prior, done), Diagnostics: providers.Errorf("Hosted zone "+origin+" was not deleted",
			"Deleting its record sets failed: %v. Run apply again to finish; what was done is in state.", err)}
	}
	_, err = c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(id)})
	if err != nil && !isNoSuchZone(err) {
		var notEmpty *types.HostedZoneNotEmpty
		detail := "%v. Its record sets were deleted; run apply again to delete the zone."
		if errors.As(err, &notEmpty) {
			detail = "%v: record sets were added to it while plumb deleted its own. Plan again to see them."
		}
		return providers.ApplyResponse{State: withoutDeleted(prior, done), Diagnostics: providers.Errorf("Hosted zone "+origin+" was not deleted", detail, err)}
	}
	r.p.zones.remove(id)
	return providers.ApplyResponse{State: r.null}
}

// withoutDeleted returns prior with the deleted record sets left out of
// its records list.
func withoutDeleted(prior cty.Value, done []recordChange) cty.Value {
	recs := prior.GetAttr("records")
	if recs.IsNull() || len(done) == 0 {
		return prior
	}
	gone := make(map[string]bool, len(done))
	for _, c := range done {
		gone[c.rec.Key()] = true
	}
	var keep []cty.Value
	for it := recs.ElementIterator(); it.Next(); {
		_, e := it.Element()
		rec, err := dns.FromValue(e)
		if err == nil && gone[rec.Key()] {
			continue
		}
		keep = append(keep, e)
	}
	vals := prior.AsValueMap()
	if len(keep) == 0 {
		vals["records"] = cty.ListValEmpty(dns.RecordType)
	} else {
		vals["records"] = cty.ListVal(keep)
	}
	return cty.ObjectVal(vals)
}

// findByRef looks for the public zone named origin created with the
// caller reference ref, by name (ListHostedZonesByName), not in the
// provider's cached list, which may predate it.
func findByRef(ctx context.Context, c *route53.Client, origin, ref string) (zoneInfo, bool, error) {
	in := &route53.ListHostedZonesByNameInput{DNSName: aws.String(origin)}
	for {
		page, err := c.ListHostedZonesByName(ctx, in)
		if err != nil {
			return zoneInfo{}, false, err
		}
		for _, hz := range page.HostedZones {
			z := infoOf(hz)
			if z.Name != origin {
				return zoneInfo{}, false, nil
			}
			if z.CallerReference == ref && !z.Private {
				return z, true, nil
			}
		}
		if !page.IsTruncated {
			return zoneInfo{}, false, nil
		}
		in.DNSName, in.HostedZoneId = page.NextDNSName, page.NextHostedZoneId
	}
}
