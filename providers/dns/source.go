package dns

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// How the reader knows where each record came from, and how $INCLUDE is
// confined.
//
// miekg/dns does not tell which line a record was on. Its lexer reads
// through io.ByteReader when the input implements it, one byte at a time
// and without read-ahead, and a record is returned as soon as the newline
// that ends it is read. So each file is handed to the parser as a source
// that counts what has been read: when the parser returns a record, the
// source read last is the file it came from, and the record starts on the
// first line read since the previous record that is not blank, a comment,
// or a $ORIGIN, $TTL or $INCLUDE directive. (Every record a $GENERATE
// makes is on the $GENERATE line.)
//
// $INCLUDE goes through the tracker's Open (ZoneParser.SetIncludeFS). The
// parser joins the include path to the including file's directory, cleans
// it and strips a leading "/", so it asks for a slash path under the zone
// root. Paths that still climb out ("../x") are refused before anything is
// opened, and the file is opened with os.Root, which also refuses symbolic
// links that lead out of the root. When nothing is found there, Open tries
// BIND's readings of the same path (see Open); every candidate is under
// the root.

// tracker records which source the parser read last, and opens $INCLUDE
// files under the zone root.
type tracker struct {
	last    *source
	sources map[string]*source // keyed by the parser's file name
	dir     string             // the zone root as the caller gave it
	root    *os.Root           // opened at the first $INCLUDE
	rootErr error
}

// source is one file's bytes as the parser reads them.
type source struct {
	t       *tracker
	name    string // the parser's name: a slash path under the root
	display string // the name shown in errors
	data    []byte
	pos     int

	// markPos is where the bytes of the next record start to count, and
	// markLine the line it is on.
	markPos, markLine int
	// lastLine and lastCol locate the record attributed last.
	lastLine, lastCol int
}

func (t *tracker) newSource(name, display string, data []byte) *source {
	s := &source{t: t, name: name, display: display, data: data, markLine: 1}
	t.sources[name] = s
	return s
}

// ReadByte returns the next byte; the parser reads through it.
func (s *source) ReadByte() (byte, error) {
	if s.pos >= len(s.data) {
		return 0, io.EOF
	}
	c := s.data[s.pos]
	s.pos++
	s.t.last = s
	return c, nil
}

// Read implements io.Reader for completeness; the parser uses ReadByte.
func (s *source) Read(p []byte) (int, error) {
	if s.pos >= len(s.data) {
		return 0, io.EOF
	}
	n := copy(p, s.data[s.pos:])
	s.pos += n
	s.t.last = s
	return n, nil
}

// Stat implements fs.File.
func (s *source) Stat() (fs.FileInfo, error) { return fileInfo{s}, nil }

// Close implements fs.File.
func (s *source) Close() error { return nil }

// recordPos returns the line and column where the record the parser has
// just returned from s starts (see the comment at the top of the file).
func (s *source) recordPos() (line, col int) {
	if s.pos == s.markPos {
		return s.lastLine, s.lastCol
	}
	found := false
	line = s.markLine
	for i := s.markPos; i < s.pos; {
		end := bytes.IndexByte(s.data[i:s.pos], '\n')
		if !found {
			j := i
			for j < s.pos && (s.data[j] == ' ' || s.data[j] == '\t') {
				j++
			}
			if j < s.pos && !isFiller(s.data[j:]) {
				s.lastLine, s.lastCol, found = line, j-i+1, true
			}
		}
		if end < 0 {
			break
		}
		i += end + 1
		line++
	}
	if !found {
		s.lastLine, s.lastCol = line, 0
	}
	s.markPos, s.markLine = s.pos, line
	return s.lastLine, s.lastCol
}

// isFiller reports whether a line whose first non-blank byte starts b
// holds no record: it is empty, a comment, or a directive other than
// $GENERATE.
func isFiller(b []byte) bool {
	switch b[0] {
	case '\n', '\r', ';':
		return true
	case '$':
		return !hasPrefixFold(b, "$GENERATE")
	}
	return false
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

// lineText returns line n (1-based) of the source, without its newline.
func (s *source) lineText(n int) string {
	data := s.data
	for ; n > 1; n-- {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return ""
		}
		data = data[i+1:]
	}
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		data = data[:i]
	}
	return strings.TrimSuffix(string(data), "\r")
}

// tokenColumn returns the 1-based column where tok starts on line n, the
// last occurrence at or before column col (where miekg/dns reports the
// token's end); col when tok is not found.
func (s *source) tokenColumn(n, col int, tok string) int {
	text := s.lineText(n)
	if tok == "" || col <= 0 {
		return col
	}
	limit := min(col, len(text))
	if i := strings.LastIndex(text[:limit], tok); i >= 0 {
		return i + 1
	}
	if i := strings.Index(text, tok); i >= 0 {
		return i + 1
	}
	return col
}

// Open opens an $INCLUDE file: name is a slash path under the zone root.
// It is read whole, and counted like the main file. When no file has that
// name, it tries the path as BIND means it: relative to the root (BIND's
// working directory) instead of the including file's directory, and, for
// a path that was absolute, the part of it under the root.
func (t *tracker) Open(name string) (fs.File, error) {
	var first error
	for _, c := range t.candidates(name) {
		f, err := t.open(c)
		if err == nil {
			return f, nil
		}
		if first == nil {
			first = err
		}
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	return nil, first
}

// candidates lists the slash paths under the root that an $INCLUDE the
// parser resolved to name may mean, the parser's own reading first.
func (t *tracker) candidates(name string) []string {
	out := []string{name}
	if t.last != nil {
		if dir := path.Dir(t.last.name); dir != "." && strings.HasPrefix(name, dir+"/") {
			out = append(out, name[len(dir)+1:])
		}
	}
	if root, err := filepath.Abs(t.dir); err == nil {
		if rel, err := filepath.Rel(root, filepath.FromSlash("/"+name)); err == nil && filepath.IsLocal(rel) {
			out = append(out, filepath.ToSlash(rel))
		}
	}
	return out
}

// open reads the file at the slash path name under the root.
func (t *tracker) open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errOutsideRoot}
	}
	if t.root == nil && t.rootErr == nil {
		t.root, t.rootErr = os.OpenRoot(t.dir)
	}
	if t.rootErr != nil {
		return nil, fmt.Errorf("open zone root: %w", t.rootErr)
	}
	data, err := t.root.ReadFile(name)
	if err != nil {
		if strings.Contains(err.Error(), "escapes") {
			return nil, &fs.PathError{Op: "open", Path: name, Err: errOutsideRoot}
		}
		return nil, err
	}
	return t.newSource(name, filepath.Join(t.dir, filepath.FromSlash(name)), data), nil
}

// close releases the zone root, if an $INCLUDE opened it.
func (t *tracker) close() {
	if t.root != nil {
		t.root.Close()
	}
}

// fileInfo describes a source for fs.File.Stat.
type fileInfo struct{ s *source }

func (f fileInfo) Name() string       { return filepath.Base(f.s.name) }
func (f fileInfo) Size() int64        { return int64(len(f.s.data)) }
func (f fileInfo) Mode() fs.FileMode  { return 0o444 }
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return false }
func (f fileInfo) Sys() any           { return nil }
