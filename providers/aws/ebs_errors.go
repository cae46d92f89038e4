package aws

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/providers"
)

// ebsAPIError is the diagnostic for a failed EC2 call, with advice for the
// errors a user can do something about.
func ebsAPIError(summary string, err error) hcl.Diagnostics {
	return providers.Errorf(summary, "%v.%s", err, ebsAdvice(err))
}

// ebsAdvice returns a sentence (with a leading space) saying what to do
// about an EC2 error, or "".
func ebsAdvice(err error) string {
	switch code := ebsErrorCode(err); {
	case code == "RequestLimitExceeded":
		return " EC2 kept throttling the account after every retry; run again later, or raise max_retries in the provider block."
	case code == "UnauthorizedOperation" || code == "AuthFailure":
		return " The credentials may not call this EC2 action; check the IAM policy (ec2:DescribeVolumes, DescribeSnapshots, DescribeImages, CreateSnapshot, CopySnapshot, CreateTags, DeleteSnapshot; for encrypted copies, the KMS key's kms:CreateGrant, Encrypt, Decrypt and GenerateDataKey*)."
	case strings.HasPrefix(code, "InvalidVolume.NotFound"):
		return " The volume no longer exists: it was deleted after the plan was made. Run plan again; if the volume was removed on purpose, the policy stops covering it."
	}
	return ""
}

// ebsCheckTargets reports targets that matched no volume, and volume IDs
// that do not exist: a policy that silently snapshots nothing is worse
// than a failed plan.
func ebsCheckTargets(t ebsTargets, vols []ebsVolume) hcl.Diagnostics {
	if len(t.volumeIDs) > 0 {
		found := map[string]bool{}
		for _, v := range vols {
			found[v.id] = true
		}
		var missing []string
		for _, id := range t.volumeIDs {
			if !found[id] {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			verb := "does not exist"
			if len(missing) > 1 {
				verb = "do not exist"
			}
			other := ""
			if t.instanceID != "" || len(t.volumeTags) > 0 {
				other = " (or do not match the other targets)"
			}
			return providers.AttributeErrorf("volume_ids", "Volumes not found",
				"%s in volume_ids %s%s. Remove them from volume_ids if they were deleted on purpose; the snapshots the policy already has of them are kept.",
				ebsJoin(missing), verb, other)
		}
	}
	if len(vols) > 0 {
		return nil
	}
	attr := "volume_tags"
	if t.instanceID != "" {
		attr = "instance_id"
	}
	return providers.AttributeErrorf(attr, "No volumes match the snapshot policy",
		"No EBS volume is %s, so there is nothing to snapshot. Check the targets; if the instance or volumes are gone, remove the policy or point it at their replacements. The snapshots it already has are kept either way.",
		ebsDescribeTargets(t))
}

// ebsDescribeTargets says in words which volumes the targets select.
func ebsDescribeTargets(t ebsTargets) string {
	var parts []string
	if t.instanceID != "" {
		parts = append(parts, "attached to instance "+t.instanceID)
	}
	if len(t.volumeIDs) > 0 {
		parts = append(parts, "one of "+ebsJoin(t.volumeIDs))
	}
	if len(t.volumeTags) > 0 {
		var tags []string
		for _, k := range ebsSortedKeys(t.volumeTags) {
			tags = append(tags, k+" = "+strconv.Quote(t.volumeTags[k]))
		}
		parts = append(parts, "tagged "+strings.Join(tags, " and "))
	}
	return strings.Join(parts, " and ")
}

// ebsJoin lists names as prose: "a", "a and b", "a, b and c"; past ten,
// the rest are counted.
func ebsJoin(names []string) string {
	const shown = 10
	if len(names) > shown {
		return strings.Join(names[:shown], ", ") + fmt.Sprintf(" and %d more", len(names)-shown)
	}
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
