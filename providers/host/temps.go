package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// tempMarker is in the name of every temporary file Create makes beside
// its target: ".NAME.plumb-RANDOM" (".NAME" stays as it is when NAME is
// hidden already).
const tempMarker = ".plumb-"

// TempPrefix is how the temporary files of a write of name begin.
func TempPrefix(name string) string {
	base := path.Base(name)
	if !strings.HasPrefix(base, ".") {
		base = "." + base
	}
	return base + tempMarker
}

// TempSweeper removes the temporary files that writes killed part way
// left beside their targets (a process that dies between Create and
// Commit cannot remove its own). A provider calls Sweep when it reads an
// object it owns, before planning it: under the state lock no other run
// writes that object, and within a run reads come before writes, so
// every temporary file of its name is a leftover. A sweeper lists each
// folder once per run, however many files in it are read; it is safe for
// concurrent use.
type TempSweeper struct {
	mu   sync.Mutex
	dirs map[string]*tempDir
}

// tempDir is one folder's leftovers, by the prefix of their target.
type tempDir struct {
	once  sync.Once
	err   error
	temps map[string][]string // TempPrefix of the target → file names
}

// Sweep removes the temporary files of name left on h. A folder that
// does not exist has none.
func (s *TempSweeper) Sweep(ctx context.Context, h Host, name string) error {
	dir := path.Dir(name)
	s.mu.Lock()
	if s.dirs == nil {
		s.dirs = map[string]*tempDir{}
	}
	key := h.String() + "\x00" + dir
	d, ok := s.dirs[key]
	if !ok {
		d = &tempDir{}
		s.dirs[key] = d
	}
	s.mu.Unlock()
	d.once.Do(func() { d.temps, d.err = listTemps(ctx, h, dir) })
	if d.err != nil {
		return d.err
	}
	prefix := TempPrefix(name)
	s.mu.Lock()
	names := d.temps[prefix]
	delete(d.temps, prefix)
	s.mu.Unlock()
	var errs []error
	for _, n := range names {
		if err := h.Remove(ctx, path.Join(dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing temporary files left beside %s by an interrupted write: %w", name, err)
	}
	return nil
}

// listTemps finds the temporary files in dir, by their target's prefix.
func listTemps(ctx context.Context, h Host, dir string) (map[string][]string, error) {
	list, err := h.ReadDir(ctx, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing %s for temporary files left by an interrupted write: %w", dir, err)
	}
	out := map[string][]string{}
	for _, fi := range list {
		n := fi.Name()
		i := strings.LastIndex(n, tempMarker)
		if i <= 0 || !strings.HasPrefix(n, ".") || !fi.Mode().IsRegular() {
			continue
		}
		prefix := n[:i+len(tempMarker)]
		out[prefix] = append(out[prefix], n)
	}
	return out, nil
}
