package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLocalReadMissing(t *testing.T) {
	path := statePath(t)
	st := mustRead(t, path)
	if st.Version != FormatVersion || st.Serial != 0 || st.Lineage == "" || len(st.Resources) != 0 {
		t.Errorf("Read of no file = %+v, want New()", st)
	}
	if exists(t, path) {
		t.Error("Read created the state file")
	}
}

func TestLocalWriteReadRoundTrip(t *testing.T) {
	path := statePath(t)
	l := NewLocal(path)
	ctx := context.Background()
	st := goldenState(t)
	st.Serial = 0
	want := st.DeepCopy()

	for i := 1; i <= 3; i++ {
		if err := l.Write(ctx, st); err != nil {
			t.Fatal(err)
		}
		if st.Serial != uint64(i) {
			t.Fatalf("after write %d, st.Serial = %d", i, st.Serial)
		}
	}
	want.Serial = 3
	got := mustRead(t, path)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back differs (-wrote +read):\n%s", diff)
	}
}

func TestLocalWriteGivesLineage(t *testing.T) {
	path := statePath(t)
	st := &State{Resources: map[string]*Instance{}}
	if err := NewLocal(path).Write(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	got := mustRead(t, path)
	if st.Lineage == "" || got.Lineage != st.Lineage || got.Version != FormatVersion || got.Serial != 1 {
		t.Errorf("wrote %+v, read %+v", st, got)
	}
}

func TestLocalFileModes(t *testing.T) {
	path := statePath(t)
	l := NewLocal(path)
	ctx := context.Background()
	if err := l.Lock(ctx, LockInfo{}); err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	st := testState(t, 2)
	// An existing world-readable state is replaced by a private one.
	if err := os.WriteFile(path, mustMarshal(t, st), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	rec, err := l.Recorder(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close(ctx)
	for _, p := range []string{path, path + ".backup", path + ".lock", path + ".journal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), perm)
		}
	}
	// No temporary files are left behind.
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func mustMarshal(t *testing.T, st *State) []byte {
	t.Helper()
	data, err := st.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLocalBackupKept(t *testing.T) {
	path := statePath(t)
	l := NewLocal(path)
	ctx := context.Background()
	st := testState(t, 1)
	if err := l.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	if exists(t, path+".backup") {
		t.Error("the first write made a backup of nothing")
	}
	first := mustMarshal(t, st)

	st.Resources["plumb_data.new"] = testInstance(t, "plumb_data.new", 9)
	if err := l.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	backup, err := os.ReadFile(path + ".backup")
	if err != nil {
		t.Fatal(err)
	}
	if string(backup) != string(first) {
		t.Errorf("backup holds\n%s\nwant the previous state\n%s", backup, first)
	}
	fi, err := os.Stat(path + ".backup")
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("backup has mode %v, want 0600", perm)
	}
	if got := mustRead(t, path); got.Serial != 2 || got.Resources["plumb_data.new"] == nil {
		t.Errorf("state after second write: serial %d, %d instances", got.Serial, len(got.Resources))
	}
}

func TestLocalReadCorrupt(t *testing.T) {
	tests := []struct {
		file string
		want string // in the error, after the path
	}{
		{"empty.state", "line 1, column 1 (byte offset 0): unexpected end of JSON input"},
		{"truncated.state", "line 11, column 116 (byte offset 399): unexpected end of JSON input"},
		{"garbage.state", "line 1, column 2 (byte offset 1): invalid character 'h' in literal true"},
		{"trailing-garbage.state", "line 7, column 1 (byte offset 71): invalid character '}' after top-level value"},
		{"wrong-type.state", "line 5, column 19 (byte offset 82): serial is a JSON string, want a number"},
		{"no-version.state", "not a plumb state file"},
		{"duplicate-address.state", "address a.b appears twice"},
		{"no-address.state", "resources[0] has no address"},
	}
	for _, tt := range tests {
		for _, withBackup := range []bool{false, true} {
			name := tt.file
			if withBackup {
				name += "/with backup"
			}
			t.Run(name, func(t *testing.T) {
				path := statePath(t)
				copyTestdata(t, filepath.Join("corrupt", tt.file), path)
				if withBackup {
					copyTestdata(t, "golden.state", path+".backup")
				}
				_, err := NewLocal(path).Read(context.Background())
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Read error = %v, want ErrCorrupt", err)
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, path+": state file is corrupt: ") || !strings.Contains(msg, tt.want) {
					t.Errorf("error %q does not name the file and say %q", msg, tt.want)
				}
				hint := "the previous version is kept in " + path + ".backup; inspect it and copy it over " + path + " to restore"
				if withBackup != strings.Contains(msg, hint) {
					t.Errorf("error %q: backup hint present = %v, want %v", msg, !withBackup, withBackup)
				}
				if !withBackup && strings.Contains(msg, ".backup") {
					t.Errorf("error %q mentions a backup that does not exist", msg)
				}
			})
		}
	}
}

func TestLocalReadNewerVersion(t *testing.T) {
	for _, file := range []string{"newer-version.state", "newer-version-new-layout.state"} {
		t.Run(file, func(t *testing.T) {
			path := statePath(t)
			copyTestdata(t, file, path)
			_, err := NewLocal(path).Read(context.Background())
			if !errors.Is(err, ErrUnsupportedVersion) || errors.Is(err, ErrCorrupt) {
				t.Fatalf("Read error = %v, want ErrUnsupportedVersion and not ErrCorrupt", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, path+": ") || !strings.Contains(msg, "upgrade plumb") {
				t.Errorf("error %q does not name the file and say to upgrade", msg)
			}
		})
	}
}

func TestLocalReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewLocal(statePath(t)).Read(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a cancelled context: %v, want context.Canceled", err)
	}
}
