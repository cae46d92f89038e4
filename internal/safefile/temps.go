package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// HoldTemp marks a temporary file as being written, with an exclusive
// flock(2) that lasts until the file is closed or the process dies, so
// that SweepTemps never takes it for a leftover.
func HoldTemp(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			if err != nil {
				return fmt.Errorf("mark %s as in use: %w", f.Name(), err)
			}
			return nil
		}
	}
}

// SweepTemps removes the files in dir whose names begin with prefix and
// end with suffix and that no process holds (HoldTemp): the temporary
// files of writers that died before they could remove them. Anything
// that is not a regular file is left alone.
func SweepTemps(dir, prefix, suffix string) error {
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look for temporary files left by a killed run: %w", err)
	}
	var errs []error
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, prefix) || !strings.HasSuffix(n, suffix) || len(n) < len(prefix)+len(suffix) || !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, n)
		f, err := OpenFile(path, os.O_RDONLY, 0)
		if err != nil {
			continue // gone meanwhile, or not ours to judge
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		f.Close()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove temporary files left by a killed run: %w", err)
	}
	return nil
}
