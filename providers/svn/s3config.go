package svn

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"net/url"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"plumb/providers"
)

// S3Settings say how to reach S3: the svn provider block, or the flags of
// plumb svn restore and verify. Empty fields take the AWS SDK's standard
// chain (AWS_REGION, AWS_ENDPOINT_URL, AWS_PROFILE, the shared files,
// instance roles).
type S3Settings struct {
	Region, Profile, Endpoint string
	AccessKey, SecretKey      string
	// MaxRetries is how many times a failed request is retried; below 0
	// means the default, 5.
	MaxRetries int
	// PathStyle addresses buckets in the path; on whenever an endpoint is
	// set.
	PathStyle bool
}

// defaultS3Retries is how many times an S3 request is retried by default.
const defaultS3Retries = 5

// s3Attributes are the provider block's attributes.
func s3Attributes() map[string]*providers.Attribute {
	str := func(desc string) *providers.Attribute {
		return &providers.Attribute{Type: cty.String, Optional: true, Description: desc}
	}
	secret := str("Secret access key; with access_key, used instead of the SDK's credential chain.")
	secret.Sensitive = true
	return map[string]*providers.Attribute{
		"region":     str("AWS region of the backup buckets; by default the SDK's (AWS_REGION, the profile), else us-east-1."),
		"profile":    str("Named profile of the shared AWS config and credentials files."),
		"endpoint":   str("S3 endpoint URL, for S3-compatible stores and emulators; overrides AWS_ENDPOINT_URL."),
		"access_key": str("Access key ID; with secret_key, used instead of the SDK's credential chain."),
		"secret_key": secret,
		"max_retries": {Type: cty.Number, Optional: true,
			Description: fmt.Sprintf("How many times a failed S3 request is retried with backoff (default %d).", defaultS3Retries)},
		"s3_use_path_style": {Type: cty.Bool, Optional: true, Description: "Address buckets in the path, not the host name; on by default when an endpoint is set."},
	}
}

// decodeS3Settings reads the provider block; null gives the defaults.
func decodeS3Settings(v cty.Value) (S3Settings, hcl.Diagnostics) {
	s := S3Settings{MaxRetries: -1}
	if v.IsNull() {
		return s, nil
	}
	if !v.IsWhollyKnown() {
		return s, providers.Errorf("Unknown svn provider settings",
			"The provider is configured before anything is created, so its settings must not depend on a resource. Use literals, variables or locals.")
	}
	str := func(name string) string {
		if a := v.GetAttr(name); !a.IsNull() {
			return a.AsString()
		}
		return ""
	}
	s.Region, s.Profile, s.Endpoint = str("region"), str("profile"), str("endpoint")
	s.AccessKey, s.SecretKey = str("access_key"), str("secret_key")
	var diags hcl.Diagnostics
	if err := checkEndpoint(s.Endpoint); err != nil {
		diags = diags.Extend(providers.AttributeErrorf("endpoint", "Invalid svn provider endpoint", "%v", err))
	}
	if (s.AccessKey == "") != (s.SecretKey == "") {
		diags = diags.Extend(providers.AttributeErrorf("access_key", "Incomplete svn provider credentials",
			"Set both access_key and secret_key, or neither to use the SDK's credential chain (environment, profile, instance role)."))
	}
	if a := v.GetAttr("max_retries"); !a.IsNull() {
		n, acc := a.AsBigFloat().Int64()
		if !a.AsBigFloat().IsInt() || acc != big.Exact || n < 0 || n > 100 {
			diags = diags.Extend(providers.AttributeErrorf("max_retries", "Invalid max_retries",
				"max_retries = %s is not a whole number from 0 to 100.", a.AsBigFloat().String()))
		}
		s.MaxRetries = int(n)
	}
	if a := v.GetAttr("s3_use_path_style"); !a.IsNull() {
		s.PathStyle = a.True()
	}
	return s, diags
}

func checkEndpoint(e string) error {
	if e == "" {
		return nil
	}
	if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("endpoint %q is not an http or https URL; write the full URL, such as \"https://s3.example.net\"", e)
	}
	return nil
}

// s3Access is an S3 client with a count of the requests it sent.
type s3Access struct {
	client *s3.Client
	counts *requestCounts
}

// newS3Access loads the SDK configuration for s and builds the client.
// It contacts nothing.
func newS3Access(ctx context.Context, s S3Settings) (*s3Access, error) {
	if err := checkEndpoint(s.Endpoint); err != nil {
		return nil, err
	}
	var opts []func(*config.LoadOptions) error
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	if s.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var missing config.SharedConfigProfileNotExistError
		if errors.As(err, &missing) {
			return nil, fmt.Errorf("profile %q is not in the shared AWS config files: %w", s.Profile, err)
		}
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	attempts := defaultS3Retries + 1
	if s.MaxRetries >= 0 {
		attempts = s.MaxRetries + 1
	}
	counts := &requestCounts{n: map[string]int{}}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.Retryer = retry.NewStandard(func(ro *retry.StandardOptions) {
			ro.MaxAttempts = attempts
			ro.RateLimiter = ratelimit.None
		})
		if s.Endpoint != "" {
			o.BaseEndpoint = aws.String(s.Endpoint)
		}
		o.UsePathStyle = o.UsePathStyle || s.PathStyle || s.Endpoint != "" || cfg.BaseEndpoint != nil
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			m := &countRequests{counts: counts}
			if _, ok := st.Finalize.Get("Retry"); ok {
				return st.Finalize.Insert(m, "Retry", middleware.After)
			}
			return st.Finalize.Add(m, middleware.Before)
		})
	})
	return &s3Access{client: client, counts: counts}, nil
}

// NewS3Client returns an S3 client for s, configured as the svn provider
// configures its own: the SDK's standard chain, path-style addressing
// with an endpoint, retries.
func NewS3Client(ctx context.Context, s S3Settings) (*s3.Client, error) {
	a, err := newS3Access(ctx, s)
	if err != nil {
		return nil, err
	}
	return a.client, nil
}

// requestCounts counts requests by "s3:Operation".
type requestCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *requestCounts) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

// countRequests is SDK middleware counting every attempt.
type countRequests struct{ counts *requestCounts }

func (*countRequests) ID() string { return "plumb.svn.CountRequests" }

func (m *countRequests) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	m.counts.mu.Lock()
	m.counts.n["s3:"+awsmiddleware.GetOperationName(ctx)]++
	m.counts.mu.Unlock()
	return next.HandleFinalize(ctx, in)
}
