// Package safefile opens the files plumb keeps for itself (the state, its
// lock, backup and journal, saved plans, the errored state) so that a
// file planted in their place cannot redirect a write: the last element
// of a path is never followed when it is a symbolic link (O_NOFOLLOW),
// a FIFO or device never blocks the open (O_NONBLOCK), and anything but a
// regular file is refused with an error that says what to remove.
//
// A configuration folder may come from a pull request, so plumb.state.lock
// being a symbolic link to ~/.ssh/authorized_keys is an attack, not a
// setup to support. What the package does not do: it does not guard the
// folders above the file (a symbolic link there is followed as usual), nor
// a file swapped between two calls by a process racing plumb.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrNotRegular is matched (errors.Is) by the errors of this package when
// a path names something other than a regular file.
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError says what a path is instead of a regular file.
type NotRegularError struct {
	Path string
	// What describes it: "a symbolic link (to X)", "a named pipe (FIFO)".
	What string
	// Want is what plumb expected: "a regular file" unless set.
	Want string
}

func (e *NotRegularError) Error() string {
	want := e.Want
	if want == "" {
		want = "a regular file"
	}
	return fmt.Sprintf("%s is %s, not %s: plumb never writes through a link, nor opens what could block it or is not its own. Remove it (rm %s) and run plumb again", e.Path, e.What, want, e.Path)
}

// Is makes the error match ErrNotRegular.
func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }

// OpenFile is os.OpenFile for a file plumb owns: O_NOFOLLOW and
// O_NONBLOCK are added (non-blocking is cleared again once the file is
// known to be regular), and anything but a regular file is refused.
func OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := os.OpenFile(name, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, perm)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.ENXIO) || errors.Is(err, syscall.EISDIR) {
			if nr := describe(name); nr != nil {
				return nil, nr
			}
		}
		return nil, err
	}
	return keepRegular(f, name)
}

// keepRegular returns f, opened non-blocking from name, once it is known
// to be a regular file, with O_NONBLOCK cleared; otherwise it closes f and
// says what name is instead.
func keepRegular(f *os.File, name string) (*os.File, error) {
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Path: name, What: kind(name, fi), Want: "a regular file"}
	}
	if err := setBlocking(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// setBlocking clears O_NONBLOCK, which OpenFile set only so that opening
// a FIFO could not hang.
func setBlocking(f *os.File) error {
	raw, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}

// ReadFile reads a regular file, refusing a symbolic link, a FIFO or
// anything else in its place.
func ReadFile(name string) ([]byte, error) {
	f, err := OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read into a buffer of the file's size, as os.ReadFile does:
	// io.ReadAll grows its buffer step by step, copying and clearing
	// each one, which for a state file of 80 MB cost a third of a second.
	size := 0
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() < 1<<40 {
		size = int(fi.Size())
	}
	data := make([]byte, 0, size+512)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// CheckReplaceable reports (nil) whether name may be replaced by a rename:
// it does not exist, or it is a regular file. A symbolic link there is
// refused rather than silently replaced, so the user learns that
// something was planted.
func CheckReplaceable(name string) error {
	if nr := describe(name); nr != nil {
		return nr
	}
	return nil
}

// describe returns a NotRegularError for name when it exists and is not a
// regular file; nil otherwise.
func describe(name string) *NotRegularError {
	fi, err := os.Lstat(name)
	if err != nil || fi.Mode().IsRegular() {
		return nil
	}
	return &NotRegularError{Path: name, What: kind(name, fi)}
}

// kind describes what fi is, in words.
func kind(name string, fi fs.FileInfo) string {
	switch t := fi.Mode().Type(); {
	case t&fs.ModeSymlink != 0:
		if to, err := os.Readlink(name); err == nil {
			return fmt.Sprintf("a symbolic link (to %s)", to)
		}
		return "a symbolic link"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeDevice != 0:
		return "a device"
	default:
		return "not a regular file (" + t.String() + ")"
	}
}

// MkdirAll makes the folder rel (a relative path) under root, like
// os.MkdirAll, but refuses a symbolic link or anything but a folder at
// any step of rel: plumb's own folders (.plumb/...) in a configuration
// folder must not lead elsewhere. root itself is trusted.
func MkdirAll(root, rel string, perm fs.FileMode) error {
	if filepath.IsAbs(rel) {
		return fmt.Errorf("safefile.MkdirAll: %s is not a relative path", rel)
	}
	dir := root
	for _, part := range strings.Split(filepath.Clean(rel), string(filepath.Separator)) {
		if part == "." || part == "" {
			continue
		}
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(dir, perm); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			if fi, err = os.Lstat(dir); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if !fi.IsDir() {
			return &NotRegularError{Path: dir, What: kind(dir, fi), Want: "a folder"}
		}
	}
	return nil
}

// OpenRegular opens name for reading, following symbolic links, but
// refuses anything that is not a regular file once opened (a FIFO would
// otherwise block the open or the read for ever). It is for files plumb
// only reads, such as a saved plan named on the command line.
func OpenRegular(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return keepRegular(f, name)
}
