package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/plumbhq/plumb/internal/safefile"
)

// readAndReplay reads the state file and replays a journal left beside it.
// The files are changed (the journal folded or, when stale, removed) only
// under the state lock, held by this Local or taken for the moment; so a
// read that races with a locked run never undoes its work.
func (l *Local) readAndReplay() (*State, error) {
	mayChange := false
	if _, err := os.Lstat(l.journalPath()); err == nil {
		release, ok, err := l.tryStateLock()
		if err != nil {
			return nil, fmt.Errorf("replay journal %s: %w", l.journalPath(), err)
		}
		if ok {
			defer release()
			mayChange = true
		}
	}
	st, err := l.readFile()
	if err != nil {
		return nil, err
	}
	return l.replay(st, mayChange)
}

// replay applies the journal, if any, to st (nil when there is no state
// file). A journal is live while a Recorder holds its flock: it is then
// applied to the state returned but left alone. A dead journal whose header
// matches st is folded into the state file when mayChange is set; one that
// does not match is stale (already folded) and is removed.
func (l *Local) replay(st *State, mayChange bool) (*State, error) {
	jpath := l.journalPath()
	f, live, err := openFlocked(jpath, false)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	var data []byte
	if live {
		data, err = safefile.ReadFile(jpath)
	} else {
		defer f.Close() // after removing the journal, which the flock guards
		data, err = io.ReadAll(f)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	hdr, entries, err := parseJournal(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", jpath, err)
	}

	matches := false
	switch {
	case hdr == nil:
		// Torn header: the recorder died opening; nothing was acknowledged.
	case st == nil && hdr.BaseSerial != 0:
		return nil, fmt.Errorf("%s: %w: its journal %s holds changes to serial %d of the state, but the state file does not exist; restore it (%s may hold it) or, to start from an empty state and lose those changes, remove the journal",
			l.path, ErrCorrupt, jpath, hdr.BaseSerial, l.backupPath())
	case st == nil:
		matches = true
	default:
		matches = hdr.Lineage == st.Lineage && hdr.BaseSerial == st.Serial
	}
	if !matches {
		if !live && mayChange {
			if err := removeSynced(jpath); err != nil {
				return nil, fmt.Errorf("remove stale journal: %w", err)
			}
		}
		return st, nil
	}

	if st == nil {
		st = New()
		st.Lineage = hdr.Lineage
	}
	for _, e := range entries {
		e.apply(st)
	}
	if live || !mayChange {
		return st, nil
	}
	if err := l.write(st); err != nil {
		return nil, fmt.Errorf("fold journal %s into the state: %w", jpath, err)
	}
	if err := removeSynced(jpath); err != nil {
		return nil, fmt.Errorf("remove folded journal: %w", err)
	}
	return st, nil
}

// parseJournal splits a journal into its header and entries. It stops at
// the first line that is incomplete or does not decode: such a line can
// only belong to the last batch, which was never acknowledged, since each
// batch is synced before the next is written. hdr is nil when the header
// line itself is incomplete; a complete header that is not one is
// corruption.
func parseJournal(data []byte) (hdr *journalHeader, entries []*journalEntry, err error) {
	line, rest, ok := bytes.Cut(data, []byte{'\n'})
	if !ok {
		return nil, nil, nil
	}
	hdr = new(journalHeader)
	if err := json.Unmarshal(line, hdr); err != nil || hdr.Journal != journalMagic {
		return nil, nil, fmt.Errorf("%w: the first line is not a journal header; remove the journal if the state file is right without it", ErrCorrupt)
	}
	if hdr.Version > journalVersion {
		return nil, nil, fmt.Errorf("%w: the journal is format version %d, this plumb reads up to %d: upgrade plumb",
			ErrUnsupportedVersion, hdr.Version, journalVersion)
	}
	for len(rest) > 0 {
		line, rest, ok = bytes.Cut(rest, []byte{'\n'})
		if !ok {
			break // torn last line
		}
		e := new(journalEntry)
		if json.Unmarshal(line, e) != nil || !e.valid() {
			break
		}
		entries = append(entries, e)
	}
	return hdr, entries, nil
}

// removeSynced removes path and syncs its directory.
func removeSynced(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return syncDir(filepath.Dir(path))
}
