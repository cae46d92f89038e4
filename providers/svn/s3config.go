package svn

import (
	"context"
	"fmt"
	"math/big"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/aws"
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

// newS3Access builds the aws provider that gives the svn provider its S3
// client: the same SDK chain, retries and request counting as every other
// AWS call of plumb. It contacts nothing.
func newS3Access(ctx context.Context, s S3Settings) (*aws.Provider, error) {
	p := aws.New().(*aws.Provider)
	vals := map[string]cty.Value{}
	for name, ty := range p.Schema().ImpliedType().AttributeTypes() {
		vals[name] = cty.NullVal(ty)
	}
	str := func(name, v string) {
		if v != "" {
			vals[name] = cty.StringVal(v)
		}
	}
	str("region", s.Region)
	str("profile", s.Profile)
	str("endpoint", s.Endpoint)
	str("access_key", s.AccessKey)
	str("secret_key", s.SecretKey)
	retries := defaultS3Retries
	if s.MaxRetries >= 0 {
		retries = s.MaxRetries
	}
	vals["max_retries"] = cty.NumberIntVal(int64(retries))
	if s.PathStyle {
		vals["s3_use_path_style"] = cty.True
	}
	resp := p.Configure(ctx, providers.ConfigureRequest{Config: cty.ObjectVal(vals)})
	if resp.Diagnostics.HasErrors() {
		return nil, resp.Diagnostics
	}
	return p, nil
}

// NewS3Client returns an S3 client for s, configured as the svn provider
// configures its own: the SDK's standard chain, path-style addressing
// with an endpoint, retries.
func NewS3Client(ctx context.Context, s S3Settings) (*s3.Client, error) {
	p, err := newS3Access(ctx, s)
	if err != nil {
		return nil, err
	}
	return p.S3(), nil
}
