package builtin

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// TestSensitiveContentIsOwnerOnly: a file written from sensitive_content
// is 0600 unless mode says otherwise; one from content stays 0644. An
// older file of sensitive_content at 0644 is planned to 0600.
func TestSensitiveContentIsOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	r := fileResourceUnderTest()
	cases := []struct {
		name   string
		config cty.Value
		want   os.FileMode
	}{
		{"sensitive", fileCfg("filename", filepath.Join(dir, "key"), "sensitive_content", "s3cret"), 0o600},
		{"sensitive, mode set", fileCfg("filename", filepath.Join(dir, "shared"), "sensitive_content", "s3cret", "mode", "0640"), 0o640},
		{"plain", fileCfg("filename", filepath.Join(dir, "page"), "content", "hello"), 0o644},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := create(t, r, tc.config)
			fi, err := os.Stat(st.GetAttr("filename").AsString())
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != tc.want {
				t.Errorf("mode %v, want %v", fi.Mode().Perm(), tc.want)
			}
		})
	}
	// A file of sensitive_content recorded at 0644 (written before the
	// default changed) is tightened.
	old := create(t, r, fileCfg("filename", filepath.Join(dir, "old"), "sensitive_content", "s3cret", "mode", "0644"))
	plan := r.Plan(context.Background(), providers.PlanRequest{Prior: old, Config: complete(r, fileCfg("filename", filepath.Join(dir, "old"), "sensitive_content", "s3cret"))})
	if got := plan.Planned.GetAttr("mode").AsString(); got != "0600" {
		t.Errorf("planned mode %s, want 0600", got)
	}
}
