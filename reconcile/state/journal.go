package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// journalHeader is the first line of a journal: the state it applies to.
type journalHeader struct {
	Journal    string `json:"journal"` // always journalMagic
	Version    int    `json:"version"`
	Lineage    string `json:"lineage"`
	BaseSerial uint64 `json:"base_serial"`
}

const journalMagic = "plumb-state-journal"

// journalVersion is the journal's format: 2 added "intend" entries and 3
// "move" entries, which a plumb that reads an older version must not skip
// silently.
const journalVersion = 3

// Journal entry operations.
const (
	opSet     = "set"
	opRemove  = "remove"
	opOutputs = "outputs"
	opIntend  = "intend"
	opMove    = "move"
)

// journalEntry is one line of a journal after the header.
type journalEntry struct {
	Op       string             `json:"op"`
	Instance *Instance          `json:"instance,omitempty"`
	Addr     string             `json:"address,omitempty"`
	Outputs  map[string]*Output `json:"outputs,omitempty"`
}

// apply makes the entry's change to st.
func (e *journalEntry) apply(st *State) {
	switch e.Op {
	case opSet:
		if st.Resources == nil {
			st.Resources = map[string]*Instance{}
		}
		st.Resources[e.Instance.Addr] = e.Instance
		delete(st.Pending, e.Instance.Addr)
	case opRemove:
		delete(st.Resources, e.Addr)
		delete(st.Pending, e.Addr)
	case opIntend:
		if st.Pending == nil {
			st.Pending = map[string]*Instance{}
		}
		st.Pending[e.Instance.Addr] = e.Instance
	case opMove:
		if st.Resources == nil {
			st.Resources = map[string]*Instance{}
		}
		delete(st.Resources, e.Addr)
		st.Resources[e.Instance.Addr] = e.Instance
	case opOutputs:
		st.Outputs = e.Outputs
		if st.Outputs == nil {
			st.Outputs = map[string]*Output{}
		}
	}
}

// valid reports whether a decoded entry can be applied.
func (e *journalEntry) valid() bool {
	switch e.Op {
	case opSet, opIntend:
		return e.Instance != nil && e.Instance.Addr != ""
	case opMove:
		return e.Instance != nil && e.Instance.Addr != "" && e.Addr != ""
	case opRemove:
		return e.Addr != ""
	case opOutputs:
		return true
	}
	return false
}

// Recorder opens a recorder that keeps st and a journal beside the state
// file up to date, one change at a time. It first writes st (so the
// journal applies to exactly st: Serial grows by one here and again at
// Close), then starts the journal. While the recorder is open, st belongs
// to it: it is changed under the recorder's mutex, and callers must not
// read or change it until Close returns. Only one recorder may be open on
// a state file at a time. The recorder's goroutine runs until Close, which
// must be called; ctx is not watched, since an interrupted apply must
// still record what it did.
func (l *Local) Recorder(_ context.Context, st *State) (Recorder, error) {
	l.mu.Lock()
	if l.recording {
		l.mu.Unlock()
		return nil, fmt.Errorf("record %s: a recorder is already open", l.path)
	}
	l.recording = true
	l.mu.Unlock()

	r, err := l.openRecorder(st)
	if err != nil {
		l.endRecording()
		return nil, fmt.Errorf("record %s: %w", l.path, err)
	}
	return r, nil
}

func (l *Local) endRecording() {
	l.mu.Lock()
	l.recording = false
	l.mu.Unlock()
}

func (l *Local) openRecorder(st *State) (*recorder, error) {
	f, busy, err := openFlocked(l.journalPath(), true)
	if busy {
		return nil, fmt.Errorf("%w: another plumb is recording changes to this state (its journal %s is in use)",
			ErrLocked, l.journalPath())
	}
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*recorder, error) {
		f.Close()
		return nil, err
	}
	if st.Resources == nil {
		st.Resources = map[string]*Instance{}
	}
	if st.Outputs == nil {
		st.Outputs = map[string]*Output{}
	}
	if err := l.write(st); err != nil {
		return fail(err)
	}
	hdr, err := json.Marshal(journalHeader{Journal: journalMagic, Version: journalVersion, Lineage: st.Lineage, BaseSerial: st.Serial})
	if err != nil {
		return fail(err)
	}
	if err := f.Truncate(0); err != nil {
		return fail(err)
	}
	if _, err := f.Write(append(hdr, '\n')); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := syncDir(filepath.Dir(l.journalPath())); err != nil {
		return fail(err)
	}
	r := &recorder{l: l, f: f, st: st, done: make(chan struct{})}
	r.wake = sync.NewCond(&r.mu)
	r.durable = sync.NewCond(&r.mu)
	go r.run()
	return r, nil
}

// recorder is Local's Recorder. Callers queue their encoded entry and
// apply it to st under mu, then wait; one writer goroutine (run) takes
// everything queued, writes it with one write and one fdatasync, and wakes
// all those callers (group commit), so concurrent callers share a sync.
type recorder struct {
	l  *Local
	f  *os.File
	st *State

	mu      sync.Mutex
	wake    *sync.Cond // wakes the writer: entries queued, or closing
	durable *sync.Cond // wakes callers: a batch is durable, or failed
	queue   []byte     // entries not yet taken by the writer
	queued  uint64     // sequence number of the last entry queued
	taken   uint64     // sequence number of the last entry the writer took
	synced  uint64     // sequence number of the last entry made durable
	batches int        // number of writes (and syncs) so far
	err     error      // the first write error; the journal takes no more
	closing bool
	done    chan struct{} // closed when run returns
}

// groupWait bounds how long the journal writer waits for more entries
// before a sync (see run); a sync costs a few hundred microseconds.
const groupWait = 100 * time.Microsecond

// errRecorderClosed is returned by a recorder's methods after Close.
var errRecorderClosed = errors.New("the state recorder is closed")

// Set records the instance's new state. inst is copied.
func (r *recorder) Set(inst *Instance) error {
	if inst == nil || inst.Addr == "" {
		return errors.New("record instance: it has no address")
	}
	return r.record(&journalEntry{Op: opSet, Instance: inst.clone()})
}

// Remove records that the instance at addr no longer exists.
func (r *recorder) Remove(addr string) error {
	if addr == "" {
		return errors.New("record removal: no address")
	}
	return r.record(&journalEntry{Op: opRemove, Addr: addr})
}

// Intend records that the object inst describes is about to be created;
// Set or Remove of its address settles it. inst is copied.
func (r *recorder) Intend(inst *Instance) error {
	if inst == nil || inst.Addr == "" {
		return errors.New("record intent: it has no address")
	}
	return r.record(&journalEntry{Op: opIntend, Instance: inst.clone()})
}

// Move records, in one entry, that the instance at from is now inst at
// its own address: a moved block's change of address. inst is copied.
func (r *recorder) Move(from string, inst *Instance) error {
	if from == "" || inst == nil || inst.Addr == "" {
		return errors.New("record move: an address is missing")
	}
	return r.record(&journalEntry{Op: opMove, Addr: from, Instance: inst.clone()})
}

// SetOutputs records the root outputs, replacing those recorded before.
// outputs is copied.
func (r *recorder) SetOutputs(outputs map[string]*Output) error {
	return r.record(&journalEntry{Op: opOutputs, Outputs: copyOutputs(outputs)})
}

// record applies e to the state, queues it and waits until it is durable.
func (r *recorder) record(e *journalEntry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("record %s: %w", e.describe(), err)
	}
	line = append(line, '\n')

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return fmt.Errorf("record %s: %w", e.describe(), errRecorderClosed)
	}
	if r.err != nil {
		return fmt.Errorf("record %s: %w", e.describe(), r.err)
	}
	// The state in memory follows the journal's order exactly, and keeps
	// the change even if the journal write fails: Close writes it whole.
	e.apply(r.st)
	r.queue = append(r.queue, line...)
	r.queued++
	seq := r.queued
	r.wake.Signal()
	for r.synced < seq && r.err == nil {
		r.durable.Wait()
	}
	if r.synced < seq {
		return fmt.Errorf("record %s: %w", e.describe(), r.err)
	}
	return nil
}

func (e *journalEntry) describe() string {
	switch e.Op {
	case opSet:
		return e.Instance.Addr
	case opRemove:
		return "removal of " + e.Addr
	case opIntend:
		return "the intent to create " + e.Instance.Addr
	case opMove:
		return "the move of " + e.Addr + " to " + e.Instance.Addr
	}
	return "outputs"
}

// run is the writer goroutine: it writes and syncs queued entries in
// batches until Close, after draining the queue.
func (r *recorder) run() {
	defer close(r.done)
	var spare []byte
	lastBatch := 0
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		for len(r.queue) == 0 && !r.closing {
			r.wake.Wait()
		}
		if len(r.queue) == 0 {
			return
		}
		// The callers of the last batch were just woken; give them a
		// moment to queue again, so that they share the next sync instead
		// of splitting it into a small batch and a large one.
		if int(r.queued-r.taken) < lastBatch && !r.closing {
			deadline := time.Now().Add(groupWait)
			for int(r.queued-r.taken) < lastBatch && !r.closing && time.Now().Before(deadline) {
				r.mu.Unlock()
				runtime.Gosched()
				r.mu.Lock()
			}
		}
		batch, upto := r.queue, r.queued
		lastBatch = int(upto - r.taken)
		r.taken = upto
		r.batches++
		r.queue = spare[:0]
		r.mu.Unlock()
		err := writeSync(r.f, batch)
		r.mu.Lock()
		spare = batch
		if err != nil {
			r.err = fmt.Errorf("append to journal %s: %w", r.l.journalPath(), err)
			r.queue = nil
			r.durable.Broadcast()
			return
		}
		r.synced = upto
		r.durable.Broadcast()
	}
}

// writeSync writes b to f and waits until it is on disk. fdatasync is
// enough for an appended file: it syncs the size with the data.
func writeSync(f *os.File, b []byte) error {
	if _, err := f.Write(b); err != nil {
		return err
	}
	return datasync(f)
}

// Close stops recording, writes the state with everything recorded
// (Serial one more) and removes the journal. It returns the state written.
// If that write fails, the journal is kept (Read replays it) and Close
// returns the state as it is in memory with the error.
func (r *recorder) Close(context.Context) (*State, error) {
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		return nil, errRecorderClosed
	}
	r.closing = true
	r.wake.Signal()
	r.mu.Unlock()
	<-r.done

	defer r.l.endRecording()
	defer r.f.Close() // after removing the journal, which the flock guards
	if err := r.l.write(r.st); err != nil {
		return r.st, fmt.Errorf("%w; the changes are kept in %s and are replayed by the next run", err, r.l.journalPath())
	}
	// The state is stored. A journal that cannot be removed is stale now
	// (its base serial is behind the state's), and the next Read removes
	// it, so failing here would only alarm.
	_ = removeSynced(r.l.journalPath())
	return r.st, nil
}
