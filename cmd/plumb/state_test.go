package main

import (
	"strings"
	"testing"
)

// TestStateAddressPatterns checks that plumb state list, rm and mv read
// addresses with the one address parser: a whole resource selects all its
// instances, an instance only itself, and mv moves a whole resource with
// its keys.
func TestStateAddressPatterns(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": `
resource "plumb_data" "r" {
  count = 3
  input = count.index
}
resource "plumb_data" "rr" { input = "not selected by plumb_data.r" }
`})
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	if r := plumb(t, dir, "state", "list", "plumb_data.r"); r.stdout != "plumb_data.r[0]\nplumb_data.r[1]\nplumb_data.r[2]\n" {
		t.Fatalf("state list plumb_data.r:\n%s", r)
	}
	if r := plumb(t, dir, "state", "list", "plumb_data.r[1]", "plumb_data.rr"); r.stdout != "plumb_data.r[1]\nplumb_data.rr\n" {
		t.Fatalf("state list of two patterns:\n%s", r)
	}
	if r := plumb(t, dir, "state", "list", "plumb_data.r["); r.code != exitError || !strings.Contains(r.stderr, "not an address") {
		t.Fatalf("state list with a malformed address:\n%s", r)
	}
	if r := plumb(t, dir, "state", "mv", "plumb_data.r", "plumb_data.s"); r.code != exitOK || !strings.Contains(r.stdout, "Moved plumb_data.r[2] to plumb_data.s[2]") {
		t.Fatalf("state mv of a whole resource:\n%s", r)
	}
	if r := plumb(t, dir, "state", "list"); r.stdout != "plumb_data.rr\nplumb_data.s[0]\nplumb_data.s[1]\nplumb_data.s[2]\n" {
		t.Fatalf("state list after mv:\n%s", r)
	}
	if r := plumb(t, dir, "state", "mv", "plumb_data.s", "local_file.s"); r.code != exitError || !strings.Contains(r.stderr, "keeps its type") {
		t.Fatalf("state mv to another type:\n%s", r)
	}
	if r := plumb(t, dir, "state", "mv", "plumb_data.s[0]", "plumb_data.s[1]"); r.code != exitError || !strings.Contains(r.stderr, "already in state") {
		t.Fatalf("state mv onto an instance in state:\n%s", r)
	}
	plumb(t, dir, "state", "mv", "plumb_data.s", "plumb_data.r")
	if r := plumb(t, dir, "state", "rm", "plumb_data.r[0]", "plumb_data.rr"); r.code != exitOK || !strings.Contains(r.stdout, "Forgot 2 instance(s)") {
		t.Fatalf("state rm:\n%s", r)
	}
	if r := plumb(t, dir, "state", "list"); r.stdout != "plumb_data.r[1]\nplumb_data.r[2]\n" {
		t.Fatalf("state list after rm:\n%s", r)
	}
}
