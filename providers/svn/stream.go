package svn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/plumbhq/plumb/providers/host"
)

// backupJob is one backup to make.
type backupJob struct {
	host       host.Host // where the repository is
	repos      string
	info       BackupInfo // key, kind, revision range, UUID, start time
	recipients []age.Recipient
	client     *s3.Client
	bucket     string
	localDir   string // "" for no local copy (on the repository's host)
}

// copyBufferSize is how much of the dump is read at a time.
const copyBufferSize = 256 << 10

// runBackup streams svnadmin dump, run on the repository's host, through
// SHA-256 and age encryption into an S3 upload (and, with a local
// directory, an encrypted copy on that host), never writing the
// plaintext anywhere: over SSH the dump arrives as the command's output
// and is encrypted as it comes. When svnadmin fails, or anything else
// does, the multipart upload is aborted and the local copy removed, so no
// partial backup is left that looks complete. It returns the backup with
// its sizes and hash.
func runBackup(ctx context.Context, j backupJob) (BackupInfo, error) {
	info := j.info
	info.Tool = toolVersion(ctx, j.host)
	args := []string{"svnadmin", "dump", "--quiet", "-r", fmt.Sprintf("%d:%d", info.First, info.Last)}
	if info.Kind == KindIncremental {
		args = append(args, "--incremental")
	}
	args = append(args, j.repos)
	stdout, pw, err := os.Pipe()
	if err != nil {
		return info, fmt.Errorf("starting svnadmin dump: %w", err)
	}
	defer stdout.Close()
	growPipe(pw)
	up := newUploader(ctx, j.client, j.bucket, info.Key, info.metadata(false))
	var sink io.Writer = up
	var local host.Pending
	if j.localDir != "" {
		local, err = j.host.Create(ctx, path.Join(j.localDir, path.Base(info.Key)), host.WriteOptions{Perm: 0o600, DirPerm: 0o700})
		if err != nil {
			pw.Close()
			return info, fmt.Errorf("creating the local copy: %w", err)
		}
		sink = io.MultiWriter(up, local)
	}
	fail := func(err error) (BackupInfo, error) {
		if aerr := up.abort(); aerr != nil {
			err = fmt.Errorf("%w; %v", err, aerr)
		}
		if local != nil {
			local.Abort()
		}
		return info, err
	}
	enc, err := age.Encrypt(sink, j.recipients...)
	if err != nil {
		pw.Close()
		return fail(fmt.Errorf("starting age encryption: %w", err))
	}
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	stderr := &capped{max: 8 << 10}
	done := make(chan error, 1)
	go func() {
		err := j.host.Run(dctx, host.Cmd{Args: args, Env: utf8Vars, Stdout: pw, Stderr: stderr})
		pw.Close()
		done <- err
	}()
	hash := sha256.New()
	counter := &countWriter{w: io.MultiWriter(hash, enc)}
	_, copyErr := io.CopyBuffer(counter, stdout, make([]byte, copyBufferSize))
	if copyErr != nil {
		stop()
		stdout.Close() // unblocks the command's writes
	}
	waitErr := <-done
	switch {
	case copyErr != nil:
		return fail(fmt.Errorf("streaming the dump after %s: %w", humanBytes(counter.n), copyErr))
	case errors.Is(waitErr, host.ErrNotFound):
		return fail(fmt.Errorf("svnadmin is not installed on %s (install Debian's subversion package): %w", j.host, waitErr))
	case waitErr != nil:
		return fail(fmt.Errorf("svnadmin dump -r %d:%d %s failed after %s: %w: %s", info.First, info.Last, j.repos,
			humanBytes(counter.n), waitErr, strings.TrimSpace(stderr.String())))
	}
	if err := enc.Close(); err != nil {
		return fail(fmt.Errorf("finishing the encryption: %w", err))
	}
	info.DumpSize, info.DumpSHA256 = counter.n, hex.EncodeToString(hash.Sum(nil))
	if err := up.finish(info.metadata(true)); err != nil {
		return fail(err)
	}
	info.Size = up.total
	if local != nil {
		if err := local.Commit(); err != nil {
			return info, fmt.Errorf("the backup is in S3, but its local copy failed: %w", err)
		}
	}
	return info, nil
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// plumbVersion names this plumb, for the backups' metadata.
var plumbVersion = sync.OnceValue(func() string {
	v := "plumb"
	if bi, ok := debug.ReadBuildInfo(); ok {
		v += " " + bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
})

// toolVersion names the plumb and the svnadmin (on the repository's
// host) that make a backup, for the objects' metadata.
func toolVersion(ctx context.Context, h host.Host) string {
	v := plumbVersion()
	if out, err := host.Output(ctx, h, host.Cmd{Args: []string{"svnadmin", "--version", "--quiet"}}); err == nil {
		v += "; svnadmin " + strings.TrimSpace(string(out))
	}
	return v
}

// pruneLocal deletes local copies of backups (files named like plumb's
// backup objects) in dir on h older than keep, but never the newest.
func pruneLocal(ctx context.Context, h host.Host, dir string, keep int64, nowUnix int64) error {
	entries, err := h.ReadDir(ctx, dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("reading the local backup directory: %w", err)
	}
	type file struct {
		name string
		seq  int
		mod  int64
	}
	var files []file
	for _, fi := range entries {
		m := keyPattern.FindStringSubmatch(fi.Name())
		if m == nil || !fi.Mode().IsRegular() {
			continue
		}
		seq, _ := strconv.Atoi(m[1])
		files = append(files, file{fi.Name(), seq, fi.ModTime().Unix()})
	}
	newest := -1
	for i, f := range files {
		if newest < 0 || f.seq > files[newest].seq {
			newest = i
		}
	}
	var errs []error
	for i, f := range files {
		if i != newest && nowUnix-f.mod > keep {
			if err := h.Remove(ctx, path.Join(dir, f.name)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
