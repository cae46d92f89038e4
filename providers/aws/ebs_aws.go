package aws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// Page sizes: EC2's largest, so 15,000 snapshots list in 15 requests.
const (
	ebsSnapshotPage = 1000
	ebsVolumePage   = 500
	ebsImagePage    = 1000
)

// ebsCallOpts are the per-call options of every EC2 request a snapshot
// policy sends. They hide the io.WriterTo of request bodies from net/http:
// smithy-go's body wrapper answers WriteTo with io.EOF once the SDK has
// closed it, which the SDK does as soon as response headers arrive, and
// net/http's check for surplus body bytes, when it runs after that (an
// endpoint on loopback answers that fast), fails and closes the connection
// while the response is being read: "use of closed network connection",
// then a retry. Read answers a closed body with a plain io.EOF.
func ebsCallOpts(o *ec2.Options) {
	if o.HTTPClient != nil {
		o.HTTPClient = ebsPlainBodies{o.HTTPClient}
	}
}

type ebsPlainBodies struct{ c ec2.HTTPClient }

func (p ebsPlainBodies) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return p.c.Do(r)
}

// ebsFilterValue escapes EC2's filter wildcards (* and ?) and the
// backslash, so a value matches only itself.
func ebsFilterValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`).Replace(s)
}

func ebsFilter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

// ebsListVolumes lists the volumes the targets match, in one paginated
// DescribeVolumes with filters (so a missing volume ID is simply not
// listed rather than failing the call).
func ebsListVolumes(ctx context.Context, c *ec2.Client, t ebsTargets) ([]ebsVolume, error) {
	var fs []types.Filter
	if t.instanceID != "" {
		fs = append(fs, ebsFilter("attachment.instance-id", ebsFilterValue(t.instanceID)))
	}
	if len(t.volumeIDs) > 0 {
		vals := make([]string, len(t.volumeIDs))
		for i, id := range t.volumeIDs {
			vals[i] = ebsFilterValue(id)
		}
		fs = append(fs, ebsFilter("volume-id", vals...))
	}
	for _, k := range ebsSortedKeys(t.volumeTags) {
		fs = append(fs, ebsFilter("tag:"+k, ebsFilterValue(t.volumeTags[k])))
	}
	var out []ebsVolume
	pg := ec2.NewDescribeVolumesPaginator(c, &ec2.DescribeVolumesInput{Filters: fs, MaxResults: aws.Int32(ebsVolumePage)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx, ebsCallOpts)
		if err != nil {
			return nil, fmt.Errorf("list the volumes: %w", err)
		}
		for _, v := range page.Volumes {
			vol := ebsVolume{id: aws.ToString(v.VolumeId), tags: ebsTagMap(v.Tags)}
			for _, a := range v.Attachments {
				if t.instanceID == "" || aws.ToString(a.InstanceId) == t.instanceID {
					vol.instanceID, vol.device = aws.ToString(a.InstanceId), aws.ToString(a.Device)
					break
				}
			}
			out = append(out, vol)
		}
	}
	return out, nil
}

// ebsListSnapshots lists the snapshots of this account tagged as the
// owner's, in one paginated DescribeSnapshots. Owner=self keeps out other
// accounts' public snapshots, whatever their tags; the tag is checked
// again on each snapshot, so only exact owners' snapshots are returned.
func ebsListSnapshots(ctx context.Context, c *ec2.Client, owner string) ([]ebsSnap, error) {
	var out []ebsSnap
	pg := ec2.NewDescribeSnapshotsPaginator(c, &ec2.DescribeSnapshotsInput{
		OwnerIds:   []string{"self"},
		MaxResults: aws.Int32(ebsSnapshotPage),
		Filters:    []types.Filter{ebsFilter("tag:"+OwnerTag, ebsFilterValue(owner))},
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx, ebsCallOpts)
		if err != nil {
			return nil, fmt.Errorf("list the snapshots tagged %s = %q: %w", OwnerTag, owner, err)
		}
		for _, s := range page.Snapshots {
			tags := ebsTagMap(s.Tags)
			if tags[OwnerTag] != owner || tags[CopyOfTag] != "" {
				continue // another's, or a copy made in this region by a policy elsewhere
			}
			out = append(out, ebsSnap{
				id: aws.ToString(s.SnapshotId), volumeID: aws.ToString(s.VolumeId), description: aws.ToString(s.Description),
				state: string(s.State), started: aws.ToTime(s.StartTime).UTC().Truncate(time.Second), tags: tags,
			})
		}
	}
	return out, nil
}

// ebsListCopies lists the owner's copies in region (c is a client of that
// region): this account's snapshots carrying both the ownership tag and
// CopyOfTag. A copy's volume and start time are those of the snapshot it
// copies, read from its tags.
func ebsListCopies(ctx context.Context, c *ec2.Client, owner, region string) ([]ebsSnap, error) {
	var out []ebsSnap
	pg := ec2.NewDescribeSnapshotsPaginator(c, &ec2.DescribeSnapshotsInput{
		OwnerIds:   []string{"self"},
		MaxResults: aws.Int32(ebsSnapshotPage),
		Filters:    []types.Filter{ebsFilter("tag:"+OwnerTag, ebsFilterValue(owner)), ebsFilter("tag-key", ebsFilterValue(CopyOfTag))},
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx, ebsCallOpts)
		if err != nil {
			return nil, fmt.Errorf("list the copies in %s tagged %s = %q: %w", region, OwnerTag, owner, err)
		}
		for _, s := range page.Snapshots {
			tags := ebsTagMap(s.Tags)
			if tags[OwnerTag] != owner || tags[CopyOfTag] == "" {
				continue
			}
			taken, err := time.Parse(ebsTimeFormat, tags[TakenTag])
			if err != nil {
				taken = aws.ToTime(s.StartTime).UTC().Truncate(time.Second)
			}
			out = append(out, ebsSnap{
				id: aws.ToString(s.SnapshotId), region: region, sourceID: tags[CopyOfTag], volumeID: tags[VolumeTag],
				description: aws.ToString(s.Description), state: string(s.State), started: taken, tags: tags,
			})
		}
	}
	return out, nil
}

// ebsListOwnedCopies lists the owner's copies in region with the AMIs of
// that region using them.
func ebsListOwnedCopies(ctx context.Context, c *ec2.Client, owner, region string) ([]ebsSnap, error) {
	copies, err := ebsListCopies(ctx, c, owner, region)
	if err != nil || len(copies) == 0 {
		return nil, err
	}
	used, err := ebsImagesBySnapshot(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("in %s: %w", region, err)
	}
	for i := range copies {
		copies[i].inUseBy = used[copies[i].id]
	}
	return copies, nil
}

// ebsCopySnapshot copies src, a completed snapshot of the home region,
// with c, a client of the rule's region, tagged in the same request.
func ebsCopySnapshot(ctx context.Context, c *ec2.Client, home string, src ebsSnap, rule ebsCopyRule, tags map[string]string) (ebsSnap, error) {
	in := &ec2.CopySnapshotInput{
		SourceRegion:      aws.String(home),
		SourceSnapshotId:  aws.String(src.id),
		Description:       aws.String(src.description),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSnapshot, Tags: ebsTagList(tags)}},
	}
	if rule.encrypted {
		in.Encrypted = aws.Bool(true)
	}
	if rule.kmsKeyID != "" {
		in.KmsKeyId = aws.String(rule.kmsKeyID)
	}
	out, err := c.CopySnapshot(ctx, in, ebsCallOpts)
	if err != nil {
		return ebsSnap{}, err
	}
	return ebsSnap{
		id: aws.ToString(out.SnapshotId), region: rule.region, sourceID: src.id, volumeID: src.volumeID,
		description: src.description, state: ebsPending, started: src.started,
	}, nil
}

// ebsTagMap turns EC2 tags into a map.
func ebsTagMap(tags []types.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// ebsTagList turns a map into EC2 tags, sorted by key.
func ebsTagList(tags map[string]string) []types.Tag {
	out := make([]types.Tag, 0, len(tags))
	for _, k := range ebsSortedKeys(tags) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// ebsImagesBySnapshot maps each snapshot used by one of the account's
// AMIs to that AMI (the first by ID), in one paginated DescribeImages.
func ebsImagesBySnapshot(ctx context.Context, c *ec2.Client) (map[string]string, error) {
	out := map[string]string{}
	pg := ec2.NewDescribeImagesPaginator(c, &ec2.DescribeImagesInput{Owners: []string{"self"}, MaxResults: aws.Int32(ebsImagePage)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx, ebsCallOpts)
		if err != nil {
			return nil, fmt.Errorf("list the AMIs: %w", err)
		}
		for _, im := range page.Images {
			id := aws.ToString(im.ImageId)
			for _, m := range im.BlockDeviceMappings {
				if m.Ebs == nil || m.Ebs.SnapshotId == nil {
					continue
				}
				if cur, ok := out[*m.Ebs.SnapshotId]; !ok || id < cur {
					out[*m.Ebs.SnapshotId] = id
				}
			}
		}
	}
	return out, nil
}

// ebsListOwned lists the owner's snapshots with the AMIs using them.
func ebsListOwned(ctx context.Context, c *ec2.Client, owner string) ([]ebsSnap, error) {
	snaps, err := ebsListSnapshots(ctx, c, owner)
	if err != nil {
		return nil, err
	}
	if len(snaps) == 0 {
		return nil, nil
	}
	used, err := ebsImagesBySnapshot(ctx, c)
	if err != nil {
		return nil, err
	}
	for i := range snaps {
		snaps[i].inUseBy = used[snaps[i].id]
	}
	return snaps, nil
}

// ebsCreateSnapshot starts a snapshot of the volume, tagged in the same
// request so it is never without its ownership tag.
func ebsCreateSnapshot(ctx context.Context, c *ec2.Client, volumeID, description string, tags map[string]string) (ebsSnap, error) {
	out, err := c.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{
		VolumeId:          aws.String(volumeID),
		Description:       aws.String(description),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSnapshot, Tags: ebsTagList(tags)}},
	}, ebsCallOpts)
	if err != nil {
		return ebsSnap{}, err
	}
	return ebsSnap{
		id: aws.ToString(out.SnapshotId), volumeID: volumeID, description: aws.ToString(out.Description),
		state: string(out.State), started: aws.ToTime(out.StartTime).UTC().Truncate(time.Second),
	}, nil
}

// ebsDeleteSnapshot deletes a snapshot.
func ebsDeleteSnapshot(ctx context.Context, c *ec2.Client, id string) error {
	_, err := c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(id)}, ebsCallOpts)
	return err
}

// ebsErrorCode returns the AWS error code of err, or "".
func ebsErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// ebsInUseBy returns the AMI named in an InvalidSnapshot.InUse message
// ("The snapshot snap-… is currently in use by ami-…"), or "an AMI".
func ebsInUseBy(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg := ae.ErrorMessage()
		if i := strings.Index(msg, "ami-"); i >= 0 {
			end := i + len("ami-")
			for end < len(msg) && (msg[end] >= '0' && msg[end] <= '9' || msg[end] >= 'a' && msg[end] <= 'f') {
				end++
			}
			return msg[i:end]
		}
	}
	return "an AMI"
}
