package s3

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/plumbhq/plumb/reconcile/state"
)

// Lock backoff: the first retry comes after lockFirstDelay, then the delay
// doubles up to lockMaxDelay, each with up to half again of jitter, so
// that waiting runs spread out instead of retrying in step.
const (
	lockFirstDelay = 20 * time.Millisecond
	lockMaxDelay   = time.Second
	// unlockTimeout bounds Unlock and ForceUnlock, which take no context
	// (they must work after the run's context is cancelled).
	unlockTimeout = 30 * time.Second
)

// heldLock is the lock this Backend took.
type heldLock struct {
	info state.LockInfo
	etag string
}

// Lock takes the state lock by creating <key>.lock with If-None-Match: *,
// holding info as JSON. Empty fields of info are filled in (ID, Who,
// Host, Created); PID and Path are always this process's and this state's.
// While another run holds the lock, Lock retries with jittered backoff
// until ctx is done; the error then wraps state.ErrLocked (and the
// context's error) and names the holder. It always tries at least once,
// even with a context that is already done.
func (b *Backend) Lock(ctx context.Context, info state.LockInfo) error {
	b.mu.Lock()
	held := b.lock != nil
	b.mu.Unlock()
	if held {
		return fmt.Errorf("lock %s: this run already holds the lock", b.URL())
	}
	info = info.Complete(b.URL())
	body, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("lock %s: %w", b.URL(), err)
	}
	body = append(body, '\n')

	delay := lockFirstDelay
	var holder *state.LockInfo // the last holder seen
	quick := 0                 // retries at once after finding no lock object
	for attempt := 0; ; attempt++ {
		// A context already done still gets the first try, and a holder
		// to name.
		actx, cancel := ctx, context.CancelFunc(func() {})
		if attempt == 0 && ctx.Err() != nil {
			actx, cancel = state.WithTimeout(context.WithoutCancel(ctx), unlockTimeout, "trying once for the S3 state lock "+b.lockURL(), "check the network to the S3 endpoint")
		}
		out, err := b.client.PutObject(actx, &s3.PutObjectInput{
			Bucket:      aws.String(b.bucket),
			Key:         aws.String(b.lockKey()),
			Body:        bytes.NewReader(body),
			ContentType: aws.String("application/json"),
			IfNoneMatch: aws.String("*"),
		})
		if err == nil {
			cancel()
			b.mu.Lock()
			b.lock = &heldLock{info: info, etag: aws.ToString(out.ETag)}
			b.mu.Unlock()
			return nil
		}
		if !isPreconditionFailed(err) {
			cutShort := actx.Err() != nil
			cancel()
			if !cutShort {
				return fmt.Errorf("lock %s: %w", b.URL(), b.explain(state.ExplainTimeout(actx, err)))
			}
			// The request was cut short: it may have created the lock
			// all the same. Remove it if so.
			b.dropIfOurs(info.ID)
			return b.lockedError(holder, state.Why(ctx))
		}
		h, _, found, herr := b.readLock(actx)
		cancel()
		if herr == nil && !found && quick < 3 {
			// Released between our write and our read: try again now.
			quick++
			continue
		}
		if herr == nil && found {
			holder = &h
		}
		t := time.NewTimer(delay + rand.N(delay/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return b.lockedError(holder, state.Why(ctx))
		case <-t.C:
		}
		delay = min(2*delay, lockMaxDelay)
	}
}

// lockedError is Lock's error when it gave up waiting.
func (b *Backend) lockedError(holder *state.LockInfo, cause error) error {
	if holder == nil || holder.ID == "" {
		// The wait ended before the holder could be read (a short
		// -lock-timeout, a slow endpoint): read it once more, on a
		// deadline of its own, so the error can name it.
		ctx, cancel := state.WithTimeout(context.Background(), unlockTimeout, "reading who holds the S3 state lock "+b.lockURL(), "check the network to the S3 endpoint")
		if info, _, found, err := b.readLock(ctx); err == nil && found && info.ID != "" {
			holder = &info
		}
		cancel()
	}
	if holder == nil || holder.ID == "" {
		return fmt.Errorf("%s: %w by another run that could not be named (see %s): %w", b.URL(), state.ErrLocked, b.lockURL(), cause)
	}
	return fmt.Errorf("%s: %w: it is held by %s; wait for that run to finish, or if it is gone (killed, or its machine lost), break the lock with plumb force-unlock %s: %w",
		b.URL(), state.ErrLocked, describeHolder(*holder), holder.ID, cause)
}

// dropIfOurs deletes the lock object if it holds lock ID id; for a lock
// write whose outcome is unknown.
func (b *Backend) dropIfOurs(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
	defer cancel()
	if info, etag, found, err := b.readLock(ctx); err == nil && found && info.ID == id {
		_ = b.deleteLock(ctx, etag)
	}
}

// HeldLock returns the LockInfo this Backend recorded when it took the
// lock, and whether it holds it.
func (b *Backend) HeldLock() (state.LockInfo, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lock == nil {
		return state.LockInfo{}, false
	}
	return b.lock.info, true
}

// Unlock releases the lock taken by Lock: it deletes the lock object after
// checking that it is still this run's (another run's lock, taken after
// this one's was broken, is left alone and reported). It works after the
// run's context is cancelled.
func (b *Backend) Unlock() error {
	b.mu.Lock()
	l := b.lock
	b.lock = nil
	b.mu.Unlock()
	if l == nil {
		return fmt.Errorf("unlock %s: this run does not hold the lock", b.URL())
	}
	ctx, cancel := state.WithTimeout(context.Background(), unlockTimeout, "releasing the S3 state lock "+b.lockURL(), "check the network to the S3 endpoint")
	defer cancel()
	info, etag, found, err := b.readLock(ctx)
	err = state.ExplainTimeout(ctx, err)
	switch {
	case err != nil:
		return fmt.Errorf("unlock %s: %w; if the lock is still there, break it with plumb force-unlock %s", b.URL(), err, l.info.ID)
	case !found:
		return fmt.Errorf("unlock %s: this run's lock %s was already gone: someone broke it (plumb force-unlock) while this run held it", b.URL(), l.info.ID)
	case info.ID != l.info.ID:
		return fmt.Errorf("unlock %s: this run's lock %s was broken while it ran, and the lock is now held by %s; leaving that lock alone",
			b.URL(), l.info.ID, describeHolder(info))
	}
	if err := b.deleteLock(ctx, etag); err != nil {
		return fmt.Errorf("unlock %s: %w; if the lock is still there, break it with plumb force-unlock %s", b.URL(), err, l.info.ID)
	}
	return nil
}

// ForceUnlock deletes a lock left by a run that is gone, given its ID,
// and returns the details that run recorded. It refuses when the lock
// object holds another ID (the lock was released and taken again since the
// ID was reported). S3 cannot tell whether the holder is still running:
// breaking a live run's lock makes that run's next state write fail with
// ErrConflict (and save its state to errored.plumb.state) rather than
// overwrite.
func (b *Backend) ForceUnlock(id string) (state.LockInfo, error) {
	ctx, cancel := state.WithTimeout(context.Background(), unlockTimeout, "reading the S3 state lock "+b.lockURL(), "check the network to the S3 endpoint")
	defer cancel()
	info, etag, found, err := b.readLock(ctx)
	switch {
	case err != nil:
		return info, fmt.Errorf("force-unlock %s: %w", b.URL(), state.ExplainTimeout(ctx, err))
	case !found:
		return info, fmt.Errorf("force-unlock %s: the state is not locked (there is no %s)", b.URL(), b.lockURL())
	case info.ID == "":
		return info, fmt.Errorf("force-unlock %s: the lock object %s names no lock ID; inspect it and delete it by hand (aws s3 rm %s) if its run is gone",
			b.URL(), b.lockURL(), b.lockURL())
	case info.ID != id:
		return info, fmt.Errorf("force-unlock %s: %w under ID %s, not %s: it is held by %s",
			b.URL(), state.ErrLocked, info.ID, id, describeHolder(info))
	}
	if err := b.deleteLock(ctx, etag); err != nil {
		return info, fmt.Errorf("force-unlock %s: %w", b.URL(), err)
	}
	b.mu.Lock()
	if b.lock != nil && b.lock.info.ID == id {
		b.lock = nil
	}
	b.mu.Unlock()
	return info, nil
}

// readLock reads the lock object. found is false when there is none; a
// lock object that does not parse gives a LockInfo with no ID.
func (b *Backend) readLock(ctx context.Context) (info state.LockInfo, etag string, found bool, err error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.lockKey())})
	if isNotFound(err) {
		return info, "", false, nil
	}
	if err != nil {
		return info, "", false, fmt.Errorf("read lock %s: %w", b.lockURL(), b.explain(err))
	}
	data, err := readAll(out.Body)
	if err != nil {
		return info, "", false, fmt.Errorf("read lock %s: %w", b.lockURL(), err)
	}
	_ = json.Unmarshal(data, &info) // unreadable: a holder with no details
	return info, aws.ToString(out.ETag), true, nil
}

// deleteLock deletes the lock object if its ETag is still etag. Stores
// that do not support a conditional delete get a plain one (the caller
// checked the lock ID just before).
func (b *Backend) deleteLock(ctx context.Context, etag string) error {
	in := &s3.DeleteObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.lockKey()), IfMatch: aws.String(etag)}
	_, err := b.client.DeleteObject(ctx, in)
	if isNotImplemented(err) {
		in.IfMatch = nil
		_, err = b.client.DeleteObject(ctx, in)
	}
	switch {
	case err == nil:
		return nil
	case isPreconditionFailed(err):
		return fmt.Errorf("the lock was taken by another run a moment ago; left alone")
	case isNotFound(err):
		return nil
	}
	return b.explain(err)
}

// describeHolder names a lock holder for an error message.
func describeHolder(info state.LockInfo) string {
	if info.ID == "" {
		return "a run that recorded no details (the lock object does not parse)"
	}
	var s strings.Builder
	fmt.Fprintf(&s, "%s (pid %d)", info.Holder(), info.PID)
	if info.Operation != "" {
		fmt.Fprintf(&s, " running %q", info.Operation)
	}
	if info.Created != "" {
		fmt.Fprintf(&s, " since %s", info.Created)
	}
	fmt.Fprintf(&s, ", lock ID %s", info.ID)
	return s.String()
}
