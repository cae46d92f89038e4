//go:build linux

package accesslog

import (
	"bytes"
	"context"
	"os"
	"syscall"
)

// mapped is a plain file mapped into memory: the workers read its pages
// where the kernel keeps them, with no copy, and hand each block back
// (MADV_DONTNEED) when done, so the pages do not stay in this process's
// resident memory.
type mapped struct {
	data []byte
}

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

// release drops the whole pages of a finished block from memory; the
// kernel keeps them in its cache, and reads them back if a neighbouring
// block still needs a shared page.
func (m *mapped) release(b []byte) {
	const page = 4096
	off := cap(m.data) - cap(b) // b is m.data[off:...], its capacity running to the end

	lo := (off + page - 1) / page * page
	hi := (off + len(b)) / page * page
	if hi > lo {
		_ = syscall.Madvise(m.data[lo:hi], syscall.MADV_DONTNEED)
	}
}

// close unmaps the file.
func (m *mapped) close() { _ = syscall.Munmap(m.data) }
