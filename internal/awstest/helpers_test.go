package awstest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
)

var refSeq int

// newZone creates a zone through the shim and returns its ID.
func newZone(t testing.TB, c *route53.Client, name string) string {
	t.Helper()
	refSeq++
	out, err := c.CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{
		Name: aws.String(name), CallerReference: aws.String(fmt.Sprintf("%s-%s-%d", t.Name(), name, refSeq)),
	})
	if err != nil {
		t.Fatalf("create zone %s: %v", name, err)
	}
	return aws.ToString(out.HostedZone.Id)
}

// rec is a record set for a change.
func rec(name string, typ types.RRType, ttl int64, values ...string) *types.ResourceRecordSet {
	rs := &types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(ttl)}
	for _, v := range values {
		rs.ResourceRecords = append(rs.ResourceRecords, types.ResourceRecord{Value: aws.String(v)})
	}
	return rs
}

func changeOf(a types.ChangeAction, rs *types.ResourceRecordSet) types.Change {
	return types.Change{Action: a, ResourceRecordSet: rs}
}

// apply sends one change batch.
func apply(c *route53.Client, zoneID string, changes ...types.Change) error {
	_, err := c.ChangeResourceRecordSets(context.Background(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID), ChangeBatch: &types.ChangeBatch{Changes: changes},
	})
	return err
}

// mustApply sends one change batch and fails the test if it is refused.
func mustApply(t testing.TB, c *route53.Client, zoneID string, changes ...types.Change) {
	t.Helper()
	if err := apply(c, zoneID, changes...); err != nil {
		t.Fatalf("change records of %s: %v", zoneID, err)
	}
}

// allRecords lists a zone's record sets through the SDK paginator and
// returns them with the number of pages it took.
func allRecords(t testing.TB, c *route53.Client, zoneID string) ([]types.ResourceRecordSet, int) {
	t.Helper()
	var out []types.ResourceRecordSet
	pages := 0
	p := route53.NewListResourceRecordSetsPaginator(c, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list records of %s: %v", zoneID, err)
		}
		pages++
		out = append(out, page.ResourceRecordSets...)
	}
	return out, pages
}

// errorCode returns the API error code of err, or "" when it has none.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// noRetry returns a client option that sends every request exactly once.
func noRetry(o *route53.Options) { o.Retryer = aws.NopRetryer{} }
