package state

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// goldenState is the state in testdata/golden.state.
func goldenState(t *testing.T) *State {
	t.Helper()
	st := &State{
		Version:      FormatVersion,
		PlumbVersion: "0.1.0",
		Lineage:      "4f1c2a9e-8b7d-4c3e-9a61-0d5e7f8a9b10",
		Serial:       7,
		Outputs:      map[string]*Output{},
		Resources:    map[string]*Instance{},
	}
	for name, o := range map[string]struct {
		v         cty.Value
		sensitive bool
	}{
		"site_url": {cty.StringVal("https://example.org/"), false},
		"api_key":  {cty.StringVal("s3cr3t"), true},
	} {
		out, err := NewOutput(o.v, o.sensitive)
		if err != nil {
			t.Fatal(err)
		}
		st.Outputs[name] = out
	}
	for i, addr := range []string{"plumb_data.r[1]", "plumb_data.r[0]", `local_file.page["<index>"]`} {
		inst := testInstance(t, addr, i)
		if i == 2 {
			inst.Type, inst.Name, inst.Dependencies, inst.Tainted = "local_file", "page", nil, true
		}
		st.Resources[addr] = inst
	}
	return st
}

func TestMarshalGolden(t *testing.T) {
	st := goldenState(t)
	got, err := st.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "golden.state")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("MarshalJSON differs from %s (-want +got; run with -update to accept):\n%s", golden, diff)
	}

	// The file reads back as the same state, and so does its compact form
	// (what json.Marshal gives).
	compact, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"file": got, "json.Marshal": compact} {
		var back State
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(st, &back); diff != "" {
			t.Errorf("%s: read back differs (-wrote +read):\n%s", name, diff)
		}
	}
}

func TestMarshalEmpty(t *testing.T) {
	st := &State{Version: FormatVersion, Lineage: "l"}
	data, err := st.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("%v in\n%s", err, data)
	}
	if back.Resources == nil || back.Outputs == nil || len(back.Resources) != 0 {
		t.Errorf("empty state read back as %+v", back)
	}
}

func TestMarshalRefusesInconsistentState(t *testing.T) {
	tests := []struct {
		name string
		res  map[string]*Instance
	}{
		{"nil instance", map[string]*Instance{"a.b": nil}},
		{"key is not the address", map[string]*Instance{"a.b": {Addr: "a.c"}}},
		{"attributes not JSON", map[string]*Instance{"a.b": {Addr: "a.b", Attributes: []byte("{")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &State{Version: FormatVersion, Resources: tt.res}
			if _, err := st.MarshalJSON(); err == nil || !strings.Contains(err.Error(), "a.b") {
				t.Errorf("MarshalJSON error = %v, want one naming a.b", err)
			}
		})
	}
}

func TestUnmarshalVersion(t *testing.T) {
	tests := []struct {
		file  string
		newer bool   // the error wraps ErrUnsupportedVersion
		want  string // in the error
	}{
		{"newer-version.state", true, "format version 2, written by plumb 9.0.0; this plumb reads versions up to 1: upgrade plumb"},
		{"newer-version-new-layout.state", true, "format version 3"},
		{"corrupt/no-version.state", false, "not a plumb state file"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var st State
			err = json.Unmarshal(data, &st)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Unmarshal error = %v, want one containing %q", err, tt.want)
			}
			if got := errors.Is(err, ErrUnsupportedVersion); got != tt.newer {
				t.Errorf("errors.Is(err, ErrUnsupportedVersion) = %v, want %v", got, tt.newer)
			}
		})
	}
}
