package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/plumbhq/plumb/reconcile/state"
)

// PushState replaces the state kept by b with st (plumb state push). It
// reads the stored state first and refuses, unless force is set, when
// that state is not empty and has another lineage (another estate), a
// higher serial (st is older), or the same serial with other contents (two
// histories that diverged). Pushing a state equal to the stored one does
// nothing. With force it replaces whatever is stored, even a state that
// does not parse. The written state gets a serial above both st's and the
// stored one's (st.Serial is updated). The caller holds b's lock.
func PushState(ctx context.Context, b state.Backend, st *state.State, force bool) error {
	remote, err := b.Read(ctx)
	switch {
	case err != nil && force && errors.Is(err, state.ErrCorrupt):
		remote = nil // replaced below
	case err != nil:
		return fmt.Errorf("push state: %w", err)
	}
	if remote != nil && !force {
		if err := checkPush(remote, st); err != nil {
			return fmt.Errorf("push state: %w; use -force to replace it all the same", err)
		}
		if remote.Serial == st.Serial && !isEmpty(remote) {
			return nil // checkPush found them equal: nothing to push
		}
	}
	if remote != nil && remote.Serial > st.Serial {
		st.Serial = remote.Serial
	}
	if err := b.Write(ctx, st); err != nil {
		return fmt.Errorf("push state: %w", err)
	}
	return nil
}

// checkPush returns why pushing st over remote would lose something; nil
// when it would not (including when st equals remote).
func checkPush(remote, st *state.State) error {
	switch {
	case isEmpty(remote):
		return nil
	case remote.Lineage != st.Lineage:
		return fmt.Errorf("the stored state is another estate (lineage %s, pushing %s)", remote.Lineage, st.Lineage)
	case st.Serial < remote.Serial:
		return fmt.Errorf("the stored state is newer (serial %d, pushing %d): it holds changes the pushed state lacks", remote.Serial, st.Serial)
	case st.Serial == remote.Serial && !sameContents(remote, st):
		return fmt.Errorf("the stored state has the same serial (%d) but other contents: the two were changed separately", st.Serial)
	}
	return nil
}

// isEmpty reports a state that records nothing.
func isEmpty(st *state.State) bool {
	return len(st.Resources) == 0 && len(st.Outputs) == 0
}

// sameContents reports whether a and b encode the same, apart from the
// plumb version that wrote them.
func sameContents(a, b *state.State) bool {
	x, y := *a, *b
	x.PlumbVersion, y.PlumbVersion = "", ""
	xb, err1 := x.MarshalJSON()
	yb, err2 := y.MarshalJSON()
	return err1 == nil && err2 == nil && bytes.Equal(xb, yb)
}

// Migrate copies the state from one backend to another (local to S3, S3
// to local, or bucket to bucket), holding both locks, waiting for them up
// to ctx's deadline. It refuses when the destination already holds a
// non-empty state of another lineage, or a newer one of the same lineage.
// The destination's serial ends above both. from is left as it was.
func Migrate(ctx context.Context, from, to state.Backend) (err error) {
	info := state.LockInfo{Operation: "migrate state"}
	if err := from.Lock(ctx, info); err != nil {
		return fmt.Errorf("migrate state: lock the source: %w", err)
	}
	defer func() { err = errors.Join(err, unlockErr("source", from.Unlock())) }()
	if err := to.Lock(ctx, info); err != nil {
		return fmt.Errorf("migrate state: lock the destination: %w", err)
	}
	defer func() { err = errors.Join(err, unlockErr("destination", to.Unlock())) }()

	st, err := from.Read(ctx)
	if err != nil {
		return fmt.Errorf("migrate state: read the source: %w", err)
	}
	dst, err := to.Read(ctx)
	if err != nil {
		return fmt.Errorf("migrate state: read the destination: %w", err)
	}
	if !isEmpty(dst) {
		switch {
		case dst.Lineage != st.Lineage:
			return fmt.Errorf("migrate state: the destination already holds another estate's state (lineage %s, %d resources; the source is lineage %s): remove it first, or choose another destination",
				dst.Lineage, len(dst.Resources), st.Lineage)
		case dst.Serial > st.Serial:
			return fmt.Errorf("migrate state: the destination holds a newer state of this estate (serial %d, the source is at %d): migrating would lose its changes",
				dst.Serial, st.Serial)
		}
	}
	st.Serial = max(st.Serial, dst.Serial)
	if err := to.Write(ctx, st); err != nil {
		return fmt.Errorf("migrate state: write the destination: %w", err)
	}
	return nil
}

func unlockErr(which string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("unlock the %s: %w", which, err)
}
