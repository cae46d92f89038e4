package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"syscall"

	"github.com/plumbhq/plumb/internal/safefile"
)

// Local keeps the state in a file (plumb.state in the working directory)
// with three companions beside it:
//
//   - <path>.backup, the state as it was before the last write;
//   - <path>.lock, locked with flock(2) by the run holding the state lock
//     and holding that run's LockInfo as JSON;
//   - <path>.journal, the append-only log of a Recorder (one JSON line per
//     change after a header line naming the lineage and serial it
//     applies to), folded into the state and removed when the Recorder
//     closes.
//
// The state file is only ever replaced by renaming a complete, fsynced
// temporary file over it, and the backup by renaming a hard link to the
// old state file over it; the directory is fsynced after. So both parse
// at every instant, whenever the process is killed, and a write is
// durable when Write returns. The crash windows:
//
//   - Write killed before its rename: the old state and old backup stay;
//     a temporary file <path>.tmp-* may be left behind (harmless, may be
//     deleted; a leftover <path>.backup.tmp is replaced by the next write).
//   - Write killed between refreshing the backup and the rename: the
//     backup already equals the state; the write is lost (it was never
//     acknowledged).
//   - Recorder killed while opening: it first writes the state it was
//     given, then truncates the journal and writes its header; a journal
//     left with a torn header or an older base serial is stale and
//     discarded by Read. Nothing was acknowledged yet.
//   - Recorder killed during Set: entries acknowledged to callers were
//     fsynced; a torn last line belongs to a batch never acknowledged and
//     is ignored. Read replays the rest onto the state, writes it and
//     removes the journal.
//   - Close (or Read's replay) killed after writing the folded state and
//     before removing the journal: the journal's base serial is now older
//     than the state's, so Read knows it is folded and removes it.
//
// Read folds a journal into the file only when no live Recorder holds it
// (the journal is flocked while recording) and the state lock is held by
// this Local or free; otherwise it applies the journal to the state it
// returns and leaves the files alone.
type Local struct {
	path string

	mu        sync.Mutex
	lockFile  *os.File // open and flocked while this Local holds the lock
	lockInfo  LockInfo
	recording bool // a Recorder is open; Write must go through it
}

var _ Backend = (*Local)(nil)

// NewLocal returns the backend for the state file at path (the engine
// passes plumb.state in the working directory).
func NewLocal(path string) *Local {
	return &Local{path: path}
}

// Path is the state file's path.
func (l *Local) Path() string { return l.path }

func (l *Local) backupPath() string  { return l.path + ".backup" }
func (l *Local) lockPath() string    { return l.path + ".lock" }
func (l *Local) journalPath() string { return l.path + ".journal" }

// Read returns the stored state, with any journal left by an interrupted
// apply replayed onto it; New() when there is no state file. A file that
// does not parse is an error wrapping ErrCorrupt that says where and how to
// restore the previous version.
func (l *Local) Read(ctx context.Context) (*State, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := l.readAndReplay()
	if err != nil {
		return nil, err
	}
	if st == nil {
		st = New()
	}
	return st, nil
}

// readFile parses the state file; nil when it does not exist.
func (l *Local) readFile() (*State, error) {
	data, err := safefile.ReadFile(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	st := new(State)
	if err := st.UnmarshalJSON(data); err != nil {
		if errors.Is(err, ErrUnsupportedVersion) {
			return nil, fmt.Errorf("%s: %w", l.path, err)
		}
		return nil, l.corrupt(data, err)
	}
	return st, nil
}

// corrupt explains a state file that does not parse: where, what, and
// how to get the previous version back.
func (l *Local) corrupt(data []byte, err error) error {
	offset := int64(-1)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	where := ""
	if offset >= 0 {
		// encoding/json's offsets count the bytes read, the offending one
		// included: point at that byte.
		pos := max(offset-1, 0)
		line, col := lineCol(data, pos)
		where = fmt.Sprintf("line %d, column %d (byte offset %d): ", line, col, pos)
	}
	hint := "repair the JSON by hand or restore the file from a copy"
	if _, serr := os.Stat(l.backupPath()); serr == nil {
		hint = fmt.Sprintf("the previous version is kept in %s; inspect it and copy it over %s to restore",
			l.backupPath(), l.path)
	}
	what := err.Error()
	if typ != nil && typ.Field != "" && typ.Type != nil {
		what = fmt.Sprintf("%s is a JSON %s, want %s", typ.Field, typ.Value, jsonKind(typ.Type.Kind()))
	}
	return fmt.Errorf("%s: %w: %s%s; %s", l.path, ErrCorrupt, where, what, hint)
}

// jsonKind names the JSON kind of value that decodes into a Go kind.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "an object"
	}
	return "a number"
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// Write stores st, replacing the state file atomically and keeping the
// previous file as the backup. It sets st.Serial to the serial written
// (one more than before) and st.Version to FormatVersion, and gives st a
// lineage if it has none. Write does not stop for a cancelled context: a
// state write abandoned half way would lose track of what exists. It is
// refused while a Recorder of this Local is open.
func (l *Local) Write(_ context.Context, st *State) error {
	l.mu.Lock()
	recording := l.recording
	l.mu.Unlock()
	if recording {
		return fmt.Errorf("write %s: a recorder is open; record changes through it and close it instead", l.path)
	}
	return l.write(st)
}

func (l *Local) write(st *State) error {
	if st.Lineage == "" {
		st.Lineage = NewID()
	}
	next := *st
	next.Version = FormatVersion
	next.Serial++
	data, err := next.MarshalJSON()
	if err != nil {
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	if err := l.replace(data); err != nil {
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	st.Version, st.Serial = next.Version, next.Serial
	return nil
}

// replace puts data in the state file through a synced temporary file and
// a rename, after keeping the current file as the backup.
func (l *Local) replace(data []byte) error {
	dir := filepath.Dir(l.path)
	tmp, err := os.CreateTemp(dir, filepath.Base(l.path)+".tmp-*")
	if err != nil {
		return err
	}
	if err := safefile.HoldTemp(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := safefile.CheckReplaceable(l.path); err != nil {
		return err
	}
	if err := l.keepBackup(); err != nil {
		return fmt.Errorf("keep backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), l.path); err != nil {
		return err
	}
	done = true
	return syncDir(dir)
}

// keepBackup makes the backup the current state file: a hard link to it
// renamed over the backup, so the backup is always either the old backup
// or the whole current file. Where hard links are not supported it copies.
func (l *Local) keepBackup() error {
	if err := safefile.CheckReplaceable(l.backupPath()); err != nil {
		return err
	}
	tmp := l.backupPath() + ".tmp"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Link(l.path, tmp); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // nothing to back up yet
		}
		if err := copyFile(l.path, tmp); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
	}
	// The state may have been created readable by others; its backup is
	// not (nor, from now on, is the old state, which is being replaced).
	// tmp is a hard link to the state file, checked above to be regular.
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, l.backupPath())
}

// copyFile copies src to a new file dst (mode 0600) and syncs it.
func copyFile(src, dst string) error {
	data, err := safefile.ReadFile(src)
	if err != nil {
		return err
	}
	f, err := safefile.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the renames and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
