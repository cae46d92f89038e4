package awstest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
)

func TestThrottleEvery(t *testing.T) {
	e := StartKumo(t)
	c := route53.NewFromConfig(e.AWSConfig(), noRetry)
	e.Route53().SetFaults(Faults{ThrottleEvery: 3})
	var codes []string
	for range 6 {
		_, err := c.ListHostedZones(context.Background(), &route53.ListHostedZonesInput{})
		codes = append(codes, errorCode(err))
	}
	want := []string{"", "", "Throttling", "", "", "Throttling"}
	if diff := cmp.Diff(want, codes); diff != "" {
		t.Errorf("error codes (-want +got):\n%s", diff)
	}
	if got := e.Route53().Rejected()["ListHostedZones"]; got != 2 {
		t.Errorf("Rejected ListHostedZones = %d, want 2", got)
	}
}

func TestThrottleWireFormat(t *testing.T) {
	e := StartKumo(t)
	e.Route53().SetFaults(Faults{ThrottleEvery: 1})
	resp, err := http.Get(e.Route53URL() + "/2013-04-01/hostedzone")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{"<ErrorResponse", "<Type>Sender</Type>", "<Code>Throttling</Code>", "<Message>Rate exceeded</Message>", "<RequestId>"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("throttling body lacks %s:\n%s", want, body)
		}
	}
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", resp.StatusCode)
	}
}

func TestThrottleTokenBucket(t *testing.T) {
	e := StartKumo(t)
	now := time.Unix(1000, 0)
	e.Route53().faults.now = func() time.Time { return now }
	e.Route53().SetFaults(Faults{ThrottlePerSecond: 2, ThrottleBurst: 2, Actions: []string{"CreateHostedZone"}})
	c := route53.NewFromConfig(e.AWSConfig(), noRetry)
	try := func() string {
		_, err := c.CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{
			Name: aws.String("tb.test"), CallerReference: aws.String(fmt.Sprint(time.Now().UnixNano())),
		})
		return errorCode(err)
	}
	var got []string
	got = append(got, try(), try(), try()) // burst of 2, then empty
	now = now.Add(500 * time.Millisecond)  // one token back
	got = append(got, try(), try())
	if _, err := c.ListHostedZones(context.Background(), &route53.ListHostedZonesInput{}); err != nil {
		t.Errorf("ListHostedZones is not in Actions but failed: %v", err)
	}
	want := []string{"", "", "Throttling", "", "Throttling"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error codes (-want +got):\n%s", diff)
	}
}

func TestPriorRequestNotComplete(t *testing.T) {
	e := StartKumo(t)
	c := route53.NewFromConfig(e.AWSConfig(), noRetry)
	id := newZone(t, c, "prnc.test")
	e.Route53().SetFaults(Faults{PriorRequestNotCompleteEvery: 2})
	var codes []string
	for i := range 4 {
		codes = append(codes, errorCode(apply(c, id, changeOf("CREATE", rec(fmt.Sprintf("r%d.prnc.test", i), "A", 60, "192.0.2.1")))))
	}
	if diff := cmp.Diff([]string{"", "PriorRequestNotComplete", "", "PriorRequestNotComplete"}, codes); diff != "" {
		t.Errorf("error codes (-want +got):\n%s", diff)
	}
}

func TestCounts(t *testing.T) {
	e := StartKumo(t)
	c := e.Route53Client()
	id := newZone(t, c, "count.test")
	mustApply(t, c, id, changeOf("CREATE", rec("a.count.test", "A", 60, "192.0.2.1")))
	allRecords(t, c, id)
	_, _ = c.ListHostedZones(context.Background(), &route53.ListHostedZonesInput{})
	want := map[string]int{"CreateHostedZone": 1, "ChangeResourceRecordSets": 1, "ListResourceRecordSets": 1, "ListHostedZones": 1}
	if diff := cmp.Diff(want, e.Route53().Counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	e.Route53().ResetCounts()
	if n := len(e.Route53().Counts()); n != 0 {
		t.Errorf("after ResetCounts: %d actions counted, want 0", n)
	}
}

func TestOtherServicesPassThrough(t *testing.T) {
	e := StartKumo(t)
	ctx := context.Background()
	bucket := strings.ToLower(fmt.Sprintf("awstest-pass-%d", time.Now().UnixNano()))
	for _, endpoint := range []string{e.URL(), e.S3URL()} {
		cfg := e.AWSConfig()
		cfg.BaseEndpoint = aws.String(endpoint)
		s := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
		key := "k-" + strings.TrimPrefix(endpoint, "http://")
		if endpoint == e.URL() {
			if _, err := s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Fatalf("create bucket through %s: %v", endpoint, err)
			}
		}
		if _, err := s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("hello")}); err != nil {
			t.Fatalf("put through %s: %v", endpoint, err)
		}
		out, err := s.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("get through %s: %v", endpoint, err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != "hello" {
			t.Errorf("object through %s = %q, want hello", endpoint, b)
		}
	}
	if n := len(e.Route53().Counts()); n != 0 {
		t.Errorf("S3 requests were counted as Route 53: %v", e.Route53().Counts())
	}
}

func TestEnvConfiguresSDK(t *testing.T) {
	e := StartKumo(t)
	e.SetEnv(t)
	t.Setenv("AWS_PROFILE", "")
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != AccessKeyID || cfg.Region != Region {
		t.Fatalf("credentials %q (err %v), region %q; want %q and %q", creds.AccessKeyID, err, cfg.Region, AccessKeyID, Region)
	}
	c := route53.NewFromConfig(cfg)
	newZone(t, c, "env.test")
	if got := e.Route53().Counts()["CreateHostedZone"]; got != 1 {
		t.Errorf("CreateHostedZone through AWS_ENDPOINT_URL counted %d times, want 1", got)
	}
	if !strings.Contains(e.ProviderHCL(), fmt.Sprintf("endpoint                = %q", e.URL())) {
		t.Errorf("ProviderHCL lacks the endpoint:\n%s", e.ProviderHCL())
	}
}
