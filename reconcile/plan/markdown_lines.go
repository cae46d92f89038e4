package plan

import (
	"strconv"

	"github.com/zclconf/go-cty/cty"
)

// lineKind says what a diffLine is.
type lineKind uint8

const (
	// lineAttr is "path = value", or old and new values for an update.
	lineAttr lineKind = iota
	// lineOpen starts a collection shown one element a line: "path = [".
	lineOpen
	// lineElem is one element of such a collection: a value, or for a
	// map or object "key = value".
	lineElem
	// lineClose ends the collection: "]" or "}".
	lineClose
	// lineNote is a comment such as "(2 unchanged attributes hidden)".
	lineNote
)

// diffLine is one line of a resource's diff, with its values already
// formatted as in the text renderer, so the Markdown and HTML renderers
// only lay it out. Sensitive values are never formatted: old and new hold
// SensitiveValue instead.
type diffLine struct {
	kind lineKind
	// act is the line's marker: Create (+), Update (~) or Delete (-). For
	// lineOpen and lineClose of a changed collection it is Update; for a
	// created one, Create.
	act Action
	// path is the attribute path (lineAttr, lineOpen) or the map key
	// (lineElem of a map); empty otherwise.
	path string
	// old and new are the formatted values; old is set for Update and
	// Delete, new for Update and Create. A note's text is in new.
	old, new string
	// bracket is '[' or '{' for lineOpen, ']' or '}' for lineClose.
	bracket byte
	// forces marks the line whose change forces a replacement.
	forces bool
	// sensitive marks an attribute whose values are hidden.
	sensitive bool
}

// lineSink receives the lines of one resource. It returns false when it
// did not take the line and wants no more; the generator then counts that
// line and the rest without formatting them.
type lineSink func(*diffLine) bool

// lineGen turns the AttrDiffs of one change into diffLines, in the order
// and with the grouping of the text renderer.
type lineGen struct {
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

// value formats v into a string.
func (g *lineGen) value(v cty.Value) string {
	g.scratch = appendValue(g.scratch[:0], v)
	return string(g.scratch)
}

// brief formats v, summarising a long collection by its size when brief.
func (g *lineGen) brief(v cty.Value, brief bool) string {
	t := textWriter{b: g.scratch[:0]}
	g.scratch = t.appendBrief(v, brief)
	return string(g.scratch)
}

// diffLines sends the lines of c's diff to sink and returns how many lines
// it did not send because the sink was full.
func diffLines(c *Change, diffs []AttrDiff, sink lineSink) int {
	g := &lineGen{sink: sink}
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
		l.sensitive = true
		if d.Action != Create {
			l.old = SensitiveValue
		}
		if d.Action != Delete {
			l.new = SensitiveValue
		}
	case d.Action == Create:
		if isTopLevel(d.Path) && isNonEmptyCollection(d.After) {
			g.multiline(d)
			return
		}
		l.new = g.value(d.After)
	case d.Action == Delete:
		l.old = g.brief(d.Before, brief || isTopLevel(d.Path))
	default:
		l.old = g.value(d.Before)
		l.new = g.value(d.After)
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
	open, closer := byte('['), byte(']')
	if keyed {
		open, closer = '{', '}'
	}
	g.send(&diffLine{kind: lineOpen, act: Create, path: d.Path, bracket: open, forces: d.ForcesReplace})
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if keyed && e.IsNull() {
			continue
		}
		if g.full {
			g.skipped++
			continue
		}
		l := diffLine{kind: lineElem, act: Create, new: g.value(e)}
		if keyed {
			l.path = string(appendKey(nil, k.AsString()))
		}
		g.send(&l)
	}
	g.send(&diffLine{kind: lineClose, act: Create, bracket: closer})
}

// group sends the elements added to and removed from one collection.
func (g *lineGen) group(base string, diffs []AttrDiff) {
	forces := false
	for i := range diffs {
		forces = forces || diffs[i].ForcesReplace
	}
	g.send(&diffLine{kind: lineOpen, act: Update, path: base, bracket: '[', forces: forces})
	for i := range diffs {
		if g.full {
			g.skipped++
			continue
		}
		d := &diffs[i]
		l := diffLine{kind: lineElem, act: d.Action}
		if d.Action == Delete {
			l.old = g.value(d.Before)
		} else {
			l.new = g.value(d.After)
		}
		g.send(&l)
	}
	g.send(&diffLine{kind: lineClose, act: Update, bracket: ']'})
}

// outputLines sends the changed root outputs as lines.
func outputLines(outs []*OutputChange, sink lineSink) int {
	g := &lineGen{sink: sink}
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
			l.sensitive = true
			if o.Action != Create {
				l.old = SensitiveValue
			}
			if o.Action != Delete {
				l.new = SensitiveValue
			}
		case o.Action == Create:
			l.new = g.value(after)
		case o.Action == Delete:
			l.old = g.value(before)
		default:
			l.old = g.value(before)
			l.new = g.value(after)
		}
		g.send(&l)
	}
	return g.skipped
}
