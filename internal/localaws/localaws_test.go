package localaws

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestServesEveryService starts the emulator on a free port and reaches
// Route 53 (through the shim: the apex records kumo lacks), S3 and the
// EC2 volumes it seeded, with the SDK, on its one URL.
func TestServesEveryService(t *testing.T) {
	s, err := Start(Options{Addr: "127.0.0.1:0", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	vols := s.SeedInstance("i-0a1b2c3d4e5f60718", 2)
	if err := s.CreateBucket(ctx, "localaws-test-bucket"); err != nil {
		t.Fatal(err)
	}
	cfg := s.awsConfig()

	zone, err := route53.NewFromConfig(cfg).CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.org"), CallerReference: aws.String("localaws-test")})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := route53.NewFromConfig(cfg).ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: zone.HostedZone.Id})
	if err != nil || len(recs.ResourceRecordSets) != 2 {
		t.Errorf("a new zone lists %d record sets (%v), want its apex SOA and NS", len(recs.ResourceRecordSets), err)
	}
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("localaws-test-bucket"), Key: aws.String("k")}); err != nil {
		t.Errorf("S3: %v", err)
	}
	got, err := ec2.NewFromConfig(cfg).DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	if err != nil || len(got.Volumes) != len(vols) {
		t.Errorf("EC2 lists %d volumes (%v), want the %d seeded", len(got.Volumes), err, len(vols))
	}
	for _, kv := range s.Env() {
		if kv[0] == "AWS_ENDPOINT_URL" && kv[1] != s.URL {
			t.Errorf("AWS_ENDPOINT_URL=%s, want %s", kv[1], s.URL)
		}
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}
