package host

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Glob returns the names on h that match pattern (path.Match syntax in
// any element, as filepath.Glob), sorted; none is not an error. Only a
// malformed pattern, or a folder that exists but cannot be listed, is.
func Glob(ctx context.Context, h Host, pattern string) ([]string, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, err
	}
	if !hasMeta(pattern) {
		if _, err := h.Lstat(ctx, pattern); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil
			}
			return nil, err
		}
		return []string{pattern}, nil
	}
	dir, file := path.Split(pattern)
	dir = cleanDir(dir)
	dirs := []string{dir}
	if hasMeta(dir) {
		var err error
		if dirs, err = Glob(ctx, h, dir); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, d := range dirs {
		list, err := h.ReadDir(ctx, d)
		if errors.Is(err, fs.ErrNotExist) || err != nil && isNotDir(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, fi := range list {
			if ok, _ := path.Match(file, fi.Name()); ok {
				out = append(out, path.Join(d, fi.Name()))
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }

func cleanDir(dir string) string {
	switch dir {
	case "":
		return "."
	case "/":
		return "/"
	}
	return strings.TrimSuffix(dir, "/")
}

func isNotDir(err error) bool {
	return strings.Contains(err.Error(), "not a directory")
}
