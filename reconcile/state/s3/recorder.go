package s3

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plumbhq/plumb/reconcile/state"
)

// Recorder opens a recorder for st, which must be the state this Backend
// just read. Changes are made durable in a local journal (a state.Local
// under .plumb/s3-journal/), uploaded to S3 in the background at most
// every few seconds while any are waiting, and written to S3 by Close.
// While the recorder is open, st belongs to it, and Read and Write are
// refused. ctx is not watched: an interrupted apply must still record
// what it did, and Close must be called.
func (b *Backend) Recorder(ctx context.Context, st *state.State) (state.Recorder, error) {
	if err := b.startRecording(); err != nil {
		return nil, err
	}
	r, err := b.openRecorder(ctx, st)
	if err != nil {
		b.endRecording()
		return nil, fmt.Errorf("record %s: %w", b.URL(), err)
	}
	return r, nil
}

func (b *Backend) openRecorder(ctx context.Context, st *state.State) (*recorder, error) {
	local, busy, err := b.lockJournal(ctx)
	if busy {
		return nil, fmt.Errorf("%w: another plumb in this directory is recording changes to this state", state.ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("lock the local journal: %w", err)
	}
	fail := func(err error) (*recorder, error) {
		local.Unlock()
		return nil, err
	}
	b.mu.Lock()
	base := object{found: b.etag != "", etag: b.etag, writeID: b.writeID}
	b.mu.Unlock()

	statePath, _ := b.journalPaths()
	if _, err := os.Lstat(statePath); !errors.Is(err, fs.ErrNotExist) {
		// A killed run's changes that Read showed but did not save (it
		// had no lock). They are in st if the object is still theirs.
		if n, err := b.readNote(); err != nil || !n.owns(base) {
			return fail(fmt.Errorf("a run killed in this directory left changes in %s that do not apply to the state read; read the state again (with the lock) to recover them", statePath))
		}
	}
	n := note{Bucket: b.bucket, Key: b.key, BaseETag: base.etag, BaseWriteID: base.writeID}
	if err := b.writeNote(n); err != nil {
		return fail(fmt.Errorf("write the journal's note: %w", err))
	}
	serial := st.Serial // the Local below counts its own serials in st
	inner, err := local.Recorder(ctx, st)
	if err != nil {
		return fail(err)
	}
	flushCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r := &recorder{
		b: b, local: local, inner: inner, st: st, serial: serial,
		stop: make(chan struct{}), done: make(chan struct{}), cancelFlush: cancel,
	}
	go r.loop(flushCtx)
	return r, nil
}

// recorder is the S3 Backend's Recorder: a state.Local recorder for
// durability, and a goroutine that uploads the state now and then.
type recorder struct {
	b     *Backend
	local *state.Local // the journal's state file, flocked by this recorder
	inner state.Recorder
	st    *state.State

	// mu is held shared while a change is recorded and exclusively while
	// the state is encoded for upload, so an upload sees whole changes.
	mu    sync.RWMutex
	dirty atomic.Bool // changes not uploaded yet

	errMu    sync.Mutex
	conflict error // an upload found that another run wrote the state

	serial      uint64   // serial of the state in S3; the uploader's, then Close's
	unsure      []string // write IDs of uploads whose outcome is unknown; likewise
	closed      atomic.Bool
	stop        chan struct{}
	done        chan struct{} // closed when loop returns
	cancelFlush context.CancelFunc
}

// errRecorderClosed is returned by a recorder's methods after Close.
var errRecorderClosed = errors.New("the state recorder is closed")

// Set records the instance's new state.
func (r *recorder) Set(inst *state.Instance) error {
	r.mu.RLock()
	err := r.inner.Set(inst)
	r.dirty.Store(true)
	r.mu.RUnlock()
	return r.after(err)
}

// Remove records that the instance at addr no longer exists.
func (r *recorder) Remove(addr string) error {
	r.mu.RLock()
	err := r.inner.Remove(addr)
	r.dirty.Store(true)
	r.mu.RUnlock()
	return r.after(err)
}

// Intend records that an object is about to be created, in the local
// journal; the state uploaded next lists it as pending until Set or
// Remove settles it.
func (r *recorder) Intend(inst *state.Instance) error {
	r.mu.RLock()
	err := r.inner.Intend(inst)
	r.dirty.Store(true)
	r.mu.RUnlock()
	return r.after(err)
}

// Move records a change of address in the local journal.
func (r *recorder) Move(from string, inst *state.Instance) error {
	r.mu.RLock()
	err := r.inner.Move(from, inst)
	r.dirty.Store(true)
	r.mu.RUnlock()
	return r.after(err)
}

// SetOutputs records the root outputs.
func (r *recorder) SetOutputs(outputs map[string]*state.Output) error {
	r.mu.RLock()
	err := r.inner.SetOutputs(outputs)
	r.dirty.Store(true)
	r.mu.RUnlock()
	return r.after(err)
}

// after returns a change's error: the journal's, or, once an upload has
// found another writer, that conflict, so that the apply stops.
func (r *recorder) after(err error) error {
	if err != nil {
		return err
	}
	r.errMu.Lock()
	defer r.errMu.Unlock()
	if r.conflict != nil {
		return fmt.Errorf("%w; the change is recorded on this machine, and the state will be saved to %s when the apply ends", r.conflict, ErroredFile)
	}
	return nil
}

// loop uploads waiting changes every flushEvery until Close.
func (r *recorder) loop(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(r.b.flushEvery)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			select {
			case <-r.stop: // stopping wins over a tick that came at once
				return
			default:
			}
			r.flush(ctx)
		}
	}
}

// flush uploads the state if it changed since the last upload.
func (r *recorder) flush(ctx context.Context) {
	r.errMu.Lock()
	conflicted := r.conflict != nil
	r.errMu.Unlock()
	if conflicted {
		return // every upload would fail; Close saves the state
	}
	if !r.dirty.Swap(false) {
		return
	}
	// A change being recorded now sets dirty again when it is done, so
	// the next flush uploads it if this one misses it.
	err := r.upload(ctx, r.encodeLocked)
	if err != nil {
		// Failures other than a conflict (the network, say) are retried
		// by the next flush, and by Close.
		r.dirty.Store(true)
		if errors.Is(err, ErrConflict) {
			r.errMu.Lock()
			r.conflict = err
			r.errMu.Unlock()
		}
	}
}

// encode returns the state as an upload with the given serial. The
// caller excludes changes (holds mu, or the recorder is closed).
func (r *recorder) encode(serial uint64) ([]byte, error) {
	next := *r.st
	next.Version = state.FormatVersion
	next.Serial = serial
	return next.MarshalJSON()
}

// encodeLocked is encode while changes are being recorded.
func (r *recorder) encodeLocked(serial uint64) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.encode(serial)
}

// upload writes data to S3 over the object last read or written, after
// noting the upload beside the journal (see note).
//
// An upload cut short (a timeout, or Close cancelling a background
// upload) may have landed all the same; its write ID is kept in unsure
// until an upload succeeds. When a later upload then finds the object
// changed, and the object is one of those uploads, it is taken as the
// base and the upload is tried again, instead of reporting a conflict
// with this run's own write.
func (r *recorder) upload(ctx context.Context, encode func(serial uint64) ([]byte, error)) error {
	b := r.b
	b.mu.Lock()
	n := note{Bucket: b.bucket, Key: b.key, BaseETag: b.etag, BaseWriteID: b.writeID, PendingWriteID: state.NewID()}
	b.mu.Unlock()
	put := func() (string, error) {
		data, err := encode(r.serial + 1)
		if err != nil {
			return "", err
		}
		if err := b.writeNote(n); err != nil {
			return "", fmt.Errorf("write the journal's note: %w", err)
		}
		return b.putState(ctx, data, n.BaseETag, n.PendingWriteID)
	}
	etag, err := put()
	if errors.Is(err, ErrConflict) && len(r.unsure) > 0 {
		obj, herr := b.headState(ctx)
		if herr == nil && obj.found && obj.writeID != "" && slices.Contains(r.unsure, obj.writeID) {
			// Our own upload landed: build on it.
			b.setBase(obj.etag, obj.writeID)
			r.serial++
			r.unsure = nil
			n.BaseETag, n.BaseWriteID = obj.etag, obj.writeID
			etag, err = put()
		}
	}
	if err != nil {
		if httpStatus(err) == 0 && !errors.Is(err, ErrConflict) {
			r.unsure = append(r.unsure, n.PendingWriteID) // no answer: it may have landed
		}
		return err
	}
	b.setBase(etag, n.PendingWriteID)
	r.serial++
	r.unsure = nil
	return nil
}

// Close stops recording and writes the state with everything recorded to
// S3 (If-Match, serial one more than the last upload), then removes the
// local journal. It returns the state written. If the write fails, the
// state is saved to errored.plumb.state and the error is a *SaveError.
func (r *recorder) Close(ctx context.Context) (*state.State, error) {
	if !r.closed.CompareAndSwap(false, true) {
		return nil, errRecorderClosed
	}
	close(r.stop)
	r.cancelFlush()
	<-r.done
	b := r.b
	defer b.endRecording()
	defer r.local.Unlock()

	st, lerr := r.inner.Close(ctx) // folds the journal into the local file
	if st == nil {
		st = r.st
	}
	statePath, _ := b.journalPaths()
	kept := fmt.Sprintf("the changes are kept in %s (and its journal), and the next plumb run in this directory recovers them", statePath)
	r.errMu.Lock()
	uerr := r.conflict
	r.errMu.Unlock()
	if uerr == nil {
		wctx, cancel := b.writeContext(ctx)
		uerr = state.ExplainTimeout(wctx, r.upload(wctx, r.encode))
		cancel()
	}
	if uerr == nil {
		st.Version, st.Serial = state.FormatVersion, r.serial
		if err := b.removeJournal(); err != nil {
			return st, fmt.Errorf("the state was saved to %s, but its local journal could not be removed (delete %s by hand): %w", b.URL(), statePath, err)
		}
		return st, nil
	}
	if lerr != nil {
		kept += fmt.Sprintf(" (folding the journal failed too: %v)", lerr)
	}
	data, err := r.encode(r.serial + 1)
	if err != nil {
		return st, fmt.Errorf("write %s: %w; and encoding the state failed: %w; %s", b.URL(), uerr, err, kept)
	}
	st.Serial = r.serial
	se := b.saveFailed(data, uerr, kept)
	if se.Path != "" {
		_ = b.removeJournal() // the errored file holds it all now
	}
	return st, se
}
