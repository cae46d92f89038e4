package svn

import (
	"fmt"
	"path"
	"strings"
)

// matchGlob reports whether a repository path (no leading slash, no
// trailing slash) matches a glob pattern. A pattern without a slash
// matches the last element of the path anywhere in the tree ("*.php").
// A pattern with a slash matches the whole path from the repository root,
// element by element; "**" as a whole element matches any number of
// elements, none included ("trunk/**/vendor/**"). Inside an element, *, ?
// and [...] work as in path.Match.
func matchGlob(pattern, p string) bool {
	pattern = strings.TrimPrefix(pattern, "/")
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(p))
		return ok
	}
	return matchElems(strings.Split(pattern, "/"), strings.Split(p, "/"))
}

func matchElems(pat, elems []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(elems); i++ {
				if matchElems(rest, elems[i:]) {
					return true
				}
			}
			return false
		}
		if len(elems) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], elems[0]); !ok {
			return false
		}
		pat, elems = pat[1:], elems[1:]
	}
	return len(elems) == 0
}

// checkGlob returns an error that says what is wrong with a pattern, or
// nil when matchGlob can use it.
func checkGlob(pattern string) error {
	if strings.TrimSpace(pattern) == "" {
		return fmt.Errorf("the pattern is empty")
	}
	for _, elem := range strings.Split(strings.TrimPrefix(pattern, "/"), "/") {
		if elem == "" {
			return fmt.Errorf("%q has an empty element (two slashes in a row, or a trailing slash)", pattern)
		}
		if _, err := path.Match(elem, ""); err != nil {
			return fmt.Errorf("%q: %q is not a valid pattern (an unclosed [ or a trailing \\)", pattern, elem)
		}
	}
	return nil
}
