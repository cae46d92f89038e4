package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/plumbhq/plumb/internal/atomicfile"
)

// Local returns the machine plumb runs on. It holds nothing and needs no
// closing.
func Local() Host { return local{} }

// local is the machine plumb runs on: the os package, atomicfile and
// os/exec.
type local struct{}

var _ Host = local{}

func (local) String() string { return "this machine" }

func (local) Close() error { return nil }

func (local) Open(_ context.Context, name string) (File, error) { return os.Open(name) }

func (local) Stat(_ context.Context, name string) (fs.FileInfo, error) { return os.Stat(name) }

func (local) Lstat(_ context.Context, name string) (fs.FileInfo, error) { return os.Lstat(name) }

func (local) ReadDir(_ context.Context, name string) ([]fs.FileInfo, error) {
	entries, err := os.ReadDir(name)
	if err != nil {
		return nil, err
	}
	out := make([]fs.FileInfo, 0, len(entries))
	for _, e := range entries {
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since the listing
		}
		if err != nil {
			return nil, err
		}
		out = append(out, fi)
	}
	return out, nil
}

func (local) RealPath(_ context.Context, name string) (string, error) {
	return filepath.EvalSymlinks(name)
}

func (local) Access(_ context.Context, name string, mode uint32) error {
	if os.Geteuid() == 0 {
		return nil
	}
	if err := syscall.Access(name, mode); err != nil {
		return &fs.PathError{Op: "access", Path: name, Err: err}
	}
	return nil
}

// Create writes through atomicfile, and makes the rename durable by
// syncing the folder at Commit.
func (local) Create(_ context.Context, name string, o WriteOptions) (Pending, error) {
	p, err := atomicfile.Create(name, atomicfile.Options{Perm: o.Perm, DirPerm: o.DirPerm, Like: o.Like})
	if err != nil {
		return nil, err
	}
	return localPending{p, name}, nil
}

type localPending struct {
	*atomicfile.Pending
	name string
}

func (p localPending) Commit() error {
	if err := p.Pending.Commit(); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(p.name))
}

func (local) Rename(_ context.Context, from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(to))
}

func (local) Remove(_ context.Context, name string) error {
	if err := os.Remove(name); err != nil {
		return err
	}
	if err := atomicfile.SyncDir(filepath.Dir(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// inProcess serialises locks on one file within this process, so that
// the resources of one run queue on a mutex and the flock is contended
// only between processes. Keys are the lock files' names.
var inProcess sync.Map // string → *sync.Mutex

// Lock takes the in-process mutex of name, then an exclusive flock on it.
func (local) Lock(ctx context.Context, name string) (func(), error) {
	m, _ := inProcess.LoadOrStore(name, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		mu.Unlock()
		return nil, fmt.Errorf("opening the lock file %s: %w", name, err)
	}
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
			f.Close()
			mu.Unlock()
			return nil, fmt.Errorf("locking %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			mu.Unlock()
			return nil, fmt.Errorf("%s is still locked by another run: %w", name, ctx.Err())
		case <-time.After(pause):
		}
		if pause < 50*time.Millisecond {
			pause *= 2
		}
	}
}

func (h local) Run(ctx context.Context, c Cmd) error {
	if len(c.Args) == 0 {
		return errors.New("no command to run")
	}
	cmd := exec.CommandContext(ctx, c.Args[0], c.Args[1:]...)
	if len(c.Env) > 0 {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Stdin, c.Stdout, c.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist) && cmd.ProcessState == nil:
		return fmt.Errorf("%s is not installed on %s (or not on its PATH): %w", c.Args[0], h, ErrNotFound)
	case errors.As(err, &exit) && ctx.Err() == nil:
		return &ExitError{Host: h.String(), Args: c.Args, Code: exit.ExitCode()}
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", c.Args[0], ctx.Err())
	}
	return fmt.Errorf("running %s: %w", c.Args[0], err)
}
