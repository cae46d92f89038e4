package svn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/plumbhq/plumb/providers/host"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// RestoreOptions say which backup to restore and where.
type RestoreOptions struct {
	Client *s3.Client
	Bucket string
	// Key is the backup to restore. When it is incremental, the full
	// backup and the incrementals that lead to it are loaded first. When
	// Key is empty, the newest complete backup under Prefix is restored.
	Key    string
	Prefix string
	// Identities are the age private keys; one must match a recipient.
	Identities []age.Identity
	// Target is the path of the repository to create; it must not exist.
	// Verify ignores it.
	Target string
	// Log, when not nil, hears a line per backup loaded.
	Log io.Writer
}

// RestoreResult says what was loaded.
type RestoreResult struct {
	// Backups are the backups loaded, in order.
	Backups []BackupInfo
	// Youngest is the restored repository's youngest revision.
	Youngest int
	// UUID is the restored repository's UUID.
	UUID string
}

// ReadIdentities reads age private keys from a file (as age-keygen
// writes them).
func ReadIdentities(name string) ([]age.Identity, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("reading the identity file: %w", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, fmt.Errorf("%s holds no age private key (AGE-SECRET-KEY-…): %w", name, err)
	}
	return ids, nil
}

// Restore downloads the backups, decrypts them, checks each dump's
// SHA-256 and size against the object's metadata, and loads them with
// svnadmin load into a new repository at Target. Loading happens in a
// temporary repository beside Target that is renamed into place only when
// every backup checked out, so a failed restore leaves nothing at Target.
func Restore(ctx context.Context, o RestoreOptions) (RestoreResult, error) {
	if o.Target == "" {
		return RestoreResult{}, errors.New("no repository path to restore into")
	}
	if found, err := exists(o.Target); err != nil || found {
		return RestoreResult{}, fmt.Errorf("%s exists already; restore into a new path (plumb never overwrites a repository): %v", o.Target, err)
	}
	parent := filepath.Dir(filepath.Clean(o.Target))
	tmp, err := os.MkdirTemp(parent, ".plumb-restore-")
	if err != nil {
		return RestoreResult{}, fmt.Errorf("creating a temporary repository beside %s: %w", o.Target, err)
	}
	defer os.RemoveAll(tmp)
	repo := filepath.Join(tmp, "repo")
	res, err := restoreInto(ctx, o, repo)
	if err != nil {
		return res, err
	}
	if err := os.Rename(repo, o.Target); err != nil {
		return res, fmt.Errorf("moving the restored repository into place: %w", err)
	}
	return res, nil
}

// Verify restores the backup into a temporary repository, as Restore
// does, then runs svnadmin verify on it, and removes it.
func Verify(ctx context.Context, o RestoreOptions) (RestoreResult, error) {
	tmp, err := os.MkdirTemp("", "plumb-verify-")
	if err != nil {
		return RestoreResult{}, err
	}
	defer os.RemoveAll(tmp)
	repo := filepath.Join(tmp, "repo")
	res, err := restoreInto(ctx, o, repo)
	if err != nil {
		return res, err
	}
	if err := runSvnadmin(ctx, nil, "verify", "--quiet", repo); err != nil {
		return res, fmt.Errorf("the restored repository does not verify: %w", err)
	}
	return res, nil
}

func restoreInto(ctx context.Context, o RestoreOptions, repo string) (RestoreResult, error) {
	var res RestoreResult
	if len(o.Identities) == 0 {
		return res, errors.New("no age identity given; pass the private key file that matches one of the backup's recipients")
	}
	chain, err := findChain(ctx, o)
	if err != nil {
		return res, err
	}
	if err := runSvnadmin(ctx, nil, "create", repo); err != nil {
		return res, err
	}
	for i, b := range chain {
		if err := loadBackup(ctx, o, b, repo, i == 0); err != nil {
			return res, err
		}
		res.Backups = append(res.Backups, b)
		if o.Log != nil {
			fmt.Fprintf(o.Log, "Loaded %s (%s, r%d to r%d, %s, SHA-256 checked).\n", b.Key, b.Kind, b.First, b.Last, humanBytes(b.DumpSize))
		}
	}
	info, err := repositoryInfo(ctx, host.Local(), repo)
	if err != nil {
		return res, err
	}
	res.Youngest, res.UUID = info.youngest, info.uuid
	if last := chain[len(chain)-1]; res.Youngest != last.Last {
		return res, fmt.Errorf("the restored repository's youngest revision is r%d, but the backup ends at r%d", res.Youngest, last.Last)
	}
	return res, nil
}

// findChain returns the backups to load, full first.
func findChain(ctx context.Context, o RestoreOptions) ([]BackupInfo, error) {
	prefix := o.Prefix
	if o.Key != "" {
		loc := keyTail.FindStringIndex(o.Key)
		if loc == nil {
			return nil, fmt.Errorf("%q is not the key of a plumb backup (NNNNNN-full-rA-B.svndump.age)", o.Key)
		}
		prefix = o.Key[:loc[0]]
	}
	list, err := listBackups(ctx, o.Client, o.Bucket, prefix, nil)
	if err != nil {
		return nil, err
	}
	var complete []BackupInfo
	for _, b := range list {
		if b.Complete() {
			complete = append(complete, b)
		}
	}
	if len(complete) == 0 {
		return nil, fmt.Errorf("there is no complete plumb backup under s3://%s/%s", o.Bucket, prefix)
	}
	idx := len(complete) - 1
	if o.Key != "" {
		idx = -1
		for i, b := range complete {
			if b.Key == o.Key {
				idx = i
			}
		}
		if idx < 0 {
			return nil, fmt.Errorf("s3://%s/%s is not a complete backup (it is missing, or its upload never finished); the newest complete one is %s", o.Bucket, o.Key, complete[len(complete)-1].Key)
		}
	}
	chain := []BackupInfo{complete[idx]}
	for cur := complete[idx]; cur.Kind == KindIncremental; {
		found := false
		for i := idx - 1; i >= 0; i-- {
			if p := complete[i]; p.Last+1 == cur.First && p.UUID == cur.UUID {
				chain = append([]BackupInfo{p}, chain...)
				cur, idx, found = p, i, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("the incremental backup %s starts at r%d, but no complete backup ending at r%d is left to load before it", cur.Key, cur.First, cur.First-1)
		}
	}
	return chain, nil
}

// loadBackup streams one backup into svnadmin load, checking its hash.
func loadBackup(ctx context.Context, o RestoreOptions, b BackupInfo, repo string, first bool) error {
	obj, err := o.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(b.Key)})
	if err != nil {
		return fmt.Errorf("downloading s3://%s/%s: %w", o.Bucket, b.Key, err)
	}
	defer obj.Body.Close()
	want := b.withMetadata(obj.Metadata)
	if !want.Complete() {
		return fmt.Errorf("s3://%s/%s has no dump hash in its metadata: its upload never completed", o.Bucket, b.Key)
	}
	plain, err := age.Decrypt(obj.Body, o.Identities...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return fmt.Errorf("the identity cannot decrypt s3://%s/%s: it was encrypted to other recipients. Use the private key of one of the recipients in the configuration", o.Bucket, b.Key)
		}
		return fmt.Errorf("s3://%s/%s is not a readable age file (corrupted?): %w", o.Bucket, b.Key, err)
	}
	hash := sha256.New()
	counted := &countWriter{w: hash}
	dec := &errReader{r: plain}
	src := io.TeeReader(dec, counted)
	args := []string{"load", "--quiet"}
	if first {
		args = append(args, "--force-uuid")
	}
	if err := runSvnadmin(ctx, src, append(args, repo)...); err != nil {
		if dec.err != nil && dec.err != io.EOF {
			return fmt.Errorf("s3://%s/%s is corrupted: it does not decrypt (%v); nothing was restored", o.Bucket, b.Key, dec.err)
		}
		return fmt.Errorf("loading s3://%s/%s: %w", o.Bucket, b.Key, err)
	}
	// svnadmin may stop reading at the end of the dump; hash the rest.
	if _, err := io.Copy(counted, plain); err != nil {
		return fmt.Errorf("s3://%s/%s is corrupted: it does not decrypt (%w); nothing was restored", o.Bucket, b.Key, err)
	}
	got := hex.EncodeToString(hash.Sum(nil))
	if got != want.DumpSHA256 || counted.n != want.DumpSize {
		return fmt.Errorf("s3://%s/%s does not match its recorded hash: the dump has SHA-256 %s and %d bytes, the metadata says %s and %d bytes. The object was changed after the backup; nothing was restored",
			o.Bucket, b.Key, got, counted.n, want.DumpSHA256, want.DumpSize)
	}
	return nil
}

// errReader remembers the error its reader returned.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

// runSvnadmin runs svnadmin with stdin (nil for none) and returns an error
// with its message when it fails.
func runSvnadmin(ctx context.Context, stdin io.Reader, args ...string) error {
	cmd := exec.CommandContext(ctx, "svnadmin", args...)
	cmd.Env = utf8Env()
	cmd.Stdin = stdin
	stderr := &capped{max: 8 << 10}
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("svnadmin is not installed (install Debian's subversion package): %w", err)
		}
		return fmt.Errorf("svnadmin %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// String describes a restore for the person who ran it.
func (r RestoreResult) String() string {
	var b strings.Builder
	for _, x := range r.Backups {
		b.WriteString(x.Key + " ")
	}
	return fmt.Sprintf("restored %d backups (%s) to r%s, UUID %s", len(r.Backups), strings.TrimSpace(b.String()), strconv.Itoa(r.Youngest), r.UUID)
}
