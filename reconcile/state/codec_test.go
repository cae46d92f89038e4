package state

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// addFileSeeds adds every state file under testdata to a fuzz corpus.
func addFileSeeds(f *testing.F) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.state"))
	if err != nil {
		f.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join("testdata", "*", "*.state"))
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// oddInstances have the strings and attributes that leave the fast paths.
var oddInstances = []*Instance{
	{Addr: `local_file.f["a\"b\\c"]`, Mode: "managed", Type: "local_file", Name: "f", Provider: "plumb",
		Attributes: json.RawMessage(`{"s":"<&>\u2028 é","n":-1.5e+3,"l":[true,false,null],"o":{}}`), Tainted: true},
	{Addr: "a.b\n\t\x01\u2029", Mode: "data", Type: "a", Name: "b", Provider: "p",
		Attributes: json.RawMessage(" { \"spaced\" : [ 1 , 2 ] }\n"), Dependencies: []string{"x.y", "é.ü"}},
	{Addr: "bad.utf8\xff", Mode: "managed", Attributes: nil},
	{Addr: "null.attrs", Attributes: json.RawMessage("null")},
	{Addr: "deep", Attributes: json.RawMessage(strings.Repeat("[", 50) + strings.Repeat("]", 50))},
}

func TestAppendInstanceMatchesEncoder(t *testing.T) {
	for _, inst := range append(oddInstances, testInstance(t, "plumb_data.r[0]", 0)) {
		got, err := appendInstance(nil, inst)
		if err != nil {
			t.Fatalf("%q: %v", inst.Addr, err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(inst); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(strings.TrimSuffix(want.String(), "\n"), string(got)); diff != "" {
			t.Errorf("%q: appendInstance differs from json.Encoder (-want +got):\n%s", inst.Addr, diff)
		}
	}
}

func TestFastPathTaken(t *testing.T) {
	st := &State{Version: FormatVersion, Lineage: "l", Resources: map[string]*Instance{}}
	for _, inst := range append(oddInstances, testInstance(t, "plumb_data.r[0]", 0)) {
		st.Resources[inst.Addr] = inst
	}
	data, err := st.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	fast, ok := decodeFast(data)
	if !ok {
		t.Fatalf("the fast path refused what MarshalJSON wrote:\n%s", data)
	}
	var slow stateFile
	if err := json.Unmarshal(data, &slow); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&slow, fast); diff != "" {
		t.Errorf("fast path differs from encoding/json (-slow +fast):\n%s", diff)
	}
	// A file reformatted by hand reads the same, through encoding/json.
	var indented bytes.Buffer
	if err := json.Indent(&indented, data, "", "\t"); err != nil {
		t.Fatal(err)
	}
	if _, ok := decodeFast(indented.Bytes()); ok {
		t.Error("the fast path took a file in another layout")
	}
	var back State
	if err := back.UnmarshalJSON(indented.Bytes()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(len(st.Resources), len(back.Resources)); diff != "" {
		t.Errorf("reindented file read back differently: %s", diff)
	}
}

// FuzzDecodeFast checks that whatever the fast path accepts, encoding/json
// accepts too and decodes the same way.
func FuzzDecodeFast(f *testing.F) {
	addFileSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := decodeFast(data)
		if !ok {
			return
		}
		var slow stateFile
		if err := json.Unmarshal(data, &slow); err != nil {
			t.Fatalf("fast path accepted what encoding/json refuses (%v):\n%q", err, data)
		}
		if diff := cmp.Diff(&slow, fast); diff != "" {
			t.Fatalf("fast path differs from encoding/json (-slow +fast):\n%s\ninput %q", diff, data)
		}
	})
}

// FuzzScanValue checks scanValue against json.Valid on compact input.
func FuzzScanValue(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `"a\u00e9\n"`, `-0.5e-7`, `{"a":[1,true,null,"x"]}`, `01`, `1.`, `"\x"`, `[1,]`, `{"a"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		scanned := scanValue(b, 0, 1) == len(b)
		if scanned && !json.Valid(b) {
			t.Fatalf("scanValue accepts %q, which is not JSON", b)
		}
		if !json.Valid(b) {
			return
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, b); err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(compact.Bytes(), b) && !scanned {
			t.Fatalf("scanValue refuses %q, which is compact JSON", b)
		}
	})
}

// FuzzAppendString checks appendString against json.Encoder.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "q\"b\\", "\x00\x1f\u2028<>&", "\xff\xfe", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := string(appendString(nil, s)); got != strings.TrimSuffix(want.String(), "\n") {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want.String())
		}
	})
}

// FuzzDecodeFastInstance puts one fuzzed instance line into the file's
// layout and compares the fast path with encoding/json.
func FuzzDecodeFastInstance(f *testing.F) {
	for _, inst := range oddInstances {
		line, err := appendInstance(nil, inst)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(line)
	}
	f.Add([]byte(`{"address":"a","address":"b"}`))
	f.Add([]byte(`{"Address":"a","tainted":false,"dependencies":["x"]}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		data := []byte("{\n  \"version\": 1,\n  \"lineage\": \"l\",\n  \"serial\": 1," + resourcesMarker + "\n    ")
		data = append(data, line...)
		data = append(data, "\n  ]\n}\n"...)
		fast, ok := decodeFast(data)
		if !ok {
			return
		}
		var slow stateFile
		if err := json.Unmarshal(data, &slow); err != nil {
			t.Fatalf("fast path accepted what encoding/json refuses (%v):\n%q", err, data)
		}
		if diff := cmp.Diff(&slow, fast); diff != "" {
			t.Fatalf("fast path differs from encoding/json (-slow +fast):\n%s\ninput %q", diff, data)
		}
	})
}
