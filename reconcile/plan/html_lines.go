package plan

// groups writes the record changes that several zones share, one item
// per group, largest first, each zone linking to its resource.
func (h *htmlWriter) groups(r *review) {
	shared := r.zones.shared()
	if len(shared) == 0 {
		return
	}
	h.str("<section id=\"shared\">\n<h2>Record changes shared by several zones</h2>\n<ul>\n")
	for i, g := range shared {
		if i == htmlWarnLimit {
			h.str("<li class=\"n\">… and ")
			h.count(len(shared) - i)
			h.str(" more groups</li>\n")
			break
		}
		h.str("<li><strong>")
		h.count(g.zones)
		h.str(" zones</strong> (")
		h.text(g.tally)
		h.str(" each): ")
		for _, part := range groupParts(g) {
			h.part(part)
		}
		h.str(" — ")
		for j, a := range g.addrs {
			if j > 0 {
				h.str(", ")
			}
			h.str("<code>")
			h.text(a)
			h.str("</code>")
		}
		if g.zones > len(g.addrs) {
			h.str(" and ")
			h.count(g.zones - len(g.addrs))
			h.str(" more")
		}
		h.str("</li>\n")
	}
	h.str("</ul>\n</section>\n")
}

// appendHTMLLine appends a diff line laid out as the text renderer lays
// it out, its marker coloured, old values in <del> and new ones in <ins>.
func appendHTMLLine(b []byte, l *diffLine) []byte {
	forces := func(b []byte) []byte {
		if l.forces {
			b = append(b, ` <span class="f"># forces replacement</span>`...)
		}
		return append(b, '\n')
	}
	switch l.kind {
	case lineNote:
		b = append(b, `  <span class="n"># `...)
		b = appendHTMLText(b, l.new)
		return append(b, "</span>\n"...)
	case lineOpen:
		b = appendHTMLSymbol(b, l.act)
		b = append(b, ' ')
		b = appendHTMLText(b, l.path)
		b = append(b, " = "...)
		b = appendHTMLText(b, l.new)
		return forces(b)
	case lineClose:
		b = append(b, "  "...)
		b = appendHTMLText(b, l.new)
		return append(b, '\n')
	case lineHunk:
		b = append(b, `    <span class="n">`...)
		b = appendHTMLText(b, l.new)
		return append(b, "</span>\n"...)
	case lineText, lineNoEOL:
		b = append(b, "    "...)
		if l.kind == lineText {
			b = appendHTMLSymbol(b, l.act)
		} else {
			b = append(b, `<span class="s"> </span>`...)
		}
		b = append(b, ' ')
		switch l.act {
		case Delete:
			b = append(b, "<del>"...)
			b = appendHTMLText(b, l.old)
			b = append(b, "</del>"...)
		case Create:
			b = append(b, "<ins>"...)
			b = appendHTMLText(b, l.new)
			b = append(b, "</ins>"...)
		default:
			b = appendHTMLText(b, l.new)
		}
		return append(b, '\n')
	case lineElem:
		b = append(b, "    "...)
		b = appendHTMLSymbol(b, l.act)
		b = append(b, ' ')
		if l.path != "" {
			b = appendHTMLText(b, l.path)
			b = append(b, " = "...)
		}
		if l.act == Delete {
			b = append(b, "<del>"...)
			b = appendHTMLText(b, l.old)
			b = append(b, "</del>"...)
		} else {
			b = append(b, "<ins>"...)
			b = appendHTMLText(b, l.new)
			b = append(b, "</ins>"...)
		}
		if l.path == "" {
			b = append(b, ',')
		}
		return append(b, '\n')
	}
	b = appendHTMLSymbol(b, l.act)
	b = append(b, ' ')
	b = appendHTMLText(b, l.path)
	b = append(b, " = "...)
	switch {
	case l.sensitive:
		b = append(b, SensitiveValue...)
		if l.act == Delete {
			b = append(b, " -&gt; null"...)
		}
	case l.act == Create:
		b = append(b, "<ins>"...)
		b = appendHTMLText(b, l.new)
		b = append(b, "</ins>"...)
	case l.act == Delete:
		b = append(b, "<del>"...)
		b = appendHTMLText(b, l.old)
		b = append(b, "</del> -&gt; null"...)
	default:
		b = append(b, "<del>"...)
		b = appendHTMLText(b, l.old)
		b = append(b, "</del> -&gt; <ins>"...)
		b = appendHTMLText(b, l.new)
		b = append(b, "</ins>"...)
	}
	return forces(b)
}
