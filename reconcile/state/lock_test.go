package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// holdLock starts a child that holds the lock on the state at path.
func holdLock(t *testing.T, path string) *child {
	t.Helper()
	c := startChild(t, modeHoldLock, path)
	c.expect(t, "locked")
	return c
}

func TestLockHeldByAnotherProcess(t *testing.T) {
	path := statePath(t)
	c := holdLock(t, path)

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := NewLocal(path).Lock(ctx, LockInfo{Operation: "plan"})
	waited := time.Since(start)
	if !errors.Is(err, ErrLocked) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock error = %v, want ErrLocked after the deadline", err)
	}
	if waited < 250*time.Millisecond {
		t.Errorf("Lock gave up after %v, before its deadline", waited)
	}
	host, _ := os.Hostname()
	for _, want := range []string{
		// user@host, once: not user@host@host.
		path + ": state is locked: it is held by child@" + host + fmt.Sprintf(" (pid %d)", c.cmd.Process.Pid),
		`running "apply" since `,
		"lock ID child-lock-id",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestLockWaitsUntilReleased(t *testing.T) {
	path := statePath(t)
	c := holdLock(t, path)

	const holdFor = 300 * time.Millisecond
	time.AfterFunc(holdFor, func() { c.stdin.Close() }) // the child unlocks
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l := NewLocal(path)
	start := time.Now()
	if err := l.Lock(ctx, LockInfo{ID: "mine", Operation: "apply"}); err != nil {
		t.Fatalf("Lock: %v", err)
	}
	defer l.Unlock()
	if waited := time.Since(start); waited < holdFor {
		t.Errorf("Lock returned after %v, before the holder released it", waited)
	}
	info, held := l.HeldLock()
	if !held || info.ID != "mine" || info.PID != os.Getpid() || info.Path != path || info.Who == "" || info.Created == "" {
		t.Errorf("HeldLock = %+v, %v", info, held)
	}
	// The lock file names the new holder.
	var recorded LockInfo
	data, err := os.ReadFile(path + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &recorded); err != nil || recorded != info {
		t.Errorf("lock file holds %s (%v), want %+v", data, err, info)
	}
}

func TestLockInProcess(t *testing.T) {
	path := statePath(t)
	ctx := context.Background()
	a, b := NewLocal(path), NewLocal(path)
	if err := a.Unlock(); err == nil {
		t.Error("Unlock without the lock succeeded")
	}
	if err := a.Lock(ctx, LockInfo{ID: "a", Who: "alice@host", Operation: "apply"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Lock(ctx, LockInfo{}); err == nil {
		t.Error("locking twice succeeded")
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	err := b.Lock(done, LockInfo{})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "alice@host") {
		t.Errorf("second Lock error = %v, want ErrLocked naming alice@host", err)
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(path + ".lock"); err != nil || len(data) != 0 {
		t.Errorf("after Unlock the lock file holds %q (%v), want nothing", data, err)
	}
	if err := b.Lock(done, LockInfo{}); err != nil {
		t.Errorf("Lock after Unlock: %v", err)
	}
	if err := b.Unlock(); err != nil {
		t.Error(err)
	}
}

func TestForceUnlock(t *testing.T) {
	tests := []struct {
		name     string
		holder   string // "live", "dead" (SIGKILLed) or "none"
		id       string
		wantErr  error  // wrapped by the error, when not nil
		wantMsg  string // in the error; "" means success
		cleared  bool   // the lock file is empty afterwards
		wantInfo bool   // the holder's details are returned
	}{
		{name: "dead holder", holder: "dead", id: "child-lock-id", cleared: true, wantInfo: true},
		{name: "dead holder, other ID", holder: "dead", id: "nope",
			wantMsg: "the lock recorded is child-lock-id (child@HOST", wantInfo: true},
		{name: "live holder", holder: "live", id: "child-lock-id", wantErr: ErrLocked,
			wantMsg: "its holder is still running (child@HOST (pid %d", wantInfo: true},
		{name: "live holder, other ID", holder: "live", id: "nope", wantErr: ErrLocked,
			wantMsg: "but under ID child-lock-id, not nope: it is held by child@HOST (pid %d", wantInfo: true},
		{name: "never locked", holder: "none", id: "x", wantMsg: "the state is not locked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := statePath(t)
			pid := 0
			switch tt.holder {
			case "live", "dead":
				c := holdLock(t, path)
				pid = c.cmd.Process.Pid
				if tt.holder == "dead" {
					c.kill(t)
				}
			}
			info, err := NewLocal(path).ForceUnlock(tt.id)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("ForceUnlock: %v", err)
				}
			} else {
				host, _ := os.Hostname()
				want := strings.ReplaceAll(tt.wantMsg, "HOST", host)
				if strings.Contains(want, "%d") {
					want = fmt.Sprintf(want, pid)
				}
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("ForceUnlock error = %v, want one saying %q", err, want)
				}
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
			if got := info.ID == testLockInfo.ID && info.PID == pid; got != tt.wantInfo {
				t.Errorf("returned %+v; holder's details wanted: %v", info, tt.wantInfo)
			}
			if tt.holder == "none" {
				return
			}
			data, err := os.ReadFile(path + ".lock")
			if err != nil {
				t.Fatal(err)
			}
			if got := len(data) == 0; got != tt.cleared {
				t.Errorf("lock file holds %q; cleared wanted: %v", data, tt.cleared)
			}
		})
	}
}

func TestLockAfterHolderKilled(t *testing.T) {
	path := statePath(t)
	c := holdLock(t, path)
	c.kill(t)
	// The kernel released the flock; a new run locks without force-unlock.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l := NewLocal(path)
	if err := l.Lock(ctx, LockInfo{ID: "next"}); err != nil {
		t.Fatalf("Lock after the holder died: %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
}
