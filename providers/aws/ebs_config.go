package aws

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// Limits of a snapshot policy's configuration.
const (
	ebsMinInterval    = time.Hour
	ebsMaxKeepLast    = 1000
	ebsMaxOwner       = 256 // EC2's longest tag value
	ebsMaxTags        = 50  // EC2's limit per snapshot
	ebsMaxUserTags    = 49  // EC2 allows 50 tags; the ownership tag is one
	ebsCopyTags       = 3   // CopyOfTag, VolumeTag and TakenTag on copies
	ebsMaxTagKey      = 128
	ebsMaxTagValue    = 256
	ebsMaxDescription = 255
	ebsMaxCopyRegions = 3 // as Data Lifecycle Manager allows per schedule
)

// ebsRules are a policy's schedule and retention.
type ebsRules struct {
	interval time.Duration
	retain   time.Duration // 0: no age rule
	keepLast int           // 0: no count rule
	// As the configuration spells them, for reasons in the plan.
	intervalText, retainText string
}

// tolerance is how much earlier than the interval a snapshot is due, and
// than the retention one expires: an hour per day of interval, so a policy
// run by cron at about the same time each day takes one snapshot and lets
// one go each day even when the runs start a few minutes apart.
func (r ebsRules) tolerance() time.Duration { return r.interval / 24 }

// hasRetention reports whether any rule ever expires a snapshot.
func (r ebsRules) hasRetention() bool { return r.retain > 0 || r.keepLast > 0 }

// ebsTargets say which volumes a policy covers; set ones combine.
type ebsTargets struct {
	instanceID string
	volumeIDs  []string
	volumeTags map[string]string
}

// ebsConfig is a decoded aws_ebs_snapshot_policy configuration (or the
// configuration part of a state).
type ebsConfig struct {
	owner          string // "" when not set
	targets        ebsTargets
	rules          ebsRules
	description    string // the template; the default when not set
	hostName       string
	tags           map[string]string // values are templates
	copyVolumeTags bool
	copies         []ebsCopyRule
}

// ebsCopyRule is one copy block: where copies go, how long they are
// kept, and how they are encrypted.
type ebsCopyRule struct {
	region    string
	rules     ebsRules // the policy's interval; the copy's retention
	encrypted bool
	kmsKeyID  string
}

// maxUserTags is how many tags of its own the policy may give a snapshot:
// EC2's 50 less the ownership tag, and less the three a copy carries when
// snapshots are copied.
func (c ebsConfig) maxUserTags() int {
	if len(c.copies) > 0 {
		return ebsMaxUserTags - ebsCopyTags
	}
	return ebsMaxUserTags
}

// copyRegions lists the regions of the copy blocks.
func (c ebsConfig) copyRegions() []string {
	out := make([]string, len(c.copies))
	for i, r := range c.copies {
		out[i] = r.region
	}
	return out
}

// decodeEBSConfig reads and checks a configuration. Unknown attributes are
// left at their zero value and not checked; the caller checks
// ebsConfigKnown before relying on the result.
func decodeEBSConfig(v cty.Value) (ebsConfig, hcl.Diagnostics) {
	c := ebsConfig{description: DefaultSnapshotDescription}
	var diags hcl.Diagnostics
	fail := func(attr, summary, format string, args ...any) {
		diags = diags.Extend(providers.AttributeErrorf(attr, summary, format, args...))
	}
	known := func(name string) (cty.Value, bool) {
		a := v.GetAttr(name)
		return a, a.IsWhollyKnown() && !a.IsNull()
	}
	anyTarget := false
	for _, name := range []string{"instance_id", "volume_ids", "volume_tags"} {
		anyTarget = anyTarget || !v.GetAttr(name).IsKnown() || !v.GetAttr(name).IsNull()
	}
	if !anyTarget {
		fail("instance_id", "Snapshot policy has no targets",
			"Set instance_id, volume_ids or volume_tags (or several: a volume must then match all of them) to say which EBS volumes to snapshot.")
	}
	if a, ok := known("owner"); ok {
		c.owner = a.AsString()
		if c.owner == "" || len(c.owner) > ebsMaxOwner {
			fail("owner", "Invalid snapshot policy owner", "owner must be 1 to %d characters: it is the value of the %s tag on every snapshot of the policy.", ebsMaxOwner, OwnerTag)
		}
	}
	if a, ok := known("instance_id"); ok {
		c.targets.instanceID = a.AsString()
		if !strings.HasPrefix(c.targets.instanceID, "i-") {
			fail("instance_id", "Invalid instance_id", "instance_id = %q is not an EC2 instance ID; they look like \"i-0123456789abcdef0\".", c.targets.instanceID)
		}
	}
	if a, ok := known("volume_ids"); ok {
		seen := map[string]bool{}
		for _, e := range a.AsValueSlice() {
			id := e.AsString()
			switch {
			case !strings.HasPrefix(id, "vol-"):
				fail("volume_ids", "Invalid volume ID", "%q in volume_ids is not an EBS volume ID; they look like \"vol-0123456789abcdef0\".", id)
			case seen[id]:
				fail("volume_ids", "Repeated volume ID", "%s is listed twice in volume_ids; list each volume once.", id)
			}
			seen[id] = true
			c.targets.volumeIDs = append(c.targets.volumeIDs, id)
		}
		if len(c.targets.volumeIDs) == 0 {
			fail("volume_ids", "Empty volume_ids", "volume_ids is empty, which would match no volume. List the volumes to snapshot, or remove volume_ids.")
		}
	}
	if a, ok := known("volume_tags"); ok {
		c.targets.volumeTags = providers.StringMap(a)
		if len(c.targets.volumeTags) == 0 {
			fail("volume_tags", "Empty volume_tags", "volume_tags is empty, which would match every volume of the account. Give the tags that mark the volumes to snapshot, such as { Backup = \"daily\" }.")
		}
	}
	c.rules, diags = decodeEBSRules(v, diags)
	if a, ok := known("description"); ok {
		c.description = a.AsString()
		if bad := ebsBadPlaceholders(c.description); len(bad) > 0 {
			fail("description", "Unknown placeholder in description",
				"description uses %s; the placeholders are {host}, {instance}, {volume}, {device}, {date} and {time}.", strings.Join(bad, ", "))
		}
	}
	if a, ok := known("host_name"); ok {
		c.hostName = a.AsString()
	}
	if a, ok := known("copy_volume_tags"); ok {
		c.copyVolumeTags = a.True()
	}
	c.copies, diags = decodeEBSCopies(v.GetAttr("copy"), c.rules, diags)
	if a, ok := known("tags"); ok {
		c.tags = providers.StringMap(a)
		diags = diags.Extend(ebsCheckTags(c.tags, c.maxUserTags()))
	}
	return c, diags
}

// decodeEBSCopies reads the copy blocks; rules are the policy's, whose
// interval the copies share and whose retention they inherit.
func decodeEBSCopies(list cty.Value, rules ebsRules, diags hcl.Diagnostics) ([]ebsCopyRule, hcl.Diagnostics) {
	if list.IsNull() || !list.IsKnown() {
		return nil, diags
	}
	var out []ebsCopyRule
	seen := map[string]bool{}
	for it := list.ElementIterator(); it.Next(); {
		k, b := it.Element()
		i, _ := k.AsBigFloat().Int64()
		at := func(name string) string { return fmt.Sprintf("copy[%d].%s", i, name) }
		fail := func(attr, summary, format string, args ...any) {
			diags = diags.Extend(providers.AttributeErrorf(at(attr), summary, format, args...))
		}
		r := ebsCopyRule{rules: rules}
		if a := b.GetAttr("region"); a.IsKnown() && !a.IsNull() {
			r.region = a.AsString()
			switch {
			case !ebsRegionName(r.region):
				fail("region", "Invalid copy region", "region = %q is not an AWS region name; they look like \"eu-central-1\".", r.region)
			case seen[r.region]:
				fail("region", "Repeated copy region", "Two copy blocks name %s; give each region one copy block.", r.region)
			}
			seen[r.region] = true
		}
		if a := b.GetAttr("retain"); a.IsKnown() && !a.IsNull() {
			text := a.AsString()
			d, dd := providers.DurationAttr(b, "retain", at("retain"))
			diags = diags.Extend(dd)
			switch {
			case dd.HasErrors():
			case rules.interval > 0 && d < 2*rules.interval:
				fail("retain", "Copies kept too briefly",
					"retain = %q in the copy block for %s is shorter than twice interval = %q: a snapshot is copied once it has completed, a run after it was taken, so its copy would expire about as soon as it is made. Keep copies at least %s.",
					text, r.region, rules.intervalText, ebsFormatAge(2*rules.interval))
			}
			r.rules.retain, r.rules.retainText, r.rules.keepLast = d, text, 0
		}
		if a := b.GetAttr("encrypted"); a.IsKnown() && !a.IsNull() {
			r.encrypted = a.True()
		}
		if a := b.GetAttr("kms_key_id"); a.IsKnown() && !a.IsNull() {
			r.kmsKeyID = a.AsString()
			switch {
			case r.kmsKeyID == "":
				fail("kms_key_id", "Empty kms_key_id", "kms_key_id is empty. Give a KMS key ID, alias (\"alias/backups\") or ARN, or remove kms_key_id to use the region's default EBS key.")
			case !r.encrypted:
				fail("kms_key_id", "kms_key_id without encrypted", "kms_key_id names the key that encrypts the copies in %s, but encrypted is not true; EC2 refuses a key for an unencrypted copy. Set encrypted = true.", r.region)
			}
		}
		out = append(out, r)
	}
	return out, diags
}

// ebsRegionName reports whether s is shaped like an AWS region name:
// lower-case words joined by hyphens, ending in a number ("eu-central-1",
// "us-gov-west-1").
func ebsRegionName(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	for i, p := range parts {
		if p == "" {
			return false
		}
		for _, c := range p {
			digit, lower := c >= '0' && c <= '9', c >= 'a' && c <= 'z'
			if i == len(parts)-1 && !digit || i < len(parts)-1 && !lower {
				return false
			}
		}
	}
	return true
}

// decodeEBSRules reads interval, retain and keep_last.
func decodeEBSRules(v cty.Value, diags hcl.Diagnostics) (ebsRules, hcl.Diagnostics) {
	var r ebsRules
	fail := func(attr, summary, format string, args ...any) {
		diags = diags.Extend(providers.AttributeErrorf(attr, summary, format, args...))
	}
	iv, rv, kv := v.GetAttr("interval"), v.GetAttr("retain"), v.GetAttr("keep_last")
	if iv.IsKnown() && !iv.IsNull() {
		r.intervalText = iv.AsString()
		d, dd := providers.DurationAttr(v, "interval", "interval")
		diags = diags.Extend(dd)
		switch {
		case dd.HasErrors():
		case d < ebsMinInterval:
			fail("interval", "Interval too short", "interval = %q is shorter than %s; EBS snapshots are for hours and days, not minutes.", r.intervalText, ebsFormatAge(ebsMinInterval))
		}
		r.interval = d
	}
	if rv.IsKnown() && !rv.IsNull() {
		r.retainText = rv.AsString()
		d, dd := providers.DurationAttr(v, "retain", "retain")
		diags = diags.Extend(dd)
		switch {
		case dd.HasErrors():
		case d <= 0:
			fail("retain", "Invalid retain", "retain = %q: it must be more than zero, such as \"7d\".", r.retainText)
		case r.interval > 0 && d < r.interval:
			fail("retain", "Retention shorter than the interval",
				"retain = %q is shorter than interval = %q: every snapshot would expire before the next one is taken. Make retain at least the interval, such as retain = \"7d\" with interval = \"24h\".", r.retainText, r.intervalText)
		}
		r.retain = d
	}
	if kv.IsKnown() && !kv.IsNull() {
		bf := kv.AsBigFloat()
		n, acc := bf.Int64()
		if !bf.IsInt() || acc != big.Exact || n < 1 || n > ebsMaxKeepLast {
			fail("keep_last", "Invalid keep_last", "keep_last = %s is not a whole number from 1 to %d. Give how many snapshots of each volume to keep, such as 7.", bf.Text('g', 10), ebsMaxKeepLast)
		} else {
			r.keepLast = int(n)
		}
	}
	if rv.IsKnown() && rv.IsNull() && kv.IsKnown() && kv.IsNull() {
		fail("retain", "Snapshot policy has no retention",
			"Set retain (an age, such as \"7d\"), keep_last (a count, such as 7) or both, so the policy knows when its snapshots may go. Without them it would keep every snapshot forever.")
	}
	return r, diags
}

// ebsCheckTags checks the tags for new snapshots against EC2's rules and
// plumb's own; max is how many the policy leaves room for.
func ebsCheckTags(tags map[string]string, max int) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if len(tags) > max {
		diags = diags.Extend(providers.AttributeErrorf("tags", "Too many tags",
			"tags has %d tags; EC2 allows 50 per snapshot and the policy adds %s (and %s, %s and %s on copies), so give at most %d.",
			len(tags), OwnerTag, CopyOfTag, VolumeTag, TakenTag, max))
	}
	for _, k := range ebsSortedKeys(tags) {
		lk := strings.ToLower(k)
		switch {
		case k == "" || len(k) > ebsMaxTagKey:
			diags = diags.Extend(providers.AttributeErrorf("tags", "Invalid tag key", "Tag key %q must be 1 to %d characters.", k, ebsMaxTagKey))
		case len(tags[k]) > ebsMaxTagValue:
			diags = diags.Extend(providers.AttributeErrorf("tags", "Tag value too long", "The value of tag %q is %d characters; EC2 allows %d.", k, len(tags[k]), ebsMaxTagValue))
		case strings.HasPrefix(lk, "aws:"):
			diags = diags.Extend(providers.AttributeErrorf("tags", "Reserved tag key", "Tag keys starting with \"aws:\" are reserved by AWS; rename %q.", k))
		case strings.HasPrefix(lk, "plumb:"):
			diags = diags.Extend(providers.AttributeErrorf("tags", "Reserved tag key",
				"Tag keys starting with \"plumb:\" are plumb's own (%s marks the policy's snapshots); rename %q.", OwnerTag, k))
		default:
			if bad := ebsBadPlaceholders(tags[k]); len(bad) > 0 {
				diags = diags.Extend(providers.AttributeErrorf("tags", "Unknown placeholder in a tag",
					"The value of tag %q uses %s; the placeholders are {host}, {instance}, {volume}, {device}, {date} and {time}.", k, strings.Join(bad, ", ")))
			}
		}
	}
	return diags
}

// ebsFormatAge writes an age coarsely, as a plan shows it: "6d 23h",
// "23h 59m", "5m". Negative ages are zero.
func ebsFormatAge(d time.Duration) string {
	d = max(d, 0)
	days, hours, mins := int(d/(24*time.Hour)), int(d/time.Hour)%24, int(d/time.Minute)%60
	switch {
	case days > 0:
		return strconv.Itoa(days) + "d " + strconv.Itoa(hours) + "h"
	case hours > 0:
		return strconv.Itoa(hours) + "h " + strconv.Itoa(mins) + "m"
	}
	return strconv.Itoa(mins) + "m"
}

// ebsPlaceholders are the names a description template may use.
var ebsPlaceholders = map[string]bool{"host": true, "instance": true, "volume": true, "device": true, "date": true, "time": true}

// ebsBadPlaceholders lists the {name} placeholders of tmpl that are not
// known.
func ebsBadPlaceholders(tmpl string) []string {
	var bad []string
	for rest := tmpl; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return bad
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return bad
		}
		if name := rest[i+1 : i+j]; !ebsPlaceholders[name] && ebsWord(name) {
			bad = append(bad, "{"+name+"}")
		}
		rest = rest[i+j+1:]
	}
}

// ebsWord reports whether s looks like a placeholder name (so "{}" or
// "{a b}" are left as literal text).
func ebsWord(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ebsDescription fills in a description template for a new snapshot of v
// taken at t, with runs of spaces left by empty values collapsed.
func ebsDescription(tmpl, hostName string, v ebsVolume, t time.Time) string {
	return strings.Join(strings.Fields(ebsFill(tmpl, hostName, v, t)), " ")
}

// ebsFill fills in the placeholders of a description or tag template for
// a new snapshot of v taken at t.
func ebsFill(tmpl, hostName string, v ebsVolume, t time.Time) string {
	host := hostName
	if host == "" {
		host = v.instanceID
	}
	if host == "" {
		host = v.id
	}
	t = t.UTC()
	r := strings.NewReplacer("{host}", host, "{instance}", v.instanceID, "{volume}", v.id, "{device}", v.device,
		"{date}", t.Format("2006-01-02"), "{time}", t.Format("15:04"))
	return r.Replace(tmpl)
}

// ebsSnapshotTags are the tags of a new snapshot of v taken at t: the
// volume's own when copy_volume_tags is set (but not AWS's or plumb's),
// then the policy's tags with their placeholders filled in, then the
// ownership tag.
func ebsSnapshotTags(c ebsConfig, owner string, v ebsVolume, t time.Time) map[string]string {
	out := map[string]string{}
	if c.copyVolumeTags {
		for k, val := range v.tags {
			if lk := strings.ToLower(k); !strings.HasPrefix(lk, "aws:") && !strings.HasPrefix(lk, "plumb:") {
				out[k] = val
			}
		}
	}
	for k, tmpl := range c.tags {
		out[k] = strings.TrimSpace(ebsFill(tmpl, c.hostName, v, t))
	}
	out[OwnerTag] = owner
	return out
}

func ebsSortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
