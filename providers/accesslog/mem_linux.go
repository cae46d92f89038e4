//go:build linux

package accesslog

import (
	"syscall"
	"unsafe"
)

// bigBytes is the size from which tables take their memory straight from
// the kernel, outside the Go heap: the garbage collector never scans or
// keeps it, it goes back to the system the moment a table lets it go,
// and it is backed by huge pages where the system allows, which spares
// the processor most of its address-translation misses on a table of
// millions of keys spread at random.
const bigBytes = 64 << 10

// allocBytes returns n zeroed bytes; freeBytes gives them back.
func allocBytes(n int) []byte {
	if n < bigBytes {
		return make([]byte, n)
	}
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return make([]byte, n)
	}
	_ = syscall.Madvise(b, 14) // MADV_HUGEPAGE
	return b
}

// freeBytes returns memory from allocBytes (b as it was returned, or any
// reslice of it that starts where it did, with its full capacity).
func freeBytes(b []byte) {
	if cap(b) < bigBytes {
		return
	}
	_ = syscall.Munmap(b[:cap(b)])
}

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14), which the
// syscall package lacks.
const madvPopulateWrite = 23

// allocWords returns n zeroed words; freeWords gives them back. They hold
// hash slots, which keys spread over every page of them, so the pages
// are made resident at once: one system call instead of a page fault
// each on first touch (older kernels ignore the advice).
func allocWords(n int) []uint64 {
	b := allocBytes(n * 8)
	if len(b) >= bigBytes {
		_ = syscall.Madvise(b, madvPopulateWrite)
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

func freeWords(w []uint64) {
	freeBytes(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), cap(w)*8))
}
