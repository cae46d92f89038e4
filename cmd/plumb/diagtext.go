package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/internal/textsafe"
)

// Diagnostics may quote anything: a configuration file that is binary
// noise, a file name or log line an attacker wrote, a provider's error.
// They are printed so that nothing in them reaches the terminal as a
// control sequence, and so that a flood of them stays readable.
const (
	// maxDiagnostics is how many diagnostics one run prints; the rest
	// are counted.
	maxDiagnostics = 25
	// maxDiagLine is how many characters of one printed line are kept.
	maxDiagLine = 400
)

// writeDiagnostics renders d with HCL's text layout (summary, the source
// line with the subject, the values involved, the detail), then escapes
// every line (textsafe.Escape), cuts long ones, and colours the severity
// word itself when color is set.
func writeDiagnostics(w io.Writer, files map[string]*hcl.File, d hcl.Diagnostics, width uint, color bool) {
	var buf bytes.Buffer
	wr := hcl.NewDiagnosticTextWriter(&buf, files, width, false)
	for i, x := range d {
		if i == maxDiagnostics {
			errs, warns := 0, 0
			for _, y := range d[i:] {
				if y.Severity == hcl.DiagError {
					errs++
				} else {
					warns++
				}
			}
			fmt.Fprintf(w, "... and %d more errors and %d more warnings, not shown. Fix the ones above and run plumb again.\n", errs, warns)
			return
		}
		buf.Reset()
		_ = wr.WriteDiagnostic(x)
		for _, line := range strings.SplitAfter(buf.String(), "\n") {
			if line == "" {
				continue
			}
			nl := strings.HasSuffix(line, "\n")
			line = safeLine(strings.TrimSuffix(line, "\n"))
			if color {
				line = colorSeverity(line)
			}
			io.WriteString(w, line)
			if nl {
				io.WriteString(w, "\n")
			}
		}
	}
}

// safeLine escapes a line of output and cuts it at maxDiagLine
// characters, saying how much was left out.
func safeLine(line string) string {
	line = textsafe.Escape(line)
	if utf8.RuneCountInString(line) <= maxDiagLine {
		return line
	}
	cut := 0
	for i := range line {
		if cut == maxDiagLine {
			return line[:i] + fmt.Sprintf(" … (%d more bytes)", len(line)-i)
		}
		cut++
	}
	return line
}

// colorSeverity colours a line that starts a diagnostic.
func colorSeverity(line string) string {
	switch {
	case strings.HasPrefix(line, "Error: "):
		return "\x1b[1;31mError\x1b[0m" + line[len("Error"):]
	case strings.HasPrefix(line, "Warning: "):
		return "\x1b[1;33mWarning\x1b[0m" + line[len("Warning"):]
	}
	return line
}

// safeMessage escapes a message that has no place in a file, line by
// line, keeping its line breaks.
func safeMessage(msg string) string {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = safeLine(l)
	}
	return strings.Join(lines, "\n")
}
