package plan

import (
	"fmt"
	"strings"
)

// UnifiedDiff returns the change from old to new as a unified diff with
// three lines of context under "--- oldName" and "+++ newName" headers,
// as diff -u prints it; "" when they are equal. plumb fmt -diff uses it,
// with the same line diff the plan renderers use for multi-line strings.
func UnifiedDiff(oldName, newName, old, new string) string {
	if old == new {
		return ""
	}
	a, b := splitLines(old), splitLines(new)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(diffLineSeqs(a, b), diffContext) {
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(h.oldStart, h.oldLines), hunkRange(h.newStart, h.newLines))
		i, j := h.oldStart-1, h.newStart-1
		if h.oldLines == 0 {
			i++
		}
		if h.newLines == 0 {
			j++
		}
		for _, e := range h.edits {
			for range e.n {
				switch e.op {
				case opKeep:
					writeDiffLine(&sb, ' ', a[i])
					i++
					j++
				case opDelete:
					writeDiffLine(&sb, '-', a[i])
					i++
				case opInsert:
					writeDiffLine(&sb, '+', b[j])
					j++
				}
			}
		}
	}
	return sb.String()
}

// hunkRange prints a hunk's start and length as diff does: "5" for one
// line, "5,3" otherwise.
func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

func writeDiffLine(sb *strings.Builder, mark byte, l textLine) {
	sb.WriteByte(mark)
	sb.WriteString(l.text)
	sb.WriteByte('\n')
	if !l.eol {
		sb.WriteString("\\ No newline at end of file\n")
	}
}
