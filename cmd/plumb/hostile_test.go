package main

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// controlBytes lists the control bytes in s other than newline and tab.
func controlBytes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			n++
		}
	}
	return n
}

// TestBinaryConfigurationDiagnostics: random binary as a configuration
// file gives a short list of diagnostics with every control character
// escaped, not megabytes of raw escape sequences.
func TestBinaryConfigurationDiagnostics(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 13))
	noise := make([]byte, 200_000)
	for i := range noise {
		noise[i] = byte(rnd.UintN(256))
	}
	// Make sure terminal escapes are in it.
	copy(noise[100:], "\x1b[2J\x1b[H\r\x1b]0;pwned\x07")
	dir := configDir(t, map[string]string{"main.hcl": string(noise)})
	for _, cmd := range [][]string{{"validate"}, {"plan"}, {"fmt", "-check"}} {
		r := plumb(t, dir, cmd...)
		if r.code == exitOK {
			t.Fatalf("plumb %s accepted binary noise", cmd[0])
		}
		out := r.stdout + r.stderr
		if n := controlBytes(out); n > 0 {
			t.Errorf("plumb %s printed %d raw control bytes", cmd[0], n)
		}
		if len(out) > 64<<10 {
			t.Errorf("plumb %s printed %d bytes of diagnostics", cmd[0], len(out))
		}
		if cmd[0] != "fmt" && !strings.Contains(out, "more errors") {
			t.Errorf("plumb %s does not say how many diagnostics it left out:\n%.2000s", cmd[0], out)
		}
	}
}

// TestHostileNamesEscaped: a file name holding terminal escapes reaches
// an error message escaped.
func TestHostileNamesEscaped(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": `resource "plumb_data" "x" { input = 1 }`})
	r := plumb(t, dir, "plan", "-var-file", "evil\x1b[2J\rname.hcl")
	if r.code == exitOK {
		t.Fatal("a missing var file was accepted")
	}
	if n := controlBytes(r.stderr); n > 0 || !strings.Contains(r.stderr, `evil\x1b[2J\rname.hcl`) {
		t.Errorf("the name is not shown escaped (%d control bytes):\n%q", n, r.stderr)
	}
}

// TestDeepNestingIsADiagnostic: HCL nested 200,000 deep is refused with a
// diagnostic naming the file and line; it used to overflow the stack.
func TestDeepNestingIsADiagnostic(t *testing.T) {
	src := "locals {\n  x = " + strings.Repeat("[", 200_000) + strings.Repeat("]", 200_000) + "\n}\n"
	dir := configDir(t, map[string]string{"main.hcl": src})
	for _, cmd := range []string{"validate", "plan", "fmt"} {
		r := plumb(t, dir, cmd)
		if r.code != exitError || !strings.Contains(r.stderr, "nested too deeply") || !strings.Contains(r.stderr, "main.hcl line 2") {
			t.Errorf("plumb %s:\n%.3000s", cmd, r)
		}
		if strings.Contains(r.stderr, "stack overflow") || strings.Contains(r.stderr, "goroutine") {
			t.Fatalf("plumb %s crashed", cmd)
		}
	}
}
