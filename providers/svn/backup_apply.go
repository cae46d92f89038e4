package svn

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// Apply makes the planned backup, if any, then deletes the backups the
// plan dropped (only once the new backup is complete, so the newest good
// backup is never lost), then prunes local copies. A delete of the
// resource deletes every backup it owns, and only with force_destroy.
func (r *backupResource) Apply(ctx context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	c := r.client()
	if c == nil {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: notConfigured()}
	}
	if req.Planned.IsNull() {
		return r.destroy(ctx, c, req.Prior)
	}
	planned := req.Planned
	if !cty.ObjectVal(withoutLive(planned)).IsWhollyKnown() && !req.Config.IsNull() {
		resp := r.Plan(ctx, providers.PlanRequest{Prior: req.Prior, Config: req.Config})
		if resp.Diagnostics.HasErrors() {
			return providers.ApplyResponse{State: req.Prior, Diagnostics: resp.Diagnostics}
		}
		planned = resp.Planned
	}
	s := decodeBackup(cty.ObjectVal(withComputedNull(planned.AsValueMap())))
	before := map[string]bool{}
	if !req.Prior.IsNull() {
		for _, b := range backupsFromValue(req.Prior.GetAttr("backups")) {
			before[b.Key] = true
		}
	}
	var result []BackupInfo
	var deletes []string
	after := map[string]bool{}
	for _, b := range backupsFromValue(planned.GetAttr("backups")) {
		after[b.Key] = true
		if before[b.Key] {
			result = append(result, b)
			continue
		}
		made, err := r.makeBackup(ctx, c, s, b)
		if err != nil {
			return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf("Backup failed",
				"%v. No backup was recorded and none deleted; the next apply tries again.", err)}
		}
		result = append(result, made)
	}
	for key := range before {
		if !after[key] {
			deletes = append(deletes, key)
		}
	}
	m := planned.AsValueMap()
	var diags hcl.Diagnostics
	if failed, err := deleteObjects(ctx, c, s.bucket, deletes); err != nil {
		diags = providers.Errorf("Old backups not deleted", "%v. The new backup is complete; the next apply tries the deletes again.", err)
		for _, b := range backupsFromValue(req.Prior.GetAttr("backups")) {
			if failed[b.Key] {
				result = append([]BackupInfo{b}, result...)
			}
		}
	}
	m["backups"] = backupsValue(sortBySeq(result))
	if s.localDir != "" && s.localRetention > 0 {
		if err := pruneLocal(ctx, r.host.Get(), s.localDir, int64(s.localRetention.Seconds()), r.now().Unix()); err != nil {
			diags = diags.Extend(providers.Warnf("Old local copies not deleted", "%v", err))
		}
	}
	return providers.ApplyResponse{State: cty.ObjectVal(m), Diagnostics: diags}
}

// makeBackup runs one planned backup.
func (r *backupResource) makeBackup(ctx context.Context, c *s3.Client, s backupSettings, b BackupInfo) (BackupInfo, error) {
	var rcps []age.Recipient
	for _, text := range s.recipients {
		rcp, err := parseRecipient(text)
		if err != nil {
			return b, err
		}
		rcps = append(rcps, rcp)
	}
	h := r.host.Get()
	live, err := repositoryInfo(ctx, h, s.repos)
	if err != nil {
		return b, err
	}
	if live.uuid != b.UUID || live.youngest < b.Last {
		return b, fmt.Errorf("the repository %s changed since the plan (UUID %s, youngest r%d; the plan was for %s up to r%d); run plan again", s.repos, live.uuid, live.youngest, b.UUID, b.Last)
	}
	b.Created = r.now()
	return runBackup(ctx, backupJob{host: h, repos: s.repos, info: b, recipients: rcps, client: c, bucket: s.bucket, localDir: s.localDir})
}

// destroy deletes every backup the resource owns.
func (r *backupResource) destroy(ctx context.Context, c *s3.Client, prior cty.Value) providers.ApplyResponse {
	if f := prior.GetAttr("force_destroy"); f.IsNull() || !f.True() {
		return providers.ApplyResponse{State: prior, Diagnostics: refuseDestroy(prior)}
	}
	bucket, prefix := prior.GetAttr("bucket").AsString(), prior.GetAttr("prefix").AsString()
	list, err := listBackups(ctx, c, bucket, prefix, knownBackups(prior))
	if err != nil {
		return providers.ApplyResponse{State: prior, Diagnostics: providers.Errorf("Cannot delete the backups", "%v.", err)}
	}
	keys := make([]string, len(list))
	for i, b := range list {
		keys[i] = b.Key
	}
	if _, err := deleteObjects(ctx, c, bucket, keys); err != nil {
		return providers.ApplyResponse{State: prior, Diagnostics: providers.Errorf("Cannot delete the backups", "%v. Run plumb again to retry.", err)}
	}
	return providers.ApplyResponse{State: r.null}
}

// deleteObjects deletes keys in batches of 1,000 and returns the keys
// that could not be deleted.
func deleteObjects(ctx context.Context, c *s3.Client, bucket string, keys []string) (map[string]bool, error) {
	failed := map[string]bool{}
	var errs []error
	for start := 0; start < len(keys); start += 1000 {
		batch := keys[start:min(start+1000, len(keys))]
		ids := make([]types.ObjectIdentifier, len(batch))
		for i, k := range batch {
			ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			for _, k := range batch {
				failed[k] = true
			}
			errs = append(errs, fmt.Errorf("deleting %d backups from s3://%s: %w", len(batch), bucket, err))
			continue
		}
		for _, e := range out.Errors {
			failed[aws.ToString(e.Key)] = true
			errs = append(errs, fmt.Errorf("deleting s3://%s/%s: %s", bucket, aws.ToString(e.Key), aws.ToString(e.Message)))
		}
	}
	return failed, errors.Join(errs...)
}

// Read lists the backups in S3 and reads the repository's youngest
// revision and UUID. It returns null when no backup is left. A repository
// that cannot be read keeps the prior revision, with a warning.
func (r *backupResource) Read(ctx context.Context, req providers.ReadRequest) providers.ReadResponse {
	c := r.client()
	if c == nil {
		return providers.ReadResponse{State: req.Prior, Diagnostics: notConfigured()}
	}
	bucket, prefix := req.Prior.GetAttr("bucket").AsString(), req.Prior.GetAttr("prefix").AsString()
	list, err := listBackups(ctx, c, bucket, prefix, knownBackups(req.Prior))
	if err != nil {
		return providers.ReadResponse{State: req.Prior, Diagnostics: providers.Errorf("Cannot read the backups", "%v. Check the bucket, the credentials and that S3 is reachable.", err)}
	}
	if len(list) == 0 {
		return providers.ReadResponse{State: r.null}
	}
	m := req.Prior.AsValueMap()
	m["backups"] = backupsValue(list)
	var diags hcl.Diagnostics
	if info, err := repositoryInfo(ctx, r.host.Get(), req.Prior.GetAttr("repository").AsString()); err != nil {
		diags = providers.Warnf("Cannot read the repository to back up", "%v. Its backups are kept; a new one is planned once it can be read.", err)
	} else {
		m["youngest_revision"], m["repository_uuid"] = cty.NumberIntVal(int64(info.youngest)), cty.StringVal(info.uuid)
	}
	state := cty.ObjectVal(m)
	if state.RawEquals(req.Prior) {
		state = req.Prior
	}
	return providers.ReadResponse{State: state, Diagnostics: diags}
}

// Import adopts the backups of a repository: the ID is
// "REPOSITORY_PATH,s3://BUCKET/PREFIX". Recipients and retention, which
// only configuration knows, come back null or as defaults.
func (r *backupResource) Import(ctx context.Context, req providers.ImportRequest) providers.ImportResponse {
	fail := func(format string, args ...any) providers.ImportResponse {
		return providers.ImportResponse{State: r.null, Diagnostics: providers.Errorf("Cannot import svn_offsite_backup", format, args...)}
	}
	repos, loc, ok := strings.Cut(req.ID, ",")
	rest, isS3 := strings.CutPrefix(loc, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !ok || !isS3 || bucket == "" {
		return fail("the import ID %q is not REPOSITORY_PATH,s3://BUCKET/PREFIX, such as /srv/svn/site,s3://backups/site/.", req.ID)
	}
	c := r.client()
	if c == nil {
		return providers.ImportResponse{State: r.null, Diagnostics: notConfigured()}
	}
	list, err := listBackups(ctx, c, bucket, prefix, nil)
	if err != nil {
		return fail("%v.", err)
	}
	if len(list) == 0 {
		return fail("there are no plumb backups under s3://%s/%s.", bucket, prefix)
	}
	info, err := repositoryInfo(ctx, r.host.Get(), repos)
	if err != nil {
		return fail("%v.", err)
	}
	m := withComputedNull(backupDefaults(r.schema.Complete(cty.ObjectVal(map[string]cty.Value{
		"repository": cty.StringVal(repos), "bucket": cty.StringVal(bucket), "prefix": cty.StringVal(prefix),
	}))))
	m["youngest_revision"], m["repository_uuid"] = cty.NumberIntVal(int64(info.youngest)), cty.StringVal(info.uuid)
	m["backups"] = backupsValue(list)
	return providers.ImportResponse{State: cty.ObjectVal(m)}
}

func knownBackups(state cty.Value) map[string]BackupInfo {
	known := map[string]BackupInfo{}
	if state.IsNull() {
		return known
	}
	for _, b := range backupsFromValue(state.GetAttr("backups")) {
		known[b.Key] = b
	}
	return known
}

func sortBySeq(bs []BackupInfo) []BackupInfo {
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && bs[j].Seq < bs[j-1].Seq; j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
	return bs
}

// withoutLive returns the configured attributes of a planned value.
func withoutLive(v cty.Value) map[string]cty.Value {
	m := v.AsValueMap()
	delete(m, "youngest_revision")
	delete(m, "repository_uuid")
	delete(m, "backups")
	return m
}

func notConfigured() hcl.Diagnostics {
	return providers.Errorf("svn provider not configured", "The svn provider was used before it was configured. This is a bug in plumb; please report it.")
}
