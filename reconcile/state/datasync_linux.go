package state

import (
	"errors"
	"os"
	"syscall"
)

// datasync waits until f's data is on disk. fdatasync is enough for an
// appended file: it syncs the size with the data.
func datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
