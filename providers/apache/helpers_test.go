package apache

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/providertest"
)

// resourceUnderTest returns apache_htaccess_access of a fresh provider.
func resourceUnderTest() *accessResource {
	return New().Resources()["apache_htaccess_access"].(*accessResource)
}

// strs makes a list of strings; no arguments make an empty list.
func strs(ss ...string) cty.Value { return providers.StringList(ss) }

// cfg builds a configuration: path, marker "site" unless attrs set it,
// and attrs, completed with nulls.
func cfg(path string, attrs map[string]cty.Value) cty.Value {
	m := map[string]cty.Value{"path": cty.StringVal(path), "marker": cty.StringVal("site")}
	for k, v := range attrs {
		m[k] = v
	}
	return resourceUnderTest().Schema().Complete(cty.ObjectVal(m))
}

// allowCfg is cfg with only allow set.
func allowCfg(path string, allow ...string) cty.Value {
	return cfg(path, map[string]cty.Value{"allow": strs(allow...)})
}

// diagText renders diagnostics for failure messages.
func diagText(diags hcl.Diagnostics) string {
	var parts []string
	for _, d := range diags {
		s := d.Summary + ": " + d.Detail
		if d.Severity == hcl.DiagWarning {
			s = "warning: " + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "\n")
}

// writeFile writes a test file with the given mode.
func writeFile(t testing.TB, name, content string, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
}

// readFile returns a file's content, failing the test when it cannot.
func readFile(t providertest.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return string(b)
}

// wantOwnerMode asserts a file's permissions and owner.
func wantOwnerMode(t providertest.TB, name string, mode fs.FileMode, uid, gid uint32) {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatalf("stat: %v", err)
	}
	if fi.Mode().Perm() != mode {
		t.Errorf("%s has mode %04o, want %04o", name, fi.Mode().Perm(), mode)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != uid || st.Gid != gid {
		t.Errorf("%s is owned by %d:%d, want %d:%d", name, st.Uid, st.Gid, uid, gid)
	}
}

// wantNoLitter asserts that no temporary file is left in dir.
func wantNoLitter(t providertest.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v", err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".plumb-") && !strings.HasSuffix(e.Name(), lockSuffix) {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// plan runs Plan (after ValidateConfig, as the engine does) with an
// address and returns the response.
func plan(t *testing.T, r providers.Resource, addr string, prior, config cty.Value) providers.PlanResponse {
	t.Helper()
	if diags := r.(providers.ConfigValidator).ValidateConfig(context.Background(), config); diags.HasErrors() {
		return providers.PlanResponse{Diagnostics: diags}
	}
	return r.Plan(context.Background(), providers.PlanRequest{Addr: addr, Prior: prior, Config: config})
}

// apply plans and applies config over prior and returns the new state,
// failing the test on errors.
func apply(t *testing.T, r providers.Resource, addr string, prior, config cty.Value) cty.Value {
	t.Helper()
	p := plan(t, r, addr, prior, config)
	if p.Diagnostics.HasErrors() {
		t.Fatalf("plan: %s", diagText(p.Diagnostics))
	}
	resp := r.Apply(context.Background(), providers.ApplyRequest{Addr: addr, Prior: prior, Planned: p.Planned, Config: config})
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("apply: %s", diagText(resp.Diagnostics))
	}
	return resp.State
}

// htdir makes a folder for access files.
func htdir(t *testing.T) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "admin")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}
