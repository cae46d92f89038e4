package state

import (
	"context"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestIntentsBecomePending: an intent that nothing settles (the process
// died after announcing a create) survives as a pending object, in the
// state file too; one settled by Set or Remove leaves no trace.
func TestIntentsBecomePending(t *testing.T) {
	path := statePath(t)
	l := NewLocal(path)
	st, err := l.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec, err := l.Recorder(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	inst := func(addr string) *Instance {
		i, err := NewInstance(addr, "managed", "local_file", "f", "plumb", cty.ObjectVal(map[string]cty.Value{"filename": cty.StringVal(addr)}), nil)
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	for _, addr := range []string{"local_file.f[0]", "local_file.f[1]", "local_file.f[2]"} {
		if err := rec.Intend(inst(addr)); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Set(inst("local_file.f[0]")); err != nil {
		t.Fatal(err)
	}
	if err := rec.Remove("local_file.f[1]"); err != nil {
		t.Fatal(err)
	}
	// As if killed here: another Read replays the journal as it is.
	seen, err := NewLocal(path).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(seen.Pending) != 1 || seen.Pending["local_file.f[2]"] == nil {
		t.Fatalf("replayed pending = %v, want only local_file.f[2]", seen.Pending)
	}
	if _, err := rec.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	next, err := NewLocal(path).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Pending) != 1 || next.Pending["local_file.f[2]"] == nil {
		t.Fatalf("pending = %v, want only local_file.f[2]", next.Pending)
	}
	if next.Resources["local_file.f[0]"] == nil || next.Resources["local_file.f[1]"] != nil {
		t.Errorf("resources = %v", next.SortedAddrs())
	}
	// The pending object is written and read back with the state file.
	data, err := next.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var again State
	if err := again.UnmarshalJSON(data); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if again.Pending["local_file.f[2]"] == nil {
		t.Fatalf("pending lost in the file:\n%s", data)
	}
	// A later apply settles it.
	rec, err = NewLocal(path).Recorder(context.Background(), next)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Remove("local_file.f[2]"); err != nil {
		t.Fatal(err)
	}
	final, err := rec.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(final.Pending) != 0 {
		t.Errorf("still pending: %v", final.Pending)
	}
}
