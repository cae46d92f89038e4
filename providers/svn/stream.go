package svn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sys/unix"

	"github.com/plumbhq/plumb/internal/atomicfile"
)

// backupJob is one backup to make.
type backupJob struct {
	repos      string
	info       BackupInfo // key, kind, revision range, UUID, start time
	recipients []age.Recipient
	client     *s3.Client
	bucket     string
	localDir   string // "" for no local copy
}

// copyBufferSize is how much of the dump is read at a time.
const copyBufferSize = 256 << 10

// runBackup streams svnadmin dump through SHA-256 and age encryption into
// an S3 upload (and, with a local directory, an encrypted local copy),
// never writing the plaintext anywhere. When svnadmin fails, or anything
// else does, the multipart upload is aborted and the local copy removed,
// so no partial backup is left that looks complete. It returns the backup
// with its sizes and hash.
func runBackup(ctx context.Context, j backupJob) (BackupInfo, error) {
	info := j.info
	info.Tool = toolVersion()
	args := []string{"dump", "--quiet", "-r", fmt.Sprintf("%d:%d", info.First, info.Last)}
	if info.Kind == KindIncremental {
		args = append(args, "--incremental")
	}
	cmd := exec.CommandContext(ctx, "svnadmin", append(args, j.repos)...)
	cmd.Env = utf8Env()
	stderr := &capped{max: 8 << 10}
	cmd.Stderr = stderr
	stdout, pw, err := os.Pipe()
	if err != nil {
		return info, fmt.Errorf("starting svnadmin dump: %w", err)
	}
	defer stdout.Close()
	growPipe(pw)
	cmd.Stdout = pw
	up := newUploader(ctx, j.client, j.bucket, info.Key, info.metadata(false))
	var sink io.Writer = up
	var local *os.File
	if j.localDir != "" {
		if err := os.MkdirAll(j.localDir, 0o700); err != nil {
			return info, fmt.Errorf("creating the local backup directory: %w", err)
		}
		local, err = os.CreateTemp(j.localDir, "."+path.Base(info.Key)+".plumb-*")
		if err != nil {
			return info, fmt.Errorf("creating the local copy: %w", err)
		}
		sink = io.MultiWriter(up, local)
	}
	fail := func(err error) (BackupInfo, error) {
		if aerr := up.abort(); aerr != nil {
			err = fmt.Errorf("%w; %v", err, aerr)
		}
		if local != nil {
			local.Close()
			os.Remove(local.Name())
		}
		return info, err
	}
	err = cmd.Start()
	pw.Close()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return fail(fmt.Errorf("svnadmin is not installed (install Debian's subversion package): %w", err))
		}
		return fail(fmt.Errorf("starting svnadmin dump: %w", err))
	}
	enc, err := age.Encrypt(sink, j.recipients...)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return fail(fmt.Errorf("starting age encryption: %w", err))
	}
	hash := sha256.New()
	counter := &countWriter{w: io.MultiWriter(hash, enc)}
	_, copyErr := io.CopyBuffer(counter, stdout, make([]byte, copyBufferSize))
	if copyErr != nil {
		cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	switch {
	case copyErr != nil:
		return fail(fmt.Errorf("streaming the dump after %s: %w", humanBytes(counter.n), copyErr))
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
		if err := finishLocal(local, filepath.Join(j.localDir, path.Base(info.Key))); err != nil {
			return info, fmt.Errorf("the backup is in S3, but its local copy failed: %w", err)
		}
	}
	return info, nil
}

// growPipe asks for a 1 MiB pipe buffer, so svnadmin and plumb trade the
// dump in fewer, larger reads; where that is refused the pipe works as it
// is.
func growPipe(f *os.File) {
	if sc, err := f.SyscallConn(); err == nil {
		sc.Control(func(fd uintptr) { unix.FcntlInt(fd, unix.F_SETPIPE_SZ, 1<<20) })
	}
}

// finishLocal syncs the local copy and renames it into place.
func finishLocal(f *os.File, name string) error {
	tmp := f.Name()
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(name))
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

// toolVersion names the plumb and svnadmin that make backups, for the
// objects' metadata.
var toolVersion = sync.OnceValue(func() string {
	v := "plumb"
	if bi, ok := debug.ReadBuildInfo(); ok {
		v += " " + bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	if out, err := exec.Command("svnadmin", "--version", "--quiet").Output(); err == nil {
		v += "; svnadmin " + strings.TrimSpace(string(out))
	}
	return v
})

// pruneLocal deletes local copies of backups (files named like plumb's
// backup objects) older than keep, but never the newest.
func pruneLocal(dir string, keep int64, nowUnix int64) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
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
	for _, e := range entries {
		m := keyPattern.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		seq, _ := strconv.Atoi(m[1])
		files = append(files, file{e.Name(), seq, fi.ModTime().Unix()})
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
			if err := os.Remove(filepath.Join(dir, f.name)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
