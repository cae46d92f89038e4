package svn

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zclconf/go-cty/cty"
)

// Kinds of backup.
const (
	KindFull        = "full"
	KindIncremental = "incremental"
)

// BackupInfo describes one backup object: what its key and metadata say.
type BackupInfo struct {
	// Key is the object's key, such as site/000012-incremental-r120-135.svndump.age.
	Key string
	// Seq numbers the backups under a prefix, from 1.
	Seq int
	// Kind is KindFull or KindIncremental.
	Kind string
	// First and Last are the revision range dumped.
	First, Last int
	// Size is the encrypted object's size in bytes.
	Size int64
	// DumpSize and DumpSHA256 are the plaintext dump's size and hex
	// SHA-256; DumpSHA256 is empty for a backup that never completed.
	DumpSize   int64
	DumpSHA256 string
	// UUID is the repository's UUID.
	UUID string
	// Created is when the backup started.
	Created time.Time
	// Tool names the plumb and svnadmin that made it.
	Tool string
}

// Complete reports whether the backup finished: its metadata holds the
// dump's hash.
func (b BackupInfo) Complete() bool { return b.DumpSHA256 != "" }

// Object metadata names (S3 stores them as x-amz-meta-*).
const (
	metaKind    = "plumb-kind"
	metaFirst   = "plumb-first-revision"
	metaLast    = "plumb-last-revision"
	metaUUID    = "plumb-repository-uuid"
	metaSize    = "plumb-dump-size"
	metaSHA256  = "plumb-dump-sha256"
	metaTool    = "plumb-tool"
	metaCreated = "plumb-created"
	metaStatus  = "plumb-status"
)

// keyPattern matches the name of a backup after its prefix; keyTail finds
// the sequence number at the end of a whole key.
var (
	keyPattern = regexp.MustCompile(`^(\d{6,})-(full|incremental)-r(\d+)-(\d+)\.svndump\.age$`)
	keyTail    = regexp.MustCompile(`(\d{6,})-(?:full|incremental)-r\d+-\d+\.svndump\.age$`)
)

// backupKey names a backup object.
func backupKey(prefix string, seq int, kind string, first, last int) string {
	return fmt.Sprintf("%s%06d-%s-r%d-%d.svndump.age", prefix, seq, kind, first, last)
}

// parseBackupKey reads what a key says, for keys directly under prefix
// in plumb's naming; ok is false for any other object.
func parseBackupKey(prefix, key string) (BackupInfo, bool) {
	name, found := strings.CutPrefix(key, prefix)
	if !found {
		return BackupInfo{}, false
	}
	m := keyPattern.FindStringSubmatch(name)
	if m == nil {
		return BackupInfo{}, false
	}
	seq, _ := strconv.Atoi(m[1])
	first, _ := strconv.Atoi(m[3])
	last, _ := strconv.Atoi(m[4])
	return BackupInfo{Key: key, Seq: seq, Kind: m[2], First: first, Last: last}, first <= last
}

// metadata is the object metadata of a backup; complete adds the dump's
// size and hash.
func (b BackupInfo) metadata(complete bool) map[string]string {
	m := map[string]string{
		metaKind:    b.Kind,
		metaFirst:   strconv.Itoa(b.First),
		metaLast:    strconv.Itoa(b.Last),
		metaUUID:    b.UUID,
		metaTool:    b.Tool,
		metaCreated: b.Created.UTC().Format(time.RFC3339),
		metaStatus:  "uploading",
	}
	if complete {
		m[metaSize] = strconv.FormatInt(b.DumpSize, 10)
		m[metaSHA256] = b.DumpSHA256
		m[metaStatus] = "complete"
	}
	return m
}

// withMetadata fills in what the object's metadata says.
func (b BackupInfo) withMetadata(meta map[string]string) BackupInfo {
	get := func(k string) string { return meta[k] }
	if get(metaStatus) == "complete" {
		b.DumpSHA256 = get(metaSHA256)
		b.DumpSize, _ = strconv.ParseInt(get(metaSize), 10, 64)
	}
	b.UUID, b.Tool = get(metaUUID), get(metaTool)
	b.Created, _ = time.Parse(time.RFC3339, get(metaCreated))
	return b
}

// listBackups lists the backups under prefix, oldest first, with their
// metadata: from known (by key, when the size matches) or from a HEAD
// request for the others.
func listBackups(ctx context.Context, c *s3.Client, bucket, prefix string, known map[string]BackupInfo) ([]BackupInfo, error) {
	var out []BackupInfo
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			b, ok := parseBackupKey(prefix, aws.ToString(o.Key))
			if !ok {
				continue
			}
			b.Size = aws.ToInt64(o.Size)
			if k, ok := known[b.Key]; ok && k.Size == b.Size && k.Complete() {
				out = append(out, k)
				continue
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			if err != nil {
				return nil, fmt.Errorf("reading the metadata of s3://%s/%s: %w", bucket, b.Key, err)
			}
			out = append(out, b.withMetadata(head.Metadata))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// value is the backup as an element of the backups attribute.
func (b BackupInfo) value() cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"key":             cty.StringVal(b.Key),
		"kind":            cty.StringVal(b.Kind),
		"first_revision":  cty.NumberIntVal(int64(b.First)),
		"last_revision":   cty.NumberIntVal(int64(b.Last)),
		"size":            cty.NumberIntVal(b.Size),
		"dump_size":       cty.NumberIntVal(b.DumpSize),
		"dump_sha256":     cty.StringVal(b.DumpSHA256),
		"repository_uuid": cty.StringVal(b.UUID),
		"created":         cty.StringVal(b.Created.UTC().Format(time.RFC3339)),
	})
}

// plannedValue is a backup to be made: what is known before it runs.
func (b BackupInfo) plannedValue() cty.Value {
	unknownNum, unknownStr := cty.UnknownVal(cty.Number), cty.UnknownVal(cty.String)
	return cty.ObjectVal(map[string]cty.Value{
		"key":             cty.StringVal(b.Key),
		"kind":            cty.StringVal(b.Kind),
		"first_revision":  cty.NumberIntVal(int64(b.First)),
		"last_revision":   cty.NumberIntVal(int64(b.Last)),
		"size":            unknownNum,
		"dump_size":       unknownNum,
		"dump_sha256":     unknownStr,
		"repository_uuid": cty.StringVal(b.UUID),
		"created":         unknownStr,
	})
}

// backupsFromValue reads the backups attribute; elements not wholly known
// (planned ones) come back with only key, kind, range and UUID.
func backupsFromValue(v cty.Value) []BackupInfo {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	var out []BackupInfo
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		key := e.GetAttr("key").AsString()
		b := BackupInfo{Key: key, Kind: e.GetAttr("kind").AsString()}
		if m := keyTail.FindStringSubmatch(key); m != nil {
			b.Seq, _ = strconv.Atoi(m[1])
		}
		b.First, b.Last = intAttr(e, "first_revision"), intAttr(e, "last_revision")
		if u := e.GetAttr("repository_uuid"); u.IsKnown() && !u.IsNull() {
			b.UUID = u.AsString()
		}
		if e.IsWhollyKnown() {
			b.Size = int64(intAttr(e, "size"))
			b.DumpSize = int64(intAttr(e, "dump_size"))
			b.DumpSHA256 = e.GetAttr("dump_sha256").AsString()
			b.Created, _ = time.Parse(time.RFC3339, e.GetAttr("created").AsString())
		}
		out = append(out, b)
	}
	return out
}

// backupsValue is the backups attribute for a list.
func backupsValue(bs []BackupInfo) cty.Value {
	if len(bs) == 0 {
		return cty.ListValEmpty(backupElemType)
	}
	vals := make([]cty.Value, len(bs))
	for i, b := range bs {
		vals[i] = b.value()
	}
	return cty.ListVal(vals)
}
