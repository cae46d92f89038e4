// Package awstest runs AWS for tests: kumo, a Go AWS emulator, in-process,
// with a Route 53 shim in front of it that adds what kumo lacks and real
// Route 53 does (pagination, caller references, apex SOA and NS records,
// atomic validated change batches, throttling on demand, request counts).
// Tests of any package start one with StartKumo and point code at its URL;
// the code under test cannot tell the shim from Route 53.
//
// kumo keeps one store per service for the whole process, shared by every
// server it starts. The shim gives each Emulator its own Route 53 account
// (it shows only the zones created through it), but S3 buckets and EC2
// resources are shared by every Emulator of a test binary: give them names
// unique to the test.
package awstest

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sivchari/kumo"
)

// The region and static credentials an Emulator accepts (kumo does not
// check signatures; any value would do).
const (
	Region          = "us-east-1"
	AccessKeyID     = "AKIAPLUMBEMULATOR000"
	SecretAccessKey = "plumb-emulator-secret-key"
)

// Emulator is kumo running in this process with the Route 53 shim in front
// of it, both listening on 127.0.0.1.
type Emulator struct {
	kumoURL string
	shim    *Route53Shim
	front   *httptest.Server
	noFiles string // a directory with no AWS config files in it
}

// shared is the process's one kumo server. kumo wires its process-wide
// services into each new server, which races with the goroutines earlier
// servers left behind (S3 notifications), so the first server started is
// kept for the life of the test process; it is in-process and ends with it.
var shared struct {
	once sync.Once
	srv  *kumo.Server
}

func acquireKumo() string {
	shared.once.Do(func() { shared.srv = kumo.NewServer() })
	return shared.srv.URL
}

// StartKumo starts an Emulator for the test; t.Cleanup stops it.
func StartKumo(t testing.TB) *Emulator {
	t.Helper()
	kumoURL := acquireKumo()
	shim, err := NewRoute53Shim(kumoURL)
	if err != nil {
		t.Fatalf("start Route 53 shim: %v", err)
	}
	front := httptest.NewServer(shim)
	t.Cleanup(func() {
		front.Close()
		shim.Close()
	})
	return &Emulator{kumoURL: kumoURL, shim: shim, front: front, noFiles: t.TempDir()}
}

// URL is the endpoint for every service: Route 53 requests are served by
// the shim, all others pass through to kumo unchanged.
func (e *Emulator) URL() string { return e.front.URL }

// Route53URL is the Route 53 endpoint (the shim); the same as URL.
func (e *Emulator) Route53URL() string { return e.front.URL }

// S3URL is plain kumo, for S3 (and any other service) without the shim in
// between. S3 clients must use path-style addressing.
func (e *Emulator) S3URL() string { return e.kumoURL }

// Route53 returns the shim, to inject faults and read request counts.
func (e *Emulator) Route53() *Route53Shim { return e.shim }

// Env returns the environment that points the AWS SDK's standard chain at
// the Emulator: AWS_ENDPOINT_URL, static credentials, the region, no
// instance metadata, and shared config and credentials files that do not
// exist, so the developer's own profiles are never read.
func (e *Emulator) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL":            e.URL(),
		"AWS_ACCESS_KEY_ID":           AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       SecretAccessKey,
		"AWS_REGION":                  Region,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             filepath.Join(e.noFiles, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(e.noFiles, "credentials"),
	}
}

// SetEnv sets Env for the rest of the test with t.Setenv (so the test may
// not be parallel).
func (e *Emulator) SetEnv(t testing.TB) {
	t.Helper()
	for k, v := range e.Env() {
		t.Setenv(k, v)
	}
}

// ProviderHCL returns a provider "aws" block that points plumb's aws
// provider at the Emulator with static credentials and no client-side
// rate limit.
func (e *Emulator) ProviderHCL() string {
	return fmt.Sprintf(`provider "aws" {
  region                  = %q
  endpoint                = %q
  access_key              = %q
  secret_key              = %q
  max_requests_per_second = 0
}
`, Region, e.URL(), AccessKeyID, SecretAccessKey)
}

// AWSConfig returns an SDK configuration for the Emulator: its URL as the
// base endpoint, the region and static credentials.
func (e *Emulator) AWSConfig() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint: aws.String(e.URL()),
	}
}

// Route53Client returns a plain SDK client for the Emulator, for tests to
// set up or inspect zones without going through the code under test.
func (e *Emulator) Route53Client() *route53.Client {
	return route53.NewFromConfig(e.AWSConfig())
}

// S3Client returns a plain path-style SDK client for the Emulator's S3.
func (e *Emulator) S3Client() *s3.Client {
	return s3.NewFromConfig(e.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
}
