package plan

// mdBlock appends the <details> block of one change, its diff cut so the
// block stays within room bytes.
func mdBlock(b []byte, c *Change, tally string, open bool, room int) []byte {
	start := len(b)
	diffs := Diff(c)
	b = append(b, "<details"...)
	if open {
		b = append(b, " open"...)
	}
	b = append(b, "><summary><code>"...)
	b = appendHTMLText(b, c.Action.Symbol())
	b = append(b, ' ')
	b = appendHTMLText(b, c.Addr)
	b = append(b, "</code> "...)
	b = append(b, resourceHeading(c)...)
	b = appendChangeCount(b, c, diffs, tally)
	b = append(b, "</summary>\n\n```diff\n"...)
	if c.ImportID != "" {
		b = append(b, "# (imported from "...)
		b = appendMDComment(b, quote(c.ImportID))
		b = append(b, ")\n"...)
	}
	if c.Reason != "" {
		b = append(b, "# ("...)
		b = appendMDComment(b, c.Reason)
		b = append(b, ")\n"...)
	}
	const closing = "```\n\n</details>\n\n"
	stop := start + room - len(closing) - 60
	skipped := diffLines(c, diffs, commentLines, mdLinesWithin(&b, stop))
	b = appendNotShown(b, skipped, "lines")
	return append(b, closing...)
}

// mdLinesWithin returns a line sink for diffLines and outputLines that
// appends each line to *b as Markdown while *b stays within stop bytes,
// refusing the first line that would not fit.
func mdLinesWithin(b *[]byte, stop int) func(*diffLine) bool {
	return func(l *diffLine) bool {
		n := len(*b)
		if *b = appendMDLine(*b, l); len(*b) > stop {
			*b = (*b)[:n]
			return false
		}
		return true
	}
}

// appendNotShown appends "# … and 12 more lines not shown" inside a diff
// block, naming what was left out, when skipped is not zero.
func appendNotShown(b []byte, skipped int, what string) []byte {
	if skipped <= 0 {
		return b
	}
	b = append(b, "# … and "...)
	b = appendCount(b, skipped)
	b = append(b, " more "...)
	b = append(b, what...)
	return append(b, " not shown\n"...)
}

// appendChangeCount appends ": 3 changes" to the heading of an update or
// replacement, counted as changeUnits counts them, and a zone's record
// tally: " (records +1 ~2 −1)".
func appendChangeCount(b []byte, c *Change, diffs []AttrDiff, tally string) []byte {
	if c.Action != Update && !c.Action.IsReplace() {
		return b
	}
	n := changeUnits(c, diffs)
	b = append(b, ": "...)
	b = appendCount(b, n)
	if n == 1 {
		b = append(b, " change"...)
	} else {
		b = append(b, " changes"...)
	}
	if tally != "" {
		b = append(b, " (records "...)
		b = append(b, tally...)
		b = append(b, ')')
	}
	return b
}

// changeUnits counts the things that change, as a reviewer counts them:
// an element of a keyed collection (a record) is one change however many
// of its attributes change, and a value swapped in a list or set (one
// element removed, another added) is one change of that list. Other
// parts count one each: a map key, a nested attribute.
func changeUnits(c *Change, diffs []AttrDiff) int {
	n := 0
	last := ""
	for i := range diffs {
		unit := diffs[i].Path
		if base, ok := elementGroup(unit); ok {
			unit = base
		}
		if _, elem, _, ok := keyedElement(unit, c.Keys); ok {
			unit = elem
		}
		if unit != last || i == 0 {
			n++
			last = unit
		}
	}
	return n
}

// appendMDLine appends a diff line as one or two lines of a ```diff
// block: "-" old, "+" new, so GitHub colours them.
func appendMDLine(b []byte, l *diffLine) []byte {
	mark := func(a Action) byte {
		switch a {
		case Create:
			return '+'
		case Delete:
			return '-'
		}
		return ' '
	}
	forces := func(b []byte) []byte {
		if l.forces {
			b = append(b, "  # forces replacement"...)
		}
		return append(b, '\n')
	}
	switch l.kind {
	case lineNote:
		b = append(b, "  # "...)
		b = appendMDComment(b, l.new)
		return append(b, '\n')
	case lineOpen:
		b = append(b, mark(l.act), ' ')
		b = appendMDComment(b, l.path)
		b = append(b, " = "...)
		b = append(b, l.new...)
		return forces(b)
	case lineClose:
		b = append(b, mark(l.act), ' ')
		b = append(b, l.new...)
		return append(b, '\n')
	case lineHunk:
		b = append(b, l.new...)
		return append(b, '\n')
	case lineNoEOL:
		b = append(b, noEOLText...)
		return append(b, '\n')
	case lineText:
		b = append(b, mark(l.act))
		b = append(b, "     "...)
		b = appendMDComment(b, l.old)
		b = appendMDComment(b, l.new)
		return append(b, '\n')
	case lineElem:
		b = append(b, mark(l.act))
		b = append(b, "     "...)
		if l.path != "" {
			b = appendMDComment(b, l.path)
			b = append(b, " = "...)
		}
		if l.act == Delete {
			b = appendMDComment(b, l.old)
		} else {
			b = appendMDComment(b, l.new)
		}
		if l.path == "" {
			b = append(b, ',')
		}
		return append(b, '\n')
	}
	if l.act != Create {
		b = append(b, "- "...)
		b = appendMDComment(b, l.path)
		b = append(b, " = "...)
		b = appendMDComment(b, l.old)
		if l.act == Delete {
			return forces(b)
		}
		b = append(b, '\n')
	}
	b = append(b, "+ "...)
	b = appendMDComment(b, l.path)
	b = append(b, " = "...)
	b = appendMDComment(b, l.new)
	return forces(b)
}
