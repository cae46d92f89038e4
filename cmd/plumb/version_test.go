package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// versionInfo is plumb version -json.
type versionInfo struct {
	Version   string `json:"plumb_version"`
	Commit    *string
	Date      *string `json:"build_date"`
	Modified  *bool
	GoVersion string `json:"go_version"`
	Platform  string
}

func binaryVersion(t *testing.T) versionInfo {
	t.Helper()
	r := runBinary(t, nil, "version", "-json")
	var v versionInfo
	if r.code != exitOK {
		t.Fatalf("plumb version -json:\n%s", r)
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("plumb version -json is not JSON: %v\n%s", err, r.stdout)
	}
	return v
}

func TestVersion(t *testing.T) {
	v := binaryVersion(t)
	if v.Version == "" || v.Commit == nil || v.Date == nil || v.Modified == nil {
		t.Errorf("plumb version -json lacks a field: %+v", v)
	}
	if v.GoVersion != runtime.Version() || v.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("plumb version -json says %s on %s, want %s on %s/%s", v.GoVersion, v.Platform, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	r := runBinary(t, nil, "version")
	lines := strings.Split(r.stdout, "\n")
	if r.code != exitOK || lines[0] != "plumb v"+v.Version || !strings.Contains(r.stdout, "platform: "+v.Platform) || !strings.Contains(r.stdout, "go:       "+v.GoVersion) {
		t.Errorf("plumb version, whose JSON says %+v:\n%s", v, r)
	}
	if r := runBinary(t, nil, "version", "extra"); r.code != exitError || !strings.Contains(r.stderr, "usage: plumb version") {
		t.Errorf("plumb version with an argument:\n%s", r)
	}
}

// Saved plans and the state record the plumb that wrote them.
func TestStateAndPlanRecordVersion(t *testing.T) {
	want := binaryVersion(t).Version
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	var st struct {
		PlumbVersion string `json:"plumb_version"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, StateFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &st); err != nil || st.PlumbVersion != want {
		t.Errorf("state after apply records plumb_version %q (err %v), want %q", st.PlumbVersion, err, want)
	}

	if r := plumb(t, dir, "plan", "-var", "greeting=bye", "-out", "plan.bin"); r.code != exitOK {
		t.Fatalf("plan -out:\n%s", r)
	}
	doc := readPlanDoc(t, filepath.Join(dir, "plan.bin"))
	if doc["plumb_version"] != want {
		t.Errorf("saved plan records plumb_version %v, want %q", doc["plumb_version"], want)
	}
}

// readPlanDoc decodes a saved plan's JSON document.
func readPlanDoc(t *testing.T, path string) map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// A state written by a newer plumb, in a format this one does not know,
// is refused by every command that reads it, naming both versions and
// what to do, and is left byte for byte as it was.
func TestNewerStateFormatRefused(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	path := filepath.Join(dir, StateFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// What a future plumb might write: a new format number and a field
	// this one has never heard of, in a shape today's structs reject.
	newer := bytes.Replace(raw, []byte(`"version": 1,`), []byte(`"version": 2,`), 1)
	newer = bytes.Replace(newer, []byte(`"plumb_version": "`), []byte(`"plumb_version": "9.0.0", "was": "`), 1)
	newer = bytes.Replace(newer, []byte(`"resources": [`), []byte(`"resources": {"v2": true}, "old": [`), 1)
	if bytes.Equal(newer, raw) {
		t.Fatalf("the test could not rewrite the state:\n%s", raw)
	}
	if err := os.WriteFile(path, newer, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(path + ".backup")
	for _, args := range [][]string{
		{"plan"},
		{"apply", "-auto-approve"},
		{"destroy", "-auto-approve"},
		{"state", "list"},
		{"state", "rm", "plumb_data.hello"},
		{"output"},
		{"taint", "plumb_data.hello"},
	} {
		r := plumb(t, dir, args...)
		if r.code != exitError || !strings.Contains(r.stderr, "format version 2, written by plumb 9.0.0; this plumb reads versions up to 1: upgrade plumb") {
			t.Errorf("plumb %s on a newer state:\n%s", strings.Join(args, " "), r)
		}
		if strings.Contains(r.stderr, "corrupt") {
			t.Errorf("plumb %s calls a newer state corrupt:\n%s", strings.Join(args, " "), r)
		}
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, newer) {
		t.Errorf("the newer state was changed:\n%s", got)
	}
	if _, err := os.Stat(path + ".backup"); err == nil {
		t.Errorf("a command wrote a backup of a state it refused")
	}
}

// A plan saved by a newer plumb in a newer plan format is refused by
// apply and show with the same kind of message.
func TestNewerPlanFormatRefused(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	if r := plumb(t, dir, "plan", "-out", "plan.bin"); r.code != exitOK {
		t.Fatalf("plan -out:\n%s", r)
	}
	doc := readPlanDoc(t, filepath.Join(dir, "plan.bin"))
	doc["plumb_plan"], doc["plumb_version"] = 99, "9.0.0"
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	json.NewEncoder(zw).Encode(doc)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "plan.bin"), buf.Bytes(), 0o600)
	for _, cmd := range []string{"apply", "show"} {
		r := plumb(t, dir, cmd, "plan.bin")
		if r.code != exitError || !strings.Contains(r.stderr, "saved by plumb 9.0.0 in plan format 99") {
			t.Errorf("plumb %s of a newer plan:\n%s", cmd, r)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, StateFile)); err == nil {
		t.Errorf("apply of a refused plan wrote a state")
	}
}
