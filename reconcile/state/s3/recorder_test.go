package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/state"
)

// openRecorder locks b, reads its state and opens a recorder on it.
func openRecorder(t *testing.T, b *Backend) state.Recorder {
	t.Helper()
	ctx := context.Background()
	if err := b.Lock(ctx, holderInfo); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Unlock() })
	st, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := b.Recorder(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// waitFor polls cond for up to two seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}

func TestRecorder(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	b := newBackend(t, "", bucket, t.TempDir())
	rec := openRecorder(t, b)
	if !journalLeft(t, b) {
		t.Fatal("an open recorder keeps no local journal")
	}
	if _, err := b.Read(ctx); err == nil {
		t.Error("Read succeeded while a recorder is open")
	}
	if err := b.Write(ctx, state.New()); err == nil {
		t.Error("Write succeeded while a recorder is open")
	}
	if _, err := b.Recorder(ctx, state.New()); err == nil {
		t.Error("a second recorder opened")
	}

	var want []string
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for g := range 8 {
		for i := range 25 {
			want = append(want, fmt.Sprintf("plumb_data.r[%d]", g*25+i))
		}
		wg.Go(func() {
			for i := range 25 {
				n := g*25 + i
				if err := rec.Set(testInstance(t, fmt.Sprintf("plumb_data.r[%d]", n), n)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Set: %v", err)
	}
	if err := rec.Remove("plumb_data.r[0]"); err != nil {
		t.Fatal(err)
	}
	want = want[1:]
	out, err := state.NewOutput(cty.StringVal("hello"), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.SetOutputs(map[string]*state.Output{"greeting": out}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a background upload holds every change", func() bool {
		return objectExists(t, bucket, "env/plumb.state") && len(storedState(t, bucket).Resources) == len(want)
	})

	st, err := rec.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	stored := storedState(t, bucket)
	checkAddrs(t, stored, want)
	if _, ok := stored.Outputs["greeting"]; !ok {
		t.Error("the stored state lacks the output")
	}
	if st.Serial != stored.Serial || stored.Serial < 2 {
		t.Errorf("Close returned serial %d, stored serial %d; want them equal, after at least one upload and the final write", st.Serial, stored.Serial)
	}
	if journalLeft(t, b) {
		t.Error("the local journal remains after Close")
	}
	if _, err := rec.Close(ctx); err == nil {
		t.Error("a second Close succeeded")
	}
	if err := rec.Set(testInstance(t, "plumb_data.late", 1)); err == nil {
		t.Error("Set after Close succeeded")
	}
	if _, err := b.Read(ctx); err != nil {
		t.Errorf("Read after Close: %v", err)
	}
}

// TestRecorderConflict breaks a recording run's lock and writes the state
// from another run: the recorder's uploads fail, Set reports the conflict,
// and Close saves everything to the errored file without overwriting.
func TestRecorderConflict(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	dir := t.TempDir()
	b := newBackend(t, "", bucket, dir)
	rec := openRecorder(t, b)
	if err := rec.Set(testInstance(t, "plumb_data.mine[0]", 0)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first change is uploaded", func() bool { return objectExists(t, bucket, "env/plumb.state") })

	other := newBackend(t, "", bucket, t.TempDir())
	info, _ := b.HeldLock()
	if _, err := other.ForceUnlock(info.ID); err != nil {
		t.Fatal(err)
	}
	if err := other.Lock(ctx, state.LockInfo{Operation: "apply"}); err != nil {
		t.Fatal(err)
	}
	st, err := other.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Resources["plumb_data.theirs"] = testInstance(t, "plumb_data.theirs", 9)
	if err := other.Write(ctx, st); err != nil {
		t.Fatal(err)
	}

	mine := []string{"plumb_data.mine[0]"}
	var setErr error
	waitFor(t, "Set reports the conflict", func() bool {
		addr := fmt.Sprintf("plumb_data.mine[%d]", len(mine))
		setErr = rec.Set(testInstance(t, addr, len(mine)))
		mine = append(mine, addr)
		return setErr != nil
	})
	if !errors.Is(setErr, ErrConflict) || !strings.Contains(setErr.Error(), ErroredFile) {
		t.Fatalf("Set after the conflict: %v, want ErrConflict and where the state will go", setErr)
	}
	_, err = rec.Close(ctx)
	var se *SaveError
	if !errors.As(err, &se) || !errors.Is(err, ErrConflict) || se.Path != erroredPath(dir) {
		t.Fatalf("Close: %v, want a *SaveError wrapping ErrConflict, saved to %s", err, erroredPath(dir))
	}
	checkAddrs(t, readStateFile(t, se.Path), mine)
	// The other run's write stays: what it read (the upload of mine[0])
	// and its own instance.
	checkAddrs(t, storedState(t, bucket), []string{"plumb_data.mine[0]", "plumb_data.theirs"})
	if journalLeft(t, b) {
		t.Error("the local journal remains although the errored file holds the state")
	}
	if err := other.Unlock(); err != nil {
		t.Fatal(err)
	}
}

// TestRecorderEndpointGone takes the S3 endpoint away in the middle of an
// apply: changes keep being recorded, Close saves them all to the errored
// file, and a later push restores them.
func TestRecorderEndpointGone(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	dir := t.TempDir()
	p := proxy(t)
	b := newBackend(t, p.URL, bucket, dir)
	rec := openRecorder(t, b)
	var want []string
	set := func(n int) {
		t.Helper()
		addr := fmt.Sprintf("plumb_data.r[%d]", n)
		if err := rec.Set(testInstance(t, addr, n)); err != nil {
			t.Fatalf("Set %s: %v", addr, err)
		}
		want = append(want, addr)
	}
	set(0)
	set(1)
	waitFor(t, "the first changes are uploaded", func() bool {
		return objectExists(t, bucket, "env/plumb.state") && len(storedState(t, bucket).Resources) == 2
	})
	p.Close()
	for n := 2; n < 6; n++ {
		set(n)
	}
	time.Sleep(30 * time.Millisecond) // let uploads fail
	_, err := rec.Close(ctx)
	var se *SaveError
	if !errors.As(err, &se) || errors.Is(err, ErrConflict) || se.Path != erroredPath(dir) {
		t.Fatalf("Close with the endpoint gone: %v, want a *SaveError saved to %s", err, erroredPath(dir))
	}
	if !strings.Contains(err.Error(), "plumb state push "+se.Path) {
		t.Errorf("error %q does not say to push %s", err, se.Path)
	}
	checkAddrs(t, storedState(t, bucket), want[:2])
	saved := readStateFile(t, se.Path)
	checkAddrs(t, saved, want)
	if journalLeft(t, b) {
		t.Error("the local journal remains although the errored file holds the state")
	}

	// The endpoint is back (kumo itself); the lock left behind is broken
	// and the errored state pushed.
	back := newBackend(t, "", bucket, dir)
	info, _ := b.HeldLock()
	if _, err := back.ForceUnlock(info.ID); err != nil {
		t.Fatal(err)
	}
	if err := PushState(ctx, back, saved, false); err != nil {
		t.Fatalf("push %s: %v", se.Path, err)
	}
	checkAddrs(t, storedState(t, bucket), want)
}

func TestNoteOwns(t *testing.T) {
	n := note{BaseETag: `"base"`, BaseWriteID: "w-base", PendingWriteID: "w-pending"}
	tests := []struct {
		name string
		n    note
		obj  object
		want bool
	}{
		{"object as read", n, object{found: true, etag: `"base"`}, true},
		{"object as last written", n, object{found: true, etag: `"other"`, writeID: "w-base"}, true},
		{"pending upload landed", n, object{found: true, etag: `"new"`, writeID: "w-pending"}, true},
		{"another run wrote", n, object{found: true, etag: `"new"`, writeID: "w-theirs"}, false},
		{"written by another tool", n, object{found: true, etag: `"new"`}, false},
		{"deleted since", n, object{}, false},
		{"still none", note{}, object{}, true},
		{"created since", note{}, object{found: true, etag: `"x"`, writeID: "w-x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.n.owns(tt.obj); got != tt.want {
				t.Fatalf("owns = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRecorderUploadCutShort has an upload land in S3 but never answered,
// until Close cuts it short: Close must recognise the object as its own
// upload and build on it, not report a conflict with itself.
func TestRecorderUploadCutShort(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	u, err := url.Parse(kumoURL)
	if err != nil {
		t.Fatal(err)
	}
	var hang atomic.Bool
	landed := make(chan struct{}, 10)
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/env/plumb.state") && hang.Load() {
			rp.ServeHTTP(httptest.NewRecorder(), r) // it lands in kumo...
			landed <- struct{}{}
			<-r.Context().Done() // ...but the answer never comes
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	b := newBackend(t, srv.URL, bucket, t.TempDir())
	rec := openRecorder(t, b)
	hang.Store(true)
	if err := rec.Set(testInstance(t, "plumb_data.a", 1)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-landed:
	case <-time.After(5 * time.Second):
		t.Fatal("no upload reached S3")
	}
	hang.Store(false)
	if err := rec.Set(testInstance(t, "plumb_data.b", 2)); err != nil {
		t.Fatal(err)
	}
	st, err := rec.Close(ctx)
	if err != nil {
		t.Fatalf("Close after an upload was cut short: %v", err)
	}
	stored := storedState(t, bucket)
	checkAddrs(t, stored, []string{"plumb_data.a", "plumb_data.b"})
	if stored.Serial != 2 || st.Serial != 2 {
		t.Errorf("serials: stored %d, returned %d; want 2 (the upload that landed, then Close's)", stored.Serial, st.Serial)
	}
}
