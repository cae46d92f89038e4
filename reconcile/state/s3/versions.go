package s3

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Versioning reports whether the bucket keeps object versions (versioning
// is enabled; suspended counts as off).
func (b *Backend) Versioning(ctx context.Context) (bool, error) {
	out, err := b.client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(b.bucket)})
	if err != nil {
		return false, fmt.Errorf("versioning of bucket %s: %w", b.bucket, b.explain(err))
	}
	return out.Status == types.BucketVersioningStatusEnabled, nil
}

// previousVersion returns the newest version of the state object other
// than current, and when it was written; "" when there is none.
func (b *Backend) previousVersion(ctx context.Context, current string) (id, when string, err error) {
	var versions []types.ObjectVersion
	p := s3.NewListObjectVersionsPaginator(b.client, &s3.ListObjectVersionsInput{
		Bucket: aws.String(b.bucket),
		Prefix: aws.String(b.key),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", "", fmt.Errorf("list versions of %s: %w", b.URL(), err)
		}
		for _, v := range page.Versions {
			if aws.ToString(v.Key) == b.key {
				versions = append(versions, v)
			}
		}
	}
	slices.SortStableFunc(versions, func(x, y types.ObjectVersion) int {
		return cmp.Compare(aws.ToTime(y.LastModified).UnixNano(), aws.ToTime(x.LastModified).UnixNano())
	})
	for _, v := range versions {
		vid := aws.ToString(v.VersionId)
		if vid == current || (current == "" && aws.ToBool(v.IsLatest)) {
			continue
		}
		return vid, aws.ToTime(v.LastModified).UTC().Format(time.RFC3339), nil
	}
	return "", "", nil
}
