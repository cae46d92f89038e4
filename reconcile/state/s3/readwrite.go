package s3

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/plumbhq/plumb/reconcile/state"
)

// Read returns the state in S3, a new empty state when there is none, and
// remembers its ETag for the next write. A state object that does not
// parse is an error wrapping state.ErrCorrupt that says how to restore it.
// If a run killed on this machine left changes in a local journal, Read
// recovers them (see the package documentation).
func (b *Backend) Read(ctx context.Context) (*state.State, error) {
	b.mu.Lock()
	recording := b.recording
	b.mu.Unlock()
	if recording {
		return nil, fmt.Errorf("read %s: a recorder is open; it owns the state until it is closed", b.URL())
	}
	obj, err := b.getState(ctx)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", b.URL(), err)
	}
	b.setBase(obj.etag, obj.writeID)
	st := state.New()
	if obj.found {
		st = new(state.State)
		if err := st.UnmarshalJSON(obj.data); err != nil {
			if errors.Is(err, state.ErrUnsupportedVersion) {
				return nil, fmt.Errorf("%s: %w", b.URL(), err)
			}
			return nil, b.corrupt(ctx, obj, err)
		}
	}
	return b.recoverLeftover(ctx, st, obj)
}

// Write stores st, replacing the state this Backend read (or last wrote)
// and nothing else: if another run wrote the state in between, it fails
// with an error wrapping ErrConflict. It sets st.Serial to the serial
// written (one more than before) and st.Version to the current format,
// and gives st a lineage if it has none. On any failure the state is saved
// to errored.plumb.state and the error is a *SaveError saying so. Write
// must follow a Read, and is refused while a Recorder is open.
func (b *Backend) Write(ctx context.Context, st *state.State) error {
	etag, _, err := b.base()
	if err != nil {
		return fmt.Errorf("write %s: %w", b.URL(), err)
	}
	if st.Lineage == "" {
		st.Lineage = state.NewID()
	}
	next := *st
	next.Version = state.FormatVersion
	next.Serial++
	data, err := next.MarshalJSON()
	if err != nil {
		return fmt.Errorf("write %s: %w", b.URL(), err)
	}
	wctx, cancel := b.writeContext(ctx)
	defer cancel()
	id := state.NewID()
	newTag, err := b.putState(wctx, data, etag, id)
	err = state.ExplainTimeout(wctx, err)
	if err != nil {
		return b.saveFailed(data, err, "")
	}
	b.setBase(newTag, id)
	st.Version, st.Serial = next.Version, next.Serial
	return nil
}

// corrupt explains a state object that does not parse: where, and how to
// get an earlier version back.
func (b *Backend) corrupt(ctx context.Context, obj object, err error) error {
	where := ""
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	offset := int64(-1)
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	if offset >= 0 {
		pos := min(max(offset-1, 0), int64(len(obj.data)))
		before := obj.data[:pos]
		line := bytes.Count(before, []byte{'\n'}) + 1
		col := int(pos) - (bytes.LastIndexByte(before, '\n') + 1) + 1
		where = fmt.Sprintf("line %d, column %d: ", line, col)
	}
	return fmt.Errorf("%s: %w: %s%v; %s", b.URL(), state.ErrCorrupt, where, err, b.restoreHint(ctx, obj))
}

// restoreHint says how to get a good state back: from the bucket's
// previous version of the object when it keeps versions.
func (b *Backend) restoreHint(ctx context.Context, obj object) string {
	versioned, verr := b.Versioning(ctx)
	if verr != nil || !versioned {
		return fmt.Sprintf("the bucket does not keep versions, so repair the object by hand (aws s3 cp %s plumb.state, fix it, then plumb state push -force plumb.state) or restore it from a copy; turn on versioning for the bucket to keep earlier states",
			b.URL())
	}
	prev, when, err := b.previousVersion(ctx, obj.version)
	if err != nil || prev == "" {
		return "the bucket keeps versions: restore an earlier version of the object (aws s3api list-object-versions lists them), check it, and push it with plumb state push -force"
	}
	return fmt.Sprintf("the bucket keeps versions: restore an earlier version; the one before this is %s (written %s): aws s3api get-object --bucket %s --key %s --version-id %s previous.plumb.state, check it, then run plumb state push -force previous.plumb.state",
		prev, when, b.bucket, b.key, prev)
}
