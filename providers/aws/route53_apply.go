package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// Apply creates, takes back or adopts, updates or deletes the zone. When
// something fails part-way, the state returned holds what was done (the
// zone once created, the record batches that went through) and the error
// says what was not.
func (r *zoneResource) Apply(ctx context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	switch {
	case req.Planned.IsNull():
		return r.delete(ctx, req.Prior)
	case req.Prior.IsNull():
		if id := zoneString(req.Planned, "zone_id"); id != "" {
			return r.adopt(ctx, req, id)
		}
		return r.create(ctx, req)
	}
	return r.update(ctx, req)
}

// create makes the hosted zone and its records: one CreateHostedZone, one
// ChangeResourceRecordSets per batch, one ChangeTagsForResource when tags
// are set.
func (r *zoneResource) create(ctx context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	planned := req.Planned
	origin, desired, diags := r.decodePlanned(planned)
	if diags.HasErrors() {
		return providers.ApplyResponse{State: r.null, Diagnostics: diags}
	}
	c := r.p.Route53()
	var out *route53.CreateHostedZoneOutput
	for attempt := 1; out == nil; attempt++ {
		ref := CallerReference(req.Addr, origin, attempt)
		in := &route53.CreateHostedZoneInput{Name: aws.String(origin), CallerReference: aws.String(ref)}
		if comment := zoneString(planned, "comment"); comment != "" {
			in.HostedZoneConfig = &types.HostedZoneConfig{Comment: aws.String(comment)}
		}
		var err error
		out, err = c.CreateHostedZone(ctx, in)
		if err == nil {
			break
		}
		var exists *types.HostedZoneAlreadyExists
		if !errors.As(err, &exists) {
			return providers.ApplyResponse{State: r.null, Diagnostics: route53Error("Cannot create hosted zone "+origin, err)}
		}
		// The reference was used: by a zone this very request made (an
		// answer lost and the request retried), or by one since deleted.
		z, found, lerr := findByRef(ctx, c, origin, ref)
		if lerr != nil {
			return providers.ApplyResponse{State: r.null, Diagnostics: route53Error("Cannot look for hosted zone "+origin+" after Route 53 said it exists", lerr)}
		}
		if found {
			return r.adopt(ctx, req, z.ID)
		}
		if attempt == maxCallerRefAttempts {
			return providers.ApplyResponse{State: r.null, Diagnostics: providers.Errorf("Cannot create hosted zone "+origin,
				"Route 53 refused caller references %s to %s as used before. Import the zone if it exists (plumb import '%s' ZONEID), or report this as a bug.",
				CallerReference(req.Addr, origin, 1), ref, displayAddr(req.Addr))}
		}
	}
	z := infoOf(*out.HostedZone)
	r.p.zones.put(z)
	vals := planned.AsValueMap()
	vals["zone_id"] = cty.StringVal(z.ID)
	vals["nameservers"] = providers.StringList(nameServers(out.DelegationSet))
	vals["caller_reference"] = cty.StringVal(z.CallerReference)
	diags = r.syncRecords(ctx, c, z.ID, origin, vals, planned.GetAttr("records"), nil, false, desired)
	if !diags.HasErrors() {
		diags = diags.Extend(r.syncTags(ctx, c, z.ID, origin, vals, map[string]string{}))
	}
	return providers.ApplyResponse{State: cty.ObjectVal(vals), Diagnostics: diags}
}

// adopt takes over the live zone with the ID (one plumb made and did not
// record, or another with adopt_existing) and makes it match the plan.
func (r *zoneResource) adopt(ctx context.Context, req providers.ApplyRequest, id string) providers.ApplyResponse {
	planned := req.Planned
	origin, desired, diags := r.decodePlanned(planned)
	if diags.HasErrors() {
		return providers.ApplyResponse{State: r.null, Diagnostics: diags}
	}
	c := r.p.Route53()
	out, err := c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(id)})
	if err != nil {
		return providers.ApplyResponse{State: r.null, Diagnostics: route53Error("Cannot read hosted zone "+id+" to take it over; plan again", err)}
	}
	z := infoOf(*out.HostedZone)
	if z.Name != origin {
		return providers.ApplyResponse{State: r.null, Diagnostics: providers.Errorf("Hosted zone "+id+" is not "+origin,
			"The plan takes over hosted zone %s for %s, but that zone is named %s. Plan again.", id, origin, z.Name)}
	}
	r.p.zones.put(z)
	vals := planned.AsValueMap()
	vals["zone_id"] = cty.StringVal(z.ID)
	vals["nameservers"] = providers.StringList(nameServers(out.DelegationSet))
	vals["caller_reference"] = cty.StringVal(z.CallerReference)
	vals["comment"] = liveComment(cty.NullVal(cty.String), z.Comment)
	diags = r.syncComment(ctx, c, z, vals, planned.GetAttr("comment"))
	if !diags.HasErrors() {
		diags = r.syncRecords(ctx, c, z.ID, origin, vals, planned.GetAttr("records"), nil, true, desired)
	}
	if !diags.HasErrors() && !planned.GetAttr("tags").IsNull() {
		live, err := fetchZoneTags(ctx, c, z.ID)
		if err != nil {
			vals["tags"] = cty.NullVal(cty.Map(cty.String))
			diags = route53Error("Cannot read the tags of "+origin, err)
		} else {
			diags = r.syncTags(ctx, c, z.ID, origin, vals, live)
		}
	}
	return providers.ApplyResponse{State: cty.ObjectVal(vals), Diagnostics: diags}
}

// update changes an existing zone in place: comment, records, tags.
func (r *zoneResource) update(ctx context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	prior, planned := req.Prior, req.Planned
	origin, desired, diags := r.decodePlanned(planned)
	if diags.HasErrors() {
		return providers.ApplyResponse{State: prior, Diagnostics: diags}
	}
	c := r.p.Route53()
	id := zoneString(prior, "zone_id")
	vals := planned.AsValueMap()
	for _, name := range []string{"zone_id", "nameservers", "caller_reference"} {
		vals[name] = prior.GetAttr(name)
	}
	if commentOf(prior.GetAttr("comment")) != commentOf(planned.GetAttr("comment")) {
		z := zoneInfo{ID: id, Name: origin, CallerReference: zoneString(prior, "caller_reference"), Comment: commentOf(prior.GetAttr("comment"))}
		vals["comment"] = prior.GetAttr("comment")
		if diags = r.syncComment(ctx, c, z, vals, planned.GetAttr("comment")); diags.HasErrors() {
			vals["records"], vals["tags"] = prior.GetAttr("records"), prior.GetAttr("tags")
			return providers.ApplyResponse{State: cty.ObjectVal(vals), Diagnostics: diags}
		}
	}
	priorRecs, recs := prior.GetAttr("records"), planned.GetAttr("records")
	sameRecs := sameRecords(recs, priorRecs) && zoneBool(prior, "manage_apex_ns") == zoneBool(planned, "manage_apex_ns")
	if !recs.IsNull() && !sameRecs {
		var existing []dns.Record
		if !priorRecs.IsNull() {
			pr, err := decodeRecords(priorRecs, origin, zoneBool(prior, "manage_apex_ns"))
			if err != nil {
				vals["tags"] = prior.GetAttr("tags")
				vals["records"] = priorRecs
				return providers.ApplyResponse{State: cty.ObjectVal(vals), Diagnostics: recordsError(origin, err)}
			}
			existing = pr.managed
		} else {
			vals["records"] = cty.NullVal(cty.List(dns.RecordType))
		}
		diags = r.syncRecords(ctx, c, id, origin, vals, recs, existing, priorRecs.IsNull(), desired)
		if diags.HasErrors() {
			vals["tags"] = prior.GetAttr("tags")
			return providers.ApplyResponse{State: cty.ObjectVal(vals), Diagnostics: diags}
		}
	}
	if !planned.GetAttr("tags").IsNull() && !planned.GetAttr("tags").RawEquals(prior.GetAttr("tags")) {
		cur := zoneTags(prior.GetAttr("tags"))
		if cur == nil {
			var err error
			if cur, err = fetchZoneTags(ctx, c, id); err != nil {
				vals["tags"] = prior.GetAttr("tags")
				return providers.ApplyResponse{State: cty.ObjectVal(vals), Diagnostics: route53Error("Cannot read the tags of "+origin, err)}
			}
		}
		diags = diags.Extend(r.syncTags(ctx, c, id, origin, vals, cur))
	}
	return providers.ApplyResponse{State: cty.ObjectVal(vals), Diagnostics: diags}
}

// decodePlanned reads the planned zone name and records.
func (r *zoneResource) decodePlanned(planned cty.Value) (string, zoneRecords, hcl.Diagnostics) {
	origin, err := zoneOrigin(zoneString(planned, "name"))
	if err != nil {
		return "", zoneRecords{}, providers.AttributeErrorf("name", "Invalid aws_route53_zone name", "%v.", err)
	}
	desired, err := decodeRecords(planned.GetAttr("records"), origin, zoneBool(planned, "manage_apex_ns"))
	if err != nil {
		return "", zoneRecords{}, recordsError(origin, err)
	}
	return origin, desired, nil
}

// syncRecords makes the zone's managed record sets go from existing to
// desired (the planned list recs) and sets vals["records"]: recs when
// everything went through, else what was done. With fetch, existing is
// read from Route 53 first (a zone taken over, or records managed from now
// on).
func (r *zoneResource) syncRecords(ctx context.Context, c *route53.Client, id, origin string, vals map[string]cty.Value, recs cty.Value, existing []dns.Record, fetch bool, desired zoneRecords) hcl.Diagnostics {
	if recs.IsNull() {
		return nil
	}
	var raw map[string]types.ResourceRecordSet
	if fetch {
		live, err := fetchRecords(ctx, c, id, origin, desired.apexManaged)
		if err != nil {
			return route53Error("Cannot read the records of "+origin, err)
		}
		existing, raw = live.managed, live.raw
		vals["records"] = partialRecords(desired, existing, nil)
	}
	d := zoneDiff(existing, desired.managed, origin)
	if len(d.Delete) > 0 && raw == nil {
		// A DELETE must repeat Route 53's values exactly: take them from
		// the zone as it is, and skip sets already gone.
		live, err := fetchRecords(ctx, c, id, origin, desired.apexManaged)
		if err != nil {
			return route53Error("Cannot read the records of "+origin, err)
		}
		raw = live.raw
	}
	var done, todo []recordChange
	for _, ch := range planChanges(d, raw) {
		if _, ok := raw[ch.rec.Key()]; ch.action == types.ChangeActionDelete && !ok {
			done = append(done, ch) // already gone
			continue
		}
		todo = append(todo, ch)
	}
	applied, err := r.runBatches(ctx, c, id, todo)
	done = append(done, applied...)
	if err != nil {
		vals["records"] = partialRecords(desired, existing, done)
		return providers.AttributeErrorf("records", "Not all record changes of "+origin+" were made",
			"%v. Run apply again to finish; what was done is in state.", err)
	}
	vals["records"] = recs
	return nil
}

// runBatches sends the changes in batches, in order, and returns those
// that went through; it stops at the first batch that fails.
func (r *zoneResource) runBatches(ctx context.Context, c *route53.Client, id string, changes []recordChange) ([]recordChange, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	batches, err := splitBatches(changes, r.limits)
	if err != nil {
		return nil, err
	}
	var done []recordChange
	for i, b := range batches {
		batch := make([]types.Change, len(b))
		for j, ch := range b {
			set := ch.set
			batch[j] = types.Change{Action: ch.action, ResourceRecordSet: &set}
		}
		_, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
			HostedZoneId: aws.String(id), ChangeBatch: &types.ChangeBatch{Changes: batch},
		})
		if err != nil {
			var left []recordChange
			for _, rest := range batches[i:] {
				left = append(left, rest...)
			}
			return done, fmt.Errorf("change batch %d of %d failed: %w; %d changes in %d batches were made, %d were not (%s)",
				i+1, len(batches), err, len(done), i, len(left), describeChanges(left))
		}
		done = append(done, b...)
	}
	return done, nil
}

// describeChanges names up to ten changes for a message.
func describeChanges(cs []recordChange) string {
	var parts []string
	for i, c := range cs {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(cs)-10))
			break
		}
		parts = append(parts, string(c.action)+" "+c.rec.Key())
	}
	return strings.Join(parts, ", ")
}

// commentOf reads a comment; null is the empty comment.
func commentOf(v cty.Value) string {
	if v.IsNull() || !v.IsKnown() {
		return ""
	}
	return v.AsString()
}

// syncComment sets the zone's comment to want (null: none) when it
// differs, and vals["comment"] to what the zone then has.
func (r *zoneResource) syncComment(ctx context.Context, c *route53.Client, z zoneInfo, vals map[string]cty.Value, want cty.Value) hcl.Diagnostics {
	if z.Comment == commentOf(want) {
		vals["comment"] = want
		return nil
	}
	_, err := c.UpdateHostedZoneComment(ctx, &route53.UpdateHostedZoneCommentInput{Id: aws.String(z.ID), Comment: aws.String(commentOf(want))})
	if err != nil {
		return route53Error("Cannot change the comment of "+z.Name, err)
	}
	z.Comment = commentOf(want)
	r.p.zones.put(z)
	vals["comment"] = want
	return nil
}

// syncTags makes the zone's tags go from cur to the planned vals["tags"]
// (null: leave them), ten at a time as Route 53 allows, and sets
// vals["tags"] to what the zone then has.
func (r *zoneResource) syncTags(ctx context.Context, c *route53.Client, id, origin string, vals map[string]cty.Value, cur map[string]string) hcl.Diagnostics {
	planned := vals["tags"]
	if planned.IsNull() {
		return nil
	}
	want := zoneTags(planned)
	var add []types.Tag
	var remove []string
	for k, v := range want {
		if old, ok := cur[k]; !ok || old != v {
			add = append(add, types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
	}
	for k := range cur {
		if _, ok := want[k]; !ok {
			remove = append(remove, k)
		}
	}
	for len(add) > 0 || len(remove) > 0 {
		in := &route53.ChangeTagsForResourceInput{ResourceId: aws.String(id), ResourceType: types.TagResourceTypeHostedzone}
		n := min(len(add), 10)
		in.AddTags, add = add[:n], add[n:]
		m := min(len(remove), 10)
		in.RemoveTagKeys, remove = remove[:m], remove[m:]
		if _, err := c.ChangeTagsForResource(ctx, in); err != nil {
			// What went through is not known for sure: state an empty
			// map, so the next refresh reads the tags.
			vals["tags"] = cty.MapValEmpty(cty.String)
			return route53Error("Cannot change the tags of "+origin, err)
		}
	}
	return nil
}
