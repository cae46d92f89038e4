package plan

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// TextOptions controls RenderText.
type TextOptions struct {
	// Color adds ANSI colours: green additions, yellow changes, red
	// deletions, bold headers. Leave it off when the output is not a
	// terminal.
	Color bool
}

// ANSI escape sequences.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// briefLimit is the length beyond which a removed collection is summarised
// by its size instead of printed.
const briefLimit = 72

// RenderText writes the plan for a human reviewer, in the layout Terraform
// users know: one block per changed resource with its changed attributes,
// the summary line, then changed outputs and warnings. Updates and
// replacements show only changed attributes and count the hidden ones;
// creates show every non-null attribute; deletes show attributes with
// long collections summarised by their size. No-op changes are not
// printed, and a plan that changes nothing prints one sentence saying so.
func RenderText(w io.Writer, p *Plan, opts TextOptions) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	t := &textWriter{w: bw, color: opts.Color}
	t.plan(p)
	if t.err != nil {
		return t.err
	}
	return bw.Flush()
}

// SummaryLine returns the plan's one-line tally, such as
// "Plan: 1 to add, 1 to change, 1 to destroy.". As in Terraform, a
// replacement counts once in "to add" and once in "to destroy"; numbers
// have commas between thousands (4,974), as in every review format.
func SummaryLine(c Counts) string {
	b := []byte("Plan: ")
	if c.Import > 0 {
		b = appendCount(b, c.Import)
		b = append(b, " to import, "...)
	}
	b = appendCount(b, c.Add)
	b = append(b, " to add, "...)
	b = appendCount(b, c.Change)
	b = append(b, " to change, "...)
	b = appendCount(b, c.Destroy)
	b = append(b, " to destroy"...)
	if c.Forget > 0 {
		b = append(b, ", "...)
		b = appendCount(b, c.Forget)
		b = append(b, " to forget"...)
	}
	return string(append(b, '.'))
}

// textWriter renders one plan a line at a time.
type textWriter struct {
	w     *bufio.Writer
	color bool
	b     []byte // the line being built
	err   error
}

// end finishes the current line and writes it.
func (t *textWriter) end() {
	t.b = append(t.b, '\n')
	if _, err := t.w.Write(t.b); err != nil && t.err == nil {
		t.err = err
	}
	t.b = t.b[:0]
}

// paint appends s wrapped in the ANSI code when colour is on.
func (t *textWriter) paint(code, s string) {
	if t.color {
		t.b = append(t.b, code...)
		t.b = append(t.b, s...)
		t.b = append(t.b, ansiReset...)
		return
	}
	t.b = append(t.b, s...)
}

// symbol appends an action's marker, coloured, right-aligned in width.
func (t *textWriter) symbol(a Action, width int) {
	s := a.Symbol()
	for i := len(s); i < width; i++ {
		t.b = append(t.b, ' ')
	}
	switch a {
	case Create:
		t.paint(ansiGreen, s)
	case Update:
		t.paint(ansiYellow, s)
	case Delete:
		t.paint(ansiRed, s)
	case Read:
		t.paint(ansiCyan, s)
	case DeleteThenCreate:
		t.paint(ansiRed, "-")
		t.b = append(t.b, '/')
		t.paint(ansiGreen, "+")
	case CreateThenDelete:
		t.paint(ansiGreen, "+")
		t.b = append(t.b, '/')
		t.paint(ansiRed, "-")
	default:
		t.b = append(t.b, s...)
	}
}

func (t *textWriter) plan(p *Plan) {
	if banner := partialBanner(p); banner != nil {
		t.paint(ansiBold+ansiYellow, "Partial plan:")
		t.b = append(t.b, ' ')
		t.b = append(t.b, bannerText(banner)...)
		t.end()
		t.end()
	}
	if !p.HasChanges() {
		t.b = append(t.b, "No changes. Your estate matches the configuration."...)
		t.end()
		t.warnings(p.Warnings)
		return
	}
	shown := false
	for _, c := range p.Changes {
		if !reviewed(c) {
			continue
		}
		if !shown {
			t.b = append(t.b, "plumb will perform the following actions:\n"...)
			t.end()
			shown = true
		}
		t.change(c)
	}
	if shown {
		t.paint(ansiBold, "Plan:")
		t.b = append(t.b, SummaryLine(p.Count())[len("Plan:"):]...)
		t.end()
	}
	t.outputs(p.Outputs, shown)
	for _, c := range p.Changes {
		if c.MassChange != nil {
			t.end()
			t.paint(ansiBold+ansiYellow, "Warning:")
			t.b = append(t.b, ' ')
			t.b = append(t.b, massChangeText(c)...)
			t.end()
		}
	}
	t.warnings(p.Warnings)
}

// verb says what happens to a resource, for its header line.
func verb(a Action) string {
	switch a {
	case Create:
		return "will be created"
	case Read:
		return "will be read during apply"
	case Update:
		return "will be updated in-place"
	case DeleteThenCreate:
		return "must be replaced"
	case CreateThenDelete:
		return "must be replaced (the new object is created first)"
	case Delete:
		return "will be destroyed"
	case Forget:
		return "will no longer be managed by plumb, but will not be destroyed"
	}
	return "is unchanged"
}

// heading is the header line of a change: what happens to it, or, for an
// object that only moves, where it moves.
func heading(c *Change) string {
	if c.Action == NoOp && c.PrevAddr != "" && c.ImportID == "" {
		return c.PrevAddr + " has moved to " + c.Addr
	}
	return c.Addr + " " + verb(c.Action)
}

// change renders one resource block.
func (t *textWriter) change(c *Change) {
	if t.color {
		t.b = append(t.b, ansiBold...)
	}
	t.b = append(t.b, "  # "...)
	t.b = append(t.b, heading(c)...)
	if t.color {
		t.b = append(t.b, ansiReset...)
	}
	t.end()
	if c.PrevAddr != "" && (c.Action != NoOp || c.ImportID != "") {
		t.b = append(t.b, "  # (moved from "...)
		t.b = append(t.b, c.PrevAddr...)
		t.b = append(t.b, ')')
		t.end()
	}
	if c.ImportID != "" {
		t.b = append(t.b, "  # (imported from "...)
		t.b = appendQuoted(t.b, c.ImportID)
		t.b = append(t.b, ')')
		t.end()
	}
	if c.Reason != "" {
		t.b = append(t.b, "  # ("...)
		t.b = append(t.b, c.Reason...)
		t.b = append(t.b, ')')
		t.end()
	}
	t.symbol(c.Action, 3)
	if c.Mode == Data {
		t.b = append(t.b, " data "...)
	} else {
		t.b = append(t.b, " resource "...)
	}
	t.b = appendQuoted(t.b, c.Type)
	t.b = append(t.b, ' ')
	t.b = appendQuoted(t.b, c.Name)
	t.b = append(t.b, " {"...)
	t.end()

	diffs := Diff(c)
	width := 0
	for _, d := range diffs {
		p := d.Path
		if base, ok := elementGroup(p); ok {
			p = base
		}
		if isTopLevel(p) {
			width = max(width, len(p))
		}
	}
	diffLines(c, diffs, fullLines, func(l *diffLine) bool {
		t.line(l, width)
		return true
	})
	t.b = append(t.b, "    }"...)
	t.end()
	t.end()
}

// isTopLevel reports whether a diff path names a top-level attribute.
func isTopLevel(path string) bool {
	return strings.IndexByte(path, '.') < 0 && strings.IndexByte(path, '[') < 0
}

// elementGroup returns the collection path of an element diff (allow[+]).
func elementGroup(path string) (string, bool) {
	if strings.HasSuffix(path, "[+]") || strings.HasSuffix(path, "[-]") {
		return path[:len(path)-3], true
	}
	return "", false
}

// name appends the attribute line's start: indent, symbol, padded name.
func (t *textWriter) name(a Action, path string, width int) {
	t.b = append(t.b, "      "...)
	t.symbol(a, 1)
	t.b = append(t.b, ' ')
	t.b = append(t.b, path...)
	for i := len(path); i < width; i++ {
		t.b = append(t.b, ' ')
	}
	t.b = append(t.b, " = "...)
}

func (t *textWriter) forces(on bool) {
	if on {
		t.b = append(t.b, ' ')
		t.paint(ansiRed, "# forces replacement")
	}
}

// appendBrief appends v, or when brief and v is a long collection, its size.
func (t *textWriter) appendBrief(v cty.Value, brief bool) []byte {
	start := len(t.b)
	b := appendValue(t.b, v)
	if !brief || len(b)-start <= briefLimit || !isNonEmptyCollection(v) {
		return b
	}
	b = b[:start]
	n := v.LengthInt()
	unit := " elements"
	if v.Type().IsObjectType() {
		unit = " attributes"
	}
	if n == 1 {
		unit = unit[:len(unit)-1]
	}
	b = append(b, '(')
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, unit...)
	return append(b, ')')
}

func isNonEmptyCollection(v cty.Value) bool {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	ty := v.Type()
	return (ty.IsCollectionType() || ty.IsObjectType() || ty.IsTupleType()) && v.LengthInt() > 0
}

// line renders one diff line; width is the width of the widest
// top-level attribute name, which names are padded to.
func (t *textWriter) line(l *diffLine, width int) {
	const elemIndent = "          "
	switch l.kind {
	case lineNote:
		t.b = append(t.b, "        # "...)
		t.b = append(t.b, l.new...)
	case lineOpen:
		t.name(l.act, l.path, width)
		t.b = append(t.b, l.new...)
		t.forces(l.forces)
	case lineClose:
		t.b = append(t.b, "        "...)
		t.b = append(t.b, l.new...)
	case lineHunk, lineNoEOL:
		t.b = append(t.b, elemIndent...)
		if l.kind == lineHunk {
			t.paint(ansiCyan, l.new)
		} else {
			t.b = append(t.b, l.old...)
			t.b = append(t.b, l.new...)
		}
	case lineText:
		t.b = append(t.b, elemIndent...)
		t.symbol(l.act, 1)
		t.b = append(t.b, ' ')
		t.b = append(t.b, l.old...)
		t.b = append(t.b, l.new...)
	case lineElem:
		t.b = append(t.b, elemIndent...)
		t.symbol(l.act, 1)
		t.b = append(t.b, ' ')
		if l.path != "" {
			t.b = append(t.b, l.path...)
			for i := len(l.path); i < l.width; i++ {
				t.b = append(t.b, ' ')
			}
			t.b = append(t.b, " = "...)
		}
		t.b = append(t.b, l.old...)
		t.b = append(t.b, l.new...)
		if l.path == "" {
			t.b = append(t.b, ',')
		}
	default:
		t.name(l.act, l.path, width)
		switch {
		case l.sensitive:
			t.b = append(t.b, SensitiveValue...)
			if l.act == Delete {
				t.b = append(t.b, " -> null"...)
			}
		case l.act == Create:
			t.b = append(t.b, l.new...)
		case l.act == Delete:
			t.b = append(t.b, l.old...)
			t.b = append(t.b, " -> null"...)
		default:
			t.b = append(t.b, l.old...)
			t.b = append(t.b, " -> "...)
			t.b = append(t.b, l.new...)
		}
		t.forces(l.forces)
	}
	t.end()
}

// unchangedAttrs counts the top-level attributes an update leaves as they
// are, not counting those null on both sides.
func unchangedAttrs(c *Change) int {
	before, after := norm(c.Before), norm(c.After)
	if !before.Type().IsObjectType() || !after.Type().IsObjectType() ||
		before.IsNull() || after.IsNull() || !after.IsKnown() {
		return 0
	}
	n := 0
	for _, name := range attrNames(before.Type(), after.Type()) {
		b, a := attrOf(before, name), attrOf(after, name)
		if !(b.IsNull() && a.IsNull()) && equal(b, a) {
			n++
		}
	}
	return n
}

// outputs renders the changed root outputs.
func (t *textWriter) outputs(outs []*OutputChange, afterResources bool) {
	width, changed := 0, false
	for _, o := range outs {
		if o.Action != NoOp {
			width = max(width, len(o.Name))
			changed = true
		}
	}
	if !changed {
		return
	}
	if afterResources {
		t.end()
	}
	t.b = append(t.b, "Changes to Outputs:"...)
	t.end()
	for _, o := range outs {
		if o.Action == NoOp {
			continue
		}
		t.b = append(t.b, "  "...)
		t.symbol(o.Action, 1)
		t.b = append(t.b, ' ')
		t.b = append(t.b, o.Name...)
		for i := len(o.Name); i < width; i++ {
			t.b = append(t.b, ' ')
		}
		t.b = append(t.b, " = "...)
		before, after := norm(o.Before), norm(o.After)
		switch {
		case o.Sensitive:
			t.b = append(t.b, SensitiveValue...)
		case o.Action == Create:
			t.b = appendValue(t.b, after)
		case o.Action == Delete:
			t.b = appendValue(t.b, before)
			t.b = append(t.b, " -> null"...)
		default:
			t.b = appendValue(t.b, before)
			t.b = append(t.b, " -> "...)
			t.b = appendValue(t.b, after)
		}
		t.end()
	}
	if !afterResources {
		t.end()
		t.b = append(t.b, "Applying this plan records the new output values; no resource changes."...)
		t.end()
	}
}

// warnings renders the plan's warnings after everything else.
func (t *textWriter) warnings(ws []string) {
	for _, w := range ws {
		t.end()
		t.paint(ansiBold+ansiYellow, "Warning:")
		t.b = append(t.b, ' ')
		t.b = append(t.b, w...)
		t.end()
	}
}
