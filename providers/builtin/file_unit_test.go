package builtin

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/providertest"
)

// complete fills a local_file configuration to the schema's type.
func complete(r providers.Resource, v cty.Value) cty.Value { return r.Schema().Complete(v) }

// create plans and applies a new local_file and returns its state.
func create(t *testing.T, r providers.Resource, config cty.Value) cty.Value {
	t.Helper()
	ctx := context.Background()
	null := cty.NullVal(r.Schema().ImpliedType())
	config = complete(r, config)
	plan := r.Plan(ctx, providers.PlanRequest{Prior: null, Config: config})
	if plan.Diagnostics.HasErrors() {
		t.Fatalf("Plan: %s", plan.Diagnostics.Error())
	}
	resp := r.Apply(ctx, providers.ApplyRequest{Prior: null, Planned: plan.Planned, Config: config})
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("Apply: %s", resp.Diagnostics.Error())
	}
	return resp.State
}

func TestFileValidateConfig(t *testing.T) {
	r := fileResourceUnderTest().(providers.ConfigValidator)
	tests := []struct {
		name   string
		config cty.Value
		want   []string // substrings of the error details; none for a valid config
	}{
		{"valid", fileCfg("filename", "f", "content", "x"), nil},
		{"valid sensitive", fileCfg("filename", "f", "sensitive_content", "x", "mode", "600"), nil},
		{"valid modes", fileCfg("filename", "f", "content", "", "mode", "0400", "directory_mode", "0700"), nil},
		{"both contents", fileCfg("filename", "f", "content", "x", "sensitive_content", "y"), []string{"and remove the other"}},
		{"no content", fileCfg("filename", "f"), []string{`content = ""`}},
		{"empty filename", fileCfg("filename", "", "content", "x"), []string{"give the path"}},
		{"letters", fileCfg("filename", "f", "content", "x", "mode", "rw-r"), []string{`mode = "rw-r": not an octal number. Write the permissions as three or four octal digits, such as "0644"`}},
		{"eight is not octal", fileCfg("filename", "f", "content", "x", "mode", "0648"), []string{"not an octal number"}},
		{"too short", fileCfg("filename", "f", "content", "x", "mode", "64"), []string{"want 3 or 4 octal digits"}},
		{"too long", fileCfg("filename", "f", "content", "x", "mode", "00644"), []string{"want 3 or 4 octal digits"}},
		{"sticky", fileCfg("filename", "f", "content", "x", "directory_mode", "1777"), []string{`directory_mode = "1777": setuid, setgid and sticky bits`}},
		{"two problems", fileCfg("filename", "f", "mode", "9"), []string{`content = ""`, `mode = "9"`}},
		{"unknown values are not checked", cty.ObjectVal(map[string]cty.Value{
			"filename": cty.StringVal("f"), "content": cty.UnknownVal(cty.String), "mode": cty.UnknownVal(cty.String),
		}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := r.ValidateConfig(context.Background(), complete(fileResourceUnderTest(), tt.config))
			if len(diags) != len(tt.want) {
				t.Fatalf("got %d diagnostics (%v), want %d", len(diags), diags, len(tt.want))
			}
			for i, want := range tt.want {
				if !strings.Contains(diags[i].Detail, want) {
					t.Errorf("diagnostic %d detail %q, want it to contain %q", i, diags[i].Detail, want)
				}
			}
		})
	}
}

func TestFilePlanRejectsInvalidConfig(t *testing.T) {
	r := fileResourceUnderTest()
	ty := r.Schema().ImpliedType()
	resp := r.Plan(context.Background(), providers.PlanRequest{Prior: cty.NullVal(ty), Config: complete(r, fileCfg("filename", "f", "content", "x", "mode", "bad"))})
	if !resp.Diagnostics.HasErrors() {
		t.Errorf("Plan accepted mode %q", "bad")
	}
}

func TestFilePlan(t *testing.T) {
	r := fileResourceUnderTest()
	name := filepath.Join(t.TempDir(), "f")
	prior := create(t, r, fileCfg("filename", name, "content", "x", "mode", "0600"))
	sumX := sha256Hex([]byte("x"))
	sumY := sha256Hex([]byte("y"))
	tests := []struct {
		name      string
		config    cty.Value
		wantAttrs map[string]cty.Value
		replace   bool
	}{
		{"unchanged", fileCfg("filename", name, "content", "x", "mode", "0600"),
			map[string]cty.Value{"id": cty.StringVal(sumX), "mode": cty.StringVal("0600")}, false},
		{"mode back to default", fileCfg("filename", name, "content", "x"),
			map[string]cty.Value{"mode": cty.StringVal("0644"), "directory_mode": cty.StringVal("0755")}, false},
		{"content known", fileCfg("filename", name, "content", "y", "mode", "0600"),
			map[string]cty.Value{"id": cty.StringVal(sumY), "content_sha256": cty.StringVal(sumY)}, false},
		{"content unknown", cty.ObjectVal(map[string]cty.Value{"filename": cty.StringVal(name), "content": cty.UnknownVal(cty.String)}),
			map[string]cty.Value{"id": cty.UnknownVal(cty.String), "content_sha256": cty.UnknownVal(cty.String)}, false},
		{"moved", fileCfg("filename", name+"2", "content", "x", "mode", "0600"),
			map[string]cty.Value{"id": cty.StringVal(sumX)}, true},
		{"filename unknown", cty.ObjectVal(map[string]cty.Value{"filename": cty.UnknownVal(cty.String), "content": cty.StringVal("x")}),
			map[string]cty.Value{"filename": cty.UnknownVal(cty.String)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := r.Plan(context.Background(), providers.PlanRequest{Prior: prior, Config: complete(r, tt.config)})
			if resp.Diagnostics.HasErrors() {
				t.Fatalf("Plan: %s", resp.Diagnostics.Error())
			}
			if got := len(resp.RequiresReplace) > 0; got != tt.replace {
				t.Errorf("RequiresReplace %q, want replace %v", resp.RequiresReplace, tt.replace)
			}
			for attr, want := range tt.wantAttrs {
				if got := resp.Planned.GetAttr(attr); !got.RawEquals(want) {
					t.Errorf("planned %s = %#v, want %#v", attr, got, want)
				}
			}
		})
	}
}

func TestFileApplyFailureKeepsState(t *testing.T) {
	r := fileResourceUnderTest()
	ctx := context.Background()
	dir := t.TempDir()
	null := cty.NullVal(r.Schema().ImpliedType())

	t.Run("parent is a file", func(t *testing.T) {
		blocker := filepath.Join(dir, "blocker")
		if err := os.WriteFile(blocker, []byte("not a directory"), 0o644); err != nil {
			t.Fatal(err)
		}
		config := complete(r, fileCfg("filename", filepath.Join(blocker, "f.txt"), "content", "x"))
		plan := r.Plan(ctx, providers.PlanRequest{Prior: null, Config: config})
		resp := r.Apply(ctx, providers.ApplyRequest{Prior: null, Planned: plan.Planned, Config: config})
		if !resp.Diagnostics.HasErrors() {
			t.Fatalf("Apply succeeded writing below a regular file")
		}
		d := resp.Diagnostics[0]
		for _, want := range []string{"creating directory", "not a directory", "Check that the directory exists"} {
			if !strings.Contains(d.Detail, want) {
				t.Errorf("detail %q lacks %q", d.Detail, want)
			}
		}
		if !resp.State.RawEquals(null) {
			t.Errorf("state after a failed create = %#v, want null", resp.State)
		}
	})

	t.Run("target became a directory", func(t *testing.T) {
		name := filepath.Join(dir, "target")
		prior := create(t, r, fileCfg("filename", name, "content", "old"))
		if err := os.Remove(name); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(name, "inside"), 0o755); err != nil {
			t.Fatal(err)
		}
		config := complete(r, fileCfg("filename", name, "content", "new"))
		plan := r.Plan(ctx, providers.PlanRequest{Prior: prior, Config: config})
		resp := r.Apply(ctx, providers.ApplyRequest{Prior: prior, Planned: plan.Planned, Config: config})
		if !resp.Diagnostics.HasErrors() {
			t.Fatalf("Apply replaced a directory")
		}
		if !strings.Contains(resp.Diagnostics[0].Detail, "replacing "+name) {
			t.Errorf("detail %q does not name the file", resp.Diagnostics[0].Detail)
		}
		if !resp.State.RawEquals(prior) {
			t.Errorf("state after a failed update = %#v, want the prior %#v", resp.State, prior)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.Contains(e.Name(), ".plumb-") {
				t.Errorf("temporary file %s left behind", e.Name())
			}
		}
	})
}

func TestFileReadKeepsModeSpelling(t *testing.T) {
	r := fileResourceUnderTest()
	name := filepath.Join(t.TempDir(), "f")
	prior := create(t, r, fileCfg("filename", name, "content", "x", "mode", "600"))
	resp := r.Read(context.Background(), providers.ReadRequest{Prior: prior})
	if !resp.State.RawEquals(prior) {
		t.Errorf("Read = %#v, want the prior %#v", resp.State, prior)
	}
	if err := os.Chmod(name, 0o640); err != nil {
		t.Fatal(err)
	}
	resp = r.Read(context.Background(), providers.ReadRequest{Prior: prior})
	if got := resp.State.GetAttr("mode"); !got.RawEquals(cty.StringVal("0640")) {
		t.Errorf("mode after chmod = %#v, want \"0640\"", got)
	}
}

func TestFileReadAndDeleteEdgeCases(t *testing.T) {
	r := fileResourceUnderTest()
	ctx := context.Background()
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	prior := create(t, r, fileCfg("filename", name, "content", "x"))
	null := cty.NullVal(r.Schema().ImpliedType())

	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
	if resp := r.Read(ctx, providers.ReadRequest{Prior: prior}); resp.Diagnostics.HasErrors() || !resp.State.IsNull() {
		t.Errorf("Read of a missing file = %#v, %v; want null and no error", resp.State, resp.Diagnostics)
	}
	if resp := r.Apply(ctx, providers.ApplyRequest{Prior: prior, Planned: null, Config: null}); resp.Diagnostics.HasErrors() || !resp.State.IsNull() {
		t.Errorf("deleting a missing file = %#v, %v; want null and no error", resp.State, resp.Diagnostics)
	}
	if err := os.Mkdir(name, 0o755); err != nil {
		t.Fatal(err)
	}
	if resp := r.Read(ctx, providers.ReadRequest{Prior: prior}); !resp.Diagnostics.HasErrors() || !strings.Contains(resp.Diagnostics[0].Detail, "not a regular file") {
		t.Errorf("Read of a directory gave %v; want an error saying it is not a regular file", resp.Diagnostics)
	}
	if resp := r.Import(ctx, providers.ImportRequest{ID: filepath.Join(dir, "missing")}); !resp.Diagnostics.HasErrors() || !strings.Contains(resp.Diagnostics[0].Detail, "import ID is the file's path") {
		t.Errorf("Import of a missing file gave %v; want an error explaining the ID", resp.Diagnostics)
	}
}

func TestFileApplyResolvesUnknownContent(t *testing.T) {
	r := fileResourceUnderTest()
	ctx := context.Background()
	name := filepath.Join(t.TempDir(), "f")
	null := cty.NullVal(r.Schema().ImpliedType())
	atPlan := complete(r, cty.ObjectVal(map[string]cty.Value{"filename": cty.StringVal(name), "content": cty.UnknownVal(cty.String)}))
	plan := r.Plan(ctx, providers.PlanRequest{Prior: null, Config: atPlan})
	atApply := complete(r, fileCfg("filename", name, "content", "late"))
	resp := r.Apply(ctx, providers.ApplyRequest{Prior: null, Planned: plan.Planned, Config: atApply})
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("Apply: %s", resp.Diagnostics.Error())
	}
	if got, err := os.ReadFile(name); err != nil || string(got) != "late" {
		t.Errorf("file holds %q (%v), want %q", got, err, "late")
	}
	resp = r.Apply(ctx, providers.ApplyRequest{Prior: null, Planned: plan.Planned, Config: atPlan})
	if !resp.Diagnostics.HasErrors() || !strings.Contains(resp.Diagnostics[0].Detail, "content") {
		t.Errorf("Apply with content still unknown gave %v; want an error naming content", resp.Diagnostics)
	}
}

// TestFileDataSource reads files locally and over SSH, with the same
// results and errors.
func TestFileDataSource(t *testing.T) {
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		t.Run(tr.Name, func(t *testing.T) { readFileDataSource(t, tr) })
	}
}

func readFileDataSource(t *testing.T, tr providertest.Transport) {
	d := providertest.Configure(t, New(), tr, nil).DataSources()["local_file"]
	dir := tr.Dir
	name := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(name, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		file    string
		wantErr string
	}{
		{"reads", name, ""},
		{"missing", filepath.Join(dir, "nope"), "no such file"},
		{"empty name", "", "Set filename"},
		{"directory", dir, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := d.Schema().Complete(cty.ObjectVal(map[string]cty.Value{"filename": cty.StringVal(tt.file)}))
			resp := d.Read(context.Background(), providers.DataReadRequest{Config: config})
			if tt.wantErr != "" {
				if !resp.Diagnostics.HasErrors() || !strings.Contains(resp.Diagnostics[0].Detail, tt.wantErr) {
					t.Errorf("diagnostics %v, want an error containing %q", resp.Diagnostics, tt.wantErr)
				}
				return
			}
			if resp.Diagnostics.HasErrors() {
				t.Fatalf("Read: %s", resp.Diagnostics.Error())
			}
			want := cty.ObjectVal(map[string]cty.Value{
				"filename":       cty.StringVal(name),
				"content":        cty.StringVal("hello\n"),
				"content_sha256": cty.StringVal(sha256Hex([]byte("hello\n"))),
			})
			if !resp.State.RawEquals(want) {
				t.Errorf("state %#v, want %#v", resp.State, want)
			}
			if errs := resp.State.Type().TestConformance(d.Schema().ImpliedType()); len(errs) > 0 {
				t.Errorf("state does not conform to the schema: %v", errs)
			}
		})
	}
}

// BenchmarkFilePlanUnchanged measures the plan of an unchanged local_file.
func BenchmarkFilePlanUnchanged(b *testing.B) {
	r := fileResourceUnderTest()
	ctx := context.Background()
	name := filepath.Join(b.TempDir(), "f")
	config := complete(r, fileCfg("filename", name, "content", strings.Repeat("line of text\n", 100)))
	null := cty.NullVal(r.Schema().ImpliedType())
	plan := r.Plan(ctx, providers.PlanRequest{Prior: null, Config: config})
	prior := r.Apply(ctx, providers.ApplyRequest{Prior: null, Planned: plan.Planned, Config: config}).State
	req := providers.PlanRequest{Prior: prior, Config: config}
	if resp := r.Plan(ctx, req); !resp.Planned.RawEquals(prior) {
		b.Fatal("plan is not a no-op")
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Plan(ctx, req)
	}
}
