package plan

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// unknownsPlan holds unknowns in every kind of place a value can hold them.
func unknownsPlan() *Plan {
	p := samplePlan()
	inner := cty.Object(map[string]cty.Type{"id": cty.String, "n": cty.Number})
	after := obj(map[string]cty.Value{
		"list":        cty.ListVal([]cty.Value{cty.StringVal("a"), unkStr, cty.StringVal("c")}),
		"set":         cty.SetVal([]cty.Value{cty.StringVal("a"), unkStr, unkStr}),
		"empty_set":   cty.SetValEmpty(cty.Number),
		"null_set":    cty.NullVal(cty.Set(cty.String)),
		"map":         cty.MapVal(map[string]cty.Value{"k": unkStr, "j": cty.StringVal("v"), "weird key\n": cty.StringVal("w")}),
		"objs":        cty.ListVal([]cty.Value{obj(map[string]cty.Value{"id": unkStr, "n": cty.NumberIntVal(1)}), cty.UnknownVal(inner), cty.NullVal(inner)}),
		"obj_set":     cty.SetVal([]cty.Value{obj(map[string]cty.Value{"id": unkStr, "n": cty.NumberIntVal(1)}), obj(map[string]cty.Value{"id": cty.StringVal("x"), "n": cty.NumberFloatVal(0.1)})}),
		"nested_sets": cty.ListVal([]cty.Value{cty.SetVal([]cty.Value{cty.NumberIntVal(2), cty.UnknownVal(cty.Number)}), cty.SetVal([]cty.Value{cty.NumberIntVal(1)})}),
		"tuple":       cty.TupleVal([]cty.Value{cty.True, cty.UnknownVal(cty.Bool), cty.SetVal(strs("z", "y"))}),
		"dynamic":     cty.DynamicVal,
		"whole_list":  cty.UnknownVal(cty.List(cty.String)),
		"big":         cty.MustParseNumberVal("3.14159265358979323846264338327950288"),
		"secret":      cty.StringVal("hunter2"),
	})
	before := cty.NullVal(after.Type())
	p.Changes = append(p.Changes,
		&Change{Addr: "plumb_data.u", Mode: Managed, Type: "plumb_data", Name: "u", Provider: "builtin", Action: Create,
			Before: before, After: after, Sensitive: []string{"secret"}, Keys: map[string][]string{"objs": {"id"}}},
		&Change{Addr: "data.x.y", Mode: Data, Type: "x", Name: "y", Action: Read,
			Before: cty.NullVal(inner), After: cty.UnknownVal(inner)},
		&Change{Addr: "plumb_data.nil", Type: "plumb_data", Name: "nil", Action: Delete,
			Before: obj(map[string]cty.Value{"a": cty.True}), After: cty.NilVal},
	)
	p.Destroy = true
	p.Excludes = []string{`module.site["b"]`, "local_file.notes"}
	p.Variables["zones"] = cty.MapVal(map[string]cty.Value{"a": cty.ListVal(strs("x", "y"))})
	p.Variables["flags"] = cty.SetVal([]cty.Value{cty.True, cty.False})
	return p
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for name, mk := range map[string]func() *Plan{"sample": samplePlan, "unknowns": unknownsPlan, "empty": func() *Plan { return &Plan{} }} {
		t.Run(name, func(t *testing.T) {
			want := mk()
			var buf bytes.Buffer
			if err := Encode(&buf, want); err != nil {
				t.Fatal(err)
			}
			got, err := Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			// The zero cty.Value is stored as the null it stands for.
			for _, c := range want.Changes {
				if c.After.Type() == cty.NilType {
					c.After = cty.NullVal(cty.DynamicPseudoType)
				}
			}
			if diff := cmp.Diff(want, got, valueComparer); diff != "" {
				t.Errorf("round trip changed the plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteFileReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tfplan")
	if err := os.WriteFile(path, []byte("old contents"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := unknownsPlan()
	if err := WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("plan file mode = %o, want 600", mode)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after WriteFile, want only the plan", len(entries))
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Changes) != len(want.Changes) || got.Changes[len(got.Changes)-3].Sensitive[0] != "secret" {
		t.Errorf("ReadFile returned %d changes, want %d with sensitive names kept", len(got.Changes), len(want.Changes))
	}
	if _, err := ReadFile(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile of a missing file: error %v, want one wrapping os.ErrNotExist", err)
	}
	if err := WriteFile(filepath.Join(dir, "no", "such", "dir", "plan"), want); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadFileBadFiles(t *testing.T) {
	var good bytes.Buffer
	if err := Encode(&good, samplePlan()); err != nil {
		t.Fatal(err)
	}
	readTestdata := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "notaplan", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name     string
		contents []byte
		want     error
		mention  string
	}{
		{"truncated in half", good.Bytes()[:good.Len()/2], ErrTruncated, "ends before"},
		{"truncated in the header", good.Bytes()[:5], ErrTruncated, "ends before"},
		{"last byte missing", good.Bytes()[:good.Len()-1], ErrTruncated, "ends before"},
		{"empty", nil, ErrTruncated, "empty"},
		{"configuration file", readTestdata("main.hcl"), ErrNotAPlan, "plain text"},
		{"state file", readTestdata("plumb.state"), ErrNotAPlan, "state file"},
		{"binary", []byte{0, 1, 2, 3}, ErrNotAPlan, "not in the saved-plan format"},
		{"compressed JSON of something else", gzipped(t, `{"version":1,"lineage":"x"}`), ErrNotAPlan, `"plumb_plan"`},
		{"compressed text", gzipped(t, "hello"), ErrNotAPlan, "not plan JSON"},
		{"newer format", gzipped(t, `{"plumb_plan":2,"plumb_version":"9.0.0","changes":{"new":"shape"}}`), ErrPlanVersion, "plumb 9.0.0 in plan format 2"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			if err := os.WriteFile(path, tt.contents, 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := ReadFile(path)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ReadFile = %v, %v; want error wrapping %v", p, err, tt.want)
			}
			msg := err.Error()
			t.Log(msg)
			for _, s := range []string{path, tt.mention, "plumb plan -out"} {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not mention %q", msg, s)
				}
			}
		})
	}
}

func TestEncodeKeepsUnknownPathsInFile(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, unknownsPlan()); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := raw.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	s := raw.String()
	if !strings.HasPrefix(s, `{"plumb_plan":1,`) {
		t.Errorf("plan JSON starts %.40q, want the plumb_plan member first", s)
	}
	if !strings.Contains(s, `["objs",0,"id"]`) {
		t.Error(`plan JSON lacks the unknown path ["objs",0,"id"]`)
	}
}

func TestEncodeDropsMarks(t *testing.T) {
	p := &Plan{Variables: map[string]cty.Value{
		"top":    cty.StringVal("x").Mark("sensitive"),
		"nested": cty.ListVal([]cty.Value{cty.StringVal("a").Mark("sensitive"), cty.StringVal("b")}),
	}}
	var buf bytes.Buffer
	if err := Encode(&buf, p); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]cty.Value{"top": cty.StringVal("x"), "nested": cty.ListVal(strs("a", "b"))}
	if diff := cmp.Diff(want, got.Variables, valueComparer); diff != "" {
		t.Errorf("variables after round trip (-want +got):\n%s", diff)
	}
}
