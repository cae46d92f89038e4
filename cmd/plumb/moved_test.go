package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMovedAndRemovedInEveryRendering renames a resource with a moved
// block and forgets another with a removed block, and checks what each
// plan rendering says: "has moved to" as Terraform's plan does, the
// previous address in JSON, and "will no longer be managed".
func TestMovedAndRemovedInEveryRendering(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": `
resource "plumb_data" "a" { input = "x" }
resource "plumb_data" "gone" { input = "y" }
`})
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(`
resource "plumb_data" "b" { input = "x" }
moved {
  from = plumb_data.a
  to   = plumb_data.b
}
removed {
  from = plumb_data.gone
  lifecycle {
    destroy = false
  }
}
`), 0o644)
	planFile := filepath.Join(dir, "plan.bin")
	r := plumb(t, dir, "plan", "-out", planFile, "-detailed-exitcode")
	for _, want := range []string{
		"# plumb_data.a has moved to plumb_data.b",
		"# plumb_data.gone will no longer be managed by plumb, but will not be destroyed",
		"Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget.",
	} {
		if r.code != exitChanges || !strings.Contains(r.stdout, want) {
			t.Errorf("plan does not say %q:\n%s", want, r)
		}
	}
	for format, wants := range map[string][]string{
		"markdown": {"plumb_data.b</code> has moved from plumb_data.a", "plumb_data.gone</code> will no longer be managed by plumb"},
		"html":     {"plumb_data.b</code> has moved from plumb_data.a", "plumb_data.gone</code> will no longer be managed by plumb"},
		"json":     {`"address":"plumb_data.b","mode":"managed","type":"plumb_data","name":"b","provider_name":"plumb","previous_address":"plumb_data.a"`, `"actions":["forget"]`},
	} {
		r := plumb(t, dir, "show", "-format="+format, planFile)
		for _, want := range wants {
			if r.code != exitOK || !strings.Contains(r.stdout, want) {
				t.Errorf("show -format=%s does not show %q:\n%s", format, want, r)
			}
		}
	}
	if r := plumb(t, dir, "apply", planFile); r.code != exitOK {
		t.Fatalf("apply of the plan:\n%s", r)
	}
	if r := plumb(t, dir, "state", "list"); r.stdout != "plumb_data.b\n" {
		t.Fatalf("state after the move and the forget:\n%s", r)
	}
	if r := plumb(t, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after apply:\n%s", r)
	}
}
