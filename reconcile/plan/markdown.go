package plan

import (
	"bufio"
	"io"
	"slices"
	"strings"
)

// DefaultMarkdownMaxBytes is the size RenderMarkdown keeps under when
// MarkdownOptions.MaxBytes is zero: a little below GitHub's limit of
// 65,536 characters for a pull-request comment.
const DefaultMarkdownMaxBytes = 65000

// Limits of the Markdown layout.
const (
	// mdOpenLimit is the largest number of changed resources whose
	// details are shown open; a larger plan shows them collapsed.
	mdOpenLimit = 10
	// mdWarnLimit is how many warnings of one kind are listed before the
	// rest are counted.
	mdWarnLimit = 50
	// mdReserve is kept free for the closing lines.
	mdReserve = 400
	// mdMinBlock is the smallest room worth starting a resource's details
	// in.
	mdMinBlock = 300
	// mdMaxValue is the longest text one value may take in a diff line.
	mdMaxValue = 1000
)

// MarkdownOptions controls RenderMarkdown.
type MarkdownOptions struct {
	// MaxBytes bounds the output's size; zero or less means
	// DefaultMarkdownMaxBytes. What does not fit is summarised.
	MaxBytes int
}

// RenderMarkdown writes the plan as GitHub-flavoured Markdown for a
// pull-request comment: a title with the summary line, a table counting
// the changes per resource type, the warnings a reviewer must not miss
// (every deletion, every replacement with the attributes forcing it, apex
// NS changes, mass changes of keyed collections, and the plan's own
// warnings), then one collapsible <details> block per changed resource
// holding a ```diff block of its changed attributes and elements only,
// most destructive actions first, and last the changed outputs.
//
// The output stays under opts.MaxBytes: once the room is nearly used, the
// remaining resources are counted in one closing line instead of shown.
// Sensitive values are never written.
func RenderMarkdown(w io.Writer, p *Plan, opts MarkdownOptions) error {
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = DefaultMarkdownMaxBytes
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	m := &mdWriter{w: bw, limit: limit}
	m.plan(p)
	if m.err != nil {
		return m.err
	}
	return bw.Flush()
}

// mdWriter writes Markdown and counts what it wrote against the limit.
type mdWriter struct {
	w       *bufio.Writer
	limit   int
	written int
	b       []byte // the text being built
	err     error
}

// flush writes the built text.
func (m *mdWriter) flush() {
	if _, err := m.w.Write(m.b); err != nil && m.err == nil {
		m.err = err
	}
	m.written += len(m.b)
	m.b = m.b[:0]
}

// room is how many more bytes may be written, less reserve.
func (m *mdWriter) room(reserve int) int {
	return m.limit - m.written - len(m.b) - reserve
}

// str appends s.
func (m *mdWriter) str(s string) { m.b = append(m.b, s...) }

func (m *mdWriter) plan(p *Plan) {
	r := buildReview(p, mdWarnLimit)
	m.str("### plumb plan")
	if p.Destroy {
		m.str(" (destroy)")
	}
	m.str("\n\n")
	if banner := partialBanner(p); banner != nil {
		m.str("> **Partial plan.** ")
		for _, part := range banner {
			if part.code {
				m.b = appendMDCode(m.b, part.text, false)
			} else {
				m.b = appendMDText(m.b, part.text)
			}
		}
		m.str("\n\n")
	}
	if !p.HasChanges() {
		m.str("No changes. Your estate matches the configuration.\n")
		m.warnings(r, 0)
		m.flush()
		return
	}
	m.str("**")
	m.str(SummaryLine(r.counts))
	m.str("**\n\n")
	m.flush()

	outputs := m.outputs(p.Outputs)
	reserve := mdReserve + len(outputs)
	if r.changes > 0 {
		m.table(r, reserve)
	}
	m.warnings(r, reserve)
	if r.changes > 0 {
		m.details(p, r, reserve)
	}
	m.b = append(m.b, outputs...)
	m.flush()
}

// cell appends one table cell holding n.
func (m *mdWriter) cell(n int, bold bool) {
	m.str(" | ")
	if bold {
		m.str("**")
	}
	m.b = appendCount(m.b, n)
	if bold {
		m.str("**")
	}
}

// table writes the changes counted per resource type.
func (m *mdWriter) table(r *review, reserve int) {
	reads, imports := r.all.Read > 0, r.all.Import > 0
	m.str("| Resource type | Add | Change | Destroy | Replace")
	sep := "| :--- | ---: | ---: | ---: | ---:"
	if reads {
		m.str(" | Read")
		sep += " | ---:"
	}
	if imports {
		m.str(" | Import")
		sep += " | ---:"
	}
	m.str(" |\n")
	m.str(sep)
	m.str(" |\n")
	row := func(t *typeCounts, bold bool) {
		m.str("| ")
		if bold {
			m.str("**" + t.Type + "**")
		} else {
			m.b = appendMDCode(m.b, t.Type, true)
		}
		for _, n := range []int{t.Add, t.Change, t.Destroy, t.Replace} {
			m.cell(n, bold)
		}
		if reads {
			m.cell(t.Read, bold)
		}
		if imports {
			m.cell(t.Import, bold)
		}
		m.str(" |\n")
	}
	for i := range r.types {
		start := len(m.b)
		row(&r.types[i], false)
		if m.room(reserve+200) < 0 {
			m.b = m.b[:start]
			m.str("| … and ")
			m.b = appendCount(m.b, len(r.types)-i)
			m.str(" more types |\n")
			break
		}
		m.flush()
	}
	if len(r.types) > 1 {
		row(&r.all, true)
	}
	if r.all.Replace > 0 {
		m.str("\n_")
		m.str(replaceNote)
		m.str("_\n")
	}
	m.str("\n")
	m.flush()
}

// replaceNote says under the table how replacements are counted.
const replaceNote = "Add and Destroy count each replacement once each, as the summary line does; Replace says how many there are."

// warnings writes the warnings section, as much of it as fits.
func (m *mdWriter) warnings(r *review, reserve int) {
	if len(r.warnings) == 0 {
		return
	}
	total := len(r.warnings)
	for _, n := range r.hidden {
		total += n
	}
	m.str("#### Warnings (")
	m.b = appendCount(m.b, total)
	m.str(")\n\n")
	for i := range r.warnings {
		start := len(m.b)
		m.warning(&r.warnings[i])
		if m.room(reserve+400) < 0 {
			m.b = m.b[:start]
			m.str("- … and ")
			m.b = appendCount(m.b, total-i)
			m.str(" more warnings not shown\n")
			m.str("\n")
			m.flush()
			return
		}
		m.flush()
	}
	for k := warnDestroy; k <= warnPlan; k++ {
		if n := r.hidden[k]; n > 0 {
			m.str("- … and ")
			m.b = appendCount(m.b, n)
			m.str(" more " + k.plural() + "\n")
		}
	}
	m.str("\n")
	m.flush()
}

// warning appends one warning as a list item.
func (m *mdWriter) warning(w *reviewWarning) {
	m.str("- **" + w.kind.title() + "**")
	if w.addr != "" {
		m.str(" ")
		m.b = appendMDCode(m.b, w.addr, false)
	}
	for i, part := range w.parts {
		if i == 0 && (w.addr == "" || !strings.HasPrefix(part.text, ":")) {
			if w.addr == "" {
				m.str(": ")
			} else {
				m.str(" ")
			}
		}
		if part.code {
			m.b = appendMDCode(m.b, part.text, false)
		} else {
			m.b = appendMDText(m.b, part.text)
		}
	}
	m.str("\n")
}

// details writes one <details> block per changed resource, most
// destructive first, until the room runs out.
func (m *mdWriter) details(p *Plan, r *review, reserve int) {
	m.str("#### Changes\n\n")
	m.flush()
	open := r.changes <= mdOpenLimit
	shown := 0
	blockMax := max(m.limit/4, mdMinBlock)
	var block []byte
	for _, act := range riskOrder {
		for _, c := range p.Changes {
			if c.Action != act || !reviewed(c) {
				continue
			}
			room := min(m.room(reserve), blockMax)
			if room < mdMinBlock || room < len(c.Addr)+mdMinBlock {
				m.rest(r.changes - shown)
				return
			}
			block = mdBlock(block[:0], c, open, room)
			m.b = append(m.b, block...)
			m.flush()
			shown++
		}
	}
}

// rest writes the line counting the resources not shown.
func (m *mdWriter) rest(n int) {
	m.str("_… and ")
	m.b = appendCount(m.b, n)
	if n == 1 {
		m.str(" more change")
	} else {
		m.str(" more changes")
	}
	m.str(" not shown: the full plan is in the HTML page (`plumb show -format=html PLANFILE`) or `plumb show PLANFILE`._\n\n")
	m.flush()
}

// outputs renders the changed outputs into their own buffer, so their
// room can be kept while the resources are written.
func (m *mdWriter) outputs(outs []*OutputChange) []byte {
	if !slices.ContainsFunc(outs, func(o *OutputChange) bool { return o.Action != NoOp }) {
		return nil
	}
	b := []byte("#### Changes to outputs\n\n```diff\n")
	budget := max(m.limit/8, mdMinBlock)
	skipped := outputLines(outs, commentLines, func(l *diffLine) bool {
		n := len(b)
		if b = appendMDLine(b, l); len(b) > budget {
			b = b[:n]
			return false
		}
		return true
	})
	if skipped > 0 {
		b = append(b, "# … and "...)
		b = appendCount(b, skipped)
		b = append(b, " more outputs not shown\n"...)
	}
	return append(b, "```\n\n"...)
}

// mdBlock appends the <details> block of one change, its diff cut so the
// block stays within room bytes.
func mdBlock(b []byte, c *Change, open bool, room int) []byte {
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
	b = appendChangeCount(b, c, diffs)
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
	skipped := diffLines(c, diffs, commentLines, func(l *diffLine) bool {
		n := len(b)
		if b = appendMDLine(b, l); len(b) > stop {
			b = b[:n]
			return false
		}
		return true
	})
	if skipped > 0 {
		b = append(b, "# … and "...)
		b = appendCount(b, skipped)
		b = append(b, " more lines not shown\n"...)
	}
	return append(b, closing...)
}

// appendChangeCount appends ": 3 changes" to the heading of an update or
// replacement, counted as changeUnits counts them.
func appendChangeCount(b []byte, c *Change, diffs []AttrDiff) []byte {
	if c.Action != Update && !c.Action.IsReplace() {
		return b
	}
	n := changeUnits(c, diffs)
	b = append(b, ": "...)
	b = appendCount(b, n)
	if n == 1 {
		return append(b, " change"...)
	}
	return append(b, " changes"...)
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
