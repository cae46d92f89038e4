package accesslog

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/plumbhq/plumb/providers/host"
)

// Source is one input of a scan: a file, or a stream such as standard
// input.
type Source struct {
	// Name labels the input in reports and evidence.
	Name string
	// Path is the file to read; empty for a stream.
	Path string
	// host holds Path; nil for the machine plumb runs on.
	host host.Host
	// reader is the stream, when Path is empty. It can be read once.
	reader io.Reader
	// command, when set, is a program whose output is the stream
	// (JournalSource).
	command []string
}

// StreamSource returns a source that reads r once, such as standard
// input. When a scan needs to read it twice (a window relative to the
// newest timestamp), it is first copied to a temporary file.
func StreamSource(name string, r io.Reader) Source { return Source{Name: name, reader: r} }

// FileSources expands paths and glob patterns ("access.log*", for a
// rotated set) on the machine plumb runs on; see FileSourcesOn.
func FileSources(patterns []string) ([]Source, error) {
	return FileSourcesOn(context.Background(), host.Local(), patterns)
}

// FileSourcesOn expands paths and glob patterns ("access.log*", for a
// rotated set) on h into sources, in name order without duplicates. A
// plain path that does not exist, or a pattern that matches nothing, is
// an error; gzip-compressed files are recognised by their content. The
// files are read where they are, streamed: a log on another host is
// never copied whole.
func FileSourcesOn(ctx context.Context, h host.Host, patterns []string) ([]Source, error) {
	var out []Source
	seen := map[string]bool{}
	for _, p := range patterns {
		matches, err := host.Glob(ctx, h, p)
		if err != nil {
			return nil, fmt.Errorf("log path %q: %w", p, err)
		}
		if len(matches) == 0 {
			if _, err := h.Stat(ctx, p); err != nil {
				return nil, fmt.Errorf("log file %s: %w", p, err)
			}
			matches = []string{p}
		}
		slices.Sort(matches)
		for _, m := range matches {
			if seen[m] {
				continue
			}
			fi, err := h.Stat(ctx, m)
			if err != nil {
				return nil, fmt.Errorf("log file %s: %w", m, err)
			}
			if fi.IsDir() {
				return nil, fmt.Errorf("log file %s is a directory; name the log files in it (or a pattern such as %s)", m, filepath.Join(m, "access.log*"))
			}
			seen[m] = true
			out = append(out, Source{Name: m, Path: m, host: h})
		}
	}
	return out, nil
}

// fs returns the host that holds the source's file.
func (s Source) fs() host.Host {
	if s.host == nil {
		return host.Local()
	}
	return s.host
}

// open returns the source's content as access-log lines: decompressed
// when it is gzip, decoded when it is journald's export format.
func (s Source) open(ctx context.Context) (io.ReadCloser, error) {
	var f io.ReadCloser
	switch {
	case s.Path != "":
		file, err := s.fs().Open(ctx, s.Path)
		if err != nil {
			return nil, fmt.Errorf("opening log %s: %w", s.Name, err)
		}
		f = file
	case s.command != nil:
		f = startCommand(ctx, s.fs(), s.command)
	default:
		if s.reader == nil {
			return nil, fmt.Errorf("log %s was already read", s.Name)
		}
		f = io.NopCloser(s.reader)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	var r io.Reader = br
	magic, _ := br.Peek(len(exportMagic))
	if len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("log %s looks gzip-compressed but is not readable: %w", s.Name, err)
		}
		zbr := bufio.NewReaderSize(zr, 64<<10)
		r = zbr
		magic, _ = zbr.Peek(len(exportMagic))
	}
	if isExport(magic) {
		r = newExportReader(r)
	}
	return readCloser{r, f}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// isPlain reports whether the file holds plain lines: it starts neither
// with the gzip magic nor like journald's export format.
func isPlain(f io.ReaderAt) bool {
	b := make([]byte, len(exportMagic))
	n, _ := f.ReadAt(b, 0)
	b = b[:n]
	return !(n >= 2 && b[0] == 0x1f && b[1] == 0x8b) && !isExport(b)
}

// tailBytes is how much of the end of a plain file is read to estimate
// its newest timestamp.
const tailBytes = 256 << 10

// newestInTail returns the newest timestamp in the last lines of a plain
// (not compressed) file; ok is false when there is none to read.
func newestInTail(ctx context.Context, src Source) (int64, bool) {
	f, err := src.fs().Open(ctx, src.Path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	if !isPlain(f) {
		return 0, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	off := max(fi.Size()-tailBytes, 0)
	buf := make([]byte, fi.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return 0, false
	}
	if off > 0 {
		// Drop the first, probably partial, line.
		if i := indexNL(buf); i >= 0 {
			buf = buf[i+1:]
		}
	}
	newest, found := int64(0), false
	var tc timeCache
	for len(buf) > 0 {
		i := indexNL(buf)
		ln := buf
		if i >= 0 {
			ln, buf = buf[:i], buf[i+1:]
		} else {
			buf = nil
		}
		if l, _, _ := parseLine(ln, &tc, maxUnix, maxUnix); l.unix != noTime && (!found || l.unix > newest) {
			newest, found = l.unix, true
		}
	}
	return newest, found
}

// spool copies a stream source into a temporary file in dir, so it can
// be read more than once; the copy holds plain lines (decompressed,
// decoded). The caller removes the file.
func spool(ctx context.Context, s Source, dir string) (Source, error) {
	f, err := os.CreateTemp(dir, "plumb-detect-*.log")
	if err != nil {
		return s, fmt.Errorf("keeping a copy of %s to read it twice: %w", s.Name, err)
	}
	in, err := s.open(ctx)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return s, err
	}
	_, err = io.Copy(f, in)
	if cerr := in.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return s, fmt.Errorf("keeping a copy of %s in %s: %w", s.Name, f.Name(), err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return s, fmt.Errorf("keeping a copy of %s in %s: %w", s.Name, f.Name(), err)
	}
	return Source{Name: s.Name, Path: f.Name()}, nil
}
