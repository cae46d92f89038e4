//go:build linux

package accesslog

import (
	"bytes"
	"cmp"
	"context"
	"os"
	"slices"
	"sync"
	"syscall"
)

// mapped is a plain file mapped into memory: the workers read its pages
// where the kernel keeps them, with no copy, and hand the blocks back
// (MADV_DONTNEED) when done, a few megabytes at a time, so the pages do
// not stay in this process's resident memory.
type mapped struct {
	data []byte
	mu   sync.Mutex
	// done are the blocks counted and not yet handed back, of doneBytes.
	done      []span
	doneBytes int
}

// span is the bytes [from, to) of a mapping.
type span struct{ from, to int }

// releaseBytes is how much of the mapping is counted before it is handed
// back. Each hand-back makes the kernel flush the address translations
// of every processor running the scan, a costly interrupt in a virtual
// machine: per 1 MB block, that was 2% of the time on an ordinary log.
const releaseBytes = 8 << 20

// mapSource maps the source's file when it is a plain, non-empty regular
// file on this machine; ok is false when it should be read the ordinary
// way (on another host, compressed, empty, not regular, or the mapping
// failed).
func mapSource(ctx context.Context, src Source) (*mapped, bool) {
	hf, err := src.fs().Open(ctx, src.Path)
	if err != nil {
		return nil, false
	}
	defer hf.Close()
	f, ok := hf.(*os.File)
	if !ok || !isPlain(f) {
		return nil, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || fi.Size() != int64(int(fi.Size())) {
		return nil, false
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, false
	}
	_ = syscall.Madvise(data, syscall.MADV_SEQUENTIAL)
	return &mapped{data: data}, true
}

// size is how many bytes the file mapped holds.
func (m *mapped) size() int64 { return int64(len(m.data)) }

// send cuts the mapping into blocks of whole lines and hands them over.
func (m *mapped) send(ctx context.Context, src int, send func(*chunk) error) error {
	data := m.data
	for len(data) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := len(data)
		if end > chunkBytes {
			if i := bytes.IndexByte(data[chunkBytes:], '\n'); i >= 0 {
				end = chunkBytes + i + 1
			}
		}
		if err := send(&chunk{src: src, data: data[:end], release: m.release}); err != nil {
			return err
		}
		data = data[end:]
	}
	return nil
}

// release notes that the block b is counted; once releaseBytes are, it
// drops the whole pages of the runs of counted blocks from memory. The
// kernel keeps them in its cache, and reads them back if a block still
// counting needs a page shared with a run.
func (m *mapped) release(b []byte) {
	off := cap(m.data) - cap(b) // b is m.data[off:...], its capacity running to the end
	m.mu.Lock()
	m.done = append(m.done, span{off, off + len(b)})
	m.doneBytes += len(b)
	if m.doneBytes < releaseBytes {
		m.mu.Unlock()
		return
	}
	done := m.done
	m.done, m.doneBytes = nil, 0
	m.mu.Unlock()
	slices.SortFunc(done, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	run := done[0]
	for _, s := range done[1:] {
		if s.from == run.to {
			run.to = s.to
			continue
		}
		m.drop(run)
		run = s
	}
	m.drop(run)
}

// drop hands the whole pages of s back.
func (m *mapped) drop(s span) {
	const page = 4096
	lo := (s.from + page - 1) / page * page
	hi := s.to / page * page
	if hi > lo {
		_ = syscall.Madvise(m.data[lo:hi], syscall.MADV_DONTNEED)
	}
}

// close unmaps the file.
func (m *mapped) close() { _ = syscall.Munmap(m.data) }
