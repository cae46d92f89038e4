package plan

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
)

// This file sends the change of a multi-line string as the lines of a
// unified diff.

// multilineStrings returns the two strings of an update when they are
// known and at least one of them has several lines.
func multilineStrings(b, a cty.Value) (string, string, bool) {
	if b.IsMarked() {
		b, _ = b.Unmark()
	}
	if a.IsMarked() {
		a, _ = a.Unmark()
	}
	if b.Type() != cty.String || a.Type() != cty.String || !b.IsKnown() || !a.IsKnown() || b.IsNull() || a.IsNull() {
		return "", "", false
	}
	old, new := b.AsString(), a.AsString()
	return old, new, isMultiline(old) || isMultiline(new)
}

// textDiff sends the change of a multi-line string as the hunks of a
// unified diff with diffContext lines of context.
func (g *lineGen) textDiff(d *AttrDiff, old, new string) {
	g.send(&diffLine{kind: lineOpen, act: Update, path: d.Path, new: "<<-EOT", forces: d.ForcesReplace})
	a, b := splitLines(old), splitLines(new)
	for _, h := range hunks(diffLineSeqs(a, b), diffContext) {
		g.send(&diffLine{kind: lineHunk, new: hunkHeader(h)})
		i, j := h.oldStart-1, h.newStart-1
		if h.oldLines == 0 {
			i++
		}
		if h.newLines == 0 {
			j++
		}
		for k := 0; k < len(h.edits); k++ {
			e := h.edits[k]
			switch e.op {
			case opKeep:
				for range e.n {
					g.textLine(NoOp, b[j], "")
					i++
					j++
				}
			case opDelete:
				// A removal followed by an addition pairs their lines, so
				// long lines show as windows around their difference.
				var ins int
				if k+1 < len(h.edits) && h.edits[k+1].op == opInsert {
					ins = h.edits[k+1].n
				}
				for n := range e.n {
					partner := ""
					if n < ins {
						partner = displayLine(b[j+n].text)
					}
					g.textLine(Delete, a[i], partner)
					i++
				}
				if ins > 0 {
					for n := range ins {
						partner := ""
						if n < e.n {
							partner = displayLine(a[i-e.n+n].text)
						}
						g.textLine(Create, b[j], partner)
						j++
					}
					k++
				}
			case opInsert:
				for range e.n {
					g.textLine(Create, b[j], "")
					j++
				}
			}
		}
	}
	g.send(&diffLine{kind: lineClose, act: Update, new: "EOT"})
}

// textLine sends one line of a line diff, and the no-newline note after
// it when it has no newline. A long line with a partner (the line it
// replaces or is replaced by) shows as a window around their difference.
func (g *lineGen) textLine(act Action, l textLine, partner string) {
	if g.full {
		g.skipped++
		if !l.eol {
			g.skipped++
		}
		return
	}
	text := displayLine(l.text)
	switch {
	case partner != "" && partner != text && max(len(text), len(partner)) > g.opts.windowOver:
		if act == Delete {
			text, _ = windowPair(text, partner)
		} else {
			_, text = windowPair(partner, text)
		}
	default:
		text = g.cut([]byte(text))
	}
	dl := diffLine{kind: lineText, act: act}
	if act == Delete {
		dl.old = text
	} else {
		dl.new = text
	}
	g.send(&dl)
	if !l.eol {
		note := diffLine{kind: lineNoEOL, act: act}
		if act == Delete {
			note.old = noEOLText
		} else {
			note.new = noEOLText
		}
		g.send(&note)
	}
}

// hunkHeader formats a hunk's header as diff does: "@@ -58,5 +58,5 @@",
// a count of 1 left out.
func hunkHeader(h hunk) string {
	b := []byte("@@ -")
	b = appendRange(b, h.oldStart, h.oldLines)
	b = append(b, " +"...)
	b = appendRange(b, h.newStart, h.newLines)
	return string(append(b, " @@"...))
}

func appendRange(b []byte, start, n int) []byte {
	b = strconv.AppendInt(b, int64(start), 10)
	if n != 1 {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return b
}

// displayLine returns one line of a multi-line string as a diff shows it:
// as it is, or as an HCL quoted string when it would otherwise hide
// something (control characters, invalid UTF-8, trailing blanks) or
// could be mistaken for a quoted line (it starts with a quote). Two
// different lines never display the same.
func displayLine(s string) string {
	if !needsQuoting(s) {
		return s
	}
	return quote(s)
}

func needsQuoting(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '"' || s[len(s)-1] == ' ' {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
