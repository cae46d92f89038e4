package apache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/plumbhq/plumb/providers/host"
)

// lockSuffix ends the name of the lock file plumb keeps beside an access
// file. For an .htaccess it begins with ".ht", which Apache's default
// configuration never serves (atomicfile names its temporary files the
// same way).
const lockSuffix = ".plumb-lock"

// newFileMode is the mode of an access file plumb creates.
const newFileMode fs.FileMode = 0o644

// lockWait bounds how long a change waits for another run's lock.
const lockWait = 2 * time.Minute

// resolvePath follows a symbolic link at path, so that plumb edits the
// file a link names instead of replacing the link. Any other path (links
// in its folders are fine for a rename) is returned as it is.
func resolvePath(ctx context.Context, h host.Host, path string) string {
	fi, err := h.Lstat(ctx, path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return path
	}
	if real, err := h.RealPath(ctx, path); err == nil {
		return real
	}
	return path
}

// lockFile takes the lock of the file at path: an exclusive lock on the
// lock file beside it (which runs on the same host, and runs elsewhere
// reaching it over SSH, respect), waiting up to lockWait or the context's
// end. The lock file is left in place: removing it would let two runs
// lock two different files.
func lockFile(ctx context.Context, h host.Host, path string) (unlock func(), err error) {
	ctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	unlock, err = h.Lock(ctx, path+lockSuffix)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("%s is still locked by another run after %s; wait for it to finish", path+lockSuffix, lockWait)
	}
	return unlock, err
}

// readTarget returns the content and file info of the access file at
// path, or nil info when there is no file. Something other than a regular
// file there is an error.
func readTarget(ctx context.Context, h host.Host, path string) ([]byte, fs.FileInfo, error) {
	data, fi, err := host.ReadFile(ctx, h, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return data, fi, nil
}

// checkDir says why the folder of path cannot hold it, or returns nil.
func checkDir(ctx context.Context, h host.Host, path string) error {
	dir := filepath.Dir(path)
	st, err := h.Stat(ctx, dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the directory %s does not exist; plumb does not create web folders, so check the path", dir)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// checkWritable says why plumb must not replace the file at path (info
// fi, nil when there is none yet), or returns nil. A file without its
// owner's write permission was made read-only on purpose; replacing it by
// renaming would get round that, so plumb refuses.
func checkWritable(ctx context.Context, h host.Host, path string, fi fs.FileInfo) error {
	if err := checkDir(ctx, h, path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if fi != nil && fi.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s is read-only (mode %04o); if plumb should manage it, make it writable (chmod u+w) first", path, fi.Mode().Perm())
	}
	if fi != nil {
		if err := h.Access(ctx, path, 2); err != nil {
			return fmt.Errorf("%s is not writable by this user: %w", path, err)
		}
	}
	if err := h.Access(ctx, dir, 2|1); err != nil {
		return fmt.Errorf("the directory %s is not writable by this user (plumb writes a temporary file there and renames it over the file): %w", dir, err)
	}
	return nil
}
