//go:build !linux

package accesslog

// allocBytes returns n zeroed bytes from the Go heap.
func allocBytes(n int) []byte { return make([]byte, n) }

// freeBytes leaves b to the garbage collector.
func freeBytes([]byte) {}

// growBytes returns the bytes of b in a block of n, the rest zeroed.
func growBytes(b []byte, n int) []byte {
	nb := make([]byte, len(b), n)
	copy(nb, b)
	return nb
}

// allocWords returns n zeroed words from the Go heap.
func allocWords(n int) []uint64 { return make([]uint64, n) }

// freeWords leaves w to the garbage collector.
func freeWords([]uint64) {}

// dropSpares does nothing: the Go heap keeps no spares of its own here.
func dropSpares() {}
