package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// ZoneType is the type name of the Route 53 hosted zone resource.
const ZoneType = "aws_route53_zone"

// massChangeMinimum is the size, in record sets, from which a zone is
// guarded against mass changes; massChangePercent is the share of its
// sets a plan may change or delete unreviewed.
const (
	massChangeMinimum = 10
	massChangePercent = 30
)

// zoneResource is aws_route53_zone: a public hosted zone and, when
// records is set, every record set in it except Route 53's own apex SOA
// and NS.
//
// What it costs, in requests: Read takes the zone from the provider's zone
// list (one ListHostedZones per 100 zones, once per run) and lists the
// records (one ListResourceRecordSets per 300 sets) only when records is
// managed, and the tags (ListTagsForResource) only when tags is set. A
// create is one CreateHostedZone and one ChangeResourceRecordSets per
// batch of records (one for an ordinary zone); Plan sends nothing unless
// it must look at a zone of the same name that exists already.
type zoneResource struct {
	p      *Provider
	schema providers.Schema
	ty     cty.Type
	null   cty.Value
	// limits bound each change batch; tests lower them.
	limits batchLimits
}

var (
	_ providers.Resource        = (*zoneResource)(nil)
	_ providers.ConfigValidator = (*zoneResource)(nil)
)

func newZoneResource(p *Provider) *zoneResource {
	records := dns.RecordsAttribute("The zone's record sets, keyed by name and type, with fully qualified names (zonefile() reads them from a BIND file). When set, plumb keeps the zone to exactly these sets: sets added outside plumb are deleted. The apex SOA is always Route 53's and is ignored here; so is the apex NS unless manage_apex_ns is true. Alias and routing-policy sets are left alone. Null (not set) leaves the zone's records unmanaged.")
	records.Optional = true
	flag := func(desc string) *providers.Attribute {
		return &providers.Attribute{Type: cty.Bool, Optional: true, Description: desc}
	}
	s := providers.Schema{
		Description: "A public Route 53 hosted zone and its record sets, changed in atomic batches within Route 53's limits.",
		Attributes: map[string]*providers.Attribute{
			"name": {Type: cty.String, Required: true, ForceNew: true,
				Description: `The zone's domain, such as "example.org" (a trailing dot and upper case make no difference). Changing it replaces the zone, and the zone gets new name servers.`},
			"comment": {Type: cty.String, Optional: true,
				Description: "The hosted zone's comment."},
			"tags": {Type: cty.Map(cty.String), Optional: true,
				Description: "Tags of the hosted zone. Null leaves them unmanaged (and unread, which saves a request per zone on every refresh)."},
			"records":        records,
			"manage_apex_ns": flag("Manage the apex NS set too: set it to the one in records (the zone file's), instead of leaving Route 53's. Plans call out every change to it."),
			"adopt_existing": flag("When a hosted zone of this name exists that plumb did not create for this resource, take it over at apply (its records are made to match) instead of refusing the plan."),
			"allow_mass_change": flag(fmt.Sprintf("Allow a plan that changes or deletes more than %d%% of the record sets of a zone of %d or more (refused otherwise, as -allow-mass-change does for the whole run).",
				massChangePercent, massChangeMinimum)),
			"force_destroy": flag("On delete, also delete record sets plumb does not manage (added outside plumb, alias and routing-policy sets). Without it a zone holding any is not deleted."),
			"zone_id": {Type: cty.String, Computed: true,
				Description: `The hosted zone's ID, such as "Z0123456789ABCDEFGHIJ".`},
			"nameservers": {Type: cty.List(cty.String), Computed: true,
				Description: "The zone's delegation set: the name servers to give the registrar. They never change for the life of the zone."},
			"caller_reference": {Type: cty.String, Computed: true,
				Description: "The caller reference the zone was created with; plumb's own are plumb-<hash of address and name>, so an interrupted create is recognised and taken back."},
		},
	}
	ty := s.ImpliedType()
	return &zoneResource{p: p, schema: s, ty: ty, null: cty.NullVal(ty), limits: route53Limits}
}

// Schema describes aws_route53_zone.
func (r *zoneResource) Schema() providers.Schema { return r.schema }

// Route 53's limits on a hosted zone's comment and tags.
const (
	route53MaxComment  = 256
	route53MaxTags     = 50
	route53MaxTagKey   = 128
	route53MaxTagValue = 256
)

// ValidateConfig checks the zone name, the comment and the tags against
// Route 53's limits; records are checked by Plan, which reads them only
// when they changed.
func (r *zoneResource) ValidateConfig(_ context.Context, config cty.Value) hcl.Diagnostics {
	if config.IsNull() || !config.IsKnown() {
		return nil
	}
	var diags hcl.Diagnostics
	if v := config.GetAttr("name"); v.IsKnown() && !v.IsNull() {
		if _, err := zoneOrigin(v.AsString()); err != nil {
			diags = diags.Extend(providers.AttributeErrorf("name", "Invalid aws_route53_zone name", "%v.", err))
		}
	}
	if v := config.GetAttr("comment"); v.IsKnown() && !v.IsNull() && len(v.AsString()) > route53MaxComment {
		diags = diags.Extend(providers.AttributeErrorf("comment", "Comment too long",
			"The comment is %d characters; Route 53 allows %d. Shorten it.", len(v.AsString()), route53MaxComment))
	}
	if v := config.GetAttr("tags"); v.IsWhollyKnown() && !v.IsNull() {
		tags := providers.StringMap(v)
		if len(tags) > route53MaxTags {
			diags = diags.Extend(providers.AttributeErrorf("tags", "Too many tags", "tags has %d tags; Route 53 allows %d per hosted zone.", len(tags), route53MaxTags))
		}
		for _, k := range ebsSortedKeys(tags) {
			switch {
			case k == "" || len(k) > route53MaxTagKey:
				diags = diags.Extend(providers.AttributeErrorf("tags", "Invalid tag key", "Tag key %q must be 1 to %d characters.", k, route53MaxTagKey))
			case len(tags[k]) > route53MaxTagValue:
				diags = diags.Extend(providers.AttributeErrorf("tags", "Tag value too long", "The value of tag %q is %d characters; Route 53 allows %d.", k, len(tags[k]), route53MaxTagValue))
			case strings.HasPrefix(strings.ToLower(k), "aws:"):
				diags = diags.Extend(providers.AttributeErrorf("tags", "Reserved tag key", "Tag keys starting with \"aws:\" are reserved by AWS; rename %q.", k))
			}
		}
	}
	return diags
}

// zoneOrigin normalises a zone name ("Example.org" → "example.org.").
func zoneOrigin(name string) (string, error) {
	n, err := dns.NormalizeName(strings.TrimSpace(name))
	if err != nil {
		return "", fmt.Errorf("%w; give the zone's domain, such as \"example.org\"", err)
	}
	if n == "." {
		return "", fmt.Errorf("the root zone cannot be a hosted zone; give a domain such as \"example.org\"")
	}
	return n, nil
}

// Read returns the zone as it is: from the provider's zone list, with its
// records listed when they are managed and its tags when they are.
func (r *zoneResource) Read(ctx context.Context, req providers.ReadRequest) providers.ReadResponse {
	prior := req.Prior
	id := zoneString(prior, "zone_id")
	if prior.IsNull() || id == "" {
		return providers.ReadResponse{State: r.null}
	}
	c := r.p.Route53()
	z, ok, err := r.p.zones.zone(ctx, c, id)
	if err != nil {
		return providers.ReadResponse{State: prior, Diagnostics: route53Error("Cannot read Route 53 hosted zones", err)}
	}
	if !ok {
		return providers.ReadResponse{State: r.null}
	}
	vals := prior.AsValueMap()
	vals["comment"] = liveComment(prior.GetAttr("comment"), z.Comment)
	vals["caller_reference"] = cty.StringVal(z.CallerReference)
	if recs := prior.GetAttr("records"); !recs.IsNull() {
		manage := zoneBool(prior, "manage_apex_ns")
		sets, err := listRecordSets(ctx, c, id)
		if isNoSuchZone(err) {
			r.p.zones.remove(id)
			return providers.ReadResponse{State: r.null}
		}
		if err != nil {
			return providers.ReadResponse{State: prior, Diagnostics: route53Error("Cannot read the records of "+z.Name, err)}
		}
		if !liveMatches(recs, sets, z.Name, manage) {
			pr, err := decodeRecords(recs, z.Name, manage)
			if err != nil {
				return providers.ReadResponse{State: prior, Diagnostics: providers.AttributeErrorf("records", "Unreadable records in state",
					"The records of %s in state cannot be read: %v. Run plan again after fixing the configuration; if it persists, remove the zone from state and import it.", z.Name, err)}
			}
			vals["records"] = pr.reconcile(recs, sortOut(sets, z.Name, pr.apexManaged).managed)
		}
	}
	if tags := prior.GetAttr("tags"); !tags.IsNull() {
		live, err := fetchZoneTags(ctx, c, id)
		if err != nil {
			return providers.ReadResponse{State: prior, Diagnostics: route53Error("Cannot read the tags of "+z.Name, err)}
		}
		if !tags.IsKnown() || !zoneTagsEqual(tags, live) {
			vals["tags"] = zoneTagsValue(live, false)
		}
	}
	return providers.ReadResponse{State: cty.ObjectVal(vals)}
}

// Import adopts the hosted zone with the given ID ("Z0123…" or
// "/hostedzone/Z0123…"): its name, comment, tags, name servers and every
// record set plumb can manage, without the apex SOA and NS.
func (r *zoneResource) Import(ctx context.Context, req providers.ImportRequest) providers.ImportResponse {
	id := bareZoneID(strings.TrimSpace(req.ID))
	if id == "" {
		return providers.ImportResponse{State: r.null, Diagnostics: providers.Errorf("Missing hosted zone ID",
			"Give the hosted zone's ID, such as Z0123456789ABCDEFGHIJ (aws route53 list-hosted-zones shows them).")}
	}
	c := r.p.Route53()
	out, err := c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(id)})
	if isNoSuchZone(err) {
		return providers.ImportResponse{State: r.null, Diagnostics: providers.Errorf("No such hosted zone",
			"Route 53 has no hosted zone with ID %q in this account. Check the ID (aws route53 list-hosted-zones) and the provider's credentials.", id)}
	}
	if err != nil {
		return providers.ImportResponse{State: r.null, Diagnostics: route53Error("Cannot read hosted zone "+id, err)}
	}
	z := infoOf(*out.HostedZone)
	if z.Private {
		return providers.ImportResponse{State: r.null, Diagnostics: providers.Errorf("Private hosted zone",
			"Hosted zone %s (%s) is private; aws_route53_zone manages public zones only.", id, z.Name)}
	}
	live, err := fetchRecords(ctx, c, id, z.Name, false)
	if err != nil {
		return providers.ImportResponse{State: r.null, Diagnostics: route53Error("Cannot read the records of "+z.Name, err)}
	}
	tags, err := fetchZoneTags(ctx, c, id)
	if err != nil {
		return providers.ImportResponse{State: r.null, Diagnostics: route53Error("Cannot read the tags of "+z.Name, err)}
	}
	vals := map[string]cty.Value{}
	for name, a := range r.schema.Attributes {
		vals[name] = cty.NullVal(a.Type)
	}
	vals["name"] = cty.StringVal(strings.TrimSuffix(z.Name, "."))
	vals["comment"] = liveComment(cty.NullVal(cty.String), z.Comment)
	vals["records"] = dns.ListValue(live.managed)
	vals["tags"] = zoneTagsValue(tags, true)
	vals["zone_id"] = cty.StringVal(z.ID)
	vals["nameservers"] = providers.StringList(nameServers(out.DelegationSet))
	vals["caller_reference"] = cty.StringVal(z.CallerReference)
	return providers.ImportResponse{State: cty.ObjectVal(vals)}
}

// nameServers returns a delegation set's name servers.
func nameServers(d *types.DelegationSet) []string {
	if d == nil {
		return nil
	}
	return d.NameServers
}

// fetchZoneTags lists the zone's tags.
func fetchZoneTags(ctx context.Context, c *route53.Client, id string) (map[string]string, error) {
	out, err := c.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{
		ResourceId: aws.String(id), ResourceType: types.TagResourceTypeHostedzone,
	})
	if err != nil {
		return nil, fmt.Errorf("list the tags of hosted zone %s: %w", id, err)
	}
	tags := map[string]string{}
	if out.ResourceTagSet != nil {
		for _, t := range out.ResourceTagSet.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

// liveComment is the comment to put in state: prior when Route 53 holds
// the same (a null prior matches an empty comment), else Route 53's.
func liveComment(prior cty.Value, live string) cty.Value {
	switch {
	case prior.IsKnown() && prior.IsNull() && live == "":
		return prior
	case prior.IsKnown() && !prior.IsNull() && prior.AsString() == live:
		return prior
	}
	return cty.StringVal(live)
}

// zoneTagsValue returns tags as a cty map; an empty map is null when
// emptyIsNull.
func zoneTagsValue(tags map[string]string, emptyIsNull bool) cty.Value {
	if len(tags) == 0 && emptyIsNull {
		return cty.NullVal(cty.Map(cty.String))
	}
	return providers.StringMapVal(tags)
}

// zoneTags reads a known cty map of strings; null gives nil.
func zoneTags(v cty.Value) map[string]string {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	out := make(map[string]string, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if !e.IsNull() && e.IsKnown() {
			out[k.AsString()] = e.AsString()
		}
	}
	return out
}

// zoneTagsEqual reports whether the cty map holds exactly tags.
func zoneTagsEqual(v cty.Value, tags map[string]string) bool {
	m := zoneTags(v)
	if len(m) != len(tags) {
		return false
	}
	for k, x := range m {
		if y, ok := tags[k]; !ok || x != y {
			return false
		}
	}
	return true
}

// zoneString returns a known string attribute of an object, or "".
func zoneString(obj cty.Value, name string) string {
	if obj.IsNull() || !obj.IsKnown() {
		return ""
	}
	v := obj.GetAttr(name)
	if v.IsNull() || !v.IsKnown() {
		return ""
	}
	return v.AsString()
}

// zoneBool returns a known bool attribute of an object; null is false.
func zoneBool(obj cty.Value, name string) bool {
	if obj.IsNull() || !obj.IsKnown() {
		return false
	}
	v := obj.GetAttr(name)
	return v.IsKnown() && !v.IsNull() && v.True()
}

// noCredentials reports whether err says the SDK found no credentials to
// sign with. The SDK has no error type for it on every path: a signing
// error, or an identity error whose text says it came from getting
// credentials.
func noCredentials(err error) bool {
	var se *v4.SigningError
	if errors.As(err, &se) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "get credentials: ") || strings.Contains(msg, "failed to retrieve credentials") ||
		strings.Contains(msg, "failed to refresh cached credentials")
}

// route53Error is an error diagnostic for a failed request, with what to do.
func route53Error(summary string, err error) hcl.Diagnostics {
	var le *listError
	if errors.As(err, &le) {
		if !le.first() {
			return providers.Errorf(summary, "Not planned: listing the account's hosted zones failed, as the first error about it says. Nothing was changed.")
		}
	}
	if noCredentials(err) {
		return providers.Errorf("No usable AWS credentials",
			"%v.\n\nplumb found no credentials it could sign Route 53 requests with, so no zone of this provider was planned. Give the provider block access_key and secret_key (from variables), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE for a profile in ~/.aws, and run again. Nothing was changed.", err)
	}
	return providers.Errorf(summary, "%v. Check the provider's credentials and endpoint, and run again: nothing that already happened is lost.", err)
}
