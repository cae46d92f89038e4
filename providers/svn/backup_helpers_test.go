package svn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/providertest"
)

// s3Env is kumo with a bucket of the test's own and a configured svn
// provider pointing at it.
type s3Env struct {
	emu      *awstest.Emulator
	client   *s3.Client // a plain client, to inspect and tamper
	bucket   string
	provider *provider
	backup   *backupResource
}

// newS3Env starts kumo, creates a bucket with a unique name (kumo's store
// is shared by the test binary) and configures an svn provider for it.
func newS3Env(t *testing.T) *s3Env {
	t.Helper()
	return newS3EnvOver(t, providertest.Transport{Name: "local"})
}

// newS3EnvOver is newS3Env with the provider reaching its repositories
// over the transport.
func newS3EnvOver(t *testing.T, tr providertest.Transport) *s3Env {
	t.Helper()
	emu := awstest.StartKumo(t)
	var b [6]byte
	rand.Read(b[:])
	bucket := "svn-" + hex.EncodeToString(b[:])
	client := emu.S3Client()
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	p := configuredProviderOver(t, emu.S3URL(), tr)
	return &s3Env{emu: emu, client: client, bucket: bucket, provider: p, backup: p.resources["svn_offsite_backup"].(*backupResource)}
}

// configuredProvider returns an svn provider configured for an endpoint.
func configuredProvider(t *testing.T, endpoint string) *provider {
	t.Helper()
	return configuredProviderOver(t, endpoint, providertest.Transport{Name: "local"})
}

// configuredProviderOver returns an svn provider configured for an
// endpoint and the transport.
func configuredProviderOver(t *testing.T, endpoint string, tr providertest.Transport) *provider {
	t.Helper()
	p := New().(*provider)
	providertest.Configure(t, p, tr, map[string]cty.Value{
		"region":      cty.StringVal(awstest.Region),
		"endpoint":    cty.StringVal(endpoint),
		"access_key":  cty.StringVal(awstest.AccessKeyID),
		"secret_key":  cty.StringVal(awstest.SecretAccessKey),
		"max_retries": cty.NumberIntVal(1),
	})
	return p
}

// newIdentity makes an age key pair.
func newIdentity(t *testing.T) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// backupCfg is a configuration of svn_offsite_backup.
func backupCfg(repos, bucket string, id *age.X25519Identity, extra map[string]cty.Value) cty.Value {
	m := map[string]cty.Value{
		"repository": cty.StringVal(repos),
		"bucket":     cty.StringVal(bucket),
		"recipients": cty.ListVal([]cty.Value{cty.StringVal(id.Recipient().String())}),
	}
	for k, v := range extra {
		m[k] = v
	}
	return cty.ObjectVal(m)
}

// applyBackup plans and applies a configuration from prior and returns
// the new state; it fails the test on errors.
func applyBackup(t *testing.T, r *backupResource, prior, config cty.Value) cty.Value {
	t.Helper()
	state, err := tryApplyBackup(t, r, prior, config)
	if err != "" {
		t.Fatal(err)
	}
	return state
}

// tryApplyBackup refreshes prior, plans and applies, returning the state
// and the error text of a failure.
func tryApplyBackup(t *testing.T, r *backupResource, prior, config cty.Value) (cty.Value, string) {
	t.Helper()
	ctx := context.Background()
	if !prior.IsNull() {
		read := r.Read(ctx, providers.ReadRequest{Prior: prior})
		if read.Diagnostics.HasErrors() {
			return prior, "read: " + read.Diagnostics.Error()
		}
		prior = read.State
	}
	if !config.IsNull() {
		config = r.schema.Complete(config)
	}
	plan := r.Plan(ctx, providers.PlanRequest{Prior: prior, Config: config})
	if plan.Diagnostics.HasErrors() {
		return prior, "plan: " + plan.Diagnostics.Error()
	}
	resp := r.Apply(ctx, providers.ApplyRequest{Prior: prior, Planned: plan.Planned, Config: config})
	if resp.Diagnostics.HasErrors() {
		return resp.State, "apply: " + resp.Diagnostics.Error()
	}
	return resp.State, ""
}

// stateBackups lists the backups in a state.
func stateBackups(s cty.Value) []BackupInfo { return backupsFromValue(s.GetAttr("backups")) }

// objectKeys lists the keys in the bucket under prefix.
func (e *s3Env) objectKeys(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := e.client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(e.bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// uploadsInProgress lists unfinished multipart uploads in the bucket.
func (e *s3Env) uploadsInProgress(t *testing.T) []string {
	t.Helper()
	out, err := e.client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(e.bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key))
	}
	return keys
}

func kinds(bs []BackupInfo) string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Kind)
	}
	return strings.Join(out, ",")
}
