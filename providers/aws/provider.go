// Package aws is the provider named "aws" and its resource types:
// aws_route53_zone (zones and records in Route 53) and
// aws_ebs_snapshot_policy (EBS snapshots on a schedule).
//
// It turns the provider block into SDK clients built once and shared by
// every resource: credentials and region from the block or the SDK's
// standard chain, one endpoint for all services (for emulators) or the
// standard AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> variables, a
// client-side token bucket that paces every Route 53 request (CreateHostedZone
// with a tighter bucket of its own), retries with backoff for throttling,
// and a count of requests by service and operation (RequestCounter).
//
// Retries use the SDK's standard retryer rather than its adaptive mode:
// adaptive mode learns a rate only after being throttled, and per client,
// while Route 53's limit is per account and known in advance, so a fixed
// bucket shared by all requests paces them from the first one and the
// standard retryer handles the occasional throttle that still happens.
package aws

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/plumbhq/plumb/providers"
)

// Name is the provider's name, under which cmd/plumb registers New.
const Name = "aws"

// Provider is the aws provider. Configure it once; then Route53, S3 and
// EC2 return clients built on first use and shared by all callers.
type Provider struct {
	// clock and backoff replace the system clock of the rate limiter and
	// the retry delays; tests set them before Configure.
	clock   Clock
	backoff retry.BackoffDelayer

	mu         sync.Mutex // guards configured during Configure
	configured bool
	cfg        aws.Config
	set        settings
	counts     requestCounts
	limit      *limitRate // Route 53's; nil when unlimited

	route53Once sync.Once
	route53     *route53.Client
	s3Once      sync.Once
	s3          *s3.Client
	ec2Once     sync.Once
	ec2         *ec2.Client
	ec2Mu       sync.Mutex
	ec2Regions  map[string]*ec2.Client // clients of other regions, for snapshot copies

	// zones is the account's hosted zones, listed once per run.
	zones zoneCache
	// zone is the aws_route53_zone resource type, bound to this provider
	// and made on first use.
	zoneOnce sync.Once
	zone     *zoneResource
}

var (
	_ providers.Provider = (*Provider)(nil)
	_ RequestCounter     = (*Provider)(nil)
)

// New returns an unconfigured aws provider. Its resource types are
// aws_route53_zone and aws_ebs_snapshot_policy; it has no data source
// types yet.
func New() providers.Provider {
	return &Provider{counts: requestCounts{n: map[string]int{}}}
}

// Schema describes the provider block.
func (p *Provider) Schema() providers.Schema { return providerSchema() }

// Configure reads the provider block and loads the SDK configuration. It
// contacts no service: clients are built on first use.
func (p *Provider) Configure(ctx context.Context, req providers.ConfigureRequest) providers.ConfigureResponse {
	s, diags := decodeSettings(req.Config)
	if diags.HasErrors() {
		return providers.ConfigureResponse{Diagnostics: diags}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.configured {
		return providers.ConfigureResponse{Diagnostics: providers.Errorf("aws provider configured twice",
			"An aws provider instance is configured once per run. This is a bug in plumb; please report it.")}
	}
	cfg, err := loadConfig(ctx, s)
	if err != nil {
		diags := providers.Errorf("Cannot load the AWS configuration",
			"%v. Check the provider block, the AWS_* environment variables and the shared config files.", err)
		if s.profile != "" {
			diags = providers.AttributeErrorf("profile", diags[0].Summary, "%s", diags[0].Detail)
		}
		return providers.ConfigureResponse{Diagnostics: diags}
	}
	if s.requestsPerSecond > 0 {
		p.limit = &limitRate{
			all: NewTokenBucket(s.requestsPerSecond, 1, p.clock),
			perOp: map[string]*TokenBucket{
				"CreateHostedZone": NewTokenBucket(min(s.requestsPerSecond, CreateHostedZonePerSecond), 1, p.clock),
			},
		}
	}
	p.cfg, p.set, p.configured = cfg, s, true
	return providers.ConfigureResponse{Diagnostics: diags}
}

// Resources returns the provider's resource types: aws_route53_zone and
// aws_ebs_snapshot_policy.
func (p *Provider) Resources() map[string]providers.Resource {
	p.zoneOnce.Do(func() { p.zone = newZoneResource(p) })
	return map[string]providers.Resource{ZoneType: p.zone, SnapshotPolicyType: newEBSPolicy(p)}
}

// DataSources returns the provider's data source types (none yet).
func (p *Provider) DataSources() map[string]providers.DataSource {
	return map[string]providers.DataSource{}
}

// RequestCounts returns the requests sent so far by every client of the
// provider, keyed by "service:Operation" ("route53:ListHostedZones",
// "s3:PutObject", "ec2:DescribeSnapshots"); retried attempts count too.
func (p *Provider) RequestCounts() map[string]int { return p.counts.snapshot() }

// mustBeConfigured panics when a client is asked for before Configure,
// which is a bug in the caller.
func (p *Provider) mustBeConfigured() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.configured {
		panic("aws provider: client requested before Configure")
	}
}

// maxAttempts is how many attempts a request gets: max_retries+1, else the
// SDK's AWS_MAX_ATTEMPTS, else DefaultMaxRetries+1.
func (p *Provider) maxAttempts() int {
	switch {
	case p.set.maxRetries >= 0:
		return p.set.maxRetries + 1
	case p.cfg.RetryMaxAttempts > 0:
		return p.cfg.RetryMaxAttempts
	}
	return DefaultMaxRetries + 1
}

// endpoint returns the endpoint option of the provider block, which wins
// over the SDK's environment variables, or nil.
func (p *Provider) endpoint() *string {
	if p.set.endpoint == "" {
		return nil
	}
	return aws.String(p.set.endpoint)
}

// Route53 returns the Route 53 client: rate limited, counted, retrying.
func (p *Provider) Route53() *route53.Client {
	p.mustBeConfigured()
	p.route53Once.Do(func() {
		p.route53 = route53.NewFromConfig(p.cfg, func(o *route53.Options) {
			o.Retryer = newRetryer(p.maxAttempts(), p.backoff)
			o.RetryMaxAttempts = 0
			if e := p.endpoint(); e != nil {
				o.BaseEndpoint = e
			}
			o.APIOptions = append(o.APIOptions, addMiddleware("route53", &p.counts, p.limit))
		})
	})
	return p.route53
}

// S3 returns the S3 client: counted and retrying, not rate limited; it
// addresses buckets path-style when an endpoint is configured.
func (p *Provider) S3() *s3.Client {
	p.mustBeConfigured()
	p.s3Once.Do(func() {
		p.s3 = s3.NewFromConfig(p.cfg, func(o *s3.Options) {
			o.Retryer = newRetryer(p.maxAttempts(), p.backoff)
			o.RetryMaxAttempts = 0
			if e := p.endpoint(); e != nil {
				o.BaseEndpoint = e
			}
			o.UsePathStyle = o.UsePathStyle || p.set.pathStyle || p.set.endpoint != "" || p.cfg.BaseEndpoint != nil
			o.APIOptions = append(o.APIOptions, addMiddleware("s3", &p.counts, nil))
		})
	})
	return p.s3
}

// EC2 returns the EC2 client (EBS snapshots): counted and retrying, not
// rate limited.
func (p *Provider) EC2() *ec2.Client {
	p.mustBeConfigured()
	p.ec2Once.Do(func() { p.ec2 = p.newEC2(p.cfg.Region) })
	return p.ec2
}

// Region is the provider's region.
func (p *Provider) Region() string {
	p.mustBeConfigured()
	return p.cfg.Region
}

// EC2In returns an EC2 client of region, built like EC2's (the same one
// for the provider's own region), for snapshot copies in other regions.
func (p *Provider) EC2In(region string) *ec2.Client {
	if region == p.Region() {
		return p.EC2()
	}
	p.ec2Mu.Lock()
	defer p.ec2Mu.Unlock()
	if c := p.ec2Regions[region]; c != nil {
		return c
	}
	if p.ec2Regions == nil {
		p.ec2Regions = map[string]*ec2.Client{}
	}
	c := p.newEC2(region)
	p.ec2Regions[region] = c
	return c
}

func (p *Provider) newEC2(region string) *ec2.Client {
	return ec2.NewFromConfig(p.cfg, func(o *ec2.Options) {
		o.Region = region
		o.Retryer = newRetryer(p.maxAttempts(), p.backoff)
		o.RetryMaxAttempts = 0
		if e := p.endpoint(); e != nil {
			o.BaseEndpoint = e
		}
		o.APIOptions = append(o.APIOptions, addMiddleware("ec2", &p.counts, nil))
	})
}
