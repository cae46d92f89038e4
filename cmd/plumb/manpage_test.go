package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// The manual page is generated from the command tree: every command,
// subcommand and flag appears in it, and groff formats it without a
// warning.
func TestManpage(t *testing.T) {
	r := runBinary(t, nil, "__manpage", "-date", "2026-05-01")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, `.TH PLUMB 1 "2026\-05\-01" "plumb `) {
		t.Fatalf("plumb __manpage:\n%s", r)
	}
	if _, err := exec.LookPath("groff"); err != nil {
		t.Fatal("groff is needed (Debian package groff-base; scripts/deps.sh installs it)")
	}
	cmd := exec.Command("groff", "-man", "-Tutf8", "-ww", "-rLL=200n")
	cmd.Stdin = strings.NewReader(r.stdout)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("groff: %v\n%s", err, errb.String())
	}
	// Undo groff's overstriking for bold and underline.
	text := string(out.Bytes())
	for _, seq := range []string{"\x1b[1m", "\x1b[0m", "\x1b[4m", "\x1b[22m", "\x1b[24m"} {
		text = strings.ReplaceAll(text, seq, "")
	}
	var plain strings.Builder
	for i := 0; i < len(text); i++ {
		if i+1 < len(text) && text[i+1] == '\b' {
			i++
			continue
		}
		plain.WriteByte(text[i])
	}
	page := plain.String()
	for _, want := range []string{"NAME", "SYNOPSIS", "EXIT STATUS", "plan -detailed-exitcode: there are changes", "-chdir=DIR"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, n := range commandTree() {
		for _, node := range append([]*cmdNode{n}, n.subs...) {
			if !strings.Contains(page, "plumb "+node.name()+"\n") {
				t.Errorf("the page has no section for plumb %s", node.name())
			}
			if c := node.flags(); c != nil {
				for _, f := range flagList(c.fs) {
					if !strings.Contains(page, "-"+f.Name) {
						t.Errorf("the page lacks %s -%s", node.name(), f.Name)
					}
				}
			}
		}
	}
}
