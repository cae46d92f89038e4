package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/plumbhq/plumb/internal/safefile"
)

// Lock backoff: the first retry comes after lockFirstDelay, then the delay
// doubles up to lockMaxDelay, each with up to a quarter of jitter.
const (
	lockFirstDelay = 20 * time.Millisecond
	lockMaxDelay   = time.Second
)

// Lock takes the state lock, an exclusive flock(2) on <path>.lock, and
// writes info into that file so that others can name the holder. It tries
// once, then retries with backoff until ctx is done; the error then wraps
// ErrLocked (and the context's error) and names the holder. Empty fields
// of info are filled in (ID, Who, Host, Created); PID and Path are always
// this process's and this state's. The kernel releases the lock when the
// process exits, however it exits.
func (l *Local) Lock(ctx context.Context, info LockInfo) error {
	l.mu.Lock()
	held := l.lockFile != nil
	l.mu.Unlock()
	if held {
		return fmt.Errorf("lock %s: this run already holds the lock", l.path)
	}
	f, err := safefile.OpenFile(l.lockPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("lock %s: %w", l.path, err)
	}
	delay := lockFirstDelay
	for {
		err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return fmt.Errorf("lock %s: %w", l.lockPath(), err)
		}
		t := time.NewTimer(delay + rand.N(delay/4+1))
		select {
		case <-ctx.Done():
			t.Stop()
			holder := describeHolder(readLockInfo(f))
			f.Close()
			return fmt.Errorf("%s: %w: it is held by %s; wait for that run to finish or stop it (its lock is released when its process exits): %w",
				l.path, ErrLocked, holder, Why(ctx))
		case <-t.C:
		}
		delay = min(2*delay, lockMaxDelay)
	}

	info = info.Complete(l.path)
	data, err := json.Marshal(info)
	if err == nil {
		err = f.Truncate(0)
	}
	if err == nil {
		_, err = f.WriteAt(append(data, '\n'), 0)
	}
	if err != nil {
		flock(f, syscall.LOCK_UN)
		f.Close()
		return fmt.Errorf("lock %s: record holder: %w", l.path, err)
	}
	l.mu.Lock()
	l.lockFile, l.lockInfo = f, info
	l.mu.Unlock()
	// Only the holder of the lock writes the state's temporary files, so
	// any there now were left by a run that died writing.
	if err := l.removeLeftovers(); err != nil {
		l.Unlock()
		return fmt.Errorf("lock %s: %w", l.path, err)
	}
	return nil
}

// removeLeftovers removes the temporary files a write of the state left
// when its process died: <path>.tmp-* and <path>.backup.tmp.
func (l *Local) removeLeftovers() error {
	dir, base := filepath.Split(l.path)
	if err := os.Remove(l.backupPath() + ".tmp"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove a temporary file left by a killed run: %w", err)
	}
	return safefile.SweepTemps(dir, base+".tmp-", "")
}

// HeldLock returns the LockInfo this Local recorded when it took the lock,
// and whether it holds it.
func (l *Local) HeldLock() (LockInfo, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lockInfo, l.lockFile != nil
}

// Unlock clears the holder's details from the lock file and releases the
// lock taken by Lock.
func (l *Local) Unlock() error {
	l.mu.Lock()
	f := l.lockFile
	l.lockFile, l.lockInfo = nil, LockInfo{}
	l.mu.Unlock()
	if f == nil {
		return fmt.Errorf("unlock %s: this run does not hold the lock", l.path)
	}
	// Clear first, so nobody reads our details after the lock is free.
	terr := f.Truncate(0)
	uerr := flock(f, syscall.LOCK_UN)
	cerr := f.Close()
	if err := errors.Join(terr, uerr, cerr); err != nil {
		return fmt.Errorf("unlock %s: %w", l.path, err)
	}
	return nil
}

// ForceUnlock clears a lock left by a run that is gone and returns the
// details it recorded. Because the lock is a flock(2), the kernel already
// released it when that run's process exited; what remains is its record
// in the lock file, which ForceUnlock clears when id matches it. A lock
// held by a live process cannot be broken: ForceUnlock then fails with an
// error wrapping ErrLocked that names the process, so it can be stopped.
func (l *Local) ForceUnlock(id string) (LockInfo, error) {
	f, err := safefile.OpenFile(l.lockPath(), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return LockInfo{}, fmt.Errorf("force-unlock %s: the state is not locked (there is no %s)", l.path, l.lockPath())
	}
	if err != nil {
		return LockInfo{}, fmt.Errorf("force-unlock %s: %w", l.path, err)
	}
	defer f.Close()
	info := readLockInfo(f)

	err = flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		switch {
		case info.ID == "":
			return info, fmt.Errorf("force-unlock %s: %w by a running process that recorded no details; it is released when that process exits",
				l.path, ErrLocked)
		case info.ID != id:
			return info, fmt.Errorf("force-unlock %s: %w, but under ID %s, not %s: it is held by %s",
				l.path, ErrLocked, info.ID, id, describeHolder(info))
		}
		return info, fmt.Errorf("force-unlock %s: %w: its holder is still running (%s); a lock held by a live process cannot be broken: let that run finish, or stop it (kill %d) and its lock is released",
			l.path, ErrLocked, describeHolder(info), info.PID)
	}
	if err != nil {
		return info, fmt.Errorf("force-unlock %s: %w", l.path, err)
	}
	defer flock(f, syscall.LOCK_UN)
	switch {
	case info.ID == "":
		return info, fmt.Errorf("force-unlock %s: the state is not locked", l.path)
	case info.ID != id:
		return info, fmt.Errorf("force-unlock %s: the lock recorded is %s (%s), not %s; it is no longer held, so nothing needs breaking",
			l.path, info.ID, describeHolder(info), id)
	}
	if err := f.Truncate(0); err != nil {
		return info, fmt.Errorf("force-unlock %s: %w", l.path, err)
	}
	return info, nil
}

// tryStateLock takes the state lock for a moment unless this Local holds
// it already; ok is false when another process holds it. release undoes
// it.
func (l *Local) tryStateLock() (release func(), ok bool, err error) {
	l.mu.Lock()
	held := l.lockFile != nil
	l.mu.Unlock()
	if held {
		return func() {}, true, nil
	}
	f, err := safefile.OpenFile(l.lockPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, err
	}
	if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return func() {
		flock(f, syscall.LOCK_UN)
		f.Close()
	}, true, nil
}

// Complete fills in what a lock record needs from this process: an ID,
// host, user, time and PID if missing, and the path of what is locked.
// Every backend records its lock holder the same way.
func (info LockInfo) Complete(path string) LockInfo {
	host, _ := os.Hostname()
	if info.ID == "" {
		info.ID = NewID()
	}
	if info.Host == "" {
		info.Host = host
	}
	if info.Who == "" {
		info.Who = os.Getenv("USER")
		if u, err := user.Current(); err == nil {
			info.Who = u.Username
		}
	}
	if info.Created == "" {
		info.Created = time.Now().UTC().Format(time.RFC3339)
	}
	info.PID = os.Getpid()
	info.Path = path
	return info
}

// Holder names who holds the lock as user@host. Who is the user; a
// record from an older plumb that put user@host in Who is printed as it
// is.
func (info LockInfo) Holder() string {
	switch {
	case strings.Contains(info.Who, "@") || info.Host == "":
		return info.Who
	case info.Who == "":
		return "someone@" + info.Host
	}
	return info.Who + "@" + info.Host
}

// readLockInfo reads the holder's details from an open lock file; the
// zero LockInfo when there are none (or they were being written).
func readLockInfo(f *os.File) LockInfo {
	var info LockInfo
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<20))
	if err == nil {
		_ = json.Unmarshal(data, &info)
	}
	return info
}

// describeHolder names a lock holder for an error message.
func describeHolder(info LockInfo) string {
	if info.ID == "" {
		return "a process that recorded no details"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (pid %d)", info.Holder(), info.PID)
	if info.Operation != "" {
		fmt.Fprintf(&b, " running %q", info.Operation)
	}
	if info.Created != "" {
		fmt.Fprintf(&b, " since %s", info.Created)
	}
	fmt.Fprintf(&b, ", lock ID %s", info.ID)
	return b.String()
}

// flock applies flock(2) to f.
func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// openFlocked opens path (creating it if create is set) and takes an
// exclusive flock on it without waiting. busy reports that another open
// file holds the flock. It makes sure the file locked is still the one at
// path, since a file may be removed while another process waits for it.
func openFlocked(path string, create bool) (f *os.File, busy bool, err error) {
	flag := os.O_RDWR
	if create {
		flag |= os.O_CREATE
	}
	for {
		f, err := safefile.OpenFile(path, flag, 0o600)
		if err != nil {
			return nil, false, err
		}
		if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, true, nil
			}
			return nil, false, err
		}
		fi, ferr := f.Stat()
		pi, perr := os.Stat(path)
		if ferr == nil && perr == nil && os.SameFile(fi, pi) {
			return f, false, nil
		}
		f.Close()
		if ferr != nil {
			return nil, false, ferr
		}
		if perr != nil && (!create || !errors.Is(perr, fs.ErrNotExist)) {
			return nil, false, perr
		}
	}
}
