package svn

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Defaults of svn_offsite_backup.
const (
	DefaultInterval  = "24h"
	DefaultFullEvery = 7
)

// backupResource is svn_offsite_backup: encrypted dumps of a repository in
// S3, made when the repository changed or the interval passed, and deleted
// past retention.
type backupResource struct {
	host   *host.Slot
	schema providers.Schema
	null   cty.Value
	client func() *s3.Client // the provider's S3 client; nil before Configure
	now    func() time.Time  // the clock; tests replace it
}

var (
	_ providers.Resource        = (*backupResource)(nil)
	_ providers.ConfigValidator = (*backupResource)(nil)
)

func newBackupResource(h *host.Slot, client func() *s3.Client) *backupResource {
	s := backupSchema()
	return &backupResource{host: h, schema: s, null: cty.NullVal(s.ImpliedType()), client: client, now: time.Now}
}

// backupElemType is the type of one element of the backups attribute.
var backupElemType = cty.Object(map[string]cty.Type{
	"key":             cty.String,
	"kind":            cty.String,
	"first_revision":  cty.Number,
	"last_revision":   cty.Number,
	"size":            cty.Number,
	"dump_size":       cty.Number,
	"dump_sha256":     cty.String,
	"repository_uuid": cty.String,
	"created":         cty.String,
})

func backupSchema() providers.Schema {
	str := func(desc string) *providers.Attribute {
		return &providers.Attribute{Type: cty.String, Optional: true, Description: desc}
	}
	return providers.Schema{
		Description: "Encrypted offsite backups of a Subversion repository: svnadmin dump streamed through age encryption into S3.",
		Attributes: map[string]*providers.Attribute{
			"repository": {Type: cty.String, Required: true, ForceNew: true, Description: "Path of the repository to back up."},
			"bucket":     {Type: cty.String, Required: true, ForceNew: true, Description: "S3 bucket the backups go to."},
			"prefix": {Type: cty.String, Optional: true, Computed: true, ForceNew: true,
				Description: "Key prefix of the backups; default the repository's directory name and a slash. plumb owns the objects under it whose names it gives (NNNNNN-full-rA-B.svndump.age) and leaves others alone."},
			"recipients": {Type: cty.List(cty.String), Required: true,
				Description: "age public keys (age1…) the backups are encrypted to. Only the matching private keys can restore; plumb never needs one to back up."},
			"interval": {Type: cty.String, Optional: true, Computed: true,
				Description: "Back up at least this often even when nothing was committed, as a duration such as \"24h\"; default " + DefaultInterval + ". A commit since the last backup always makes one due."},
			"incremental": {Type: cty.Bool, Optional: true, Computed: true,
				Description: "Dump only the revisions since the last backup (svnadmin dump --incremental), with a full dump every full_every backups; default false."},
			"full_every": {Type: cty.Number, Optional: true, Computed: true,
				Description: fmt.Sprintf("With incremental, every how many backups a full one is made; default %d.", DefaultFullEvery)},
			"local_dir":       str("A directory that also keeps a copy of each encrypted backup (never the plaintext)."),
			"local_retention": str("How long local copies are kept, as a duration such as \"168h\"; the newest is always kept. Default: all are kept."),
			"force_destroy": {Type: cty.Bool, Optional: true,
				Description: "Let a delete of this resource delete its backups in S3. Without it, plumb refuses, so removing the block cannot wipe the backups."},
			"id":                computed("s3://BUCKET/PREFIX of the backups."),
			"youngest_revision": {Type: cty.Number, Computed: true, Description: "The repository's youngest revision when it was last read."},
			"repository_uuid":   computed("The repository's UUID."),
			"backups": {Type: cty.List(backupElemType), Computed: true, Key: []string{"key"},
				Description: "The backups in S3, oldest first: key, kind (full or incremental), revision range, encrypted size, dump size and SHA-256, creation time."},
		},
		Blocks: map[string]*providers.Block{
			"remote_retention": {Nesting: providers.NestingSingle, Schema: providers.Schema{
				Description: "Which backups to keep in S3. A backup is deleted when it is older than age or not among the newest count; a full backup is kept while an incremental kept needs it, and the newest backup always.",
				Attributes: map[string]*providers.Attribute{
					"age":   {Type: cty.String, Optional: true, Description: "Delete backups older than this duration, such as \"30d\"."},
					"count": {Type: cty.Number, Optional: true, Description: "Keep at most this many backups (at least 1)."},
				},
			}},
		},
	}
}

func computed(desc string) *providers.Attribute {
	return &providers.Attribute{Type: cty.String, Computed: true, Description: desc}
}

// Schema describes svn_offsite_backup.
func (r *backupResource) Schema() providers.Schema { return r.schema }

// backupSettings is a decoded, defaulted configuration.
type backupSettings struct {
	repos, bucket, prefix string
	recipients            []string
	interval              time.Duration
	incremental           bool
	fullEvery             int
	localDir              string
	localRetention        time.Duration // 0: keep all
	keepAge               time.Duration // 0: no age limit
	keepCount             int           // 0: no count limit
	forceDestroy          bool
}

// ValidateConfig checks durations, counts and recipients. Unknown values
// are not checked.
func (r *backupResource) ValidateConfig(_ context.Context, config cty.Value) hcl.Diagnostics {
	if config.IsNull() || !config.IsKnown() {
		return nil
	}
	var diags hcl.Diagnostics
	for _, name := range []string{"repository", "bucket"} {
		if v := config.GetAttr(name); v.IsKnown() && !v.IsNull() && strings.TrimSpace(v.AsString()) == "" {
			diags = diags.Extend(providers.AttributeErrorf(name, "Empty "+name, "%s is empty; give the %s.", name, map[string]string{
				"repository": "path of the Subversion repository to back up", "bucket": "S3 bucket name"}[name]))
		}
	}
	if v := config.GetAttr("recipients"); v.IsWhollyKnown() && !v.IsNull() {
		list := providers.Strings(v)
		if len(list) == 0 {
			diags = diags.Extend(providers.AttributeErrorf("recipients", "No recipients",
				"Give at least one age public key (age1…), made with age-keygen; keep its private key offline, where restores happen."))
		}
		for _, rcp := range list {
			if _, err := parseRecipient(rcp); err != nil {
				diags = diags.Extend(providers.AttributeErrorf("recipients", "Invalid age recipient", "%v", err))
			}
		}
	}
	for _, name := range []string{"interval", "local_retention"} {
		diags = diags.Extend(positiveDuration(config, name, name))
	}
	if v := config.GetAttr("full_every"); v.IsKnown() && !v.IsNull() {
		if _, ok := wholeNumber(v, 1, 1<<20); !ok {
			diags = diags.Extend(providers.AttributeErrorf("full_every", "Invalid full_every",
				"full_every = %s is not a whole number from 1 up; 7 makes every seventh backup a full one.", v.AsBigFloat().String()))
		}
	}
	if v := config.GetAttr("local_retention"); v.IsKnown() && !v.IsNull() {
		if d := config.GetAttr("local_dir"); d.IsKnown() && d.IsNull() {
			diags = diags.Extend(providers.AttributeErrorf("local_retention", "local_retention without local_dir",
				"local_retention says how long local copies are kept; set local_dir too, or remove local_retention."))
		}
	}
	if rr := config.GetAttr("remote_retention"); rr.IsKnown() && !rr.IsNull() {
		diags = diags.Extend(positiveDuration(rr, "age", "remote_retention.age"))
		if v := rr.GetAttr("count"); v.IsKnown() && !v.IsNull() {
			if _, ok := wholeNumber(v, 1, 1<<20); !ok {
				diags = diags.Extend(providers.AttributeErrorf("remote_retention.count", "Invalid remote_retention count",
					"count = %s is not a whole number from 1 up.", v.AsBigFloat().String()))
			}
		}
	}
	return diags
}

// parseRecipient parses one age public key with a message that says
// what was expected.
func parseRecipient(s string) (age.Recipient, error) {
	rs, err := age.ParseRecipients(strings.NewReader(strings.TrimSpace(s)))
	if err != nil || len(rs) != 1 {
		if strings.HasPrefix(strings.TrimSpace(s), "AGE-SECRET-KEY-") {
			return nil, fmt.Errorf("a recipient is an age private key (AGE-SECRET-KEY-…); give its public key (age1…) instead, and keep the private key out of the configuration")
		}
		return nil, fmt.Errorf("%q is not an age public key (age1…): %v", s, err)
	}
	return rs[0], nil
}

// decodeBackup reads the settings from a wholly known value with defaults
// filled in.
func decodeBackup(v cty.Value) backupSettings {
	s := backupSettings{
		repos:      v.GetAttr("repository").AsString(),
		bucket:     v.GetAttr("bucket").AsString(),
		prefix:     v.GetAttr("prefix").AsString(),
		recipients: providers.Strings(v.GetAttr("recipients")),
		fullEvery:  intAttr(v, "full_every"),
	}
	s.interval, _ = providers.ParseDuration(v.GetAttr("interval").AsString())
	s.incremental = v.GetAttr("incremental").True()
	if d := v.GetAttr("local_dir"); !d.IsNull() {
		s.localDir = d.AsString()
	}
	if d := v.GetAttr("local_retention"); !d.IsNull() {
		s.localRetention, _ = providers.ParseDuration(d.AsString())
	}
	if f := v.GetAttr("force_destroy"); !f.IsNull() {
		s.forceDestroy = f.True()
	}
	if rr := v.GetAttr("remote_retention"); !rr.IsNull() {
		if a := rr.GetAttr("age"); !a.IsNull() {
			s.keepAge, _ = providers.ParseDuration(a.AsString())
		}
		s.keepCount = intAttr(rr, "count")
	}
	return s
}

// defaultPrefix is the repository's directory name and a slash.
func defaultPrefix(repos string) string {
	return filepath.Base(filepath.Clean(repos)) + "/"
}
