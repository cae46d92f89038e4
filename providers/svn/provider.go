// Package svn is the provider named "svn": Subversion repositories'
// pre-commit policy and their encrypted offsite backups.
//
//   - svn_pre_commit_hook writes a repository's hooks/pre-commit, which
//     runs plumb svn check-commit with the policy stored beside it
//     (hooks/plumb-policy.json): log message rules, forbidden paths, a
//     file size limit and linters such as php -l run on the content being
//     committed. CheckCommit and RunCheckCommit are that check.
//   - svn_offsite_backup streams svnadmin dump through age encryption
//     into an S3 multipart upload, full or incremental, and deletes
//     backups past retention. Restore and Verify read them back.
//
// The repositories are on the machine plumb runs on, or on the server the
// provider block's ssh block names: the hook is written there (and runs
// the plumb installed there), and svnadmin dump runs there, its output
// streamed over SSH and encrypted on the way, so the plaintext touches no
// disk on either side.
//
// The provider block holds the S3 settings the backups use (region,
// endpoint, profile, credentials), with the same names and meaning as the
// aws provider's; requests are retried and counted. Subversion's tools
// (svnadmin, svnlook) are Debian's subversion package.
package svn

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/aws"
	"github.com/plumbhq/plumb/providers/host"
)

// Name is the provider's name, under which cmd/plumb registers New.
const Name = "svn"

// provider serves the svn types. Its S3 client is built at Configure,
// from the provider block.
type provider struct {
	host      *host.Slot
	resources map[string]providers.Resource

	mu sync.Mutex
	s3 *aws.Provider // nil before Configure
}

var (
	_ providers.Provider       = (*provider)(nil)
	_ providers.RequestCounter = (*provider)(nil)
	_ providers.Closer         = (*provider)(nil)
)

// New returns an unconfigured svn provider with the resource types
// svn_pre_commit_hook and svn_offsite_backup.
func New() providers.Provider {
	p := &provider{host: &host.Slot{}}
	p.resources = map[string]providers.Resource{
		"svn_pre_commit_hook": newHookResource(p.host),
		"svn_offsite_backup":  newBackupResource(p.host, p.client),
	}
	return p
}

// Schema describes the provider block: how to reach S3 for backups.
func (p *provider) Schema() providers.Schema {
	return providers.Schema{
		Description: "Subversion repositories: pre-commit policy and encrypted offsite backups to S3.",
		Attributes:  s3Attributes(),
		Blocks:      map[string]*providers.Block{host.BlockName: host.Block()},
	}
}

// Close lets go of the host.
func (p *provider) Close() error { return p.host.Close() }

// Configure reads the S3 settings. It contacts nothing: the S3 client is
// built on first use.
func (p *provider) Configure(ctx context.Context, req providers.ConfigureRequest) providers.ConfigureResponse {
	set, diags := decodeS3Settings(req.Config)
	if diags.HasErrors() {
		return providers.ConfigureResponse{Diagnostics: diags}
	}
	a, err := newS3Access(ctx, set)
	if err != nil {
		return providers.ConfigureResponse{Diagnostics: providers.Errorf("Cannot configure S3 access for svn backups",
			"%v. Check the svn provider block, the AWS_* environment variables and the shared config files.", err)}
	}
	p.mu.Lock()
	p.s3 = a
	p.mu.Unlock()
	return providers.ConfigureResponse{Diagnostics: diags.Extend(p.host.Configure(ctx, req.Config))}
}

// client returns the S3 client, or nil before Configure.
func (p *provider) client() *s3.Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.s3 == nil {
		return nil
	}
	return p.s3.S3()
}

// Resources returns the provider's resource types. The map is shared;
// callers must not change it.
func (p *provider) Resources() map[string]providers.Resource { return p.resources }

// DataSources returns none: the provider has no data sources.
func (p *provider) DataSources() map[string]providers.DataSource {
	return map[string]providers.DataSource{}
}

// RequestCounts returns the S3 requests sent so far, keyed
// "s3:Operation".
func (p *provider) RequestCounts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.s3 == nil {
		return map[string]int{}
	}
	return p.s3.RequestCounts()
}
