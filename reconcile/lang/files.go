package lang

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// fileScope holds what the file functions of one function table share: the
// directory relative paths resolve against and the caches that make each
// file read once per run.
type fileScope struct {
	base      string
	files     cache[[]byte]
	templates cache[hclsyntax.Expression]
	// warnings collects what zonefile() warns about, for the engine to
	// show once per run.
	warnings Warnings
}

// newFileScope returns the file scope of the configuration in baseDir,
// made absolute so that abspath can answer without the working directory
// mattering later.
func newFileScope(baseDir string) *fileScope {
	if baseDir == "" {
		baseDir = "."
	}
	if abs, err := filepath.Abs(baseDir); err == nil {
		baseDir = abs
	}
	return &fileScope{base: filepath.Clean(baseDir)}
}

// resolve turns a path from configuration into a cleaned absolute one.
func (s *fileScope) resolve(p string) string {
	p = filepath.FromSlash(p)
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.base, p)
	}
	return filepath.Clean(p)
}

// where names a configuration path for an error message, with the file it
// resolved to when it was relative, so the reader sees where plumb looked.
func (s *fileScope) where(p string) string {
	if filepath.IsAbs(filepath.FromSlash(p)) {
		return fmt.Sprintf("%q", p)
	}
	return fmt.Sprintf("%q (relative to the configuration directory: %s)", p, s.resolve(p))
}

// read returns the bytes of the file at p, from the cache after the first
// read. Its errors say what is wrong in terms of the path as written.
func (s *fileScope) read(p string) ([]byte, error) {
	return s.files.get(s.resolve(p), func() ([]byte, error) { return s.readUncached(p) })
}

// readUncached reads the file at p afresh, with read's errors, for a
// caller that caches what it makes of the bytes instead.
func (s *fileScope) readUncached(p string) ([]byte, error) {
	abs := s.resolve(p)
	data, err := os.ReadFile(abs)
	if err == nil {
		return data, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no file exists at %s; check the path", s.where(p))
	}
	if info, serr := os.Stat(abs); serr == nil && info.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a file", s.where(p))
	}
	return nil, fmt.Errorf("reading %s: %w", s.where(p), err)
}

// readText returns the file at p as a string, which must be UTF-8.
func (s *fileScope) readText(p string) (string, error) {
	data, err := s.read(p)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(data) {
		return "", fmt.Errorf("the contents of %s are not UTF-8 text; use filebase64 to read a binary file", s.where(p))
	}
	return string(data), nil
}

// pathFunc builds a function of one path string that returns a value of
// type ret.
func pathFunc(desc string, ret cty.Type, impl func(p string) (cty.Value, error)) function.Function {
	return function.New(&function.Spec{
		Description:  desc,
		Params:       []function.Parameter{{Name: "path", Type: cty.String}},
		Type:         function.StaticReturnType(ret),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := impl(args[0].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return v, nil
		},
	})
}

// fileFunc is file(path): the UTF-8 text of a file.
func (s *fileScope) fileFunc() function.Function {
	return pathFunc("Returns the contents of the file at the given path, which must be UTF-8 text.", cty.String,
		func(p string) (cty.Value, error) {
			text, err := s.readText(p)
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(text), nil
		})
}

// fileBase64Func is filebase64(path): the bytes of a file in base64.
func (s *fileScope) fileBase64Func() function.Function {
	return pathFunc("Returns the contents of the file at the given path encoded as standard base64.", cty.String,
		func(p string) (cty.Value, error) {
			data, err := s.read(p)
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(base64.StdEncoding.EncodeToString(data)), nil
		})
}

// fileExistsFunc is fileexists(path): whether a regular file is there. A
// directory or other non-regular file at the path is an error, since the
// configuration surely meant something else.
func (s *fileScope) fileExistsFunc() function.Function {
	return pathFunc("Reports whether a file exists at the given path.", cty.Bool,
		func(p string) (cty.Value, error) {
			info, err := os.Stat(s.resolve(p))
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return cty.False, nil
			case err != nil:
				return cty.NilVal, fmt.Errorf("checking %s: %w", s.where(p), err)
			case info.IsDir():
				return cty.NilVal, fmt.Errorf("%s is a directory, not a file", s.where(p))
			case !info.Mode().IsRegular():
				return cty.NilVal, fmt.Errorf("%s is not a regular file but a %s", s.where(p), info.Mode().Type())
			}
			return cty.True, nil
		})
}

// absPathFunc is abspath(path): the absolute form of a path, relative
// paths taken from the configuration directory, with forward slashes.
func (s *fileScope) absPathFunc() function.Function {
	return pathFunc("Returns the absolute form of the path, resolving a relative one against the configuration directory.", cty.String,
		func(p string) (cty.Value, error) {
			return cty.StringVal(filepath.ToSlash(s.resolve(p))), nil
		})
}

var (
	// basenameFunc is basename(path): the last element of a path.
	basenameFunc = stringFunc("Returns the last element of the path.", func(p string) (string, error) {
		return filepath.Base(p), nil
	})

	// dirnameFunc is dirname(path): all but the last element of a path.
	dirnameFunc = stringFunc("Returns all but the last element of the path.", func(p string) (string, error) {
		return filepath.Dir(p), nil
	})

	// pathExpandFunc is pathexpand(path): a leading ~ replaced by the
	// current user's home directory.
	pathExpandFunc = stringFunc("Replaces a leading ~ in the path with the current user's home directory.", expandHome)
)

// expandHome replaces a leading "~" or "~/" with the home directory.
func expandHome(p string) (string, error) {
	if !strings.HasPrefix(p, "~") {
		return p, nil
	}
	rest := p[1:]
	if rest != "" && rest[0] != '/' && rest[0] != filepath.Separator {
		user, _, _ := strings.Cut(rest, "/")
		return "", fmt.Errorf("cannot expand ~%s: only the current user's home directory (~) is supported", user)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot expand ~: %w", err)
	}
	return home + rest, nil
}

// cache remembers the result of loading each key once, errors included,
// and is safe for concurrent use; concurrent first requests for one key
// load it once.
type cache[T any] struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry[T]
}

type cacheEntry[T any] struct {
	once sync.Once
	val  T
	err  error
}

// get returns the cached result for key, calling load the first time.
func (c *cache[T]) get(key string, load func() (T, error)) (T, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[string]*cacheEntry[T])
	}
	e, ok := c.entries[key]
	if !ok {
		e = &cacheEntry[T]{}
		c.entries[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.val, e.err = load() })
	return e.val, e.err
}

// fileHashFunc builds a function of a path that returns a digest of the
// file's bytes, hex or base64 as encode makes it.
func (s *fileScope) fileHashFunc(desc string, newHash func() hash.Hash, encode func([]byte) string) function.Function {
	return pathFunc(desc, cty.String, func(p string) (cty.Value, error) {
		data, err := s.read(p)
		if err != nil {
			return cty.NilVal, err
		}
		h := newHash()
		h.Write(data)
		return cty.StringVal(encode(h.Sum(nil))), nil
	})
}

// fileHashFuncs returns filemd5, filesha1, filesha256, filesha512,
// filebase64sha256 and filebase64sha512: the digest of a file's bytes,
// which need not be text.
func (s *fileScope) fileHashFuncs() map[string]function.Function {
	b64 := base64.StdEncoding.EncodeToString
	return map[string]function.Function{
		"filemd5":          s.fileHashFunc("Returns the hexadecimal MD5 digest of the file's bytes.", md5.New, hex.EncodeToString),
		"filesha1":         s.fileHashFunc("Returns the hexadecimal SHA-1 digest of the file's bytes.", sha1.New, hex.EncodeToString),
		"filesha256":       s.fileHashFunc("Returns the hexadecimal SHA-256 digest of the file's bytes.", sha256.New, hex.EncodeToString),
		"filesha512":       s.fileHashFunc("Returns the hexadecimal SHA-512 digest of the file's bytes.", sha512.New, hex.EncodeToString),
		"filebase64sha256": s.fileHashFunc("Returns the base64 of the raw SHA-256 digest of the file's bytes.", sha256.New, b64),
		"filebase64sha512": s.fileHashFunc("Returns the base64 of the raw SHA-512 digest of the file's bytes.", sha512.New, b64),
	}
}
