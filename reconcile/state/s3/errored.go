package s3

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/plumbhq/plumb/internal/safefile"
)

// SaveError is returned when a state could not be written to S3. The
// state was saved to Path instead (unless SaveErr says why it could not
// be); Kept names where else the changes survive, if anywhere.
type SaveError struct {
	// URL is the state object, s3://bucket/key.
	URL string
	// Err is why the write to S3 failed; it wraps ErrConflict when
	// another run wrote the state in between.
	Err error
	// Path is the file the state was saved to; "" if that failed too.
	Path string
	// SaveErr is why the state could not be saved to a file.
	SaveErr error
	// Kept describes another place that holds the changes (a recorder's
	// journal), for when Path is "".
	Kept string
}

// Error says what happened and what to do.
func (e *SaveError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the state could not be saved to %s: %v", e.URL, e.Err)
	if e.Path == "" {
		fmt.Fprintf(&b, "; nor could it be saved to a file: %v", e.SaveErr)
		if e.Kept != "" {
			fmt.Fprintf(&b, "; %s", e.Kept)
		}
		return b.String()
	}
	fmt.Fprintf(&b, ". It is saved in %s: fix the cause, then run `plumb state push %s`", e.Path, e.Path)
	if errors.Is(e.Err, ErrConflict) {
		fmt.Fprintf(&b, " (the state in S3 now holds another run's changes: compare the two first; push refuses to replace them unless given -force)")
	}
	return b.String()
}

// Unwrap returns the cause of the failed write.
func (e *SaveError) Unwrap() error { return e.Err }

// saveFailed saves data, the state that could not be written, to the
// errored file and returns the *SaveError describing both.
func (b *Backend) saveFailed(data []byte, cause error, kept string) *SaveError {
	path, err := saveErrored(b.path(ErroredFile), data)
	return &SaveError{URL: b.URL(), Err: cause, Path: path, SaveErr: err, Kept: kept}
}

// saveErrored writes data to path, or, if path exists (an earlier failure
// nobody pushed yet), to the first free numbered name beside it
// (errored.2.plumb.state, ...): it never replaces a file. The file is
// complete and synced when it appears (written to a temporary file, then
// hard-linked to its name), and readable by the owner only.
func saveErrored(path string, data []byte) (string, error) {
	dir := filepath.Dir(path)
	if err := safefile.SweepTemps(dir, ".errored-", ".tmp"); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".errored-*.tmp")
	if err != nil {
		return "", err
	}
	// The temporary file stays open, and held, until its name is gone:
	// another run sweeping leftovers must not take it for one.
	defer tmp.Close()
	defer os.Remove(tmp.Name())
	if err := safefile.HoldTemp(tmp); err != nil {
		return "", err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if err != nil {
		return "", err
	}
	base := filepath.Base(path)
	stem, ext, _ := strings.Cut(base, ".")
	for n := 1; n < 10000; n++ {
		name := path
		if n > 1 {
			name = filepath.Join(dir, fmt.Sprintf("%s.%d.%s", stem, n, ext))
		}
		err := os.Link(tmp.Name(), name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return name, syncDir(dir)
	}
	return "", fmt.Errorf("%s and 9,998 numbered files beside it exist: push or remove them", path)
}

// syncDir makes the files just created or removed in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
