package dns

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// How $INCLUDE is confined.
//
// Every file is named by a slash path under the zone root. An $INCLUDE
// path is looked for beside the including file, then, as BIND means it,
// relative to the root (BIND's working directory), and, for an absolute
// path, as the part of it under the root. Paths that climb out ("../x")
// are refused before anything is opened, and files are opened through
// os.Root, which also refuses symbolic links that lead out of the root.

// errOutsideRoot marks an $INCLUDE that would read outside the zone root.
var errOutsideRoot = errors.New("outside the zone root")

// includer opens $INCLUDE files under the zone root.
type includer struct {
	dir     string // the zone root as the caller gave it
	root    *os.Root
	rootErr error
}

// open reads the file an $INCLUDE in the file from (a slash path under the
// root) names, and returns its slash path and its bytes.
func (in *includer) open(from, target string) (string, []byte, error) {
	var first error
	for _, c := range in.candidates(from, target) {
		data, err := in.read(c)
		if err == nil {
			return c, data, nil
		}
		if first == nil {
			first = err
		}
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	return "", nil, first
}

// candidates lists the slash paths under the root that target may mean,
// in the order they are tried.
func (in *includer) candidates(from, target string) []string {
	var out []string
	add := func(p string) {
		for _, o := range out {
			if o == p {
				return
			}
		}
		out = append(out, p)
	}
	t := filepath.ToSlash(target)
	if path.IsAbs(t) {
		if root, err := filepath.Abs(in.dir); err == nil {
			if rel, err := filepath.Rel(root, filepath.FromSlash(t)); err == nil && filepath.IsLocal(rel) {
				add(filepath.ToSlash(rel))
			}
		}
		add(strings.TrimLeft(path.Clean(t), "/"))
		return out
	}
	add(path.Clean(path.Join(path.Dir(from), t)))
	add(path.Clean(t))
	return out
}

// read reads the file at the slash path name under the root.
func (in *includer) read(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errOutsideRoot}
	}
	if in.root == nil && in.rootErr == nil {
		in.root, in.rootErr = os.OpenRoot(in.dir)
	}
	if in.rootErr != nil {
		return nil, fmt.Errorf("open zone root: %w", in.rootErr)
	}
	data, err := in.root.ReadFile(name)
	if err != nil && strings.Contains(err.Error(), "escapes") {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errOutsideRoot}
	}
	return data, err
}

// display returns how errors name the file at the slash path name.
func (in *includer) display(name string) string {
	return filepath.Join(in.dir, filepath.FromSlash(name))
}

// close releases the zone root, if an $INCLUDE opened it.
func (in *includer) close() {
	if in.root != nil {
		in.root.Close()
	}
}

// relName returns file's slash path relative to dir, or an error when it
// is not inside dir.
func relName(dir, file string) (string, error) {
	if filepath.IsAbs(dir) != filepath.IsAbs(file) {
		var err error
		if dir, err = filepath.Abs(dir); err != nil {
			return "", err
		}
		if file, err = filepath.Abs(file); err != nil {
			return "", err
		}
	}
	rel, err := filepath.Rel(dir, file)
	if err != nil {
		return "", err
	}
	if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", errOutsideRoot
	}
	return filepath.ToSlash(rel), nil
}
