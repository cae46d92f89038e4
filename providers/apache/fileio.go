package apache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
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
func resolvePath(path string) string {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return path
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real
	}
	return path
}

// inProcess serialises changes to one file within this process, so that
// resources of one run queue on a mutex and the flock is only contended
// between processes. Keys are resolved paths.
var inProcess sync.Map // string → *sync.Mutex

// lockFile takes the lock of the file at path: the in-process mutex, then
// an exclusive flock on the lock file beside it, waiting up to lockWait or
// the context's end. The lock file is left in place: removing it would let
// two runs lock two different files.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	m, _ := inProcess.LoadOrStore(path, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	name := path + lockSuffix
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		mu.Unlock()
		return nil, fmt.Errorf("opening the lock file %s: %w", name, err)
	}
	fail := func(err error) (func(), error) {
		f.Close()
		mu.Unlock()
		return nil, err
	}
	deadline := time.Now().Add(lockWait)
	pause := time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
				mu.Unlock()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return fail(fmt.Errorf("locking %s: %w", name, err))
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("%s is still locked by another run after %s; wait for it to finish", name, lockWait))
		}
		select {
		case <-ctx.Done():
			return fail(fmt.Errorf("waiting for the lock %s: %w", name, ctx.Err()))
		case <-time.After(pause):
		}
		if pause < 50*time.Millisecond {
			pause *= 2
		}
	}
}

// readTarget returns the content and file info of the access file at
// path, or nil info when there is no file. Something other than a regular
// file there is an error.
func readTarget(path string) ([]byte, fs.FileInfo, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s is not a regular file (%s)", path, fi.Mode().Type())
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return data, fi, nil
}

// checkDir says why the folder of path cannot hold it, or returns nil.
func checkDir(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
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
func checkWritable(path string, fi fs.FileInfo) error {
	if err := checkDir(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if fi != nil && fi.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s is read-only (mode %04o); if plumb should manage it, make it writable (chmod u+w) first", path, fi.Mode().Perm())
	}
	if os.Geteuid() != 0 {
		if fi != nil {
			if err := syscall.Access(path, 2); err != nil {
				return fmt.Errorf("%s is not writable by this user: %w", path, err)
			}
		}
		if err := syscall.Access(dir, 2|1); err != nil {
			return fmt.Errorf("the directory %s is not writable by this user (plumb writes a temporary file there and renames it over the file): %w", dir, err)
		}
	}
	return nil
}
