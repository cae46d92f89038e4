package plan

import (
	"slices"
	"strconv"

	"github.com/zclconf/go-cty/cty"
)

// lineKind says what a diffLine is.
type lineKind uint8

const (
	// lineAttr is "path = value", or old and new values for an update.
	lineAttr lineKind = iota
	// lineOpen starts a block of lines: a collection shown one element a
	// line ("path = [") or a multi-line string shown as a line diff
	// ("path = <<-EOT").
	lineOpen
	// lineElem is one element of such a collection: a value, or for a
	// map or object "key = value".
	lineElem
	// lineClose ends the block: "]", "}" or "EOT".
	lineClose
	// lineNote is a comment such as "(2 unchanged attributes hidden)".
	lineNote
	// lineHunk starts a hunk of a line diff: "@@ -58,5 +58,5 @@".
	lineHunk
	// lineText is one line of a multi-line string's diff: act is Delete
	// for a removed line, Create for an added one and NoOp for context.
	lineText
	// lineNoEOL follows a lineText that has no newline at its end, with
	// the same act: "\ No newline at end of file".
	lineNoEOL
)

// noEOLText is what a lineNoEOL says, as diff says it.
const noEOLText = `\ No newline at end of file`

// diffLine is one line of a resource's diff, with its values already
// formatted, so the text, Markdown and HTML renderers only lay it out.
// Sensitive values are never formatted: old and new hold SensitiveValue
// instead.
type diffLine struct {
	kind lineKind
	// act is the line's marker: Create (+), Update (~), Delete (-) or,
	// for context lines of a line diff, NoOp. For lineOpen and lineClose
	// of a changed collection or string it is Update; for a created
	// collection, Create.
	act Action
	// path is the attribute path (lineAttr, lineOpen) or the map key
	// (lineElem of a map); empty otherwise.
	path string
	// old and new are the formatted values; old is set for Update and
	// Delete, new for Update and Create. A note's, a hunk header's, an
	// opening's or a closing's text is in new; a text line's in old or
	// new by its act (new for context).
	old, new string
	// width is, for a lineElem of a map or object, the width of the
	// widest key, so the text renderer can align the values.
	width int
	// forces marks the line whose change forces a replacement.
	forces bool
	// sensitive marks an attribute whose values are hidden.
	sensitive bool
}

// hide marks a line as sensitive and writes the sensitive placeholder in
// place of the values its action shows: the old one unless it creates,
// the new one unless it deletes.
func (l *diffLine) hide() {
	l.sensitive = true
	if l.act != Create {
		l.old = SensitiveValue
	}
	if l.act != Delete {
		l.new = SensitiveValue
	}
}

// lineSink receives the lines of one resource. It returns false when it
// did not take the line and wants no more; the generator then counts that
// line and the rest without formatting them.
type lineSink func(*diffLine) bool

// lineOptions says how long values are laid out.
type lineOptions struct {
	// windowOver is the formatted length past which an old and a new
	// value are both shown as a window around their first difference.
	windowOver int
	// cutOver, when positive, is the formatted length past which a value
	// without a counterpart (created, deleted) is cut, saying how much
	// is left out.
	cutOver int
}

// Layouts of the renderers: the terminal and the page show every byte of
// a value that has no counterpart; the comment cuts those too.
var (
	fullLines    = lineOptions{windowOver: 1000}
	commentLines = lineOptions{windowOver: 1000, cutOver: mdMaxValue}
)

// lineGen turns the AttrDiffs of one change into diffLines, in the order
// and with the grouping of Terraform's plan.
type lineGen struct {
	opts    lineOptions
	sink    lineSink
	full    bool // the sink wants no more
	skipped int  // lines not sent since then
	scratch []byte
}

// send passes l to the sink, or counts it once the sink is full.
func (g *lineGen) send(l *diffLine) {
	if g.full {
		g.skipped++
		return
	}
	if !g.sink(l) {
		g.full = true
		g.skipped++
	}
}

// value formats v, cut when it is longer than opts.cutOver.
func (g *lineGen) value(v cty.Value) string {
	g.scratch = appendValue(g.scratch[:0], v)
	return g.cut(g.scratch)
}

// cut returns s as a string, cut after opts.cutOver bytes.
func (g *lineGen) cut(s []byte) string {
	limit := g.opts.cutOver
	if limit <= 0 || len(s) <= limit {
		return string(s)
	}
	end := tokenStart(string(s[:limit+1]), limit)
	b := make([]byte, 0, end+32)
	b = append(b, s[:end]...)
	b = append(b, "… ("...)
	b = appendCount(b, len(s)-end)
	b = append(b, " bytes hidden)"...)
	return string(b)
}

// pair formats an old and a new value; past opts.windowOver both show as
// windows around their first difference.
func (g *lineGen) pair(b, a cty.Value) (string, string) {
	old, new := FormatValue(b), FormatValue(a)
	if max(len(old), len(new)) > g.opts.windowOver && old != new {
		return windowPair(old, new)
	}
	return old, new
}

// brief formats v, summarising a long collection by its size when brief.
func (g *lineGen) brief(v cty.Value, brief bool) string {
	t := textWriter{b: g.scratch[:0]}
	g.scratch = t.appendBrief(v, brief)
	return g.cut(g.scratch)
}

// diffLines sends the lines of c's diff to sink and returns how many lines
// it did not send because the sink was full.
func diffLines(c *Change, diffs []AttrDiff, opts lineOptions, sink lineSink) int {
	g := &lineGen{opts: opts, sink: sink}
	deleting := c.Action == Delete
	for i := 0; i < len(diffs); {
		if base, ok := elementGroup(diffs[i].Path); ok {
			j := i + 1
			for j < len(diffs) {
				if b, ok := elementGroup(diffs[j].Path); !ok || b != base {
					break
				}
				j++
			}
			g.group(base, diffs[i:j])
			i = j
			continue
		}
		g.attr(&diffs[i], deleting)
		i++
	}
	if c.Action != Create && c.Action != Read && c.Action != Delete {
		if n := unchangedAttrs(c); n > 0 {
			text := "(" + strconv.Itoa(n) + " unchanged attributes hidden)"
			if n == 1 {
				text = "(1 unchanged attribute hidden)"
			}
			g.send(&diffLine{kind: lineNote, new: text})
		}
	}
	return g.skipped
}

// attr sends one AttrDiff; brief shortens long removed collections.
func (g *lineGen) attr(d *AttrDiff, brief bool) {
	if g.full {
		g.skipped++
		return
	}
	l := diffLine{kind: lineAttr, act: d.Action, path: d.Path, forces: d.ForcesReplace}
	switch {
	case d.Sensitive:
		l.hide()
	case d.Action == Create:
		if isTopLevel(d.Path) && isNonEmptyCollection(d.After) {
			g.multiline(d)
			return
		}
		l.new = g.value(d.After)
	case d.Action == Delete:
		l.old = g.brief(d.Before, brief || isTopLevel(d.Path))
	default:
		if old, new, ok := multilineStrings(d.Before, d.After); ok {
			g.textDiff(d, old, new)
			return
		}
		l.old, l.new = g.pair(d.Before, d.After)
	}
	g.send(&l)
}

// multiline sends an added collection one element a line.
func (g *lineGen) multiline(d *AttrDiff) {
	v := d.After
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	keyed := v.Type().IsMapType() || v.Type().IsObjectType()
	open, closer := "[", "]"
	width := 0
	if keyed {
		open, closer = "{", "}"
		for it := v.ElementIterator(); it.Next(); {
			k, _ := it.Element()
			width = max(width, len(appendKey(nil, k.AsString())))
		}
	}
	g.send(&diffLine{kind: lineOpen, act: Create, path: d.Path, new: open, forces: d.ForcesReplace})
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if keyed && e.IsNull() {
			continue
		}
		if g.full {
			g.skipped++
			continue
		}
		l := diffLine{kind: lineElem, act: Create, new: g.value(e), width: width}
		if keyed {
			l.path = string(appendKey(nil, k.AsString()))
		}
		g.send(&l)
	}
	g.send(&diffLine{kind: lineClose, act: Create, new: closer})
}

// group sends the elements added to and removed from one collection.
// Long elements pair with the most alike element of the other side, so
// both show as windows around where they differ.
func (g *lineGen) group(base string, diffs []AttrDiff) {
	forces := false
	for i := range diffs {
		forces = forces || diffs[i].ForcesReplace
	}
	g.send(&diffLine{kind: lineOpen, act: Update, path: base, new: "[", forces: forces})
	texts := make([]string, len(diffs))
	long := false
	for i := range diffs {
		d := &diffs[i]
		v := d.After
		if d.Action == Delete {
			v = d.Before
		}
		texts[i] = FormatValue(v)
		long = long || len(texts[i]) > g.opts.windowOver
	}
	shown := slices.Clone(texts)
	if long {
		pairElements(diffs, texts, shown, g.opts.windowOver)
	}
	for i := range diffs {
		if g.full {
			g.skipped++
			continue
		}
		d := &diffs[i]
		l := diffLine{kind: lineElem, act: d.Action}
		text := shown[i]
		if text == texts[i] {
			text = g.cut([]byte(text))
		}
		if d.Action == Delete {
			l.old = text
		} else {
			l.new = text
		}
		g.send(&l)
	}
	g.send(&diffLine{kind: lineClose, act: Update, new: "]"})
}

// pairElements pairs each long removed element with the unpaired added
// element sharing the longest prefix with it, and sets shown to the
// windows of each pair.
func pairElements(diffs []AttrDiff, texts, shown []string, over int) {
	taken := make([]bool, len(diffs))
	for i := range diffs {
		if diffs[i].Action != Delete {
			continue
		}
		best, bestLen := -1, -1
		for j := range diffs {
			if diffs[j].Action != Create || taken[j] {
				continue
			}
			if max(len(texts[i]), len(texts[j])) <= over || texts[i] == texts[j] {
				continue
			}
			if n := commonPrefix(texts[i], texts[j]); n > bestLen {
				best, bestLen = j, n
			}
		}
		if best >= 0 {
			taken[best] = true
			shown[i], shown[best] = windowPair(texts[i], texts[best])
		}
	}
}

// outputLines sends the changed root outputs as lines.
func outputLines(outs []*OutputChange, opts lineOptions, sink lineSink) int {
	g := &lineGen{opts: opts, sink: sink}
	for _, o := range outs {
		if o.Action == NoOp {
			continue
		}
		if g.full {
			g.skipped++
			continue
		}
		l := diffLine{kind: lineAttr, act: o.Action, path: o.Name}
		before, after := norm(o.Before), norm(o.After)
		switch {
		case o.Sensitive:
			l.hide()
		case o.Action == Create:
			l.new = g.value(after)
		case o.Action == Delete:
			l.old = g.value(before)
		default:
			l.old, l.new = g.pair(before, after)
		}
		g.send(&l)
	}
	return g.skipped
}
