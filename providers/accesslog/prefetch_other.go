//go:build !amd64

package accesslog

import "unsafe"

// prefetch does nothing where plumb has no prefetch instruction for it.
func prefetch(unsafe.Pointer) {}
