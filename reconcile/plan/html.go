package plan

import (
	"bufio"
	"io"
	"slices"
	"strconv"
	"time"
)

// Limits of the HTML page.
const (
	// htmlOpenLimit is the largest number of changed resources shown
	// expanded; a larger plan starts collapsed.
	htmlOpenLimit = 100
	// htmlWarnLimit is how many warnings of one kind are listed before the
	// rest are counted; the action filter finds them all.
	htmlWarnLimit = 100
)

// RenderHTML writes the plan as one self-contained HTML page, with no
// network access and no external assets: the summary line, a table of
// changes per resource type, the warnings (as in RenderMarkdown, each
// linking to its resource), then one collapsible <details> element per
// changed resource with its changed attributes and elements coloured as
// in the terminal, most destructive actions first, and the changed
// outputs.
//
// Without scripts the page is complete and static. With them it adds a
// filter by action, a filter by resource type, a search by address, and
// buttons that expand or collapse every resource; a filter writes one CSS
// rule, so it stays fast with thousands of resources. The page is written
// as it is rendered, so memory stays bounded however large the plan.
// Sensitive values are never written.
func RenderHTML(w io.Writer, p *Plan) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	h := &htmlWriter{w: bw}
	h.page(p)
	if h.err != nil {
		return h.err
	}
	return bw.Flush()
}

// htmlWriter builds the page in a buffer it flushes between resources.
type htmlWriter struct {
	w   *bufio.Writer
	b   []byte
	err error
}

func (h *htmlWriter) flush() {
	if _, err := h.w.Write(h.b); err != nil && h.err == nil {
		h.err = err
	}
	h.b = h.b[:0]
}

// str appends s as it is: markup.
func (h *htmlWriter) str(s string) { h.b = append(h.b, s...) }

// text appends s escaped for text.
func (h *htmlWriter) text(s string) { h.b = appendHTMLText(h.b, s) }

// part appends a run of a warning's or banner's text: in <code> when it
// is code, escaped either way.
func (h *htmlWriter) part(p textPart) {
	if p.code {
		h.str("<code>")
		h.text(p.text)
		h.str("</code>")
		return
	}
	h.text(p.text)
}

// attr appends s escaped for a double-quoted attribute value.
func (h *htmlWriter) attr(s string) { h.b = appendHTMLAttr(h.b, s) }

// count appends n with thousands separators.
func (h *htmlWriter) count(n int) { h.b = appendCount(h.b, n) }

// symbol appends an action's marker, coloured as in the terminal.
func (h *htmlWriter) symbol(a Action) {
	h.b = appendHTMLSymbol(h.b, a)
}

// appendHTMLSymbol appends an action's marker in a span of its colour.
func appendHTMLSymbol(b []byte, a Action) []byte {
	switch a {
	case Create:
		return append(b, `<span class="s c">+</span>`...)
	case Update:
		return append(b, `<span class="s u">~</span>`...)
	case Delete:
		return append(b, `<span class="s d">-</span>`...)
	case Read:
		return append(b, `<span class="s rd">&lt;=</span>`...)
	case DeleteThenCreate:
		return append(b, `<span class="s"><span class="d">-</span>/<span class="c">+</span></span>`...)
	case CreateThenDelete:
		return append(b, `<span class="s"><span class="c">+</span>/<span class="d">-</span></span>`...)
	}
	return append(b, `<span class="s"> </span>`...)
}

func (h *htmlWriter) page(p *Plan) {
	r := buildReview(p, htmlWarnLimit)
	title := "No changes"
	if p.HasChanges() {
		title = SummaryLine(r.counts)
	}
	h.str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	h.str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	h.str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n")
	h.str("<title>plumb plan: ")
	h.text(title)
	h.str("</title>\n<style>")
	h.str(htmlStyle)
	h.str("</style>\n<style id=\"filter-rule\"></style>\n</head>\n<body>\n<header>\n<h1>plumb plan")
	if p.Destroy {
		h.str(" (destroy)")
	}
	h.str("</h1>\n")
	h.meta(p)
	if banner := partialBanner(p); banner != nil {
		h.str("<p class=\"banner\" id=\"partial\"><strong>Partial plan.</strong> ")
		for _, part := range banner {
			h.part(part)
		}
		h.str("</p>\n")
	}
	if !p.HasChanges() {
		h.str("<p class=\"plan\" id=\"summary\">No changes. Your estate matches the configuration.</p>\n</header>\n")
	} else {
		h.summary(r.counts)
		if r.changes > 0 {
			h.table(r)
		}
		h.str("</header>\n")
	}
	h.warnings(r)
	h.groups(r)
	h.flush()
	if r.changes > 0 {
		h.filters(r)
		h.changes(p, r)
	}
	h.outputs(p.Outputs)
	h.str("<script>")
	h.str(htmlScript)
	h.str("</script>\n</body>\n</html>\n")
	h.flush()
}

// meta writes the line saying which plumb made the plan, against which
// state, and when.
func (h *htmlWriter) meta(p *Plan) {
	if p.PlumbVersion == "" && p.Lineage == "" && p.Created.IsZero() {
		return
	}
	h.str("<p class=\"meta\">")
	sep := ""
	if p.PlumbVersion != "" {
		h.str("plumb ")
		h.text(p.PlumbVersion)
		sep = " · "
	}
	if p.Lineage != "" {
		h.str(sep + "state ")
		h.text(p.Lineage)
		h.str(" serial ")
		h.b = strconv.AppendUint(h.b, p.Serial, 10)
		sep = " · "
	}
	if !p.Created.IsZero() {
		h.str(sep + "made ")
		h.text(p.Created.UTC().Format(time.DateTime + " UTC"))
	}
	h.str("</p>\n")
}

// summary writes the summary line with each number in an element of its
// own id (n-add, n-change, n-destroy, n-import), for people and tests.
func (h *htmlWriter) summary(n Counts) {
	h.str("<p class=\"plan\" id=\"summary\">Plan: ")
	if n.Import > 0 {
		h.str("<span id=\"n-import\">")
		h.count(n.Import)
		h.str("</span> to import, ")
	}
	h.str("<span id=\"n-add\" class=\"c\">")
	h.count(n.Add)
	h.str("</span> to add, <span id=\"n-change\" class=\"u\">")
	h.count(n.Change)
	h.str("</span> to change, <span id=\"n-destroy\" class=\"d\">")
	h.count(n.Destroy)
	h.str("</span> to destroy.</p>\n")
}

// table writes the changes counted per resource type.
func (h *htmlWriter) table(r *review) {
	reads, imports := r.all.Read > 0, r.all.Import > 0
	h.str("<table class=\"types\">\n<thead><tr><th>Resource type</th><th>Add</th><th>Change</th><th>Destroy</th><th>Replace</th>")
	if reads {
		h.str("<th>Read</th>")
	}
	if imports {
		h.str("<th>Import</th>")
	}
	h.str("</tr></thead>\n<tbody>\n")
	cell := func(n int) {
		if n == 0 {
			h.str("<td class=\"z\">0</td>")
			return
		}
		h.str("<td>")
		h.count(n)
		h.str("</td>")
	}
	row := func(t *typeCounts, total bool) {
		if total {
			h.str("<tr class=\"total\"><td>Total</td>")
		} else {
			h.str("<tr><td><code>")
			h.text(t.Type)
			h.str("</code></td>")
		}
		for _, n := range []int{t.Add, t.Change, t.Destroy, t.Replace} {
			cell(n)
		}
		if reads {
			cell(t.Read)
		}
		if imports {
			cell(t.Import)
		}
		h.str("</tr>\n")
	}
	for i := range r.types {
		row(&r.types[i], false)
		if len(h.b) > 32<<10 {
			h.flush()
		}
	}
	if len(r.types) > 1 {
		row(&r.all, true)
	}
	h.str("</tbody>\n</table>\n")
	if r.all.Replace > 0 {
		h.str("<p class=\"n\" id=\"replace-note\">")
		h.text(replaceNote)
		h.str("</p>\n")
	}
}

// warnings writes the warnings, each linking to its resource.
func (h *htmlWriter) warnings(r *review) {
	if len(r.warnings) == 0 {
		return
	}
	total := len(r.warnings)
	for _, n := range r.hidden {
		total += n
	}
	h.str("<section id=\"warnings\">\n<h2>Warnings (")
	h.count(total)
	h.str(")</h2>\n<ul>\n")
	for i := range r.warnings {
		w := &r.warnings[i]
		h.str("<li><span class=\"k ")
		if w.kind == warnPlan {
			h.str("u")
		} else {
			h.str("d")
		}
		h.str("\">" + w.kind.title() + "</span>")
		if w.addr != "" {
			h.str(" <a href=\"#r")
			h.b = strconv.AppendInt(h.b, int64(w.index), 10)
			h.str("\"><code>")
			h.text(w.addr)
			h.str("</code></a>")
		}
		for j, part := range w.parts {
			if j == 0 && (w.addr == "" || len(part.text) == 0 || part.text[0] != ':') {
				if w.addr == "" {
					h.str(": ")
				} else {
					h.str(" ")
				}
			}
			h.part(part)
		}
		h.str("</li>\n")
		if len(h.b) > 32<<10 {
			h.flush()
		}
	}
	for k := warnDestroy; k <= warnPlan; k++ {
		if n := r.hidden[k]; n > 0 {
			h.str("<li class=\"n\">… and ")
			h.count(n)
			h.str(" more " + k.plural() + "</li>\n")
		}
	}
	h.str("</ul>\n</section>\n")
}

// filters writes the filter bar, hidden until the script shows it.
func (h *htmlWriter) filters(r *review) {
	h.str("<nav id=\"filters\" hidden aria-label=\"Filters\">\n<span>Show:</span>\n")
	seen := [Delete + 1]bool{}
	for _, act := range riskOrder {
		label := actionLabel(act)
		n := r.byAction[act]
		if act == DeleteThenCreate || act == CreateThenDelete {
			if seen[DeleteThenCreate] {
				continue
			}
			seen[DeleteThenCreate] = true
			n = r.byAction[DeleteThenCreate] + r.byAction[CreateThenDelete]
		}
		if n == 0 {
			continue
		}
		h.str("<button type=\"button\" data-action=\"" + label + "\" aria-pressed=\"false\">")
		if act == CreateThenDelete || act == DeleteThenCreate {
			h.symbol(DeleteThenCreate)
		} else {
			h.symbol(act)
		}
		h.str(" " + label + " <span class=\"n\">")
		h.count(n)
		h.str("</span></button>\n")
	}
	h.str("<select id=\"type-filter\" aria-label=\"Resource type\"><option value=\"\">all types</option>")
	for i := range r.types {
		t := &r.types[i]
		h.str("<option value=\"")
		h.attr(t.Type)
		h.str("\">")
		h.text(t.Type)
		h.str(" (")
		h.count(t.Changes)
		h.str(")</option>")
	}
	h.str("</select>\n")
	h.str("<input id=\"search\" type=\"search\" placeholder=\"Search addresses, records, values\" aria-label=\"Search addresses, record names and values\">\n")
	h.str("<button type=\"button\" id=\"show-all\">Show all</button>\n")
	h.str("<span class=\"gap\"></span>\n<span class=\"n\">Showing <output id=\"shown\">")
	h.count(r.changes)
	h.str("</output> of ")
	h.count(r.changes)
	h.str("</span>\n")
	h.str("<button type=\"button\" id=\"expand\">Expand all</button>\n")
	h.str("<button type=\"button\" id=\"collapse\">Collapse all</button>\n</nav>\n")
	h.str("<noscript><p class=\"n\">The filters need JavaScript; every change is shown.</p></noscript>\n")
}

// changes writes one <details> element per changed resource.
func (h *htmlWriter) changes(p *Plan, r *review) {
	h.str("<main id=\"changes\" data-total=\"")
	h.b = strconv.AppendInt(h.b, int64(r.changes), 10)
	h.str("\">\n")
	open := r.changes <= htmlOpenLimit
	for _, act := range riskOrder {
		for i, c := range p.Changes {
			if c.Action == act && reviewed(c) {
				h.resource(i, c, r.tallies[i], open)
				if len(h.b) > 32<<10 {
					h.flush()
				}
			}
		}
	}
	h.str("</main>\n")
}

// resource writes one changed resource.
func (h *htmlWriter) resource(index int, c *Change, tally string, open bool) {
	diffs := Diff(c)
	h.str("<details class=\"r\" id=\"r")
	h.b = strconv.AppendInt(h.b, int64(index), 10)
	h.str("\" data-a=\"" + actionLabel(c.Action) + "\" data-t=\"")
	h.attr(c.Type)
	h.str("\" data-k=\"")
	h.attr(c.Addr)
	h.str("\"")
	if open {
		h.str(" open")
	}
	h.str("><summary>")
	h.symbol(c.Action)
	h.str(" <code>")
	h.text(c.Addr)
	h.str("</code> ")
	h.text(resourceHeading(c))
	h.b = appendChangeCount(h.b, c, diffs, tally)
	h.str("</summary><pre>")
	if c.ImportID != "" {
		h.str("<span class=\"n\"># (imported from ")
		h.text(quote(c.ImportID))
		h.str(")</span>\n")
	}
	if c.Reason != "" {
		h.str("<span class=\"n\"># (")
		h.text(c.Reason)
		h.str(")</span>\n")
	}
	diffLines(c, diffs, fullLines, func(l *diffLine) bool {
		h.b = appendHTMLLine(h.b, l)
		return true
	})
	h.str("</pre></details>\n")
}

// outputs writes the changed root outputs.
func (h *htmlWriter) outputs(outs []*OutputChange) {
	if !slices.ContainsFunc(outs, func(o *OutputChange) bool { return o.Action != NoOp }) {
		return
	}
	h.str("<section id=\"outputs\">\n<h2>Changes to outputs</h2>\n<pre>")
	outputLines(outs, fullLines, func(l *diffLine) bool {
		h.b = appendHTMLLine(h.b, l)
		return true
	})
	h.str("</pre>\n</section>\n")
}
