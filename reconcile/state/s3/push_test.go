package s3

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbhq/plumb/reconcile/state"
)

func TestPushState(t *testing.T) {
	// Each case starts from a stored state with lineage L, serial 3 and
	// instance plumb_data.r[0], and pushes what push returns.
	tests := []struct {
		name    string
		push    func(stored *state.State) *state.State
		force   bool
		wantErr string // "" when the push succeeds
		want    []string
		serial  uint64 // stored serial afterwards
	}{
		{
			name: "newer serial",
			push: func(s *state.State) *state.State {
				c := s.DeepCopy()
				c.Serial = 5
				c.Resources["plumb_data.new"] = testInstance(t, "plumb_data.new", 1)
				return c
			},
			want: []string{"plumb_data.r[0]", "plumb_data.new"}, serial: 6,
		},
		{
			name: "lower serial",
			push: func(s *state.State) *state.State {
				c := s.DeepCopy()
				c.Serial = 2
				c.Resources = map[string]*state.Instance{}
				return c
			},
			wantErr: "the stored state is newer (serial 3, pushing 2)",
			want:    []string{"plumb_data.r[0]"}, serial: 3,
		},
		{
			name: "lower serial, forced",
			push: func(s *state.State) *state.State {
				c := s.DeepCopy()
				c.Serial = 2
				c.Resources = map[string]*state.Instance{}
				return c
			},
			force: true,
			want:  nil, serial: 4,
		},
		{
			name:    "other lineage",
			push:    func(*state.State) *state.State { return testState(t, 1) },
			wantErr: "another estate",
			want:    []string{"plumb_data.r[0]"}, serial: 3,
		},
		{
			name: "same serial, other contents",
			push: func(s *state.State) *state.State {
				c := s.DeepCopy()
				c.Resources["plumb_data.new"] = testInstance(t, "plumb_data.new", 1)
				return c
			},
			wantErr: "same serial (3) but other contents",
			want:    []string{"plumb_data.r[0]"}, serial: 3,
		},
		{
			name: "same state",
			push: func(s *state.State) *state.State { return s.DeepCopy() },
			want: []string{"plumb_data.r[0]"}, serial: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			bucket := newBucket(t)
			b := newBackend(t, "", bucket, t.TempDir())
			stored, err := b.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			stored.Resources["plumb_data.r[0]"] = testInstance(t, "plumb_data.r[0]", 0)
			stored.Serial = 2
			if err := b.Write(ctx, stored); err != nil {
				t.Fatal(err)
			}
			err = PushState(ctx, b, tt.push(stored), tt.force)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("push: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "-force")):
				t.Fatalf("push: %v, want an error saying %q and offering -force", err, tt.wantErr)
			}
			got := storedState(t, bucket)
			checkAddrs(t, got, tt.want)
			if got.Serial != tt.serial {
				t.Errorf("stored serial %d, want %d", got.Serial, tt.serial)
			}
		})
	}
}

// TestMigrate moves a state from a local file to S3 and back, and refuses
// to overwrite another estate.
func TestMigrate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	local := state.NewLocal(filepath.Join(dir, "plumb.state"))
	st := testState(t, 3)
	if err := local.Write(ctx, st); err != nil {
		t.Fatal(err)
	}
	bucket := newBucket(t)
	remote := newBackend(t, "", bucket, dir)

	if err := Migrate(ctx, local, remote); err != nil {
		t.Fatalf("local to S3: %v", err)
	}
	stored := storedState(t, bucket)
	checkAddrs(t, stored, st.SortedAddrs())
	if stored.Lineage != st.Lineage || stored.Serial <= st.Serial {
		t.Fatalf("S3 holds lineage %s serial %d; want lineage %s above serial %d", stored.Lineage, stored.Serial, st.Lineage, st.Serial)
	}
	if objectExists(t, bucket, "env/plumb.state.lock") {
		t.Fatal("Migrate left the S3 lock")
	}

	// Change it in S3, then bring it back to the local file.
	b := newBackend(t, "", bucket, dir)
	s3st, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s3st.Resources["plumb_data.added"] = testInstance(t, "plumb_data.added", 7)
	if err := b.Write(ctx, s3st); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, b, local); err != nil {
		t.Fatalf("S3 to local: %v", err)
	}
	back, err := local.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkAddrs(t, back, s3st.SortedAddrs())

	// Migrating the older copy over the newer one is refused.
	older := state.NewLocal(filepath.Join(dir, "older.state"))
	if err := older.Write(ctx, st.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, older, newBackend(t, "", bucket, dir)); err == nil || !strings.Contains(err.Error(), "newer state") {
		t.Fatalf("migrating an older state over a newer one: %v, want a refusal", err)
	}

	// So is migrating over another estate.
	other := state.NewLocal(filepath.Join(dir, "other.state"))
	if err := other.Write(ctx, testState(t, 1)); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, other, newBackend(t, "", bucket, dir)); err == nil || !strings.Contains(err.Error(), "another estate") {
		t.Fatalf("migrating over another estate: %v, want a refusal", err)
	}
	checkAddrs(t, storedState(t, bucket), s3st.SortedAddrs())
}
