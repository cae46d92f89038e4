package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/plumbhq/plumb/internal/safefile"
	"github.com/plumbhq/plumb/reconcile/state"
)

// journalDir holds the recorders' local journals, under the backend's
// directory.
const journalDir = ".plumb/s3-journal"

// note is what a recorder writes beside its journal before each upload:
// which state object the journal applies to, and which uploads it made,
// so that recovery can tell whether the object in S3 is still its own.
type note struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	// BaseETag and BaseWriteID identify the object the next upload
	// replaces: the one read, or the last one this recorder wrote.
	BaseETag    string `json:"base_etag"`
	BaseWriteID string `json:"base_write_id,omitempty"`
	// PendingWriteID is the write ID of the upload under way; it may
	// have landed before the run was killed.
	PendingWriteID string `json:"pending_write_id,omitempty"`
}

// owns reports whether obj, the state object now in S3, is the one the
// note's recorder read or wrote.
func (n *note) owns(obj object) bool {
	switch {
	case !obj.found:
		return n.BaseETag == ""
	case obj.etag == n.BaseETag:
		return true
	}
	return obj.writeID != "" && (obj.writeID == n.BaseWriteID || obj.writeID == n.PendingWriteID)
}

// journalPaths returns the recorder's local state file (a state.Local,
// whose journal lies beside it) and its note, for this bucket and key.
func (b *Backend) journalPaths() (statePath, notePath string) {
	sum := sha256.Sum256([]byte(b.bucket + "\x00" + b.key))
	base := filepath.Join(b.path(journalDir), hex.EncodeToString(sum[:8]))
	return base + ".state", base + ".json"
}

// writeNote replaces the note with n, durably.
func (b *Backend) writeNote(n note) error {
	_, path := b.journalPaths()
	data, err := json.Marshal(n)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".note-*.tmp")
	if err != nil {
		return err
	}
	// Open, and held, until renamed: another run sweeping leftovers in
	// this folder must not take it for one.
	defer tmp.Close()
	defer os.Remove(tmp.Name())
	if err := safefile.HoldTemp(tmp); err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = safefile.CheckReplaceable(path)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	return err
}

// readNote reads the note.
func (b *Backend) readNote() (note, error) {
	_, path := b.journalPaths()
	var n note
	data, err := safefile.ReadFile(path)
	if err != nil {
		return n, err
	}
	if err := json.Unmarshal(data, &n); err != nil {
		return n, fmt.Errorf("%s: %w", path, err)
	}
	if n.Bucket != b.bucket || n.Key != b.key {
		return n, fmt.Errorf("%s is about s3://%s/%s, not %s", path, n.Bucket, n.Key, b.URL())
	}
	return n, nil
}

// removeJournal removes the recorder's local files once the state they
// hold is safe elsewhere. The note goes last: a state file without a note
// is never taken for the truth. The lock file stays (it may be flocked).
func (b *Backend) removeJournal() error {
	statePath, notePath := b.journalPaths()
	var errs []error
	for _, p := range []string{statePath + ".journal", statePath, statePath + ".backup", notePath} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	errs = append(errs, syncDir(filepath.Dir(statePath)))
	return errors.Join(errs...)
}

// lockJournal takes the flock of the local journal without waiting; busy
// reports that a live recorder (in any process) holds it.
func (b *Backend) lockJournal(ctx context.Context) (local *state.Local, busy bool, err error) {
	statePath, _ := b.journalPaths()
	if err := safefile.MkdirAll(b.dir, journalDir, 0o700); err != nil {
		return nil, false, err
	}
	local = state.NewLocal(statePath)
	now, cancel := context.WithCancel(ctx)
	cancel() // Local.Lock tries once before it looks at the context
	if err := local.Lock(now, state.LockInfo{Operation: "record " + b.URL()}); err != nil {
		if errors.Is(err, state.ErrLocked) {
			return nil, true, nil
		}
		return nil, false, err
	}
	if err := safefile.SweepTemps(filepath.Dir(statePath), ".note-", ".tmp"); err != nil {
		local.Unlock()
		return nil, false, err
	}
	return local, false, nil
}

// recoverLeftover returns the state to use given remote, the state just
// read from obj: remote itself, unless a run killed on this machine left
// changes in the local journal. Those are recovered when the object in S3
// is still the one that run saw (and written to S3 at once if this Backend
// holds the lock); when another run wrote the state since, they are moved
// to the errored file and Read fails, so that nothing is lost or
// overwritten.
func (b *Backend) recoverLeftover(ctx context.Context, remote *state.State, obj object) (*state.State, error) {
	statePath, notePath := b.journalPaths()
	_, serr := os.Lstat(statePath)
	_, nerr := os.Lstat(notePath)
	if errors.Is(serr, fs.ErrNotExist) && errors.Is(nerr, fs.ErrNotExist) {
		return remote, nil
	}
	local, busy, err := b.lockJournal(ctx)
	if busy {
		return remote, nil // a live recorder: its own Close saves it
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: recover a local journal: %w", b.URL(), err)
	}
	defer local.Unlock()
	if _, err := os.Lstat(statePath); errors.Is(err, fs.ErrNotExist) {
		// The recorder died before it recorded anything.
		return remote, b.removeJournal()
	}
	n, nerr := b.readNote()
	rec, err := local.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("read %s: recover the changes a killed run left in %s: %w", b.URL(), statePath, err)
	}
	if nerr != nil || !n.owns(obj) || (obj.found && rec.Lineage != remote.Lineage) {
		data, err := rec.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("read %s: recover %s: %w", b.URL(), statePath, err)
		}
		path, err := saveErrored(b.path(ErroredFile), data)
		if err != nil {
			return nil, fmt.Errorf("read %s: a run killed on this machine left changes in %s, but another run has written the state since, and they could not be moved to %s: %w",
				b.URL(), statePath, ErroredFile, err)
		}
		if err := b.removeJournal(); err != nil {
			return nil, fmt.Errorf("read %s: remove %s after saving it to %s: %w", b.URL(), statePath, path, err)
		}
		return nil, fmt.Errorf("read %s: %w: a run killed on this machine left changes to this state, but another run has written the state since. They are saved in %s: compare them with the state in S3, and push them with `plumb state push -force %s` if they should replace it, or delete the file",
			b.URL(), ErrConflict, path, path)
	}
	rec.Serial = 0
	if obj.found {
		rec.Serial = remote.Serial
	}
	if _, held := b.HeldLock(); !held {
		return rec, nil // without the lock, only show it
	}
	if err := b.Write(ctx, rec); err != nil {
		var se *SaveError
		if errors.As(err, &se) && se.Path != "" {
			_ = b.removeJournal() // it is in the errored file now
		}
		return nil, fmt.Errorf("read %s: save the changes a killed run left: %w", b.URL(), err)
	}
	if err := b.removeJournal(); err != nil {
		return nil, fmt.Errorf("read %s: recovered changes were saved, but %s could not be removed (delete it by hand): %w", b.URL(), statePath, err)
	}
	return rec, nil
}
