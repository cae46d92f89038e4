package lang

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// fileSetFunc is fileset(dir, pattern): the set of regular files under dir
// whose paths relative to dir match pattern, with forward slashes.
//
// The pattern is matched one path element at a time with path.Match
// syntax (*, ?, [class], \ escapes); an element "**" matches any number of
// directories, none included; {a,b} matches either alternative. A symbolic
// link to a regular file counts as a file; links to directories are not
// followed. A dir that does not exist gives the empty set, as in
// Terraform; a mistyped path then shows in the plan as the deletion of
// everything it used to produce, which the reviewer sees (and a provider
// may refuse as a mass change).
func (s *fileScope) fileSetFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Returns the set of files under the directory whose relative paths match the pattern.",
		Params: []function.Parameter{
			{Name: "dir", Type: cty.String},
			{Name: "pattern", Type: cty.String},
		},
		Type:         function.StaticReturnType(cty.Set(cty.String)),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			dir, pattern := args[0].AsString(), args[1].AsString()
			globs, err := compileGlob(pattern)
			if err != nil {
				return cty.NilVal, function.NewArgError(1, err)
			}
			root := s.resolve(dir)
			info, err := os.Stat(root)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return cty.SetValEmpty(cty.String), nil
			case err != nil:
				return cty.NilVal, function.NewArgErrorf(0, "reading %s: %w", s.where(dir), err)
			case !info.IsDir():
				return cty.NilVal, function.NewArgErrorf(0, "%s is a file, not a directory", s.where(dir))
			}
			paths, err := globFiles(os.DirFS(root), globs)
			if err != nil {
				return cty.NilVal, fmt.Errorf("listing files under %s: %w", s.where(dir), err)
			}
			if len(paths) == 0 {
				return cty.SetValEmpty(cty.String), nil
			}
			vals := make([]cty.Value, len(paths))
			for i, p := range paths {
				vals[i] = cty.StringVal(p)
			}
			return cty.SetVal(vals), nil
		},
	})
}

// glob is one pattern split into path elements.
type glob []string

// compileGlob expands the {a,b} alternatives of pattern and splits each
// result into elements, checking that every element is a valid pattern.
func compileGlob(pattern string) ([]glob, error) {
	if pattern == "" {
		return nil, errors.New("the pattern is empty; use \"*\" for the files in the directory or \"**\" for all below it")
	}
	if strings.HasPrefix(pattern, "/") {
		return nil, fmt.Errorf("the pattern %q is absolute; it must be relative to the directory", pattern)
	}
	alts, err := expandBraces(pattern)
	if err != nil {
		return nil, fmt.Errorf("invalid pattern %q: %w", pattern, err)
	}
	globs := make([]glob, 0, len(alts))
	for _, alt := range alts {
		var g glob
		for _, elem := range strings.Split(alt, "/") {
			if elem == "" || elem == "." {
				continue
			}
			if elem == ".." {
				return nil, fmt.Errorf("the pattern %q climbs out of the directory with \"..\"; name the parent directory as dir instead", pattern)
			}
			if _, err := path.Match(elem, ""); err != nil {
				return nil, fmt.Errorf("invalid pattern %q: element %q: %w", pattern, elem, err)
			}
			g = append(g, elem)
		}
		if len(g) > 0 {
			globs = append(globs, g)
		}
	}
	return globs, nil
}

// expandBraces turns "a{b,c}d" into "abd" and "acd", recursively. A brace
// preceded by a backslash is literal.
func expandBraces(p string) ([]string, error) {
	open := -1
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' {
			i++
			continue
		}
		if p[i] == '{' {
			open = i
			break
		}
	}
	if open < 0 {
		return []string{p}, nil
	}
	var alts []string
	depth, start := 0, open+1
	for i := open + 1; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '{':
			depth++
		case ',':
			if depth == 0 {
				alts = append(alts, p[start:i])
				start = i + 1
			}
		case '}':
			if depth > 0 {
				depth--
				continue
			}
			alts = append(alts, p[start:i])
			var out []string
			for _, a := range alts {
				more, err := expandBraces(p[:open] + a + p[i+1:])
				if err != nil {
					return nil, err
				}
				out = append(out, more...)
			}
			return out, nil
		}
	}
	return nil, errors.New("a { has no matching }")
}

// globFiles walks fsys and returns the sorted paths of the regular files
// that match any of globs, not descending where no glob can match.
func globFiles(fsys fs.FS, globs []glob) ([]string, error) {
	var found []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		elems := strings.Split(p, "/")
		if d.IsDir() {
			if !slices.ContainsFunc(globs, func(g glob) bool { return g.mayMatchBelow(elems) }) {
				return fs.SkipDir
			}
			return nil
		}
		if !slices.ContainsFunc(globs, func(g glob) bool { return g.match(elems) }) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			info, err := fs.Stat(fsys, p)
			if err != nil || !info.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		found = append(found, p)
		return nil
	})
	slices.Sort(found)
	return found, err
}

// match reports whether the path elements match the whole glob.
func (g glob) match(elems []string) bool {
	for len(g) > 0 {
		if g[0] == "**" {
			for i := 0; i <= len(elems); i++ {
				if g[1:].match(elems[i:]) {
					return true
				}
			}
			return false
		}
		if len(elems) == 0 {
			return false
		}
		if ok, _ := path.Match(g[0], elems[0]); !ok {
			return false
		}
		g, elems = g[1:], elems[1:]
	}
	return len(elems) == 0
}

// mayMatchBelow reports whether some path inside the directory dir (given
// as elements) could match the glob.
func (g glob) mayMatchBelow(dir []string) bool {
	for ; len(dir) > 0; dir = dir[1:] {
		if len(g) == 0 {
			return false
		}
		if g[0] == "**" {
			return true
		}
		if ok, _ := path.Match(g[0], dir[0]); !ok {
			return false
		}
		g = g[1:]
	}
	return len(g) > 0
}
