package aws

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
)

// TestRateLimitPacesRequests checks, on a fake clock, that every Route 53
// request waits for its token: n requests at r a second take (n-1)/r.
func TestRateLimitPacesRequests(t *testing.T) {
	tests := []struct {
		name      string
		rate      int64
		op        string
		n         int
		wantSlept time.Duration
	}{
		{"lists at 4/s", 4, "list", 9, 2 * time.Second},
		{"creates at their own 2/s under a 10/s limit", 10, "create", 5, 2 * time.Second},
		{"creates at the general limit when it is lower", 1, "create", 3, 2 * time.Second},
		{"no limit", 0, "list", 20, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := awstest.StartKumo(t)
			clock := newFakeClock()
			p := emulatorProvider(t, e, clock, map[string]cty.Value{"max_requests_per_second": cty.NumberIntVal(tt.rate)})
			c := p.Route53()
			for i := range tt.n {
				var err error
				if tt.op == "create" {
					_, err = createZone(c, fmt.Sprintf("z%d.limit.test", i))
				} else {
					_, err = c.ListHostedZones(context.Background(), &route53.ListHostedZonesInput{})
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if slept, _ := clock.total(); slept != tt.wantSlept {
				t.Errorf("%d requests waited %v in all, want %v", tt.n, slept, tt.wantSlept)
			}
		})
	}
}

// TestRateLimitCoversRetries checks that a retried attempt waits for a
// token like any other.
func TestRateLimitCoversRetries(t *testing.T) {
	e := awstest.StartKumo(t)
	clock := newFakeClock()
	p := emulatorProvider(t, e, clock, map[string]cty.Value{"max_requests_per_second": cty.NumberIntVal(5)})
	e.Route53().SetFaults(awstest.Faults{ThrottleEvery: 2})
	for range 4 {
		if _, err := p.Route53().ListHostedZones(context.Background(), &route53.ListHostedZonesInput{}); err != nil {
			t.Fatal(err)
		}
	}
	attempts := e.Route53().Counts()["ListHostedZones"]
	if attempts <= 4 {
		t.Fatalf("no attempt was throttled (%d attempts)", attempts)
	}
	if slept, _ := clock.total(); slept != time.Duration(attempts-1)*200*time.Millisecond {
		t.Errorf("%d attempts waited %v, want %v", attempts, slept, time.Duration(attempts-1)*200*time.Millisecond)
	}
}

// TestEndpointFromEnvironment checks the SDK's AWS_ENDPOINT_URL_ROUTE_53
// is honoured, and that the block's endpoint wins over it.
func TestEndpointFromEnvironment(t *testing.T) {
	e := awstest.StartKumo(t)
	creds := map[string]cty.Value{
		"access_key": cty.StringVal(awstest.AccessKeyID), "secret_key": cty.StringVal(awstest.SecretAccessKey),
		"max_requests_per_second": cty.Zero,
	}
	t.Setenv("AWS_ENDPOINT_URL_ROUTE_53", e.URL())
	p := New().(*Provider)
	p.backoff = noDelay
	if d := p.Configure(context.Background(), configRequest(creds)); d.Diagnostics.HasErrors() {
		t.Fatal(d.Diagnostics.Error())
	}
	if _, err := p.Route53().ListHostedZones(context.Background(), &route53.ListHostedZonesInput{}); err != nil {
		t.Fatalf("Route 53 through AWS_ENDPOINT_URL_ROUTE_53: %v", err)
	}

	t.Setenv("AWS_ENDPOINT_URL_ROUTE_53", "http://127.0.0.1:1") // nothing listens there
	creds["endpoint"] = cty.StringVal(e.URL())
	q := emulatorProvider(t, e, nil, creds)
	if _, err := q.Route53().ListHostedZones(context.Background(), &route53.ListHostedZonesInput{}); err != nil {
		t.Fatalf("endpoint did not win over AWS_ENDPOINT_URL_ROUTE_53: %v", err)
	}
	if got := e.Route53().Counts()["ListHostedZones"]; got != 2 {
		t.Errorf("emulator saw %d ListHostedZones, want 2", got)
	}
}

func TestS3AndEC2Clients(t *testing.T) {
	e := awstest.StartKumo(t)
	p := emulatorProvider(t, e, nil, nil)
	ctx := context.Background()
	bucket := fmt.Sprintf("plumb-aws-test-%d", time.Now().UnixNano())
	s := p.S3()
	if _, err := s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("state"), Body: strings.NewReader("{}")}); err != nil {
		t.Fatal(err)
	}
	out, err := s.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("state")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(body) != "{}" {
		t.Errorf("object = %q, want {}", body)
	}
	if _, err := p.EC2().DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatal(err)
	}
	counts := p.RequestCounts()
	for _, k := range []string{"s3:CreateBucket", "s3:PutObject", "s3:GetObject", "ec2:DescribeVpcs"} {
		if counts[k] != 1 {
			t.Errorf("%s counted %d times, want 1 (all: %v)", k, counts[k], counts)
		}
	}
}
