package plan

import (
	"io"
	"slices"
	"strings"
)

// Sizes a Markdown review keeps under, by where it is posted. Each leaves
// room for the marker and the footer a CI job adds. Limits are counted in
// characters there; a byte count is never smaller, so it is safe.
const (
	// GitHubCommentMaxBytes fits a GitHub pull-request comment (65,536
	// characters).
	GitHubCommentMaxBytes = 65000
	// GitLabNoteMaxBytes fits a GitLab merge-request note (1,000,000
	// characters).
	GitLabNoteMaxBytes = 998000
	// JobSummaryMaxBytes fits a GitHub Actions job summary (1 MiB per
	// step).
	JobSummaryMaxBytes = 1040000
	// DefaultMarkdownMaxBytes is the size RenderMarkdown keeps under when
	// MarkdownOptions.MaxBytes is zero: a GitHub comment.
	DefaultMarkdownMaxBytes = GitHubCommentMaxBytes
)

// Destinations names the places a review is sized for, with their
// sizes, for a command-line flag.
var Destinations = map[string]int{
	"github":      GitHubCommentMaxBytes,
	"gitlab":      GitLabNoteMaxBytes,
	"job-summary": JobSummaryMaxBytes,
}

// Limits of the Markdown layout.
const (
	// mdOpenLimit is the largest number of changed resources whose
	// details are shown open; a larger plan shows them collapsed.
	mdOpenLimit = 10
	// mdWarnLimit is how many warnings of one kind are listed before the
	// rest are counted.
	mdWarnLimit = 50
	// mdGroupLimit is how many groups of zones changing alike are listed.
	mdGroupLimit = 20
	// mdReserve is kept free for the closing lines and for the line at
	// the top saying how many changes are shown.
	mdReserve = 700
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
	// Title is the heading's text; empty means "plumb plan". Several
	// plans in one pull request tell themselves apart by it, for example
	// by naming the configuration folder.
	Title string
}

// limitAndTitle returns MaxBytes and Title with their defaults in place
// of zero values.
func (o MarkdownOptions) limitAndTitle() (int, string) {
	limit, title := o.MaxBytes, o.Title
	if limit <= 0 {
		limit = DefaultMarkdownMaxBytes
	}
	if title == "" {
		title = "plumb plan"
	}
	return limit, title
}

// RenderMarkdown writes the plan as GitHub-flavoured Markdown for a
// pull-request comment: a title with the summary line, a table counting
// the changes per resource type, the warnings a reviewer must not miss
// (every deletion, every replacement with the attributes forcing it,
// records deleted from zones, apex NS changes, mass changes, and the
// plan's own warnings), the record changes many zones share, each as one
// line, then one collapsible <details> block per changed resource holding
// a ```diff block of its changed attributes and elements only, most
// destructive actions first, and last the changed outputs.
//
// The output stays under opts.MaxBytes: one resource may take all the
// room left, and once the room is used the rest are counted instead of
// shown, with "Showing N of M changes" at the top and at the bottom.
// Sensitive values are never written.
func RenderMarkdown(w io.Writer, p *Plan, opts MarkdownOptions) error {
	limit, title := opts.limitAndTitle()
	m := &mdWriter{limit: limit, title: title, showingAt: -1}
	m.plan(p)
	out := m.out
	if m.showingAt >= 0 && m.shown < m.total {
		line := m.showingLine(m.shown, m.total, true)
		out = slices.Concat(out[:m.showingAt], line, out[m.showingAt:])
	}
	for len(out) > 0 {
		n := min(len(out), 32<<10)
		if _, err := w.Write(out[:n]); err != nil {
			return err
		}
		out = out[n:]
	}
	return nil
}

// mdWriter builds the Markdown in memory, counting it against the limit:
// the line at the top saying how many changes are shown is known only at
// the end.
type mdWriter struct {
	limit int
	title string
	out   []byte // what is written
	b     []byte // the text being built
	// showingAt is where the top "Showing N of M" line goes, once shown
	// and total are known; -1 for a plan without changes.
	showingAt    int
	shown, total int
}

// flush moves the built text to the output.
func (m *mdWriter) flush() {
	m.out = append(m.out, m.b...)
	m.b = m.b[:0]
}

// room is how many more bytes may be written, less reserve.
func (m *mdWriter) room(reserve int) int {
	return m.limit - len(m.out) - len(m.b) - reserve
}

// str appends s.
func (m *mdWriter) str(s string) { m.b = append(m.b, s...) }

// part appends a run of a warning's or banner's text: as inline code when
// it is code, as escaped prose otherwise.
func (m *mdWriter) part(p textPart) {
	if p.code {
		m.b = appendMDCode(m.b, p.text, false)
		return
	}
	m.b = appendMDText(m.b, p.text)
}

func (m *mdWriter) plan(p *Plan) {
	r := buildReview(p, mdWarnLimit)
	m.str("### ")
	m.b = appendMDText(m.b, m.title)
	if p.Destroy {
		m.str(" (destroy)")
	}
	m.str("\n\n")
	if banner := partialBanner(p); banner != nil {
		m.str("> **Partial plan.** ")
		for _, part := range banner {
			m.part(part)
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
	m.showingAt, m.total = len(m.out), r.changes

	outputs := m.outputs(p.Outputs)
	reserve := mdReserve + len(outputs)
	if r.changes > 0 {
		m.table(r, reserve)
	}
	m.warnings(r, reserve)
	m.groups(r, reserve)
	if r.changes > 0 {
		m.details(p, r, reserve)
	}
	m.b = append(m.b, outputs...)
	m.flush()
}

// showingLine returns the line saying how many of the changes are shown;
// the one at the top also says where the rest are.
func (m *mdWriter) showingLine(shown, total int, top bool) []byte {
	b := []byte("_Showing ")
	b = appendCount(b, shown)
	b = append(b, " of "...)
	b = appendCount(b, total)
	b = append(b, " changes"...)
	if top {
		b = append(b, ", most destructive first; the rest are counted at the end._\n\n"...)
		return b
	}
	b = append(b, ": the other "...)
	b = appendCount(b, total-shown)
	b = append(b, " are not shown here. The full plan is in the HTML page (`plumb show -format=html PLANFILE`) or `plumb show PLANFILE`._\n\n"...)
	return b
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
		m.part(part)
	}
	m.str("\n")
}

// details writes one <details> block per changed resource, most
// destructive first, until the room runs out. One resource may take all
// the room left.
func (m *mdWriter) details(p *Plan, r *review, reserve int) {
	m.str("#### Changes\n\n")
	m.flush()
	open := r.changes <= mdOpenLimit
	var block []byte
	for _, act := range riskOrder {
		for i, c := range p.Changes {
			if c.Action != act || !reviewed(c) {
				continue
			}
			room := m.room(reserve)
			if room < mdMinBlock || room < len(c.Addr)+mdMinBlock {
				m.b = append(m.b, m.showingLine(m.shown, m.total, false)...)
				m.flush()
				return
			}
			block = mdBlock(block[:0], c, r.tallies[i], open, room)
			m.b = append(m.b, block...)
			m.flush()
			m.shown++
		}
	}
}

// outputs renders the changed outputs into their own buffer, so their
// room can be kept while the resources are written.
func (m *mdWriter) outputs(outs []*OutputChange) []byte {
	if !slices.ContainsFunc(outs, func(o *OutputChange) bool { return o.Action != NoOp }) {
		return nil
	}
	b := []byte("#### Changes to outputs\n\n```diff\n")
	budget := max(m.limit/8, mdMinBlock)
	skipped := outputLines(outs, commentLines, mdLinesWithin(&b, budget))
	b = appendNotShown(b, skipped, "outputs")
	return append(b, "```\n\n"...)
}

// groups writes the record changes that several zones share, one line
// per group, largest first, as much of it as fits.
func (m *mdWriter) groups(r *review, reserve int) {
	shared := r.zones.shared()
	if len(shared) == 0 {
		return
	}
	m.str("#### Record changes shared by several zones\n\n")
	for i, g := range shared {
		start := len(m.b)
		if i < mdGroupLimit {
			m.group(g)
		}
		if i >= mdGroupLimit || m.room(reserve+400) < 0 {
			m.b = m.b[:start]
			m.str("- … and ")
			m.b = appendCount(m.b, len(shared)-i)
			m.str(" more groups\n")
			break
		}
	}
	m.str("\n")
	m.flush()
}

// group appends one group's line: "**4,974 zones** (+0 ~1 −0 each):
// `mail A` `198.51.100.x` → `198.51.100.7`, for example in …".
func (m *mdWriter) group(g *zoneGroup) {
	m.str("- **")
	m.b = appendCount(m.b, g.zones)
	m.str(" zones** (")
	m.str(g.tally)
	m.str(" each): ")
	for _, part := range groupParts(g) {
		m.part(part)
	}
	m.str(" — ")
	for i, a := range g.addrs {
		if i > 0 {
			m.str(", ")
		}
		m.b = appendMDCode(m.b, a, false)
	}
	if g.zones > len(g.addrs) {
		m.str(" and ")
		m.b = appendCount(m.b, g.zones-len(g.addrs))
		m.str(" more")
	}
	m.str("\n")
}
