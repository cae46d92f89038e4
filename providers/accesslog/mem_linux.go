//go:build linux

package accesslog

import (
	"sync"
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
	p, _, errno := syscall.Syscall6(syscall.SYS_MMAP, 0, uintptr(n), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON, ^uintptr(0), 0)
	if errno != 0 {
		return make([]byte, n)
	}
	b := kernelBytes(p, n)
	_ = syscall.Madvise(b, 14) // MADV_HUGEPAGE
	return b
}

// growBytes returns the bytes of b (from allocBytes, with its full
// capacity) in a block of n, the rest zeroed; b is not to be used after.
// A block the kernel mapped is extended by the kernel (mremap): its pages
// move to the larger block as they are, neither copied nor cleared again.
func growBytes(b []byte, n int) []byte {
	if cap(b) >= bigBytes {
		if nb, ok := mremap(b[:cap(b)], n); ok {
			return nb[:len(b)]
		}
	}
	nb := allocBytes(n)
	nb = nb[:copy(nb, b)]
	freeBytes(b)
	return nb
}

// kernelBytes is the memory of n bytes the kernel mapped at p, outside
// the Go heap (so holding its address as a uintptr was safe).
func kernelBytes(p uintptr, n int) []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), n)
}

// munmap unmaps b. Blocks are mapped, cut and extended by the system
// calls themselves, since syscall.Munmap only unmaps a slice exactly as
// syscall.Mmap returned it.
func munmap(b []byte) {
	_, _, _ = syscall.Syscall(syscall.SYS_MUNMAP, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), 0)
}

// mremap extends the kernel's mapping b (as mapped, or cut by munmap) to
// n bytes, moving it if it must; its pages keep their bytes, the new ones
// are zero. On failure b is as it was.
func mremap(b []byte, n int) ([]byte, bool) {
	p, _, errno := syscall.Syscall6(syscall.SYS_MREMAP, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), uintptr(n), 1 /* MREMAP_MAYMOVE */, 0, 0)
	if errno != 0 {
		return nil, false
	}
	return kernelBytes(p, n), true
}

// freeBytes returns memory from allocBytes (b as it was returned, or any
// reslice of it that starts where it did, with its full capacity).
func freeBytes(b []byte) {
	if cap(b) < bigBytes {
		return
	}
	munmap(b[:cap(b)])
}

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14), which the
// syscall package lacks.
const madvPopulateWrite = 23

// allocWords returns n zeroed words; freeWords gives them back. They hold
// hash slots, which keys spread over every page of them, so the pages
// are made resident at once: one system call instead of a page fault
// each on first touch (older kernels ignore the advice).
//
// A table grows by taking a larger block of slots and giving its old one
// back, so a scan of many keys would take fresh pages for every size its
// tables pass through, about three times their final size, each cleared
// by the kernel (and in a virtual machine often fetched from the host
// first). Blocks of slots given back are kept as spares instead, for the
// scan's next tables: a spare is cleared and reused, or extended in place
// (mremap), so that only growth beyond what the scan already held takes
// fresh pages. Being slots, a spare's pages are all resident already, and
// the spares are bounded (maxSpareBytes); dropSpares hands them back.
func allocWords(n int) []uint64 {
	var b []byte
	if n*8 >= bigBytes {
		b = takeSpare(n * 8)
	}
	if b == nil {
		b = allocBytes(n * 8)
	}
	if len(b) >= bigBytes {
		_ = syscall.Madvise(b, madvPopulateWrite)
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// freeWords gives back memory from allocWords (as it was returned, with
// its full capacity): a big block is kept as a spare while there is room.
func freeWords(w []uint64) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), cap(w)*8)
	if len(b) < bigBytes {
		return
	}
	// The mapping runs to the end of its last page: keep it all, so
	// that a reuse clears every byte it hands out.
	b = unsafe.Slice(unsafe.SliceData(b), (len(b)+pageSize-1)&^(pageSize-1))
	spares.Lock()
	defer spares.Unlock()
	if spares.bytes+len(b) <= maxSpareBytes {
		spares.blocks = append(spares.blocks, b)
		spares.bytes += len(b)
		return
	}
	munmap(b)
}

// spares are the big blocks given back and not yet reused.
var spares struct {
	sync.Mutex
	blocks [][]byte
	bytes  int
}

// maxSpareBytes bounds the spares kept, so that memory given back never
// stays with the process for long beyond what its tables may hold.
const maxSpareBytes = 48 << 20

// takeSpare returns n zeroed bytes made from a spare block, or nil when
// there is none: the smallest spare of at least n bytes when it is not
// twice as large, or else the largest spare smaller than n, extended.
func takeSpare(n int) []byte {
	spares.Lock()
	fit, below := -1, -1
	for i, b := range spares.blocks {
		switch {
		case len(b) >= n && len(b) <= 2*n:
			if fit < 0 || len(b) < len(spares.blocks[fit]) {
				fit = i
			}
		case len(b) < n:
			if below < 0 || len(b) > len(spares.blocks[below]) {
				below = i
			}
		}
	}
	i := fit
	if i < 0 {
		i = below
	}
	if i < 0 {
		spares.Unlock()
		return nil
	}
	b := spares.blocks[i]
	spares.blocks = append(spares.blocks[:i], spares.blocks[i+1:]...)
	spares.bytes -= len(b)
	spares.Unlock()
	if len(b) >= n {
		// Callers keep only n bytes and give back n: the tail goes now.
		// The rest of the last page is cleared too: it is handed out
		// again if the block comes back as a spare and is extended.
		end := (n + pageSize - 1) &^ (pageSize - 1)
		if end < len(b) {
			munmap(b[end:])
		}
		clear(b[:min(end, len(b))])
		return b[:n:n]
	}
	// The pages past the old end are new and come zeroed.
	clear(b)
	nb, ok := mremap(b, n)
	if !ok {
		munmap(b)
		return nil
	}
	return nb
}

// pageSize is the granularity of mmap and munmap.
const pageSize = 4096

// dropSpares hands every spare block back to the system.
func dropSpares() {
	spares.Lock()
	defer spares.Unlock()
	for _, b := range spares.blocks {
		munmap(b)
	}
	spares.blocks, spares.bytes = nil, 0
}
