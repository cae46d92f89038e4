package aws

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// Defaults of the provider configuration.
const (
	// DefaultRegion is used when neither the configuration nor the SDK's
	// chain (AWS_REGION, the profile) names a region.
	DefaultRegion = "us-east-1"
	// DefaultRequestsPerSecond is the default Route 53 request rate.
	DefaultRequestsPerSecond = 10
	// CreateHostedZonePerSecond is the rate of CreateHostedZone requests,
	// which Route 53 limits more tightly than the rest; it applies on top
	// of the general rate, and is lifted with it when that is 0.
	CreateHostedZonePerSecond = 2
	// DefaultMaxRetries is how many times a throttled or failed request is
	// retried by default.
	DefaultMaxRetries = 10
)

// settings is the decoded provider configuration.
type settings struct {
	region, profile, endpoint string
	accessKey, secretKey      string
	requestsPerSecond         float64
	maxRetries                int  // -1: not set
	pathStyle                 bool // S3 path-style addressing
}

func providerSchema() providers.Schema {
	str := func(desc string) *providers.Attribute {
		return &providers.Attribute{Type: cty.String, Optional: true, Description: desc}
	}
	secret := str("Secret access key; with access_key, used instead of the SDK's credential chain.")
	secret.Sensitive = true
	return providers.Schema{
		Description: "Amazon Web Services: Route 53 zones, EBS snapshots and S3, with a client-side request rate limit.",
		Attributes: map[string]*providers.Attribute{
			"region":     str("AWS region; by default the SDK's (AWS_REGION, the profile), else " + DefaultRegion + "."),
			"profile":    str("Named profile of the shared config and credentials files."),
			"endpoint":   str("One URL for every service, such as an emulator's; overrides AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>."),
			"access_key": str("Access key ID; with secret_key, used instead of the SDK's credential chain."),
			"secret_key": secret,
			"max_requests_per_second": {Type: cty.Number, Optional: true, Description: fmt.Sprintf(
				"Route 53 requests per second, shared by all resources of the provider (default %d; CreateHostedZone at most %d); 0 means unlimited, for emulators.",
				DefaultRequestsPerSecond, CreateHostedZonePerSecond)},
			"max_retries": {Type: cty.Number, Optional: true, Description: fmt.Sprintf(
				"How many times a throttled or failed request is retried with backoff (default %d, or AWS_MAX_ATTEMPTS-1).", DefaultMaxRetries)},
			"s3_use_path_style": {Type: cty.Bool, Optional: true, Description: "Address S3 buckets in the path, not the host name; on by default when endpoint or AWS_ENDPOINT_URL is set."},
		},
	}
}

// decodeSettings reads and checks the provider block; a null block gives
// the defaults.
func decodeSettings(v cty.Value) (settings, hcl.Diagnostics) {
	s := settings{requestsPerSecond: DefaultRequestsPerSecond, maxRetries: -1}
	if v.IsNull() {
		return s, nil
	}
	var diags hcl.Diagnostics
	for it := v.ElementIterator(); it.Next(); {
		k, a := it.Element()
		if !a.IsWhollyKnown() {
			diags = diags.Extend(providers.AttributeErrorf(k.AsString(), "Unknown aws provider "+k.AsString(),
				"The provider is configured before anything is created, so %s must not depend on a resource. Use a literal, a variable or a local.", k.AsString()))
		}
	}
	if diags.HasErrors() {
		return s, diags
	}
	str := func(name string) string {
		if a := v.GetAttr(name); !a.IsNull() {
			return a.AsString()
		}
		return ""
	}
	s.region, s.profile, s.endpoint = str("region"), str("profile"), str("endpoint")
	s.accessKey, s.secretKey = str("access_key"), str("secret_key")
	if s.endpoint != "" {
		if u, err := url.Parse(s.endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			diags = diags.Extend(providers.AttributeErrorf("endpoint", "Invalid aws provider endpoint",
				"endpoint = %q is not an http or https URL. Write the full URL, such as \"http://127.0.0.1:4566\".", s.endpoint))
		}
	}
	if (s.accessKey == "") != (s.secretKey == "") {
		diags = diags.Extend(providers.AttributeErrorf("access_key", "Incomplete aws provider credentials",
			"Set both access_key and secret_key, or neither to use the SDK's credential chain (environment, profile, SSO, instance role)."))
	}
	if a := v.GetAttr("max_requests_per_second"); !a.IsNull() {
		f, _ := a.AsBigFloat().Float64()
		if f < 0 {
			diags = diags.Extend(providers.AttributeErrorf("max_requests_per_second", "Invalid max_requests_per_second",
				"max_requests_per_second = %v is negative. Give the number of Route 53 requests a second to allow, or 0 for no limit."+
					" Route 53 allows about 5 a second per account.", f))
		}
		s.requestsPerSecond = f
	}
	if a := v.GetAttr("max_retries"); !a.IsNull() {
		bf := a.AsBigFloat()
		n, acc := bf.Int64()
		if !bf.IsInt() || acc != big.Exact || n < 0 || n > 100 {
			diags = diags.Extend(providers.AttributeErrorf("max_retries", "Invalid max_retries",
				"max_retries = %s is not a whole number from 0 to 100. Give how many times to retry a throttled request, such as 10.", bf.String()))
		}
		s.maxRetries = int(n)
	}
	if a := v.GetAttr("s3_use_path_style"); !a.IsNull() {
		s.pathStyle = a.True()
	}
	return s, diags
}

// loadConfig builds the SDK configuration from the settings and the SDK's
// standard chain (environment, shared files, SSO, instance roles).
func loadConfig(ctx context.Context, s settings) (aws.Config, error) {
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		// Enough kept-alive connections for plumb's parallel refresh.
		tr.MaxIdleConnsPerHost = 64
	})
	opts := []func(*config.LoadOptions) error{config.WithHTTPClient(httpClient)}
	if s.region != "" {
		opts = append(opts, config.WithRegion(s.region))
	}
	if s.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.profile))
	}
	if s.accessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s.accessKey, s.secretKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var missing config.SharedConfigProfileNotExistError
		if errors.As(err, &missing) {
			return cfg, fmt.Errorf("profile %q is not in the shared config files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE or ~/.aws): %w", s.profile, err)
		}
		return cfg, fmt.Errorf("load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	return cfg, nil
}
