package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

const replayLineage = "11111111-2222-4333-8444-555555555555"

func TestReadReplaysJournal(t *testing.T) {
	tests := []struct {
		name      string
		state     bool // start from testdata/replay/base.state (serial 5)
		journal   string
		wantAddrs []string // without the "plumb_data." prefix
		wantSer   uint64
		wantErr   error
		wantMsg   string // in the error
	}{
		{name: "complete", state: true, journal: "complete.journal",
			wantAddrs: []string{"keep", "new1"}, wantSer: 6},
		{name: "torn last line ignored", state: true, journal: "torn.journal",
			wantAddrs: []string{"gone", "keep", "new1", "new2"}, wantSer: 6},
		{name: "replay stops at a garbled line", state: true, journal: "garbage-line.journal",
			wantAddrs: []string{"gone", "keep", "new1"}, wantSer: 6},
		{name: "stale serial discarded", state: true, journal: "stale.journal",
			wantAddrs: []string{"gone", "keep"}, wantSer: 5},
		{name: "other lineage discarded", state: true, journal: "other-lineage.journal",
			wantAddrs: []string{"gone", "keep"}, wantSer: 5},
		{name: "torn header discarded", state: true, journal: "torn-header.journal",
			wantAddrs: []string{"gone", "keep"}, wantSer: 5},
		{name: "no state file, base serial 0", journal: "fresh.journal",
			wantAddrs: []string{"new1", "new2"}, wantSer: 1},
		{name: "no state file, base serial 5", journal: "orphan.journal",
			wantErr: ErrCorrupt, wantMsg: "holds changes to serial 5 of the state, but the state file does not exist"},
		{name: "not a journal", state: true, journal: "bad-header.journal",
			wantErr: ErrCorrupt, wantMsg: "the first line is not a journal header"},
		{name: "newer journal", state: true, journal: "newer.journal",
			wantErr: ErrUnsupportedVersion, wantMsg: "upgrade plumb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := statePath(t)
			if tt.state {
				copyTestdata(t, "replay/base.state", path)
			}
			copyTestdata(t, filepath.Join("replay", tt.journal), path+".journal")

			st, err := NewLocal(path).Read(context.Background())
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Fatalf("Read error = %v, want %v saying %q", err, tt.wantErr, tt.wantMsg)
				}
				if !exists(t, path+".journal") {
					t.Error("the journal was removed after an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkAddrs(t, st, tt.wantAddrs)
			if st.Serial != tt.wantSer || st.Lineage != replayLineage {
				t.Errorf("serial %d, lineage %s; want %d, %s", st.Serial, st.Lineage, tt.wantSer, replayLineage)
			}
			if exists(t, path+".journal") {
				t.Error("the journal is still there")
			}
			// What Read returned is what the file now holds.
			again := mustRead(t, path)
			checkAddrs(t, again, tt.wantAddrs)
			if again.Serial != tt.wantSer {
				t.Errorf("read again: serial %d, want %d", again.Serial, tt.wantSer)
			}
		})
	}
}

// checkAddrs checks that st holds exactly the plumb_data instances named.
func checkAddrs(t *testing.T, st *State, names []string) {
	t.Helper()
	var want []string
	for _, n := range names {
		want = append(want, "plumb_data."+n)
	}
	if got := st.SortedAddrs(); !slices.Equal(got, want) {
		t.Errorf("instances %q, want %q", got, want)
	}
}

func TestReplayAppliesEntries(t *testing.T) {
	path := statePath(t)
	copyTestdata(t, "replay/base.state", path)
	copyTestdata(t, "replay/complete.journal", path+".journal")
	st := mustRead(t, path)

	v, err := st.Resources["plumb_data.keep"].Value(testAttrsType)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.GetAttr("input").AsString(); got != "value-99" {
		t.Errorf("replayed keep has input %q, want the journal's value-99", got)
	}
	out, ok := st.Outputs["url"]
	if !ok {
		t.Fatalf("outputs %v, want url", st.Outputs)
	}
	if ov, err := out.Decode(); err != nil || !ov.RawEquals(cty.StringVal("https://example.org/")) {
		t.Errorf("output url = %#v, %v", ov, err)
	}
	// The state before the fold is the backup.
	backup, err := os.ReadFile(path + ".backup")
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(filepath.Join("testdata", "replay", "base.state"))
	if err != nil {
		t.Fatal(err)
	}
	if string(backup) != string(base) {
		t.Error("the backup is not the state before the fold")
	}
}

func TestRecorderConcurrentSets(t *testing.T) {
	path := statePath(t)
	l := NewLocal(path)
	ctx := context.Background()
	st := testState(t, 5)
	if err := l.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	rec, err := l.Recorder(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 50, 4
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				addr := fmt.Sprintf("plumb_data.c_%d_%d", w, i)
				if err := rec.Set(testInstance(t, addr, i)); err != nil {
					errs <- err
				}
			}
			if err := rec.Remove(fmt.Sprintf("plumb_data.r[%d]", w)); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	out, err := NewOutput(cty.StringVal("done"), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.SetOutputs(map[string]*Output{"status": out}); err != nil {
		t.Fatal(err)
	}
	closed, err := rec.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if closed != st {
		t.Error("Close did not return the state given to Recorder")
	}
	if exists(t, path+".journal") {
		t.Error("Close left the journal")
	}
	// Write (1), Recorder (2), Close (3).
	for name, got := range map[string]*State{"closed": closed, "read": mustRead(t, path)} {
		if got.Serial != 3 {
			t.Errorf("%s: serial %d, want 3", name, got.Serial)
		}
		if len(got.Resources) != workers*each || got.Outputs["status"] == nil {
			t.Errorf("%s: %d instances and outputs %v, want %d and status", name, len(got.Resources), got.Outputs, workers*each)
		}
		for w := range workers {
			for i := range each {
				if got.Resources[fmt.Sprintf("plumb_data.c_%d_%d", w, i)] == nil {
					t.Errorf("%s: plumb_data.c_%d_%d is missing", name, w, i)
				}
			}
		}
	}
}

func TestRecorderJournalSurvivesWithoutClose(t *testing.T) {
	path := statePath(t)
	l := NewLocal(path)
	ctx := context.Background()
	st := testState(t, 2)
	rec, err := l.Recorder(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"plumb_data.a", "plumb_data.b"} {
		if err := rec.Set(testInstance(t, addr, 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Remove("plumb_data.r[0]"); err != nil {
		t.Fatal(err)
	}

	// While the recorder runs, another reader sees its changes but leaves
	// the live journal alone.
	live := mustRead(t, path)
	checkAddrs(t, live, []string{"a", "b", "r[1]"})
	if !exists(t, path+".journal") {
		t.Fatal("a reader removed the live journal")
	}
	if err := l.Write(ctx, st); err == nil {
		t.Error("Write while recording succeeded, want an error")
	}
	if _, err := l.Recorder(ctx, st); err == nil {
		t.Error("a second Recorder opened, want an error")
	}

	// As if the process died: the journal is released but not folded.
	r := rec.(*recorder)
	r.mu.Lock()
	r.closing = true
	r.wake.Signal()
	r.mu.Unlock()
	<-r.done
	r.f.Close()

	got := mustRead(t, path)
	checkAddrs(t, got, []string{"a", "b", "r[1]"})
	if exists(t, path+".journal") {
		t.Error("Read did not fold the dead journal")
	}
	if got.Serial != 2 {
		t.Errorf("serial %d, want 2 (Recorder's write, then the fold)", got.Serial)
	}
}

func TestReadLeavesJournalWhileLocked(t *testing.T) {
	path := statePath(t)
	copyTestdata(t, "replay/base.state", path)
	copyTestdata(t, "replay/complete.journal", path+".journal")
	holder := NewLocal(path)
	if err := holder.Lock(context.Background(), LockInfo{}); err != nil {
		t.Fatal(err)
	}
	// Another reader applies the journal but may not change the files.
	st := mustRead(t, path)
	checkAddrs(t, st, []string{"keep", "new1"})
	if st.Serial != 5 || !exists(t, path+".journal") {
		t.Errorf("a reader without the lock folded the journal (serial %d)", st.Serial)
	}
	// The lock holder folds it.
	st, err := holder.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Serial != 6 || exists(t, path+".journal") {
		t.Errorf("the lock holder did not fold the journal (serial %d)", st.Serial)
	}
	if err := holder.Unlock(); err != nil {
		t.Fatal(err)
	}
}

func TestRecorderAfterClose(t *testing.T) {
	l := NewLocal(statePath(t))
	ctx := context.Background()
	rec, err := l.Recorder(ctx, New())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rec.Set(testInstance(t, "plumb_data.late", 1)); !errors.Is(err, errRecorderClosed) {
		t.Errorf("Set after Close: %v, want errRecorderClosed", err)
	}
	if _, err := rec.Close(ctx); !errors.Is(err, errRecorderClosed) {
		t.Errorf("second Close: %v, want errRecorderClosed", err)
	}
	if err := rec.Set(&Instance{}); err == nil {
		t.Error("Set of an instance without an address succeeded")
	}
	// The Local is usable again.
	if err := l.Write(ctx, New()); err != nil {
		t.Errorf("Write after Close: %v", err)
	}
}

// TestRecorderMoveSurvivesCrash records a change of address and lets the
// process "die" before Close: the next read finds the object at its new
// address only, with its attributes, never at both or neither.
func TestRecorderMoveSurvivesCrash(t *testing.T) {
	path := statePath(t)
	l := NewLocal(path)
	ctx := context.Background()
	st := testState(t, 2)
	rec, err := l.Recorder(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	moved := *st.Resources["plumb_data.r[0]"]
	attrs := string(moved.Attributes)
	moved.Addr, moved.Name = `module.m["x"].plumb_data.q`, "q"
	if err := rec.Move("plumb_data.r[0]", &moved); err != nil {
		t.Fatal(err)
	}
	if err := rec.Move("", &moved); err == nil {
		t.Error("a move without its old address was recorded")
	}
	r := rec.(*recorder)
	r.mu.Lock()
	r.closing = true
	r.wake.Signal()
	r.mu.Unlock()
	<-r.done
	r.f.Close()

	got := mustRead(t, path)
	if _, ok := got.Resources["plumb_data.r[0]"]; ok {
		t.Error("the old address is still in state after the move")
	}
	inst, ok := got.Resources[`module.m["x"].plumb_data.q`]
	if !ok {
		t.Fatalf("the new address is not in state: %v", got.SortedAddrs())
	}
	if inst.Name != "q" || string(inst.Attributes) != attrs {
		t.Errorf("moved instance %+v lost its name or attributes", inst)
	}
}
