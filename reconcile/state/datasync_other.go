//go:build !linux

package state

import "os"

// datasync waits until f's data is on disk. Without fdatasync (macOS, for
// workstations) a full sync does it; Go's on macOS is F_FULLFSYNC.
func datasync(f *os.File) error { return f.Sync() }
