package s3

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plumbhq/plumb/reconcile/state"
)

var holderInfo = state.LockInfo{Operation: "apply", Who: "alice@laptop"}

// TestLockContention has two backends contend for one lock: the second
// fails naming the first, waits while it holds the lock, and gets it once
// it is released.
func TestLockContention(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	b1, b2 := newBackend(t, "", bucket, t.TempDir()), newBackend(t, "", bucket, t.TempDir())
	if err := b1.Lock(ctx, holderInfo); err != nil {
		t.Fatal(err)
	}
	held, ok := b1.HeldLock()
	if !ok || held.ID == "" || held.PID != os.Getpid() || held.Path != b1.URL() || held.Created == "" {
		t.Fatalf("HeldLock = %+v, %v; want a filled-in lock", held, ok)
	}

	short, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := b2.Lock(short, state.LockInfo{Operation: "plan"})
	if !errors.Is(err, state.ErrLocked) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while held: %v, want ErrLocked and the deadline", err)
	}
	if waited := time.Since(start); waited < 150*time.Millisecond {
		t.Errorf("Lock gave up after %v, before its deadline", waited)
	}
	for _, want := range []string{"alice@laptop", "pid " + strconv.Itoa(os.Getpid()), `"apply"`, held.ID, held.Created, "plumb force-unlock " + held.ID} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}

	// An expired context still gets one try.
	expired, cancel2 := context.WithCancel(ctx)
	cancel2()
	if err := b2.Lock(expired, holderInfo); !errors.Is(err, state.ErrLocked) || !strings.Contains(err.Error(), held.ID) {
		t.Fatalf("Lock with an expired context while held: %v, want ErrLocked naming lock %s", err, held.ID)
	}

	got := make(chan error, 1)
	go func() {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		got <- b2.Lock(wctx, state.LockInfo{Operation: "apply"})
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-got:
		t.Fatalf("second Lock returned %v while the first held the lock", err)
	default:
	}
	if err := b1.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiting Lock: %v", err)
	}
	if _, ok := b2.HeldLock(); !ok {
		t.Fatal("the waiting backend does not hold the lock after Lock returned")
	}
	if err := b2.Unlock(); err != nil {
		t.Fatal(err)
	}
	if objectExists(t, bucket, "env/plumb.state.lock") {
		t.Fatal("the lock object remains after Unlock")
	}
	if err := b1.Lock(expired, holderInfo); err != nil {
		t.Fatalf("Lock with an expired context on a free lock: %v", err)
	}
}

func TestLockTwiceAndUnlockUnheld(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "", newBucket(t), t.TempDir())
	if err := b.Unlock(); err == nil {
		t.Fatal("Unlock without the lock succeeded")
	}
	if err := b.Lock(ctx, holderInfo); err != nil {
		t.Fatal(err)
	}
	if err := b.Lock(ctx, holderInfo); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Fatalf("second Lock: %v, want a refusal", err)
	}
}

func TestForceUnlock(t *testing.T) {
	tests := []struct {
		name     string
		locked   bool
		wrongID  bool
		wantErr  string // "" for success
		wantGone bool   // the lock object is gone afterwards
	}{
		{"matching ID", true, false, "", true},
		{"other ID", true, true, "not wrong-id", false},
		{"not locked", false, false, "not locked", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			bucket := newBucket(t)
			holder, breaker := newBackend(t, "", bucket, t.TempDir()), newBackend(t, "", bucket, t.TempDir())
			id := "some-id"
			if tt.locked {
				if err := holder.Lock(ctx, holderInfo); err != nil {
					t.Fatal(err)
				}
				info, _ := holder.HeldLock()
				id = info.ID
			}
			if tt.wrongID {
				id = "wrong-id"
			}
			info, err := breaker.ForceUnlock(id)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ForceUnlock: %v, want an error saying %q", err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("ForceUnlock: %v", err)
				}
				if info.Who != holderInfo.Who || info.Operation != "apply" || info.PID != os.Getpid() {
					t.Errorf("ForceUnlock returned %+v, want the holder's details", info)
				}
			}
			if gone := !objectExists(t, bucket, "env/plumb.state.lock"); gone != tt.wantGone {
				t.Fatalf("lock object gone = %v, want %v", gone, tt.wantGone)
			}
		})
	}
}

// TestUnlockAfterLockBroken: a run whose lock was broken and taken by
// another run must not delete the new holder's lock.
func TestUnlockAfterLockBroken(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	first, second := newBackend(t, "", bucket, t.TempDir()), newBackend(t, "", bucket, t.TempDir())
	if err := first.Lock(ctx, holderInfo); err != nil {
		t.Fatal(err)
	}
	info, _ := first.HeldLock()
	if _, err := second.ForceUnlock(info.ID); err != nil {
		t.Fatal(err)
	}
	if err := second.Lock(ctx, state.LockInfo{Operation: "apply", Who: "bob@desk"}); err != nil {
		t.Fatal(err)
	}
	err := first.Unlock()
	if err == nil || !strings.Contains(err.Error(), "bob@desk") || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("Unlock of a broken lock: %v, want an error naming the new holder", err)
	}
	if !objectExists(t, bucket, "env/plumb.state.lock") {
		t.Fatal("Unlock deleted another run's lock")
	}
	if err := second.Unlock(); err != nil {
		t.Fatalf("the new holder's Unlock: %v", err)
	}
}
