package builtin

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/providertest"
)

func fileResourceUnderTest() providers.Resource { return New().Resources()["local_file"] }

// fileOver returns local_file of a provider configured for the transport.
func fileOver(t *testing.T, tr providertest.Transport) providers.Resource {
	return providertest.Configure(t, New(), tr, nil).Resources()["local_file"]
}

// fileCfg builds a local_file configuration from attribute names and
// string values given in pairs.
func fileCfg(kv ...string) cty.Value {
	m := map[string]cty.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = cty.StringVal(kv[i+1])
	}
	return cty.ObjectVal(m)
}

// wantFile asserts the file's content and permissions on disk.
func wantFile(t providertest.TB, name, content string, perm fs.FileMode) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("reading the managed file: %v", err)
	}
	if string(data) != content {
		t.Errorf("%s holds %q, want %q", name, data, content)
	}
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatalf("stat: %v", err)
	}
	if fi.Mode().Perm() != perm {
		t.Errorf("%s has mode %04o, want %04o", name, fi.Mode().Perm(), perm)
	}
	entries, err := os.ReadDir(filepath.Dir(name))
	if err != nil {
		t.Fatalf("listing: %v", err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".plumb-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// wantGone asserts that no file is at name.
func wantGone(t providertest.TB, name string) {
	t.Helper()
	if _, err := os.Stat(name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s still exists (stat error %v)", name, err)
	}
}

func filenameID(s cty.Value) string { return s.GetAttr("filename").AsString() }

func TestFileConformance(t *testing.T) {
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		t.Run(tr.Name, func(t *testing.T) { fileConformance(t, tr) })
	}
}

func fileConformance(t *testing.T, tr providertest.Transport) {
	dir := tr.Dir
	a := filepath.Join(dir, "sub", "a.txt")
	b := filepath.Join(dir, "b.txt")
	refreshedAttr := func(attr string, want cty.Value) func(providertest.TB, cty.Value, cty.Value) {
		return func(t providertest.TB, refreshed, planned cty.Value) {
			t.Helper()
			if got := refreshed.GetAttr(attr); !got.RawEquals(want) {
				t.Errorf("refreshed %s = %#v, want the drifted %#v", attr, got, want)
			}
		}
	}
	providertest.Run(t, providertest.Case{
		Resource: fileOver(t, tr),
		Steps: []providertest.Step{
			{Name: "create", Config: fileCfg("filename", a, "content", "one\n"),
				Check: func(t providertest.TB, s cty.Value) { wantFile(t, a, "one\n", 0o644) }},
			{Name: "change content", Config: fileCfg("filename", a, "content", "two\n"),
				Check: func(t providertest.TB, s cty.Value) { wantFile(t, a, "two\n", 0o644) }},
			{Name: "change mode", Config: fileCfg("filename", a, "content", "two\n", "mode", "0600"),
				Check: func(t providertest.TB, s cty.Value) {
					wantFile(t, a, "two\n", 0o600)
					if err := os.WriteFile(a, []byte("edited by hand\n"), 0o600); err != nil {
						t.Fatalf("making drift: %v", err)
					}
				}},
			{Name: "repair content drift", Config: fileCfg("filename", a, "content", "two\n", "mode", "0600"),
				PlanCheck: refreshedAttr("content", cty.StringVal("edited by hand\n")),
				Check: func(t providertest.TB, s cty.Value) {
					wantFile(t, a, "two\n", 0o600)
					if err := os.Chmod(a, 0o666); err != nil {
						t.Fatalf("making drift: %v", err)
					}
				}},
			{Name: "repair mode drift", Config: fileCfg("filename", a, "content", "two\n", "mode", "0600"),
				PlanCheck: refreshedAttr("mode", cty.StringVal("0666")),
				Check: func(t providertest.TB, s cty.Value) {
					wantFile(t, a, "two\n", 0o600)
					if err := os.Remove(a); err != nil {
						t.Fatalf("deleting behind plumb's back: %v", err)
					}
				}},
			{Name: "recreate after deletion outside plumb", Config: fileCfg("filename", a, "content", "two\n", "mode", "0600"),
				PlanCheck: func(t providertest.TB, refreshed, _ cty.Value) {
					if !refreshed.IsNull() {
						t.Errorf("refreshed state %#v, want null for a file deleted outside plumb", refreshed)
					}
				},
				Check: func(t providertest.TB, s cty.Value) { wantFile(t, a, "two\n", 0o600) }},
			{Name: "rename replaces", Config: fileCfg("filename", b, "content", "two\n"), ExpectReplace: true,
				Check: func(t providertest.TB, s cty.Value) {
					wantGone(t, a)
					wantFile(t, b, "two\n", 0o644)
				}},
			{Name: "empty content", Config: fileCfg("filename", b, "content", ""),
				Check: func(t providertest.TB, s cty.Value) { wantFile(t, b, "", 0o644) }},
		},
		ImportID: filenameID,
		Gone:     func(t providertest.TB, last cty.Value) { wantGone(t, filenameID(last)) },
	})
}

func TestFileConformanceSensitive(t *testing.T) {
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		t.Run(tr.Name, func(t *testing.T) { fileConformanceSensitive(t, tr) })
	}
}

func fileConformanceSensitive(t *testing.T, tr providertest.Transport) {
	name := filepath.Join(tr.Dir, "secret")
	providertest.Run(t, providertest.Case{
		Resource: fileOver(t, tr),
		Steps: []providertest.Step{
			{Name: "create", Config: fileCfg("filename", name, "sensitive_content", "s3cret", "mode", "0400"),
				Check: func(t providertest.TB, s cty.Value) { wantFile(t, name, "s3cret", 0o400) }},
			{Name: "change", Config: fileCfg("filename", name, "sensitive_content", "s3cret2", "mode", "0400"),
				Check: func(t providertest.TB, s cty.Value) {
					wantFile(t, name, "s3cret2", 0o400)
					if err := os.WriteFile(name, []byte("leaked"), 0o400); err != nil {
						t.Fatalf("making drift: %v", err)
					}
				}},
			{Name: "drift shows in sensitive_content", Config: fileCfg("filename", name, "sensitive_content", "s3cret2", "mode", "0400"),
				PlanCheck: func(t providertest.TB, refreshed, _ cty.Value) {
					if got := refreshed.GetAttr("sensitive_content"); !got.RawEquals(cty.StringVal("leaked")) {
						t.Errorf("refreshed sensitive_content %#v, want the live text", got)
					}
					if got := refreshed.GetAttr("content"); !got.IsNull() {
						t.Errorf("refreshed content %#v, want null: the text is sensitive", got)
					}
				},
				Check: func(t providertest.TB, s cty.Value) { wantFile(t, name, "s3cret2", 0o400) }},
			{Name: "make it public", Config: fileCfg("filename", name, "content", "public"),
				Check: func(t providertest.TB, s cty.Value) { wantFile(t, name, "public", 0o644) }},
		},
		ImportID: filenameID,
		// Import cannot tell whether the text was sensitive.
		ImportIgnore: []string{"content", "sensitive_content"},
		Gone:         func(t providertest.TB, last cty.Value) { wantGone(t, name) },
	})
}

func TestFileConformanceDirectoryMode(t *testing.T) {
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		t.Run(tr.Name, func(t *testing.T) { fileConformanceDirectoryMode(t, tr) })
	}
}

func fileConformanceDirectoryMode(t *testing.T, tr providertest.Transport) {
	top := filepath.Join(tr.Dir, "x")
	name := filepath.Join(top, "y", "z.conf")
	providertest.Run(t, providertest.Case{
		Resource: fileOver(t, tr),
		Steps: []providertest.Step{
			{Name: "create", Config: fileCfg("filename", name, "content", "z", "directory_mode", "0700"),
				Check: func(t providertest.TB, s cty.Value) {
					for _, d := range []string{top, filepath.Dir(name)} {
						fi, err := os.Stat(d)
						if err != nil {
							t.Fatalf("stat: %v", err)
						}
						if fi.Mode().Perm() != 0o700 {
							t.Errorf("directory %s has mode %04o, want 0700", d, fi.Mode().Perm())
						}
					}
				}},
		},
		ImportID: filenameID,
		// directory_mode applies only to directories plumb creates; a file
		// cannot tell it.
		ImportIgnore: []string{"directory_mode"},
		Gone:         func(t providertest.TB, last cty.Value) { wantGone(t, name) },
	})
}
